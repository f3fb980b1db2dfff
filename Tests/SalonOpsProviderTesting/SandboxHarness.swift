import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsSandbox
import Testing

/// One answer from the sandbox, body parsed as JSON where it is JSON.
public struct Reply: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: String

    public init(status: Int, headers: HTTPHeaders, body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
    public var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    public var data: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }
    public var ids: [String] { data.compactMap { $0["id"] as? String } }
    public func string(_ key: String) -> String? { json[key] as? String }
}

/// A sandbox server on a free port and an HTTP client for it; both stopped by `withSandbox`.
public struct Sandbox: Sendable {
    public let server: SandboxServer
    public let client: HTTPClient
    public static let apiKey = "sk_test_sandboxtests123"

    public init(server: SandboxServer, client: HTTPClient) {
        self.server = server
        self.client = client
    }

    /// `form` is sent as the body (POST, DELETE) or query string (GET), percent-encoded as the
    /// Stripe SDKs do (brackets included).
    public func request(
        _ method: HTTPMethod, _ path: String, _ form: [(String, String)] = [], apiKey: String? = Sandbox.apiKey,
        headers: [(String, String)] = [], rawBody: String? = nil, timeout: Int64 = 20
    ) async throws -> Reply {
        let encoded = Self.encode(form)
        var url = server.baseURL + path
        var request: HTTPClientRequest
        if method == .GET, !encoded.isEmpty { url += (url.contains("?") ? "&" : "?") + encoded }
        request = HTTPClientRequest(url: url)
        request.method = method
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let rawBody {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            }
            request.body = .bytes(ByteBuffer(string: rawBody))
        } else if method != .GET, !form.isEmpty {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: encoded))
        }
        let response = try await client.execute(request, timeout: .seconds(timeout))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    public func stripe(
        _ method: HTTPMethod, _ path: String, _ form: [(String, String)] = [], apiKey: String? = Sandbox.apiKey,
        headers: [(String, String)] = [], timeout: Int64 = 20
    ) async throws -> Reply {
        try await request(method, "/stripe/api" + path, form, apiKey: apiKey, headers: headers, timeout: timeout)
    }

    /// Repeats a request until it is answered with a status other than 429/503 and without a
    /// connection error (for reading state back under fault plans). Bounded.
    public func stripeUntilAnswered(_ method: HTTPMethod, _ path: String, _ form: [(String, String)] = []) async throws -> Reply {
        for _ in 0..<200 {
            if let reply = try? await stripe(method, path, form), reply.status != 429, reply.status != 503 { return reply }
        }
        throw HarnessError("no answer after 200 attempts: \(method) \(path)")
    }

    public static func encode(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map {
            ($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0) + "="
                + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)
        }.joined(separator: "&")
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Starts a sandbox on port 0, runs `body`, and stops client and server whatever happens.
public func withSandbox<T>(
    _ configuration: SandboxConfiguration = SandboxConfiguration(),
    _ body: (Sandbox) async throws -> T
) async throws -> T {
    let server = try await SandboxServer.start(configuration)
    // A pool as wide as the widest test's concurrency (fifty at once), and a connect wait a loaded
    // machine can meet: queued requests otherwise time out waiting for a connection.
    var http = HTTPClient.Configuration(timeout: .init(connect: .seconds(30), read: .seconds(120)))
    http.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    let sandbox = Sandbox(server: server, client: client)
    do {
        let result = try await body(sandbox)
        try await client.shutdown()
        await server.stop()
        return result
    } catch {
        try? await client.shutdown()
        await server.stop()
        throw error
    }
}

public func faults(_ spec: String, seed: UInt64 = 1, retryAfter: Int = 1) throws -> SandboxConfiguration {
    SandboxConfiguration(faults: try FaultPlan(parsing: spec), seed: seed, retryAfterSeconds: retryAfter)
}
