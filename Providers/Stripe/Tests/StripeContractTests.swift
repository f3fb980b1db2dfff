import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsSandbox
import SalonOpsSecrets
import Testing
@testable import SalonOpsEngine
import SalonOpsProviderTesting
import SalonOpsStripe

/// The Stripe adapter and the engine, end to end over real HTTP, against localstripe (for what
/// it has: products, coupons, tax rates, plans) and the sandbox's Stripe emulator (everything).
/// The same tests run against both, so the emulator cannot drift from localstripe where both exist.
@Suite(.serialized) struct StripeContractTests {
    func engine(_ peer: StripePeer, files: [String: String]) async throws -> Reconciler {
        await EngineFixtures.reconciler(try EngineFixtures.state(files), stripeURL: peer.baseURL, client: peer.client, managed: peer.kind.kinds)
    }

    func apply(_ reconciler: Reconciler, force: Bool = false) async throws -> (Plan, ApplyResult) {
        let (plan, observation) = await reconciler.plan(id: UUID().uuidString, force: force)
        try #require(!plan.hasErrors, "\(plan.integrations.compactMap(\.error))")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)").path
        let result = await reconciler.apply(plan, observation: observation, pending: PendingLog(stateDirectory: scratch, scope: "t"), store: nil, force: force)
        return (plan, result)
    }

    @Test(arguments: StripePeerKind.allCases)
    func createThenNothingToDo(_ kind: StripePeerKind) async throws {
        let peer = try await StripePeer.start(kind)
        defer { Task { await peer.stop() } }
        let reconciler = try await engine(peer, files: EngineFixtures.files())
        let (plan, result) = try await apply(reconciler)
        let creates = plan.integrations[0].changes
        #expect(creates.allSatisfy { $0.action == .create })
        #expect(result.count(.failed) == 0, "\(result.items.filter { $0.outcome != .applied }.map { "\($0.key): \($0.reason ?? "")" })")
        #expect(result.count(.applied) == creates.count)
        // 3 products (services) + 1 (membership offer); localstripe: + 1 coupon, 2 tax rates, 1 plan.
        let kinds = Dictionary(grouping: creates, by: \.kind).mapValues(\.count)
        #expect(kinds["product"] == 4)
        #expect(kinds["coupon"] == 1)
        #expect(kinds["tax_rate"] == 2)
        #expect(kinds["plan"] == 1)
        if kind == .sandbox {
            #expect(kinds["price"] == 6)  // 3 services × 2 establishments
            #expect(kinds["webhook_endpoint"] == 1)
        }
        let (again, _) = await reconciler.plan(id: "second")
        #expect(again.changeCount == 0, "\(again.integrations[0].changes.map(\.id))")
        #expect(again.integrations[0].unchanged == creates.count)
        #expect(again.exitCode == 0)
        // What Stripe holds carries the markers.
        let products = try await peer.list("/v1/products")
        #expect(products.count == 4)
        #expect(products.allSatisfy { ($0["metadata"] as? [String: Any])?["salonops_owner"] as? String == "belle-epoque" })
    }

    @Test(arguments: StripePeerKind.allCases)
    func updateReplaceOrphanAndPrune(_ kind: StripePeerKind) async throws {
        let peer = try await StripePeer.start(kind)
        defer { Task { await peer.stop() } }
        _ = try await apply(try await engine(peer, files: EngineFixtures.files()))

        // Rename a service (update), reprice another (replace of its prices), drop the third.
        var files = EngineFixtures.files(services: [
            EngineFixtures.service("soin-visage", "Soin visage éclat 60 min", price: "65.00 EUR"),
            EngineFixtures.service("epilation-jambes", "Épilation jambes", price: "32.00 EUR"),
        ])
        files["offers.yaml"] = EngineFixtures.offers.replacingOccurrences(of: "\"15%\"", with: "\"20%\"").replacingOccurrences(of: "49.00 EUR", with: "55.00 EUR")
        let reconciler = try await engine(peer, files: files)
        // Forced: on the sandbox these are more than 30 % of the managed resources.
        let (plan, result) = try await apply(reconciler, force: true)
        let changes = plan.integrations[0].changes
        #expect(changes.contains { $0.kind == "product" && $0.key == "service:soin-visage" && $0.action == .update })
        #expect(changes.contains { $0.kind == "coupon" && $0.action == .replace && $0.replaceBecause == ["percent_off"] })
        #expect(changes.contains { $0.kind == "plan" && $0.action == .replace && $0.replaceBecause == ["amount"] })
        if kind == .sandbox {
            #expect(changes.filter { $0.kind == "price" && $0.key.hasPrefix("service:epilation-jambes@") && $0.action == .replace }.count == 2)
        }
        #expect(result.count(.failed) == 0, "\(result.items.filter { $0.outcome == .failed }.map { "\($0.key): \($0.reason ?? "")" })")
        #expect(plan.integrations[0].orphans.map(\.key).contains("service:massage"))
        let (settled, _) = await reconciler.plan(id: "after")
        #expect(settled.changeCount == 0, "\(settled.integrations[0].changes.map { "\($0.id) \($0.fieldChanges)" })")
        // Only the new coupon is there; the product of the dropped service is kept (orphan).
        let coupons = try await peer.list("/v1/coupons")
        #expect(coupons.count == 1, "\(coupons)")
        #expect(coupons.first?["percent_off"].map { "\($0)" }?.hasPrefix("20") == true)

        // prune: the orphan goes (archived: products are never deleted).
        files["integrations/stripe.yaml"] = EngineFixtures.integration(prune: true)
        let (pruned, pruneResult) = try await apply(try await engine(peer, files: files), force: true)
        #expect(pruned.integrations[0].changes.filter { $0.action == .delete }.map(\.key).contains("service:massage"))
        #expect(pruneResult.count(.failed) == 0)
        let massage = try await peer.list("/v1/products").first { ($0["metadata"] as? [String: Any])?["salonops_id"] as? String == "service:massage" }
        // Stripe answers a boolean; localstripe keeps the string it was sent.
        let active = massage?["active"]
        #expect((active as? String) == "false" || (active as? Bool) == false)
    }

    @Test(arguments: StripePeerKind.allCases)
    func driftMadeBehindTheToolsBackIsFoundAndCorrected(_ kind: StripePeerKind) async throws {
        let peer = try await StripePeer.start(kind)
        defer { Task { await peer.stop() } }
        _ = try await apply(try await engine(peer, files: EngineFixtures.files()))
        let product = try #require(try await peer.list("/v1/products").first { ($0["metadata"] as? [String: Any])?["salonops_id"] as? String == "service:soin-visage" })
        _ = try await peer.call(.POST, "/v1/products/\(product["id"] as! String)", form: "name=Soin%20visage%20(promo%20dashboard)")

        for (mode, applies) in [("warn", false), ("observe", false), ("correct", true)] {
            var files = EngineFixtures.files()
            files["integrations/stripe.yaml"] = EngineFixtures.integration(drift: mode)
            let reconciler = try await engine(peer, files: files)
            let (plan, _) = await reconciler.plan(id: "drift-\(mode)")
            let drift = plan.integrations[0].changes.filter(\.drift)
            #expect(drift.map(\.key) == ["service:soin-visage"])
            #expect(drift.first?.willApply == applies)
            #expect(drift.first?.fieldChanges == [FieldChange(field: "name", before: .string("Soin visage (promo dashboard)"), after: .string("Soin visage 60 min"))])
            #expect(plan.exitCode == (mode == "observe" ? 0 : 2))
        }
        let (_, result) = try await apply(try await engine(peer, files: EngineFixtures.files()))
        #expect(result.count(.applied) == 1)
        let fixed = try await peer.call(.GET, "/v1/products/\(product["id"] as! String)")
        #expect(fixed["name"] as? String == "Soin visage 60 min")
    }

    @Test(arguments: StripePeerKind.allCases)
    func unmarkedResourcesAreAdoptedOnlyWhenAskedAndOtherwiseNeverTouched(_ kind: StripePeerKind) async throws {
        let peer = try await StripePeer.start(kind)
        defer { Task { await peer.stop() } }
        let handMade = try await peer.call(.POST, "/v1/products", form: "id=prod_handmade&name=Massage%20relaxant")
        let id = try #require(handMade["id"] as? String)

        let plain = try await engine(peer, files: EngineFixtures.files())
        let (withoutAdopt, _) = await plain.plan(id: "no-adopt")
        #expect(withoutAdopt.integrations[0].unmanaged == 1)
        #expect(!withoutAdopt.integrations[0].changes.contains { $0.remoteID == id })

        var files = EngineFixtures.files()
        files["integrations/stripe.yaml"] = EngineFixtures.integration(adopt: true)
        let (plan, result) = try await apply(try await engine(peer, files: files))
        let adoption = plan.integrations[0].changes.filter { $0.action == .adopt }
        #expect(adoption.map(\.remoteID) == [id])
        #expect(result.count(.failed) == 0, "\(result.items.filter { $0.outcome == .failed }.map { "\($0.key): \($0.reason ?? "")" })")
        let adopted = try await peer.call(.GET, "/v1/products/\(id)")
        #expect((adopted["metadata"] as? [String: Any])?["salonops_id"] as? String == "service:massage")
        #expect(try await peer.list("/v1/products").count == 4, "adopted, not duplicated")
    }

    @Test(arguments: StripePeerKind.allCases)
    func safetyThresholdRefusesUnlessForced(_ kind: StripePeerKind) async throws {
        let peer = try await StripePeer.start(kind)
        defer { Task { await peer.stop() } }
        let many =
            [EngineFixtures.service("soin-visage", "Soin visage 60 min", price: "65.00 EUR")]
            + (0..<12).map { EngineFixtures.service("soin-\($0)", "Soin \($0)", price: "40.00 EUR") }
        _ = try await apply(try await engine(peer, files: EngineFixtures.files(services: many)))
        // Rename and reprice all of them: far more than 30 % of the managed resources.
        let renamed =
            [EngineFixtures.service("soin-visage", "Soin visage 60 min", price: "65.00 EUR")]
            + (0..<12).map { EngineFixtures.service("soin-\($0)", "Soin renommé \($0)", price: "45.00 EUR") }
        let reconciler = try await engine(peer, files: EngineFixtures.files(services: renamed))
        let (plan, result) = try await apply(reconciler)
        #expect(plan.integrations[0].refusal?.contains("more than the 30% threshold") == true)
        #expect(plan.exitCode == 3)
        #expect(result.count(.applied) == 0)
        #expect(result.count(.skipped) == plan.changeCount)
        // The Integration may set its own thresholds.
        var lenient = EngineFixtures.files(services: renamed)
        lenient["integrations/stripe.yaml"] = EngineFixtures.integration(extra: "  safety: {maxUpdatePercent: 100}")
        let (lenientPlan, _) = await (try await engine(peer, files: lenient)).plan(id: "lenient")
        #expect(lenientPlan.integrations[0].refusal == nil)
        let (forcedPlan, forced) = try await apply(reconciler, force: true)
        #expect(forcedPlan.integrations[0].refusal == nil)
        #expect(forced.count(.applied) == forcedPlan.changeCount)
        #expect(forced.count(.failed) == 0)
    }
}
