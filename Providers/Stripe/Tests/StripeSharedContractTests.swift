import AsyncHTTPClient
import Foundation
import SalonOpsEngine
import SalonOpsProviderTesting
import SalonOpsSandbox
import Testing

extension StripePeer: ContractPeer {
    var endpoints: Endpoints { Endpoints(overrides: ["stripe": baseURL]) }
}

/// Stripe through the shared contract suite, against localstripe (what it has) and the sandbox.
struct StripeFixture: ContractFixture {
    let peer: StripePeerKind
    let provider = "stripe"
    let integration = "stripe"
    let replaces = true
    let integrationFile = "integrations/stripe.yaml"
    var credentials: [String: [String: String]] { ["stripe": ["secretKey": EngineFixtures.apiKey]] }

    func options(_ variant: ContractVariant) -> [String: [String: String]] {
        var options: [String: String] = [:]
        if let kinds = peer.kinds {
            options["kinds"] = kinds.sorted().joined(separator: ",")
            options["omit"] = "coupon.name"
        }
        if variant == .large { options["pageSize"] = "2" }
        return options.isEmpty ? [:] : ["stripe": options]
    }

    func files(_ variant: ContractVariant) -> [String: String] {
        switch variant {
        case .base: return EngineFixtures.files()
        case .changed:
            // A rename (update), a new price (replace of its prices), a new discount (replace of the coupon).
            var files = EngineFixtures.files(services: [
                EngineFixtures.service("soin-visage", "Soin visage éclat 60 min", price: "65.00 EUR"),
                EngineFixtures.service("epilation-jambes", "Épilation jambes", price: "32.00 EUR"),
                EngineFixtures.service("massage", "Massage relaxant", price: "80.00 EUR", vat: "10%"),
            ])
            files["offers.yaml"] = EngineFixtures.offers.replacingOccurrences(of: "\"15%\"", with: "\"20%\"")
            return files
        case .smaller(let prune):
            return EngineFixtures.files(
                services: [
                    EngineFixtures.service("soin-visage", "Soin visage 60 min", price: "65.00 EUR"),
                    EngineFixtures.service("epilation-jambes", "Épilation jambes", price: "30.00 EUR"),
                ],
                integration: EngineFixtures.integration(prune: prune))
        case .large:
            return EngineFixtures.files(
                services: [EngineFixtures.service("soin-visage", "Soin visage 60 min", price: "65.00 EUR")]
                    + (0..<6).map { EngineFixtures.service("soin-\($0)", "Soin \($0)", price: "4\($0).00 EUR") })
        case .drift(let mode):
            return EngineFixtures.files(integration: EngineFixtures.integration(drift: mode))
        case .adopting:
            return EngineFixtures.files(integration: EngineFixtures.integration(adopt: true))
        }
    }

    func start(faults: String?, seed: UInt64?) async throws -> StripePeer {
        try await StripePeer.start(peer, faults: try faults.map { try FaultPlan(parsing: $0) } ?? .none, seed: seed ?? 42)
    }

    /// A product made in the dashboard with the markers of a managed one copied (its metadata).
    func makeDuplicate(_ peer: StripePeer) async throws -> (kind: String, key: String, remoteID: String) {
        let original = try #require(try await peer.list("/v1/products").first { Self.key($0) == "service:soin-visage" })
        var form = "name=" + ((original["name"] as? String ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        for (name, value) in Self.metadata(original).sorted(by: { $0.key < $1.key }) {
            let text = (value as? String ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            form += "&metadata%5B\(name)%5D=\(text)"
        }
        let copy = try await peer.call(.POST, "/v1/products", form: form)
        return ("product", "service:soin-visage", try #require(copy["id"] as? String, "\(copy)"))
    }

    func drift(_ peer: StripePeer) async throws -> (kind: String, key: String, field: String) {
        let product = try #require(try await peer.list("/v1/products").first { Self.key($0) == "service:soin-visage" })
        _ = try await peer.call(.POST, "/v1/products/\(product["id"] as! String)", form: "name=Soin%20visage%20(promo%20dashboard)")
        return ("product", "service:soin-visage", "name")
    }

    /// A product made in the dashboard before SalonOps, named as the config names a service.
    func makeUnmarked(_ peer: StripePeer) async throws -> (kind: String, key: String) {
        _ = try await peer.call(.POST, "/v1/products", form: "id=prod_handmade&name=Massage%20relaxant")
        return ("product", "service:massage")
    }

    func owned(_ peer: StripePeer) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let collections = [
            ("product", "/v1/products"), ("price", "/v1/prices"), ("plan", "/v1/plans"), ("coupon", "/v1/coupons"),
            ("tax_rate", "/v1/tax_rates"), ("webhook_endpoint", "/v1/webhook_endpoints"),
        ]
        for (kind, path) in collections where self.peer.kinds?.contains(kind) ?? true {
            let live = try await peer.list(path).filter { object in
                let active = object["active"]
                // Stripe answers a boolean; localstripe keeps the string it was sent.
                let archived = (active as? Bool) == false || (active as? String) == "false"
                return !archived && Self.owner(object) == "belle-epoque"
            }
            if !live.isEmpty { counts[kind] = live.count }
        }
        return counts
    }

    static func metadata(_ object: [String: Any]) -> [String: Any] { object["metadata"] as? [String: Any] ?? [:] }
    static func key(_ object: [String: Any]) -> String? { metadata(object)["salonops_id"] as? String }
    static func owner(_ object: [String: Any]) -> String? { metadata(object)["salonops_owner"] as? String }
}

@Suite(.serialized) struct StripeSharedContractTests {
    @Test(arguments: StripePeerKind.allCases) func createThenNothingToDo(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).createThenNothingToDo()
    }

    @Test(arguments: StripePeerKind.allCases) func updateAndReplace(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).updateAndReplace()
    }

    @Test(arguments: StripePeerKind.allCases) func driftIsFoundAndCorrected(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).driftIsFoundAndCorrected()
    }

    @Test(arguments: StripePeerKind.allCases) func orphansAreKeptThenPruned(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).orphansAreKeptThenPruned()
    }

    @Test(arguments: StripePeerKind.allCases) func aScopedRunReadsOnlyItsEstablishment(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).aScopedRunReadsOnlyItsEstablishment()
    }

    @Test(arguments: StripePeerKind.allCases) func pagesThroughLargeCollections(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).pagesThroughLargeCollections()
    }

    @Test(arguments: StripePeerKind.allCases) func adoptsOnlyWhenAsked(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).adoptsOnlyWhenAsked()
    }

    @Test(arguments: StripePeerKind.allCases) func safetyThresholdsRefuseUnlessForced(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).safetyThresholdsRefuseUnlessForced()
    }

    @Test(arguments: StripePeerKind.allCases) func duplicatesAreReportedThenRetired(_ peer: StripePeerKind) async throws {
        try await ContractSuite(StripeFixture(peer: peer)).duplicatesAreReportedThenRetired()
    }

    /// The storm of issue 9 (20 % 429, 20 % 503 with Retry-After, 2 % connections reset after
    /// the handler ran) listings changing between pages (churn) and slow bodies, 20 seeds: each converges in one run.
    @Test func convergesInOneRunUnderAStormOfFaults() async throws {
        let retries = try await ContractSuite(StripeFixture(peer: .sandbox)).convergesInOneRunUnderAStorm(
            "429=0.2,503=0.2,reset=0.02,churn=0.1,slow=0.2", seeds: Array(1...20))
        #expect(retries.count == 20 && retries.values.allSatisfy { $0.sent > 0 }, "\(retries)")
        // The figures docs/reliability.md quotes.
        let sent = retries.values.map(\.sent), fromBudget = retries.values.map(\.fromBudget).reduce(0, +)
        print("storm: \(sent.reduce(0, +)) retries over 20 runs, \(fromBudget) from the budget, at most \(sent.max() ?? 0) in one run")
    }

    /// localstripe never throttles nor drops a connection: the sandbox alone.
    @Test func faultsConvergeWithoutDuplicates() async throws {
        try await ContractSuite(StripeFixture(peer: .sandbox)).faultsConvergeWithoutDuplicates("429=0.15,503=0.1,reset=0.05")
    }
}
