@testable import SalonOpsSandbox
@testable import SalonOpsEmulatorKit
import SalonOpsProviderTesting
import Testing

@Suite struct FaultPlanTests {
    @Test func parsesEveryPartInAnyOrder() throws {
        let plan = try FaultPlan(parsing: " latency=5ms..50ms, reset=0.01,503=0.05 ,429=0.1 ")
        #expect(plan.rateLimited == 0.1)
        #expect(plan.unavailable == 0.05)
        #expect(plan.connectionReset == 0.01)
        #expect(plan.latency == .milliseconds(5)...(.milliseconds(50)))
        #expect(try FaultPlan(parsing: plan.description) == plan)
    }

    @Test func emptyAndNoneMeanNoFaults() throws {
        #expect(try FaultPlan(parsing: "") == .none)
        #expect(try FaultPlan(parsing: "none") == .none)
        #expect(try FaultPlan(parsing: "latency=1s").latency == .seconds(1)...(.seconds(1)))
        #expect(try FaultPlan(parsing: "latency=250us..1ms").latency == .microseconds(250)...(.milliseconds(1)))
    }

    @Test(arguments: [
        ("429=2", "429=2"), ("503=abc", "503=abc"), ("boom=0.1", "boom=0.1"), ("429", "429"),
        ("latency=50ms..5ms", "latency=50ms..5ms"), ("latency=5", "latency=5"), ("429=0.1,429=0.2", "429=0.2"),
        ("429=0.6,503=0.6", "429=0.6,503=0.6"),
    ])
    func errorsNameTheBadPart(spec: String, part: String) {
        #expect {
            try FaultPlan(parsing: spec)
        } throws: { error in
            guard let error = error as? FaultPlanError else { return false }
            return error.part == part && error.description.contains("'\(part)'")
        }
    }
}

@Suite struct FormDecodingTests {
    @Test func decodesStripeNesting() throws {
        let form = try FormDecoder.decode(
            "name=Cut+%26+Colour&metadata%5Bsalonops_owner%5D=x&metadata[empty]=&recurring[interval]=month"
                + "&enabled_events[]=a&enabled_events[]=b&lookup_keys[0]=k0&lookup_keys[1]=k1&items[][price]=p1&items[][price]=p2")
        #expect(form["name"] == .string("Cut & Colour"))
        #expect(
            form["metadata"]
                == .map([
                    FormField(name: "salonops_owner", value: .string("x")),
                    FormField(name: "empty", value: .string("")),
                ]))
        #expect(form["recurring"] == .map([FormField(name: "interval", value: .string("month"))]))
        #expect(form["enabled_events"]?.listItems == [.string("a"), .string("b")])
        #expect(form["lookup_keys"]?.listItems == [.string("k0"), .string("k1")])
        #expect(form["items"]?.listItems?.count == 2)
    }

    @Test func indexedListsFollowTheirIndexes() throws {
        let form = try FormDecoder.decode("e[1]=second&e[0]=first")
        #expect(form["e"]?.listItems == [.string("first"), .string("second")])
    }

    @Test func fingerprintIgnoresFieldOrderButNotListOrder() throws {
        let a = try FormDecoder.decode("a=1&b=2&l[]=x&l[]=y"), b = try FormDecoder.decode("b=2&a=1&l[]=x&l[]=y")
        let c = try FormDecoder.decode("a=1&b=2&l[]=y&l[]=x")
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
    }

    @Test func refusesMixedShapesAndBadEscapes() {
        #expect(throws: FormDecodingError.self) { try FormDecoder.decode("a[]=1&a[b]=2") }
        #expect(throws: FormDecodingError.self) { try FormDecoder.decode("a=%zz") }
    }
}

/// The `churn` fault: listings change between their pages, from a stream of their own.
@Suite struct ChurnFaultTests {
    @Test func parsesAndLeavesTheOtherFaultsOfASeedAsTheyWere() throws {
        let plan = try FaultPlan(parsing: "429=0.2,503=0.2,reset=0.02,churn=0.1,slow=0.2")
        #expect(plan.churn == 0.1 && plan.slowBody == 0.2)
        #expect(try FaultPlan(parsing: plan.description) == plan)
        var with = FaultInjector(plan: plan, seed: 5)
        var without = FaultInjector(plan: try FaultPlan(parsing: "429=0.2,503=0.2,reset=0.02"), seed: 5)
        var churned = 0
        for _ in 0..<500 {
            #expect(with.draw().fault == without.draw().fault)
            if with.drawChurn() != nil { churned += 1 }
            #expect(without.drawChurn() == nil)
        }
        #expect((25...75).contains(churned), "\(churned) of 500 at 10 %")
    }

    @Test func aStripeListingChangesBetweenReadsAndWhatIsAddedCarriesNoMarker() async throws {
        try await withSandbox(try faults("churn=1", seed: 3, retryAfter: 0)) { sandbox in
            var counts: [Int] = []
            for _ in 0..<6 {
                let listed = try await sandbox.stripe(.GET, "/v1/products", [("limit", "100")])
                #expect(listed.status == 200, "\(listed.body)")
                #expect(listed.data.allSatisfy { ($0["metadata"] as? [String: Any] ?? [:]).isEmpty })
                counts.append(listed.data.count)
            }
            #expect(counts.first == 1, "the first read sees the product added before it: \(counts)")
            #expect(Set(counts).count > 1, "the listing moves: \(counts)")
        }
    }

    /// A slow body arrives whole, later.
    @Test func aSlowBodyArrivesWhole() async throws {
        try await withSandbox(try faults("slow=1", seed: 3, retryAfter: 0)) { sandbox in
            let created = try await sandbox.stripe(.POST, "/v1/products", [("name", String(repeating: "Soin ", count: 40))])
            #expect(created.status == 200, "\(created.body)")
            let read = try await sandbox.stripe(.GET, "/v1/products/\(created.string("id") ?? "")")
            #expect(read.string("name") == String(repeating: "Soin ", count: 40))
        }
    }
}
