import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsSandbox
import SalonOpsSecrets
import Testing
@testable import SalonOpsEngine
import SalonOpsProviderTesting
import SalonOpsStripe

/// What only the sandbox can show: injected faults (localstripe never answers 429 or drops a
/// connection), idempotency keys honoured as the real API does, webhook signing secrets.
@Suite struct StripeSandboxTests {
    @Test func applyConvergesUnderInjectedFaultsWithoutDuplicates() async throws {
        let peer = try await StripePeer.start(.sandbox, faults: try FaultPlan(parsing: "429=0.15,503=0.1,reset=0.05"), seed: 42)
        defer { Task { await peer.stop() } }
        let reconciler = await EngineFixtures.reconciler(try EngineFixtures.state(EngineFixtures.files()), stripeURL: peer.baseURL, client: peer.client)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString)").path
        let (plan, observation) = await reconciler.plan(id: "faults")
        try #require(!plan.hasErrors, "\(plan.integrations.compactMap(\.error))")
        let result = await reconciler.apply(plan, observation: observation, pending: PendingLog(stateDirectory: scratch, scope: "t"), store: nil)
        #expect(result.count(.failed) == 0, "\(result.items.filter { $0.outcome != .applied }.map { "\($0.key): \($0.reason ?? "")" })")
        // Retried writes kept their idempotency keys: nothing was made twice.
        let stats = try await peer.sandboxStats()
        #expect((stats["total"] as? Int ?? 0) > plan.changeCount, "faults were injected and retried")
        #expect(try await peer.list("/v1/products").count == 4)
        #expect(try await peer.list("/v1/prices").count == 6)
        #expect(try await peer.list("/v1/webhook_endpoints").count == 1)
        let (after, _) = await reconciler.plan(id: "after")
        #expect(after.changeCount == 0)
    }

    @Test func theWebhookSigningSecretIsStoredEncryptedAndShownByFingerprint() async throws {
        let peer = try await StripePeer.start(.sandbox)
        defer { Task { await peer.stop() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("whsec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let identity = try AgeIdentity.generate()
        let keyFile = folder.appendingPathComponent("key.txt").path
        try AgeKeyFile.render(identity, created: Date()).write(toFile: keyFile, atomically: true, encoding: .utf8)
        let context = SecretsContext(keys: AgeKeySources(environment: [:], keyFile: keyFile), audit: nil, command: "test")
        let store = WriteOnlyStore(stateDirectory: folder.path, context: context)

        let reconciler = await EngineFixtures.reconciler(try EngineFixtures.state(EngineFixtures.files()), stripeURL: peer.baseURL, client: peer.client)
        let (plan, observation) = await reconciler.plan(id: "whsec")
        let result = await reconciler.apply(plan, observation: observation, pending: PendingLog(stateDirectory: folder.path, scope: "t"), store: store)
        let webhook = try #require(result.items.first { $0.kind == "webhook_endpoint" })
        #expect(webhook.outcome == .applied)
        let fingerprint = try #require(webhook.secrets["secret"])
        #expect(fingerprint.count == 8)
        // The value is in the sops file, readable with the key, and nowhere in the result.
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        let file = try SopsFile.parse(text)
        let decrypted = try file.decrypt(with: try file.dataKey(using: [identity]))
        guard case .scalar(.string(let secret))? = decrypted.documents[0].value(at: [.key("stripe"), .key("webhook"), .key("secret")]) else {
            Issue.record("no secret stored")
            return
        }
        #expect(secret.hasPrefix("whsec_"))
        #expect(!text.contains(secret))
        let encoder = JSONEncoder()
        #expect(!String(decoding: try encoder.encode(result), as: UTF8.self).contains(secret))
        #expect(!PlanRenderer.json(plan).contains(secret))
    }
}

/// A one-off priced Offer gives its product and its price the same key (`offer:<name>`):
/// references name their kind, so repricing it points the new price at the product, not at the
/// old price (it failed with "No such product: 'price_…'" on every apply when references were
/// by key alone).
@Suite struct StripeReferenceTests {
    static let voucher = """
        apiVersion: salonops.io/v1
        kind: Offer
        metadata: {name: bon-cadeau-100}
        spec:
          displayName: Bon cadeau 100 €
          type: voucher
          price: "PRICE EUR"
        """

    @Test func repricingAOneOffOfferReplacesItsPriceUnderTheSameProduct() async throws {
        let peer = try await StripePeer.start(.sandbox)
        defer { Task { await peer.stop() } }
        var files = EngineFixtures.files()
        files["offers.yaml"] = Self.voucher.replacingOccurrences(of: "PRICE", with: "100.00")
        let first = await EngineFixtures.reconciler(try EngineFixtures.state(files), stripeURL: peer.baseURL, client: peer.client)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reprice-\(UUID().uuidString)").path
        let (plan, observation) = await first.plan(id: "one")
        #expect(plan.integrations[0].changes.contains { $0.kind == "price" && $0.key == "offer:bon-cadeau-100" })
        let created = await first.apply(plan, observation: observation, pending: PendingLog(stateDirectory: scratch, scope: "t"), store: nil)
        #expect(created.count(.failed) == 0)

        files["offers.yaml"] = Self.voucher.replacingOccurrences(of: "PRICE", with: "120.00")
        let second = await EngineFixtures.reconciler(try EngineFixtures.state(files), stripeURL: peer.baseURL, client: peer.client)
        let (reprice, observed) = await second.plan(id: "two", force: true)
        let replace = try #require(reprice.integrations[0].changes.first { $0.kind == "price" && $0.key == "offer:bon-cadeau-100" })
        #expect(replace.action == .replace)
        let result = await second.apply(reprice, observation: observed, pending: PendingLog(stateDirectory: scratch, scope: "t"), store: nil, force: true)
        #expect(result.count(.failed) == 0, "\(result.items.compactMap(\.reason))")
        let product = try #require(try await peer.list("/v1/products").first { $0["id"] as? String == "so_belle_epoque_offer_bon_cadeau_100" })
        let prices = try await peer.list("/v1/prices").filter { ($0["lookup_key"] as? String) == "salonops:offer:bon-cadeau-100" }
        #expect(prices.count == 1)
        #expect(prices.first?["unit_amount"] as? Int == 12000)
        #expect(prices.first?["product"] as? String == product["id"] as? String)
        let (after, _) = await second.plan(id: "three")
        #expect(after.changeCount == 0)
    }
}
