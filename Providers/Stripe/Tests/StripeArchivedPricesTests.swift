import Foundation
import SalonOpsProviderTesting
import SalonOpsCore
import SalonOpsSandbox
import Testing
@testable import SalonOpsEngine
import SalonOpsStripe

/// Stripe lists only active prices unless `active=false` is given (products, plans and tax rates
/// list archived ones too): the adapter's observation lists archived prices apart, with one extra
/// request and no other.
@Suite struct StripeArchivedPricesTests {
    @Test func archivedPricesAreObservedWithOneExtraListOnly() async throws {
        let peer = try await StripePeer.start(.sandbox)
        defer { Task { await peer.stop() } }
        let reconciler = await EngineFixtures.reconciler(
            try EngineFixtures.state(EngineFixtures.files()), stripeURL: peer.baseURL,
            client: peer.client)
        let (plan, observation) = await reconciler.plan(id: "first")
        try #require(!plan.hasErrors, "\(plan.integrations.compactMap(\.error))")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("archived-\(UUID().uuidString)").path
        let pending = PendingLog(stateDirectory: scratch, scope: "t")
        let result = await reconciler.apply(plan, observation: observation, pending: pending, store: nil)
        #expect(result.count(.failed) == 0)

        // Someone archives a managed price in the dashboard.
        let prices = try await peer.list("/v1/prices")
        #expect(prices.count == 6)
        func key(_ price: [String: Any]) -> String? { (price["metadata"] as? [String: Any])?["salonops_id"] as? String }
        let victim = try #require(prices.first { key($0)?.hasPrefix("service:massage@") == true })
        let victimID = try #require(victim["id"] as? String)
        _ = try await peer.call(.POST, "/v1/prices/\(victimID)", form: "active=false")
        #expect(try await peer.list("/v1/prices").count == 5, "the default list hides it, as Stripe's does")

        let (again, observed) = await reconciler.plan(id: "second")
        let resources = try #require(observed.resources["stripe"])
        #expect(resources.filter { $0.kind == "price" }.count == 6)
        let archived = try #require(resources.first { $0.remoteID == victimID })
        #expect(archived.archived)
        #expect(archived.key == key(victim))
        // One list per kind, prices twice (active, then active=false): 7 requests for this account.
        #expect(observed.requests["stripe"] == 7)
        // An archived price SalonOps owns under a key the config still wants is restored, not made anew.
        let restore = again.integrations[0].changes.filter { $0.kind == "price" }
        #expect(restore.map(\.action) == [.update])
        #expect(restore.first?.remoteID == victimID)
        #expect(restore.first?.fieldChanges.map(\.field) == ["active"])
    }
}
