import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsEngine
import SalonOpsSandbox
import Testing

/// The venue emulator of one provider (Planity, Treatwell: the same assumed contract) in a
/// sandbox on port 0, and a direct client of its API: someone at the salon working in the
/// provider's back office behind SalonOps' back.
public struct VenuePeer: ContractPeer {
    public static let apiKey = "test-venue-api-key-1"
    /// The back office's own key: the same account, its own rate window.
    public static let backOfficeKey = "test-venue-back-office-2"
    public let provider: String
    public let server: SandboxServer
    public let client: HTTPClient
    public var endpoints: Endpoints { Endpoints(sandbox: server.baseURL) }

    public static func start(_ provider: String, faults: String? = nil, seed: UInt64 = 13, options: [String: String] = [:]) async throws -> VenuePeer {
        // Retry-After 0: a storm of faults costs no wall time.
        let server = try await SandboxServer.start(
            SandboxConfiguration(
                faults: try faults.map { try FaultPlan(parsing: $0) } ?? .none, seed: seed, retryAfterSeconds: 0, emulatorOptions: [provider: options]))
        return VenuePeer(provider: provider, server: server, client: HTTPClient(eventLoopGroupProvider: .singleton))
    }

    public func stop() async {
        try? await client.shutdown()
        await server.stop()
    }

    /// One call (paths from `/v1`), retried past throttling and outages, bounded.
    public func api(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, headers: [(String, String)] = [], key: String = backOfficeKey) async throws -> Reply {
        let data = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        for _ in 0..<100 {
            var request = HTTPClientRequest(url: server.baseURL + "/\(provider)/api" + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let data {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: data))
            }
            guard let response = try? await client.execute(request, timeout: .seconds(20)) else { continue }
            let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
            let status = Int(response.status.code)
            if status == 429 || status == 503 {
                // The emulator's own limiter says how long (a second at most); injected faults say 0.
                let wait = Double(response.headers.first(name: "retry-after") ?? "0") ?? 0
                if wait > 0 { try await Task.sleep(for: .milliseconds(Int(min(wait, 1) * 1000))) }
                continue
            }
            return Reply(status: status, headers: response.headers, body: text)
        }
        throw HarnessError("\(method) \(path): no answer after 100 tries")
    }

    /// Every item of a collection, page after page (bounded).
    public func list(_ path: String) async throws -> [[String: Any]] {
        var items: [[String: Any]] = [], cursor: String?
        for _ in 0..<200 {
            let page = try await api(.GET, path + "?limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))
            items += page.data
            cursor = page.json["nextCursor"] as? String
            if cursor == nil { return items }
        }
        throw HarnessError("\(path): more than 200 pages")
    }

    public static func ownerOf(_ item: [String: Any]) -> String? { (item["metadata"] as? [String: Any])?["salonops_owner"] as? String }
}

/// A small salon on a venue marketplace, for the shared contract suite: two establishments bound
/// to venues `v-paris` and `v-lyon`, their staff, rooms, services and closures, and the booking
/// webhook. Venues are update-only and always exist: a bound kind, updated by the first apply,
/// never orphaned or pruned.
public struct VenueFixture: ContractFixture {
    public let provider: String
    public var integration: String { provider }
    public let replaces = false  // nothing of a venue's objects is fixed once made
    public var integrationFile: String { "integrations/\(provider).yaml" }
    public var credentials: [String: [String: String]] { [provider: ["apiKey": VenuePeer.apiKey]] }
    public let boundKinds: Set<String> = ["venue"]

    public init(provider: String) { self.provider = provider }

    public func options(_ variant: ContractVariant) -> [String: [String: String]] {
        variant == .large ? [provider: ["pageSize": "2"]] : [:]
    }

    public static func establishment(_ name: String, hours: String, staff: [(String, String, [String])], rooms: [(String, [String])], closures: [String], extra: String = "")
        -> String
    {
        let people = staff.map { "    - {name: \($0.0), displayName: \($0.1), role: esthéticienne, services: [\($0.2.joined(separator: ", "))]}" }
        let places = rooms.map { "    - {name: \($0.0), displayName: Cabine \($0.0), services: [\($0.1.joined(separator: ", "))]}" }
        return """
            apiVersion: salonops.io/v1
            kind: Establishment
            metadata: {name: \(name)}
            spec:
              displayName: Salon \(name)
              address: {street: 1 rue de la Paix, postalCode: "75011", city: Paris, country: FR}
              hours:
                tuesday: [\(hours)]
              closures:
            \(closures.map { "    - \($0)" }.joined(separator: "\n"))
            \(people.isEmpty ? "" : "  staff:\n" + people.joined(separator: "\n"))
            \(places.isEmpty ? "" : "  rooms:\n" + places.joined(separator: "\n"))
            \(extra)
            """
    }

    public func integrationYAML(drift: String = "correct", prune: Bool = false, adopt: Bool = false) -> String {
        """
        apiVersion: salonops.io/v1
        kind: Integration
        metadata: {name: \(provider)}
        spec:
          provider: \(provider)
          enabled: true
          credentials:
            apiKey: {secret: "secrets/\(provider).sops.yaml#\(provider).api_key"}
          settings:
            venueIds: {paris: v-paris, lyon: v-lyon}
            syncBookings: true
            webhook: {url: "https://app.belle-epoque.example/hooks/\(provider)", events: [booking.created, booking.cancelled]}
          drift: \(drift)
          prune: \(prune)
          adopt: \(adopt)
        """
    }

    public func files(_ variant: ContractVariant) -> [String: String] {
        var alice = "Alice Martin", hours = "\"10:00-19:00\"", parisExtra = ""
        var paris: [(String, String, [String])] = [("alice", alice, ["soin-visage", "massage"]), ("bob", "Bob Durand", ["epilation-jambes"])]
        var rooms: [(String, [String])] = [("r1", ["massage"])]
        var closures = ["{date: 2026-12-25, reason: Noël}", "{from: 2027-08-02, to: 2027-08-15, reason: Congés}"]
        var lyon: [(String, String, [String])] = [("carol", "Carol Petit", ["soin-visage"])]
        var drift = "correct", prune = false, adopt = false
        switch variant {
        case .base: break
        case .changed:
            alice = "Alice Martin-Roux"
            paris[0].1 = alice
            hours = "\"09:30-19:00\""
            parisExtra = "  overrides:\n    - {service: soin-visage, price: \"69.00 EUR\"}"
        case .smaller(let withPrune):
            paris.removeLast()
            rooms = []
            closures.removeLast()
            prune = withPrune
        case .large:
            lyon += (0..<6).map { ("s\($0)", "Styliste \($0)", ["soin-visage"]) }
        case .drift(let mode): drift = mode
        case .adopting: adopt = true
        }
        return [
            "organization.yaml": EngineFixtures.organization,
            "establishments/paris.yaml": Self.establishment("paris", hours: hours, staff: paris, rooms: rooms, closures: closures, extra: parisExtra),
            "establishments/lyon.yaml": Self.establishment("lyon", hours: "\"10:00-18:00\"", staff: lyon, rooms: [], closures: ["{date: 2027-01-01}"]),
            "services.yaml": [
                EngineFixtures.service("soin-visage", "Soin visage 60 min", price: "65.00 EUR"),
                EngineFixtures.service("epilation-jambes", "Épilation jambes", price: "30.00 EUR"),
                EngineFixtures.service("massage", "Massage relaxant", price: "80.00 EUR", vat: "10%"),
            ].joined(separator: "\n---\n"),
            integrationFile: integrationYAML(drift: drift, prune: prune, adopt: adopt),
            "secrets/\(provider).sops.yaml": EngineFixtures.encryptedOutline(provider, "api_key"),
        ]
    }

    public func start(faults: String?, seed: UInt64?) async throws -> VenuePeer { try await VenuePeer.start(provider, faults: faults, seed: seed ?? 13) }

    /// Someone changes the price of Paris' facial in the provider's back office.
    public func drift(_ peer: VenuePeer) async throws -> (kind: String, key: String, field: String) {
        let services = try await peer.list("/v1/venues/v-paris/services")
        let facial = try #require(services.first { ($0["metadata"] as? [String: Any])?["salonops_id"] as? String == "paris/soin-visage" })
        let id = try #require(facial["id"] as? String), version = try #require(facial["version"] as? Int)
        let reply = try await peer.api(.PATCH, "/v1/venues/v-paris/services/\(id)", ["price": ["amount": 5900, "currency": "EUR"]], headers: [("If-Match", "\"\(version)\"")])
        try #require(reply.status == 200, "\(reply.body)")
        return ("service", "paris/soin-visage", "price.amount")
    }

    /// Carol, entered by hand in Lyon's venue before SalonOps (same name, no markers).
    public func makeUnmarked(_ peer: VenuePeer) async throws -> (kind: String, key: String) {
        let reply = try await peer.api(.POST, "/v1/venues/v-lyon/staff", ["name": "Carol Petit", "role": "esthéticienne"])
        try #require(reply.status == 201, "\(reply.body)")
        return ("staff", "lyon/carol")
    }

    /// A second Alice carrying the first one's markers (what two applies at once left).
    public func makeDuplicate(_ peer: VenuePeer) async throws -> (kind: String, key: String, remoteID: String) {
        let staff = try await peer.list("/v1/venues/v-paris/staff")
        let alice = try #require(staff.first { ($0["metadata"] as? [String: Any])?["salonops_id"] as? String == "paris/alice" })
        let reply = try await peer.api(.POST, "/v1/venues/v-paris/staff", ["name": alice["name"] ?? "", "role": alice["role"] ?? NSNull(), "metadata": alice["metadata"] ?? [:]])
        try #require(reply.status == 201, "\(reply.body)")
        return ("staff", "paris/alice", "v-paris/" + (try #require(reply.json["id"] as? String)))
    }

    public func owned(_ peer: VenuePeer) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for venue in ["v-paris", "v-lyon"] {
            if VenuePeer.ownerOf(try await peer.api(.GET, "/v1/venues/\(venue)").json) == "belle-epoque" { counts["venue", default: 0] += 1 }
            for (collection, kind) in [("staff", "staff"), ("resources", "room"), ("services", "service"), ("closures", "closure")] {
                let mine = try await peer.list("/v1/venues/\(venue)/\(collection)").filter { VenuePeer.ownerOf($0) == "belle-epoque" }
                if !mine.isEmpty { counts[kind, default: 0] += mine.count }
            }
        }
        let hooks = try await peer.list("/v1/webhooks").filter { VenuePeer.ownerOf($0) == "belle-epoque" }
        if !hooks.isEmpty { counts["webhook"] = hooks.count }
        return counts
    }
}
