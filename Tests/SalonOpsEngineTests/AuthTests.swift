import AsyncHTTPClient
import Foundation
import SalonOpsEmulatorKit
import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsSandbox
import SalonOpsSecrets
import Testing
@testable import SalonOpsEngine

/// The OAuth2 authenticators over real HTTP, against a small token endpoint and API on loopback
/// (served by the sandbox on port 0): client credentials, refresh tokens that rotate, the one
/// refresh on a 401, one token fetch for concurrent requests, and refusals that name the OAuth
/// error without ever showing a token or a secret.
@Suite struct AuthTests {
    static let clientID = "salonops:test client"
    /// Canaries: none of them, nor their encoded forms, may appear in any error.
    static let clientSecret = "cs-CANARY-51b2/+=secret"
    static let refreshToken = "rt-CANARY-7f3e9a"

    static func grant(scopes: [String] = []) -> OAuth2Grant {
        OAuth2Grant(tokenEndpoint: "oauth", tokenPath: "/token", clientID: "clientId", clientSecret: "clientSecret", scopes: scopes)
    }

    /// A provider that says what the test needs and no more: 401 is an auth failure, 5xx and
    /// 429 are retried.
    static func traits(_ auth: AuthScheme) -> ProviderTraits {
        ProviderTraits(
            endpoints: [Endpoint("api", "https://api.invalid"), Endpoint("oauth", "https://oauth.invalid")], auth: auth,
            rate: RatePolicy(requestsPerSecond: 1000, burst: 1000, maxInFlight: 16), maxAttempts: 3
        ) { response in
            switch response.status {
            case 200..<300: return .success
            case 401, 403: return .failure(ProviderError(.auth, status: response.status, message: "the API refused the token"))
            case 429, 500...599: return .retry(after: nil, ProviderError(.transient, status: response.status, message: "try again"))
            default: return .failure(ProviderError(.permanent, status: response.status, message: "refused"))
            }
        }
    }

    static func secrets(refreshToken: String? = AuthTests.refreshToken) -> [String: Secret] {
        var plain = ["clientId": clientID, "clientSecret": clientSecret]
        if let refreshToken { plain["refreshToken"] = refreshToken }
        return plain.mapValues { Secret(Array($0.utf8), fingerprintKey: Array("auth tests".utf8)) }
    }

    /// A transport as the reconciler builds one, with `wrap` around its authenticator.
    static func transport(
        _ sandbox: Sandbox, _ scheme: AuthScheme, tokens: (any TokenStore)? = nil,
        credentials: [String: Secret] = secrets(),
        wrap: (any Authenticator) -> any Authenticator = { $0 }
    ) -> HTTPTransport {
        let traits = traits(scheme)
        let context = AuthContext(provider: OAuthPeer.providerID, credentials: credentials, settings: SettingsReader(nil), tokens: tokens)
        let auth = Authenticators.make(scheme, integration: "books", context)
        let base = sandbox.server.baseURL + "/" + OAuthPeer.providerID
        return HTTPTransport(
            client: sandbox.client, provider: OAuthPeer.providerID, traits: traits,
            urls: ["api": base + "/api", "oauth": base + "/oauth"], limiter: RateLimiter(policy: traits.rate),
            globalCap: AsyncSemaphore(32),
            // A held token answer waits for the test's own bounded waits: a shorter request
            // timeout would retry it under a loaded CI and fetch a second token.
            retry: RetryPolicy(baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), timeout: .seconds(60)),
            deadline: .now + .seconds(120), authenticator: wrap(auth))
    }

    func withPeer(_ peer: OAuthPeer, _ body: (Sandbox) async throws -> Void) async throws {
        try await withSandbox(SandboxConfiguration(emulators: [peer])) { sandbox in
            do {
                try await body(sandbox)
                peer.gate.open()
            } catch {
                peer.gate.open()
                throw error
            }
        }
    }

    static let ping = ProviderRequest(.GET, "/ping")

    // MARK: grants

    /// Client auth in HTTP Basic (each part form-encoded, RFC 6749 §2.3.1), the grant and the
    /// scopes in the form body, the secret nowhere else; the token is then reused.
    @Test func clientCredentialsSendBasicClientAuthTheGrantAndTheScope() async throws {
        let peer = OAuthPeer()
        try await withPeer(peer) { sandbox in
            let transport = Self.transport(sandbox, .clientCredentials(Self.grant(scopes: ["catalog.read", "catalog.write"])))
            _ = try await transport.send(Self.ping)
            _ = try await transport.send(Self.ping)

            let tokenRequests = peer.tokenRequests
            try #require(tokenRequests.count == 1)
            let request = tokenRequests[0]
            #expect(request.method == "POST")
            #expect(request.contentType == "application/x-www-form-urlencoded")
            #expect(request.client?.id == Self.clientID && request.client?.secret == Self.clientSecret)
            #expect(request.basic == "Basic " + Data("salonops%3Atest%20client:cs-CANARY-51b2%2F%2B%3Dsecret".utf8).base64EncodedString())
            #expect(request.form == ["grant_type": "client_credentials", "scope": "catalog.read catalog.write"])
            #expect(peer.apiTokens == ["at-1", "at-1"])
        }
    }

    /// The refresh-token grant with a provider that rotates: each new refresh token goes to the
    /// token store, and the next refresh (the same run after a 401, or the next run) uses it,
    /// not the one in the config, which the provider no longer takes.
    @Test func aRotatedRefreshTokenIsKeptAndUsedNext() async throws {
        let peer = OAuthPeer(refreshTokens: [Self.refreshToken])
        let store = MemoryTokenStore()
        try await withPeer(peer) { sandbox in
            let scheme = AuthScheme.refreshToken(Self.grant(), refreshToken: "refreshToken")
            let run = Self.transport(sandbox, scheme, tokens: store)
            _ = try await run.send(Self.ping)
            #expect(await store.kept == ["rt-1"])

            peer.revokeAccessTokens()
            _ = try await run.send(Self.ping)
            #expect(await store.kept == ["rt-1", "rt-2"])

            let nextRun = Self.transport(sandbox, scheme, tokens: store)
            _ = try await nextRun.send(Self.ping)
            #expect(await store.kept == ["rt-1", "rt-2", "rt-3"])

            #expect(peer.tokenRequests.map { $0.form["refresh_token"] } == [Self.refreshToken, "rt-1", "rt-2"])
            #expect(
                peer.tokenRequests.allSatisfy {
                    $0.form["grant_type"] == "refresh_token" && $0.client?.secret == Self.clientSecret && $0.form["client_secret"] == nil
                })
            #expect(peer.apiTokens == ["at-1", "at-1", "at-2", "at-3"])
        }
    }

    // MARK: 401 and concurrency

    /// A token revoked early: the API's 401 fetches a new token once and the same request
    /// goes again; an API that refuses every token gets one refresh, then the typed failure.
    @Test func a401RefreshesOnceAndRetries() async throws {
        let peer = OAuthPeer()
        try await withPeer(peer) { sandbox in
            let transport = Self.transport(sandbox, .clientCredentials(Self.grant()))
            _ = try await transport.send(Self.ping)
            peer.revokeAccessTokens()
            let response = try await transport.send(Self.ping)
            #expect(response.status == 200)
            #expect(peer.apiTokens == ["at-1", "at-1", "at-2"])
            #expect(peer.tokenRequests.count == 2)

            peer.refuseEveryToken()
            await #expect {
                _ = try await transport.send(Self.ping)
            } throws: { error in
                (error as? ProviderError)?.kind == .auth && (error as? ProviderError)?.status == 401
            }
            #expect(peer.tokenRequests.count == 3, "one refresh, not one per try")
            #expect(peer.apiTokens == ["at-1", "at-1", "at-2", "at-2", "at-3"])
        }
    }

    /// Eight requests at once with no token: the token endpoint holds its answer until all
    /// eight are waiting for a token, and sees one request.
    @Test func concurrentRequestsShareOneTokenFetch() async throws {
        let peer = OAuthPeer(holdTokens: true)
        let callers = 8
        let entered = Countdown(callers)
        try await withPeer(peer) { sandbox in
            let transport = Self.transport(sandbox, .clientCredentials(Self.grant())) { CountingAuth(inner: $0, entered: entered) }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<callers { group.addTask { try await transport.send(Self.ping).status } }
                do {
                    // Every caller is asking for a token, and the first fetch is at the endpoint.
                    try await bounded(.seconds(10)) { await entered.wait() }
                    try await bounded(.seconds(10)) { await peer.tokenArrived.wait() }
                } catch {
                    peer.gate.open()
                    throw error
                }
                // Let the last callers reach the token cache (they are already past the count).
                for _ in 0..<100 { await Task.yield() }
                peer.gate.open()
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses == Array(repeating: 200, count: callers))
            }
            // One fetch for all eight. The endpoint sees it once, plus once for each time the
            // transport sent it again (a held answer's connection that a loaded machine dropped:
            // the token of that first try is then never delivered, as the peer's order shows).
            let retries = await transport.counter.retries
            #expect(peer.tokenRequests.count == 1 + retries, "\(peer.tokenRequests.count) token requests, \(retries) retries")
            #expect(peer.apiTokens.count == callers && Set(peer.apiTokens).count == 1, "every caller got the one token: \(peer.apiTokens)")
        }
    }

    // MARK: refusals

    /// `invalid_grant` (a refresh token revoked or expired) fails at once as an auth error
    /// naming the OAuth code; no text of it carries a token, a secret or an encoding of one.
    @Test func anInvalidGrantFailsClearlyWithoutSecrets() async throws {
        let peer = OAuthPeer(refreshTokens: ["rt-some-other"])
        try await withPeer(peer) { sandbox in
            let transport = Self.transport(sandbox, .refreshToken(Self.grant(), refreshToken: "refreshToken"), tokens: MemoryTokenStore())
            let error = try await #require(throws: ProviderError.self) { try await transport.send(Self.ping) }
            #expect(error.kind == .auth)
            #expect(error.status == 400)
            #expect(error.message.contains("invalid_grant"), "\(error)")
            #expect(error.message.contains("The refresh token is invalid or expired."), "the provider's description is kept")
            Self.expectNoCanary(in: error)
            #expect(peer.tokenRequests.count == 1, "a refused grant is not sent again")
            #expect(peer.apiTokens.isEmpty)
        }
    }

    /// A wrong client secret (`invalid_client`, HTTP 401 from the token endpoint) is an auth
    /// failure too, and is not mistaken for an API 401 worth a refresh.
    @Test func anInvalidClientFailsClearlyWithoutSecrets() async throws {
        let peer = OAuthPeer(clientSecret: "another secret")
        try await withPeer(peer) { sandbox in
            let transport = Self.transport(sandbox, .clientCredentials(Self.grant()))
            let error = try await #require(throws: ProviderError.self) { try await transport.send(Self.ping) }
            #expect(error.kind == .auth && error.status == 401)
            #expect(error.message.contains("invalid_client"), "\(error)")
            Self.expectNoCanary(in: error)
            #expect(peer.tokenRequests.count == 1)
        }
    }

    /// A token endpoint that echoes the refresh token in its `error_description` (some do): the
    /// engine keeps what it sent out of the error.
    @Test func anEchoedRefreshTokenStaysOutOfTheError() async throws {
        let peer = OAuthPeer(refreshTokens: [], echoRefreshToken: true)
        try await withPeer(peer) { sandbox in
            let transport = Self.transport(sandbox, .refreshToken(Self.grant(), refreshToken: "refreshToken"), tokens: MemoryTokenStore())
            let error = try await #require(throws: ProviderError.self) { try await transport.send(Self.ping) }
            #expect(error.message.contains("invalid_grant"))
            Self.expectNoCanary(in: error)
        }
    }

    /// A token endpoint down for a moment (503, RFC 6749's `temporarily_unavailable`): the token
    /// request is tried again, as any request is, and the read goes through.
    @Test func aTransientTokenEndpointFailureIsRetried() async throws {
        let peer = OAuthPeer(tokenOutages: 1)
        try await withPeer(peer) { sandbox in
            let transport = Self.transport(sandbox, .clientCredentials(Self.grant()))
            let first: Result<ProviderResponse, any Error>
            do { first = .success(try await transport.send(Self.ping)) } catch { first = .failure(error) }
            _ = try first.get()
            #expect(peer.tokenRequests.count == 2)
            // The next request fetches a token (a failed fetch is not cached).
            _ = try await transport.send(Self.ping)
        }
    }

    /// Every textual form of the error, searched for each canary and its encodings.
    static func expectNoCanary(in error: ProviderError, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let texts = [
            "\(error)", String(describing: error), String(reflecting: error), error.message, error.localizedDescription,
            "\(error.kind)",
        ]
        let canaries = [clientSecret, refreshToken, "CANARY"]
        var forms: [String] = []
        for canary in canaries {
            forms += [canary, Query.encode(canary), Data(canary.utf8).base64EncodedString()]
        }
        forms.append(Data("\(Query.encode(clientID)):\(Query.encode(clientSecret))".utf8).base64EncodedString())
        // Counted, not compared one by one: a failure must not print the credential it found.
        let leaking = texts.filter { text in forms.contains { text.contains($0) } }.count
        #expect(leaking == 0, "\(leaking) of \(texts.count) texts of the error carry a credential", sourceLocation: sourceLocation)
    }
}

// MARK: - the peer

/// A small OAuth2 provider (RFC 6749): `POST /oauth/token` for the client-credentials and
/// refresh-token grants (client auth in Basic; each refresh token used once and replaced),
/// and `GET /api/ping`, which takes only the access tokens it issued and has not revoked.
final class OAuthPeer: ProviderEmulator {
    static let providerID = "oauth-test"
    let id = OAuthPeer.providerID

    struct TokenRequest: Sendable {
        let method: String
        let contentType: String?
        let basic: String?
        /// The Basic credentials, each part form-decoded.
        let client: (id: String, secret: String)?
        let form: [String: String]
    }

    private struct State {
        var clientSecret: String
        var refreshTokens: Set<String>
        var issued = 0
        var valid = Set<String>()
        var refuseAll = false
        var tokenOutages: Int
        var tokenRequests: [TokenRequest] = []
        var apiTokens: [String] = []
    }

    private let state: Locked<State>
    private let holdTokens: Bool
    private let echoRefreshToken: Bool
    /// Opened by the test: token answers wait for it when `holdTokens`.
    let gate = Gate()
    /// Opened at the first token request.
    let tokenArrived = Gate()

    /// `tokenOutages`: how many token requests are answered 503 first.
    init(
        clientSecret: String = AuthTests.clientSecret, refreshTokens: Set<String> = [], holdTokens: Bool = false,
        echoRefreshToken: Bool = false, tokenOutages: Int = 0
    ) {
        state = Locked(State(clientSecret: clientSecret, refreshTokens: refreshTokens, tokenOutages: tokenOutages))
        self.holdTokens = holdTokens
        self.echoRefreshToken = echoRefreshToken
    }

    var tokenRequests: [TokenRequest] { state.withLock { $0.tokenRequests } }
    /// The bearer token of each API request, in order.
    var apiTokens: [String] { state.withLock { $0.apiTokens } }
    func revokeAccessTokens() { state.withLock { $0.valid = [] } }
    func refuseEveryToken() { state.withLock { $0.refuseAll = true } }

    func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        switch (request.method, request.path) {
        case ("POST", "/oauth/token"):
            tokenArrived.open()
            if holdTokens { await gate.wait() }
            return token(request)
        case ("GET", "/api/ping"):
            return state.withLock { state in
                let bearer = request.header("authorization").flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
                state.apiTokens.append(bearer)
                guard !state.refuseAll, state.valid.contains(bearer) else {
                    return .json(
                        401, .object([("error", .string("invalid_token"))]),
                        headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
                }
                return .json(200, .object([("ok", .bool(true))]))
            }
        default:
            return .json(404, .object([("error", .string("not_found"))]))
        }
    }

    private func token(_ request: EmulatorRequest) -> EmulatorResponse {
        let form = Dictionary(request.bodyForm, uniquingKeysWith: { first, _ in first })
        let client = Self.basicCredentials(request.header("authorization"))
        let echo = echoRefreshToken
        return state.withLock { state in
            state.tokenRequests.append(
                TokenRequest(
                    method: request.method, contentType: request.header("content-type"),
                    basic: request.header("authorization"), client: client, form: form))
            func refuse(_ status: Int, _ code: String, _ description: String) -> EmulatorResponse {
                .json(status, .object([("error", .string(code)), ("error_description", .string(description))]))
            }
            if state.tokenOutages > 0 {
                state.tokenOutages -= 1
                return refuse(503, "temporarily_unavailable", "The authorization server is overloaded.")
            }
            guard let client, client.id == AuthTests.clientID, client.secret == state.clientSecret else {
                return refuse(401, "invalid_client", "Client authentication failed.")
            }
            func issue(refresh: Bool) -> EmulatorResponse {
                state.issued += 1
                let access = "at-\(state.issued)"
                state.valid.insert(access)
                var fields: [(String, JSONValue)] = [
                    ("access_token", .string(access)), ("token_type", .string("Bearer")), ("expires_in", .int(3600)),
                ]
                if refresh {
                    let next = "rt-\(state.issued)"
                    state.refreshTokens.insert(next)
                    fields.append(("refresh_token", .string(next)))
                }
                return .json(200, .object(fields), headers: [("Cache-Control", "no-store")])
            }
            switch form["grant_type"] {
            case "client_credentials":
                return issue(refresh: false)
            case "refresh_token":
                let presented = form["refresh_token"] ?? ""
                guard state.refreshTokens.remove(presented) != nil else {
                    let description =
                        echo
                        ? "Refresh token \(presented) is invalid or expired." : "The refresh token is invalid or expired."
                    return refuse(400, "invalid_grant", description)
                }
                return issue(refresh: true)
            default:
                return refuse(400, "unsupported_grant_type", "Unsupported grant type.")
            }
        }
    }

    /// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    static func basicCredentials(_ header: String?) -> (id: String, secret: String)? {
        guard let header, header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (SentRequest.formDecode(text[..<colon]), SentRequest.formDecode(text[text.index(after: colon)...]))
    }

    func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse {
        .json(503, .object([("error", .string("temporarily_unavailable"))]))
    }

    func reset() {}
}

extension EmulatorRequest {
    /// The form body's pairs, decoded.
    var bodyForm: [(String, String)] { SentRequest.decodeForm(body).map { ($0.name, $0.value) } }
}

// MARK: - helpers

/// Kept in memory: the refresh tokens a provider rotated.
actor MemoryTokenStore: TokenStore {
    private var current: [String: String] = [:]
    private(set) var kept: [String] = []

    func refreshToken(integration: String) -> String? { current[integration] }

    func keep(refreshToken: String, integration: String) {
        current[integration] = refreshToken
        kept.append(refreshToken)
    }
}

/// Counts the callers that asked the authenticator for headers, then lets the real one answer.
struct CountingAuth: Authenticator {
    let inner: any Authenticator
    let entered: Countdown

    func headers(_ transport: HTTPTransport) async throws -> [String: String] {
        await entered.arrive()
        return try await inner.headers(transport)
    }

    func invalidate(_ sent: [String: String]) async { await inner.invalidate(sent) }
    var refreshable: Bool { inner.refreshable }
}

/// Opens once; waiters before and after go on. A cancelled waiter goes on too, so that a test
/// giving up never leaves a task behind.
final class Gate: Sendable {
    private struct State {
        var open = false
        var next = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Locked(State())

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.open else { return [] }
            state.open = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = state.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.open || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Opens its gate once `count` callers have arrived.
actor Countdown {
    private var remaining: Int
    private let gate = Gate()

    init(_ count: Int) { remaining = count }

    func arrive() {
        remaining -= 1
        if remaining <= 0 { gate.open() }
    }

    func wait() async { await gate.wait() }
}

struct TimedOut: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "gave up after \(limit)" }
}

/// Runs `body`, failing if it has not finished within `limit`.
func bounded(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            await body(); return true
        }
        group.addTask {
            try await Task.sleep(for: limit); return false
        }
        let finished = try await group.next() ?? false
        group.cancelAll()
        guard finished else { throw TimedOut(limit: limit) }
    }
}
