// salonops-bench reconcile [--establishments N] [--services S] [--latency-ms L] [--venues V]
//
// A no-op plan of a generated chain with Stripe, Google Calendar and Google Business Profile
// enabled for every establishment, Brevo for the chain (a folder, two lists, the sender, a
// webhook), and Planity and Treatwell for the first V (their assumed limits, 9.5 and 4.5
// requests a second, make the set-up of hundreds of venues take minutes), against the
// sandbox with L ms of injected latency per request and each provider's published limits:
// - requests over the lower bound (the pages needed to list each collection once, plus one
//   token request for each Google API): goal 1.00, and 0 writes;
// - wall time over the floor computed from the same run's requests, the round trip measured in
//   the same run, each provider's allowed concurrency and rate (the slowest provider bounds it,
//   since providers are observed at once): goal ≤ 1.2.
import AsyncHTTPClient
import Foundation
import SalonOpsBrevo
import SalonOpsCore
import SalonOpsEngine
import SalonOpsGoogleBusinessProfile
import SalonOpsGoogleCalendar
import SalonOpsPlanity
import SalonOpsProviderKit
import SalonOpsProviders
import SalonOpsSandbox
import SalonOpsSecrets
import SalonOpsStripe
import SalonOpsTreatwell

func benchReconcile(_ arguments: [String]) async throws {
    let flags = chainFlags(arguments, latency: 20)
    let (establishments, services, latency, venues) = (flags["--establishments"]!, flags["--services"]!, flags["--latency-ms"]!, flags["--venues"]!)
    let chain = try await BenchChain.start(establishments: establishments, services: services, venues: venues, latency: latency)
    let sandbox = chain.sandbox, client = chain.client
    func engine() async -> Reconciler { await chain.engine(chain.state) }
    try await chain.setUp()

    // The round trip of one request through the injected latency, measured now (median of 15).
    var trips: [Duration] = []
    for _ in 0..<15 {
        let start = ContinuousClock.now
        var request = HTTPClientRequest(url: sandbox.baseURL + "/stripe/api/v1/balance")
        request.headers.add(name: "Authorization", value: "Bearer sk_test_bench")
        _ = try await client.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 20)
        trips.append(ContinuousClock.now - start)
    }
    let rtt = trips.sorted()[trips.count / 2]

    // A fresh engine, as a scheduled run has: its token fetch is part of the plan.
    let noopEngine = await engine()
    let before = try await providerStats(sandbox, client)
    let planStart = ContinuousClock.now
    let (noop, observation) = await noopEngine.plan(id: "noop")
    let wall = ContinuousClock.now - planStart
    let after = try await providerStats(sandbox, client)

    guard noop.changeCount == 0 else {
        print("the second plan is not a no-op: \(noop.integrations.flatMap(\.changes).prefix(5).map(\.id))")
        exit(1)
    }
    print("no-op plan: \(noop.changeCount) changes, \(noop.integrations.compactMap(\.error).count) errors, in \(wall); round trip \(rtt)")
    var floor = Duration.zero
    var totalReads = 0, totalWrites = 0, totalBound = 0
    for module in [Stripe.self, GoogleCalendar.self, GoogleBusinessProfile.self, Planity.self, Treatwell.self, Brevo.self] as [any ProviderModule.Type] {
        let id = module.spec.id
        let reads = (after.reads[id] ?? 0) - (before.reads[id] ?? 0)
        let writes = (after.writes[id] ?? 0) - (before.writes[id] ?? 0)
        let resources = observation.resources[id] ?? []
        let (bound, chain) = lowerBound(id, resources)
        // Requests at the provider's rate after its burst, or its in-flight cap over the round
        // trip, whichever is slower; never less than its longest chain of dependent pages.
        let rate = min(module.traits.rate.requestsPerSecond, Double(module.traits.rate.maxInFlight) / seconds(rtt))
        let paced = Duration.milliseconds(Int64(max(0, Double(reads - module.traits.rate.burst)) / rate * 1000)) + rtt
        let providerFloor = max(paced, rtt * chain)
        floor = max(floor, providerFloor)
        totalReads += reads
        totalWrites += writes
        totalBound += bound
        print(
            "  \(id): \(reads) requests (lower bound \(bound): \(String(format: "%.2f", Double(reads) / Double(max(bound, 1)))); writes \(writes); floor \(providerFloor) (\(module.traits.rate.requestsPerSecond)/s, \(module.traits.rate.maxInFlight) in flight, chain of \(chain))"
        )
    }
    print(String(format: "requests:   %.2f of the lower bound (goal 1.00), writes %d (goal 0)", Double(totalReads) / Double(max(totalBound, 1)), totalWrites))
    print(String(format: "wall time:  %.2f of the floor %@ (goal ≤ 1.2)", seconds(wall) / seconds(floor), "\(floor)"))
    try await chain.stop()
}

/// The generated chain's flags (`--establishments`, `--services`, `--latency-ms`, `--venues`,
/// and those in `extra`), each a non-negative integer; anything else is the usage.
func chainFlags(_ arguments: [String], latency: Int, extra: [String: Int] = [:]) -> [String: Int] {
    var flags = ["--establishments": 200, "--services": 10, "--latency-ms": latency, "--venues": 20].merging(extra) { a, _ in a }
    var rest = arguments[...]
    while let flag = rest.popFirst() {
        guard flags[flag] != nil, let value = rest.popFirst().flatMap(Int.init), value >= 0 else { usage() }
        flags[flag] = value
    }
    flags["--establishments"] = max(1, flags["--establishments"]!)
    flags["--services"] = max(1, flags["--services"]!)
    return flags
}

/// A generated chain applied to an in-process sandbox: the state, the sandbox, the credentials,
/// and fresh engines over them (each with its own limiters, as a new run has).
struct BenchChain {
    let state: DesiredState
    let files: [String: String]
    let sandbox: SandboxServer
    let client: HTTPClient
    let credentials: [String: [String: Secret]]
    let scratch: String

    static func start(establishments: Int, services: Int, venues: Int, latency: Int) async throws -> BenchChain {
        let key = try ReconcileBenchKey.make()
        let files = ReconcileBenchKey.config(establishments: establishments, services: services, venues: min(venues, establishments))
        let faults = try FaultPlan(parsing: latency > 0 ? "latency=\(latency)ms" : "")
        let sandbox = try await SandboxServer.start(
            SandboxConfiguration(
                faults: faults,
                emulatorOptions: [
                    "google-calendar": ["serviceAccount": "\(ReconcileBenchKey.email)=\(key.publicPEM)"],
                    "google-business-profile": ["locations": (0..<establishments).map { "accounts/1/locations/\(1000 + $0)" }.joined(separator: ",")],
                ]))
        let fingerprint = Array("bench".utf8)
        let credentials: [String: [String: Secret]] = [
            "stripe": ["secretKey": Secret(Array("sk_test_bench".utf8), fingerprintKey: fingerprint)],
            "google-calendar": ["serviceAccountKey": Secret(Array(key.json.utf8), fingerprintKey: fingerprint)],
            "google-business-profile": [
                "clientId": Secret(Array("bench-client".utf8), fingerprintKey: fingerprint), "clientSecret": Secret(Array("bench-secret".utf8), fingerprintKey: fingerprint),
                "refreshToken": Secret(Array("bench-refresh".utf8), fingerprintKey: fingerprint),
            ],
            "planity": ["apiKey": Secret(Array("bench-planity".utf8), fingerprintKey: fingerprint)],
            "treatwell": ["apiKey": Secret(Array("bench-treatwell".utf8), fingerprintKey: fingerprint)],
            "brevo": ["apiKey": Secret(Array("xkeysib-bench".utf8), fingerprintKey: fingerprint)],
        ]
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
        return BenchChain(
            state: try load(files), files: files, sandbox: sandbox, client: HTTPClient(eventLoopGroupProvider: .singleton), credentials: credentials,
            scratch: scratch)
    }

    static func load(_ files: [String: String]) throws -> DesiredState {
        let loaded = ConfigLoader.load(files.map { ConfigFile(path: $0.key, repositoryPath: $0.key, contents: Array($0.value.utf8)) }, catalog: Registry.catalog)
        guard !loaded.hasErrors else { throw BenchError(loaded.diagnostics.map(\.headline).joined(separator: "\n")) }
        return loaded.state
    }

    func engine(_ state: DesiredState, previous: DesiredState? = nil) async -> Reconciler {
        await Reconciler(
            state: state, commit: String(repeating: "b", count: 40), repository: "bench", providers: Registry.providers,
            endpoints: Endpoints(sandbox: sandbox.baseURL), client: client, credentials: credentials, credentialErrors: [:],
            limiters: RateLimiterRegistry(), limits: EngineLimits(applyConcurrency: 8, runDeadline: .seconds(3600)),
            ledger: Ledger(stateDirectory: scratch, scope: "bench"), previous: previous)
    }

    /// Plans and applies `state` (the set-up: everything created).
    func setUp() async throws {
        let start = ContinuousClock.now
        try await apply(state, label: "setup")
        print("setup: done in \(ContinuousClock.now - start)")
    }

    /// One run: plan `scope` (narrowed against `previous` when given) and apply it; the result.
    @discardableResult
    func apply(_ state: DesiredState, previous: DesiredState? = nil, scope: RunScope = .all, label: String) async throws -> (Plan, ApplyResult) {
        let engine = await engine(state, previous: previous)
        let (plan, observed) = await engine.plan(id: label, force: true, scope: engine.narrowed(scope))
        for integration in plan.integrations where integration.error != nil { print("\(label): \(integration.integration): \(integration.error!)") }
        let applied = await engine.apply(plan, observation: observed, pending: PendingLog(stateDirectory: scratch, scope: "bench"), store: nil, force: true)
        print("\(label): \(applied.count(.applied)) changes applied (\(applied.count(.failed)) failed)")
        for item in applied.items.filter({ $0.outcome != .applied }).prefix(5) { print("  \(item.kind) \(item.key): \(item.reason ?? "")") }
        guard applied.count(.failed) == 0, !plan.hasErrors else { throw BenchError("\(label) did not apply cleanly") }
        return (plan, applied)
    }

    func stop() async throws {
        try await client.shutdown()
        await sandbox.stop()
    }
}

/// Pages needed to list each collection once, and the longest chain of pages that must follow
/// each other.
func lowerBound(_ provider: String, _ resources: [ObservedResource]) -> (requests: Int, chain: Int) {
    switch provider {
    case "stripe":
        // One list per collection, archived prices apart (Stripe lists only active prices
        // unless `active=false`), 100 a page, at least one page each.
        var counts: [String: Int] = [:]
        for resource in resources { counts[resource.kind == "price" && resource.archived ? "archived price" : resource.kind, default: 0] += 1 }
        let pages = ["product", "price", "archived price", "plan", "coupon", "tax_rate", "webhook_endpoint"].map { max(1, (counts[$0, default: 0] + 99) / 100) }
        return (pages.reduce(0, +), pages.max() ?? 1)
    case "google-calendar":
        // A token, the calendar list (250 a page), then each owned calendar's ACL (250) and its
        // closure events (2,500): one page each at this size.
        let calendars = resources.filter { $0.kind == "calendar" && $0.key != nil }.count
        let acl = Dictionary(grouping: resources.filter { $0.kind == "acl" }, by: { $0.references["calendar"] ?? "" })
        let events = Dictionary(grouping: resources.filter { $0.kind == "closure" }, by: { $0.references["calendar"] ?? "" })
        let perCalendar = resources.filter { $0.kind == "calendar" && $0.key != nil }.reduce(0) { total, calendar in
            total + max(1, ((acl[calendar.remoteID]?.count ?? 0) + 249) / 250) + max(1, ((events[calendar.remoteID]?.count ?? 0) + 2499) / 2500)
        }
        return (1 + max(1, (calendars + 249) / 250) + perCalendar, 3)
    case "google-business-profile":
        // A token, then the account's locations, 100 a page, one page after the other.
        let pages = max(1, (resources.count + 99) / 100)
        return (1 + pages, 1 + pages)
    case "planity", "treatwell":
        // The account's venues (100 a page), each bound venue's staff, rooms, services and
        // closures (100 a page, at least one page each), and the account's webhooks.
        let venues = resources.filter { $0.kind == "venue" }
        var perVenue = 0
        for venue in venues {
            let children = Dictionary(
                grouping: resources.filter { $0.kind != "venue" && $0.kind != "webhook" && $0.remoteID.hasPrefix(venue.remoteID + "/") }, by: \.kind)
            perVenue += ["staff", "room", "service", "closure"].map { max(1, ((children[$0]?.count ?? 0) + 99) / 100) }.reduce(0, +)
        }
        return (max(1, (venues.count + 99) / 100) + perVenue + 1, 2)
    case "brevo":
        // Folders and lists at 50 a page, the senders and the two webhook types (one list each).
        let folders = resources.filter { $0.kind == "folder" }.count, lists = resources.filter { $0.kind == "list" }.count
        return (max(1, (folders + 49) / 50) + max(1, (lists + 49) / 50) + 3, 1)
    default:
        return (1, 1)
    }
}

/// Per provider, the sandbox's counted reads and writes (token requests are reads).
func providerStats(_ sandbox: SandboxServer, _ client: HTTPClient) async throws -> (reads: [String: Int], writes: [String: Int]) {
    let response = try await client.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/stats"), timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 24)
    let object = (try JSONSerialization.jsonObject(with: Data(body.getBytes(at: 0, length: body.readableBytes) ?? []))) as? [String: Any] ?? [:]
    var reads: [String: Int] = [:], writes: [String: Int] = [:]
    for row in object["requests"] as? [[String: Any]] ?? [] {
        guard let provider = row["provider"] as? String, let count = row["count"] as? Int, let method = row["method"] as? String else { continue }
        if method == "GET" || (row["path"] as? String)?.hasPrefix("/oauth") == true { reads[provider, default: 0] += count } else { writes[provider, default: 0] += count }
    }
    return (reads, writes)
}

/// A throwaway service-account key for the benchmark (made with the openssl CLI), and the config.
enum ReconcileBenchKey {
    static let email = "bench@salonops-bench.iam.gserviceaccount.com"

    static func make() throws -> (json: String, publicPEM: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for arguments in [["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"], ["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = folder
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw BenchError("openssl \(arguments[0]) failed") }
        }
        let pem = try String(contentsOf: folder.appendingPathComponent("key.pem"), encoding: .utf8)
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: [
                "type": "service_account", "private_key_id": "bench", "private_key": pem, "client_email": email, "token_uri": "https://oauth2.googleapis.com/token",
            ]), as: UTF8.self)
        return (json, try String(contentsOf: folder.appendingPathComponent("pub.pem"), encoding: .utf8))
    }

    static func config(establishments: Int, services: Int, venues: Int) -> [String: String] {
        let outline = { (name: String, key: String) in
            "\(name):\n    \(key): ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]\nsops:\n    lastmodified: \"2026-11-01T00:00:00Z\"\n    mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]\n    version: 3.11.0\n"
        }
        var files: [String: String] = [
            "organization.yaml": "apiVersion: salonops.io/v1\nkind: Organization\nmetadata: {name: bench}\nspec:\n  displayName: Bench\n",
            "secrets/stripe.sops.yaml": outline("stripe", "secret_key"),
            "secrets/google.sops.yaml": outline("google", "service_account_key"),
            "secrets/planity.sops.yaml": outline("planity", "api_key"),
            "secrets/treatwell.sops.yaml": outline("treatwell", "api_key"),
            "secrets/brevo.sops.yaml": outline("brevo", "api_key"),
            "integrations/brevo.yaml": """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: brevo}
            spec:
              provider: brevo
              enabled: true
              credentials:
                apiKey: {secret: "secrets/brevo.sops.yaml#brevo.api_key"}
              settings:
                sender: {name: Bench, email: bonjour@bench.example}
                contactLists: [newsletter, fideles]
                webhook: {url: "https://app.example/webhooks/brevo", events: [delivered, hardBounce]}
            """,
            "secrets/gbp.sops.yaml": "gbp:\n"
                + ["client_id", "client_secret", "refresh_token"].map { "    \($0): ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]\n" }.joined()
                + "sops:\n    lastmodified: \"2026-11-01T00:00:00Z\"\n    mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]\n    version: 3.11.0\n",
            "integrations/google-business-profile.yaml": """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: google-business-profile}
            spec:
              provider: google-business-profile
              enabled: true
              credentials:
                clientId: {secret: "secrets/gbp.sops.yaml#gbp.client_id"}
                clientSecret: {secret: "secrets/gbp.sops.yaml#gbp.client_secret"}
                refreshToken: {secret: "secrets/gbp.sops.yaml#gbp.refresh_token"}
              settings:
                accountId: accounts/1
                publishServices: true
                locationIds:
            \((0..<establishments).map { "      salon-\($0): locations/\(1000 + $0)" }.joined(separator: "\n"))
            """,
            "integrations/stripe.yaml": """
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
            "integrations/google-calendar.yaml": """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: google-calendar}
            spec:
              provider: google-calendar
              enabled: true
              credentials:
                serviceAccountKey: {secret: "secrets/google.sops.yaml#google.service_account_key"}
              settings:
                delegatedUser: agendas@bench.example
                readerGroup: accueil@bench.example
            """,
        ]
        for provider in ["planity", "treatwell"] where venues > 0 {
            let ids = (0..<venues).map { "      salon-\($0): \"v\($0)\"" }.joined(separator: "\n")
            files["integrations/\(provider).yaml"] = """
                apiVersion: salonops.io/v1
                kind: Integration
                metadata: {name: \(provider)}
                spec:
                  provider: \(provider)
                  enabled: true
                  establishments: [\((0..<venues).map { "salon-\($0)" }.joined(separator: ", "))]
                  credentials:
                    apiKey: {secret: "secrets/\(provider).sops.yaml#\(provider).api_key"}
                  settings:
                    venueIds:
                \(ids)
                """
        }
        for i in 0..<services {
            files["services/s\(i).yaml"] =
                "apiVersion: salonops.io/v1\nkind: Service\nmetadata: {name: soin-\(i)}\nspec:\n  displayName: Soin \(i)\n  category: soins\n  duration: 60m\n  price: \"\(40 + i).00 EUR\"\n  vatRate: \"20%\"\n"
        }
        for i in 0..<establishments {
            files["establishments/e\(i).yaml"] = """
                apiVersion: salonops.io/v1
                kind: Establishment
                metadata: {name: salon-\(i)}
                spec:
                  displayName: Salon \(i)
                  timezone: Europe/Paris
                  address: {street: \(i) rue de la Paix, postalCode: "75011", city: Paris, country: FR}
                  hours:
                    monday: ["10:00-19:00"]
                  closures:
                    - {date: 2026-12-25, reason: Noël}
                  staff:
                    - {name: s\(i), displayName: Styliste \(i), email: s\(i)@bench.example, services: []}
                """
        }
        return files
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
