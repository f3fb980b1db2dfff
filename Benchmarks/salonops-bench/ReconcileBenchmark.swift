// salonops-bench reconcile [--establishments N] [--services S]
//
// API requests of a no-op plan for a generated catalogue against the sandbox, divided by the
// lower bound: the pages needed to list each collection once (100 objects a page, at least one
// request per collection). Goal: 1.00, and 0 writes.
import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviders
import SalonOpsSandbox
import SalonOpsSecrets

func benchReconcile(_ arguments: [String]) async throws {
    var establishments = 200, services = 10
    var rest = arguments[...]
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst().flatMap(Int.init), value > 0 else { usage() }
        switch flag {
        case "--establishments": establishments = value
        case "--services": services = value
        default: usage()
        }
    }
    var files: [String: String] = [
        "organization.yaml": "apiVersion: salonops.io/v1\nkind: Organization\nmetadata: {name: bench}\nspec:\n  displayName: Bench\n",
        "secrets/stripe.sops.yaml": "stripe:\n    secret_key: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]\nsops:\n    lastmodified: \"2026-11-01T00:00:00Z\"\n    mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]\n    version: 3.11.0\n",
        "integration.yaml": """
        apiVersion: salonops.io/v1
        kind: Integration
        metadata: {name: stripe}
        spec:
          provider: stripe
          enabled: true
          credentials:
            secretKey: {secret: "secrets/stripe.sops.yaml#stripe.secret_key"}
          settings:
            webhook: {url: "https://app.example/webhooks/stripe", events: [charge.refunded]}
        """,
    ]
    for i in 0..<services {
        files["services/s\(i).yaml"] = "apiVersion: salonops.io/v1\nkind: Service\nmetadata: {name: soin-\(i)}\nspec:\n  displayName: Soin \(i)\n  category: soins\n  duration: 60m\n  price: \"\(40 + i).00 EUR\"\n  vatRate: \"20%\"\n"
    }
    for i in 0..<establishments {
        files["establishments/e\(i).yaml"] = "apiVersion: salonops.io/v1\nkind: Establishment\nmetadata: {name: salon-\(i)}\nspec:\n  displayName: Salon \(i)\n  address: {street: \(i) rue de la Paix, postalCode: \"75011\", city: Paris, country: FR}\n  hours:\n    monday: [\"10:00-19:00\"]\n"
    }
    let loaded = ConfigLoader.load(files.map { ConfigFile(path: $0.key, repositoryPath: $0.key, contents: Array($0.value.utf8)) }, catalog: Registry.catalog)
    guard !loaded.hasErrors else {
        print(loaded.diagnostics.map(\.headline).joined(separator: "\n"))
        exit(1)
    }
    let sandbox = try await SandboxServer.start(SandboxConfiguration())
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let secret = Secret(Array("sk_test_bench".utf8), fingerprintKey: Array("bench".utf8))
    let reconciler = await Reconciler(state: loaded.state, commit: String(repeating: "b", count: 40), repository: "bench",
                                      providers: Registry.providers, endpoints: Endpoints(sandbox: sandbox.baseURL), client: client,
                                      credentials: ["stripe": ["secretKey": secret]], credentialErrors: [:], limiters: RateLimiterRegistry(),
                                      limits: EngineLimits(applyConcurrency: 8))
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
    let setupStart = ContinuousClock.now
    let (setup, observed) = await reconciler.plan(id: "setup")
    let applied = await reconciler.apply(setup, observation: observed, pending: PendingLog(stateDirectory: scratch, scope: "bench"), store: nil)
    print("setup: \(applied.count(.applied)) resources created in \(ContinuousClock.now - setupStart) (\(applied.count(.failed)) failed)")

    let before = try await stats(sandbox, client)
    let planStart = ContinuousClock.now
    let (noop, observation) = await reconciler.plan(id: "noop")
    let elapsed = ContinuousClock.now - planStart
    let after = try await stats(sandbox, client)
    let reads = after.total - before.total - (after.writes - before.writes)
    let writes = after.writes - before.writes
    // Lower bound: every collection listed once, 100 objects a page, at least one request each.
    var counts: [String: Int] = [:]
    // Archived prices are a collection of their own (Stripe lists only active prices unless
    // `active=false` is given, so the adapter lists them apart).
    for resource in observation.resources["stripe"] ?? [] {
        counts[resource.kind == "price" && resource.archived ? "archived price" : resource.kind, default: 0] += 1
    }
    let collections = StripeCollections.all
    let lowerBound = collections.reduce(0) { $0 + max(1, (counts[$1, default: 0] + 99) / 100) }
    print("no-op plan: \(noop.changeCount) changes, \(counts.values.reduce(0, +)) resources observed in \(elapsed)")
    print("requests:   \(reads) reads, \(writes) writes; lower bound \(lowerBound) pages (\(collections.map { "\($0) \(counts[$0, default: 0])" }.joined(separator: ", ")))")
    print(String(format: "ratio:      %.2f (goal 1.00), writes %d (goal 0)", Double(reads) / Double(lowerBound), writes))
    try await client.shutdown()
    await sandbox.stop()
}

enum StripeCollections {
    static let all = ["product", "price", "archived price", "plan", "coupon", "tax_rate", "webhook_endpoint"]
}

private func stats(_ sandbox: SandboxServer, _ client: HTTPClient) async throws -> (total: Int, writes: Int) {
    let response = try await client.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/stats"), timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 24)
    let object = (try JSONSerialization.jsonObject(with: Data(body.getBytes(at: 0, length: body.readableBytes) ?? []))) as? [String: Any] ?? [:]
    return (object["total"] as? Int ?? 0, object["writes"] as? Int ?? 0)
}
