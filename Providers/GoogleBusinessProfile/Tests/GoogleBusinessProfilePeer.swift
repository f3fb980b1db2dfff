import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SalonOpsEngine
import SalonOpsProviderTesting
import SalonOpsSandbox

/// The Business Profile emulator in a sandbox on port 0, with an OAuth client it knows and the
/// account's locations (Google verified them; SalonOps never creates one), and a direct client
/// of its API (the owner editing the listing in Business Profile behind SalonOps' back).
struct GoogleBusinessProfilePeer: ContractPeer {
    static let account = "accounts/1082519934"
    static let clientID = "123-tests.apps.googleusercontent.com"
    static let clientSecret = "gbp-client-secret-tests"
    static let refreshToken = "1//gbp-refresh-token-tests"

    /// Location ids of the fixture's establishments, in order; the last ones are the account's
    /// other listings (unmanaged) so that a listing needs several pages.
    static let locationIDs = (1...8).map { "locations/\(900 + $0)" }

    let server: SandboxServer
    let client: HTTPClient

    var endpoints: Endpoints { Endpoints(sandbox: server.baseURL) }
    var sandbox: Sandbox { Sandbox(server: server, client: client) }

    static var credentials: [String: String] { ["clientId": clientID, "clientSecret": clientSecret, "refreshToken": refreshToken] }

    static func start(faults: String? = nil, seed: UInt64 = 11) async throws -> GoogleBusinessProfilePeer {
        let locations = locationIDs.enumerated().map { "\(account)/\($0.element)=Listing \($0.offset + 1)" }.joined(separator: ",")
        // Retry-After 0: a storm of faults costs no wall time.
        let server = try await SandboxServer.start(
            SandboxConfiguration(
                faults: try faults.map { try FaultPlan(parsing: $0) } ?? .none, seed: seed, retryAfterSeconds: 0,
                emulatorOptions: ["google-business-profile": ["locations": locations, "clients": "\(clientID):\(clientSecret):\(refreshToken)"]]))
        return GoogleBusinessProfilePeer(server: server, client: HTTPClient(eventLoopGroupProvider: .singleton))
    }

    func stop() async {
        try? await client.shutdown()
        await server.stop()
    }

    /// An access token from the emulated token endpoint (bounded retries past injected faults).
    func token() async throws -> String {
        let form = [("grant_type", "refresh_token"), ("refresh_token", Self.refreshToken), ("client_id", Self.clientID), ("client_secret", Self.clientSecret)]
        for _ in 0..<50 {
            guard let reply = try? await sandbox.request(.POST, "/google-business-profile/oauth/token", apiKey: nil, rawBody: Sandbox.encode(form)) else { continue }
            if reply.status == 429 || reply.status == 503 { continue }
            guard let token = reply.json["access_token"] as? String else { throw HarnessError("no token: \(reply.body)") }
            return token
        }
        throw HarnessError("no token: throttled 50 times")
    }

    /// One call to Business Information (paths below the host, `/v1/…`), retried past throttling.
    func api(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Reply {
        let token = try await token()
        let text = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        for _ in 0..<50 {
            let reply: Reply
            do {
                reply = try await sandbox.request(
                    method, "/google-business-profile/api" + path, apiKey: token, headers: [("Content-Type", "application/json")], rawBody: text)
            } catch  where method == .GET {
                continue  // a read whose connection the fault injector reset: read again
            }
            if reply.status != 429 && reply.status != 503 { return reply }
        }
        throw HarnessError("\(method) \(path): throttled 50 times")
    }

    /// Every location of the account, with every field the tests look at.
    func locations() async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var token: String?
        for _ in 0..<100 {
            let mask = "name,title,regularHours,specialHours,phoneNumbers,websiteUri,profile,serviceItems,labels"
            let page = try await api(.GET, "/v1/\(Self.account)/locations?readMask=\(mask)&pageSize=100" + (token.map { "&pageToken=\($0)" } ?? ""))
            guard page.status == 200 else { throw HarnessError("locations: \(page.status) \(page.body)") }
            items += page.json["locations"] as? [[String: Any]] ?? []
            token = page.json["nextPageToken"] as? String
            if token == nil { return items }
        }
        throw HarnessError("locations: more than 100 pages")
    }
}
