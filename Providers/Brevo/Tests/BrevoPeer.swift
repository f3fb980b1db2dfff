import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsBrevoEmulator
import SalonOpsEngine
import SalonOpsProviderTesting
import SalonOpsSandbox

/// The Brevo emulator in a sandbox on port 0, and a direct client of its API (someone working
/// in Brevo's dashboard behind SalonOps' back).
struct BrevoPeer: ContractPeer {
    static let apiKey = "xkeysib-tests0000000000000000000000000000000000000000000000000000000000-Abc"

    let server: SandboxServer
    let client: HTTPClient

    var endpoints: Endpoints { Endpoints(sandbox: server.baseURL) }
    var apiRoot: String { server.baseURL + "/brevo/api" }

    static func start(faults: String? = nil, seed: UInt64 = 7, options: [String: String] = [:]) async throws -> BrevoPeer {
        // Retry-After 0: a storm of faults costs no wall time.
        let server = try await SandboxServer.start(
            SandboxConfiguration(
                faults: try faults.map { try FaultPlan(parsing: $0) } ?? .none, seed: seed, retryAfterSeconds: 0, emulatorOptions: ["brevo": options]))
        return BrevoPeer(server: server, client: HTTPClient(eventLoopGroupProvider: .singleton))
    }

    func stop() async {
        try? await client.shutdown()
        await server.stop()
    }

    /// One call to the API (paths below `/v3`), sent again past injected throttling, outages
    /// and dropped connections (bounded).
    func api(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, apiKey: String? = BrevoPeer.apiKey) async throws -> Reply {
        let data = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        for _ in 0..<50 {
            var request = HTTPClientRequest(url: apiRoot + path)
            request.method = method
            if let apiKey { request.headers.add(name: "api-key", value: apiKey) }
            if let data {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: data))
            }
            guard let response = try? await client.execute(request, timeout: .seconds(20)) else { continue }
            let collected = try await response.body.collect(upTo: 16 << 20)
            let reply = Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
            if reply.status != 429 && reply.status != 503 { return reply }
        }
        throw HarnessError("\(method) \(path): no answer after 50 tries")
    }

    /// Every item of a paged collection (bounded).
    func all(_ path: String, _ key: String) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        for page in 0..<100 {
            let reply = try await api(.GET, path + (path.contains("?") ? "&" : "?") + "limit=50&offset=\(page * 50)")
            let batch = reply.json[key] as? [[String: Any]] ?? []
            items += batch
            if items.count >= reply.json["count"] as? Int ?? 0 || batch.isEmpty { return items }
        }
        throw HarnessError("\(path): more than 100 pages")
    }

    func webhooks() async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        for type in ["transactional", "marketing"] { all += try await api(.GET, "/webhooks?type=\(type)").json["webhooks"] as? [[String: Any]] ?? [] }
        return all
    }
}
