import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsEngine
import SalonOpsGoogleCalendarEmulator
import SalonOpsJWT
import SalonOpsProviderTesting
import SalonOpsSandbox
import SalonOpsTestSupport

/// The Google Calendar emulator in a sandbox on port 0, with a service account it knows, and a
/// direct client of its API (someone working in Google Calendar behind SalonOps' back).
struct GoogleCalendarPeer: ContractPeer {
    static let clientEmail = "salonops-tests@belle-epoque-tests.iam.gserviceaccount.com"
    static let delegatedUser = "agendas@belle-epoque.example"

    let server: SandboxServer
    let client: HTTPClient
    let keyJSON: String
    let key: GoogleServiceAccountKey

    var endpoints: Endpoints { Endpoints(sandbox: server.baseURL) }
    var emulator: GoogleCalendarEmulator { server.emulator("google-calendar") as! GoogleCalendarEmulator }

    /// The service-account key file the tests' config gives as its credential.
    static func keyJSON() async throws -> String {
        let keys = try await OpenSSLTestKeys.shared.value
        return try String(
            decoding: JSONSerialization.data(
                withJSONObject: [
                    "type": "service_account", "project_id": "belle-epoque-tests", "private_key_id": "k-tests-1", "private_key": keys.rsa,
                    "client_email": clientEmail, "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token",
                ], options: [.sortedKeys]), as: UTF8.self)
    }

    static func start(faults: String? = nil, seed: UInt64 = 11, perUserRequestsPerMinute: Int? = nil) async throws -> GoogleCalendarPeer {
        let keys = try await OpenSSLTestKeys.shared.value
        let json = try await keyJSON()
        var options: [String: String] = ["serviceAccount": "\(clientEmail)=\(keys.rsaPublic)"]
        if let perUserRequestsPerMinute { options["perUserRequestsPerMinute"] = String(perUserRequestsPerMinute) }
        // Retry-After 0: a storm of faults costs no wall time.
        let server = try await SandboxServer.start(
            SandboxConfiguration(
                faults: try faults.map { try FaultPlan(parsing: $0) } ?? .none, seed: seed, retryAfterSeconds: 0,
                emulatorOptions: ["google-calendar": options]))
        return GoogleCalendarPeer(
            server: server, client: HTTPClient(eventLoopGroupProvider: .singleton), keyJSON: json,
            key: try GoogleServiceAccountKey(json: Data(json.utf8)))
    }

    func stop() async {
        try? await client.shutdown()
        await server.stop()
    }

    /// An access token for the delegated user, from the emulated token endpoint.
    func token() async throws -> String {
        let assertion = try key.signedAssertion(scopes: ["https://www.googleapis.com/auth/calendar"], subject: Self.delegatedUser, issuedAt: Date())
        // The sandbox may inject throttling here too: a bounded retry, as a client would.
        for _ in 0..<50 {
            // A connection the fault injector reset: a token request can be sent again.
            guard
                let reply = try? await raw(
                    .POST, "/google-calendar/oauth/token",
                    body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)",
                    contentType: "application/x-www-form-urlencoded")
            else { continue }
            if reply.status == 429 || reply.status == 503 { continue }
            guard let token = reply.json["access_token"] as? String else { throw HarnessError("no token: \(reply.body)") }
            return token
        }
        throw HarnessError("no token: throttled 50 times")
    }

    /// One call to the Calendar API (paths below `/calendar/v3`), retried past throttling.
    func api(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, headers: [(String, String)] = []) async throws -> Reply {
        let token = try await token()
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        for _ in 0..<50 {
            let reply: Reply
            do {
                reply = try await raw(
                    method, "/google-calendar/api" + path, body: data.map { String(decoding: $0, as: UTF8.self) },
                    contentType: "application/json", headers: [("Authorization", "Bearer \(token)")] + headers)
            } catch  where method == .GET {
                continue  // a read whose connection the fault injector reset: read again
            }
            if reply.status != 429 && reply.status != 503 { return reply }
        }
        throw HarnessError("\(method) \(path): throttled 50 times")
    }

    func raw(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(20))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
    }

    /// Every item of a list, page after page (bounded).
    func list(_ path: String) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var token: String?
        for _ in 0..<100 {
            let separator = path.contains("?") ? "&" : "?"
            let page = try await api(.GET, path + (token.map { "\(separator)pageToken=\($0)" } ?? ""))
            items += page.json["items"] as? [[String: Any]] ?? []
            token = page.json["nextPageToken"] as? String
            if token == nil { return items }
        }
        throw HarnessError("\(path): more than 100 pages")
    }
}
