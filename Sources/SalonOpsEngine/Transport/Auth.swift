import Foundation
import SalonOpsJWT
import SalonOpsProviderKit
import SalonOpsSecrets

/// Applies a provider's `AuthScheme` to requests. Token-based schemes keep one token per
/// integration: concurrent requests share one fetch, and a 401 refreshes once.
protocol Authenticator: Sendable {
    func headers(_ transport: HTTPTransport) async throws -> [String: String]
    /// Forgets the cached token if it is still the one sent with `headers` (after a 401): a
    /// token another request has just fetched is kept.
    func invalidate(_ sent: [String: String]) async
    var refreshable: Bool { get }
}

/// What the authenticators read: an integration's decrypted credentials and settings, and where
/// rotated tokens are kept.
struct AuthContext: Sendable {
    let provider: String
    let credentials: [String: Secret]
    let settings: SettingsReader
    /// Keeps a rotated refresh token encrypted in the state directory; returns the stored one.
    let tokens: TokenStore?

    func credential(_ name: String) throws -> String {
        guard let secret = credentials[name] else {
            throw ProviderError(.auth, message: "credential '\(name)' is not available (see `salonops validate --credentials`)")
        }
        return secret.reveal()
    }
}

/// Where a provider's rotated refresh token is kept (the config repository is read-only).
public protocol TokenStore: Sendable {
    func refreshToken(integration: String) async -> String?
    func keep(refreshToken: String, integration: String) async throws
}

enum Authenticators {
    static func make(_ scheme: AuthScheme, integration: String, _ context: AuthContext) -> Authenticator {
        switch scheme {
        case .none: StaticAuth { [:] }
        case .header(let name, let credential, let prefix):
            StaticAuth { [name: prefix + (try context.credential(credential))] }
        case .basic(let username, let password):
            StaticAuth {
                let user = try context.credential(username)
                let pass = try password.map { try context.credential($0) } ?? ""
                return ["Authorization": "Basic " + Data("\(user):\(pass)".utf8).base64EncodedString()]
            }
        case .clientCredentials(let grant):
            OAuth2Auth(cache: TokenCache()) { transport in
                var form = [("grant_type", "client_credentials")]
                if !grant.scopes.isEmpty { form.append(("scope", grant.scopes.joined(separator: " "))) }
                return try await OAuth2Auth.requestToken(
                    transport, endpoint: grant.tokenEndpoint, path: grant.tokenPath, form: form,
                    basic: (try context.credential(grant.clientID), try context.credential(grant.clientSecret)))
            }
        case .refreshToken(let grant, let refreshCredential):
            OAuth2Auth(cache: TokenCache()) { transport in
                let stored = await context.tokens?.refreshToken(integration: integration)
                let current = try stored ?? context.credential(refreshCredential)
                let token = try await OAuth2Auth.requestToken(
                    transport, endpoint: grant.tokenEndpoint, path: grant.tokenPath,
                    form: [("grant_type", "refresh_token"), ("refresh_token", current)],
                    basic: (try context.credential(grant.clientID), try context.credential(grant.clientSecret)))
                if let rotated = token.refreshToken, rotated != current {
                    try await context.tokens?.keep(refreshToken: rotated, integration: integration)
                }
                return token
            }
        case .jwtBearer(let grant):
            OAuth2Auth(cache: TokenCache()) { transport in
                let key: GoogleServiceAccountKey
                do { key = try GoogleServiceAccountKey(json: Data(try context.credential(grant.keyCredential).utf8)) } catch let error as ProviderError {
                    throw error
                } catch {
                    throw ProviderError(.auth, message: "credential '\(grant.keyCredential)' is not a service-account key: \(error)")
                }
                let subject = grant.subjectSetting.flatMap { context.settings.string($0) }
                let assertion = try key.signedAssertion(scopes: grant.scopes, subject: subject, issuedAt: Date())
                return try await OAuth2Auth.requestToken(
                    transport, endpoint: grant.tokenEndpoint, path: grant.tokenPath,
                    form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)],
                    basic: nil)
            }
        }
    }
}

/// A header computed from credentials alone.
struct StaticAuth: Authenticator {
    let make: @Sendable () throws -> [String: String]
    init(_ make: @escaping @Sendable () throws -> [String: String]) { self.make = make }
    func headers(_ transport: HTTPTransport) async throws -> [String: String] { try make() }
    func invalidate(_ sent: [String: String]) async {}
    var refreshable: Bool { false }
}

struct AccessToken: Sendable {
    let value: String
    let expires: ContinuousClock.Instant
    let refreshToken: String?
    /// When it is no longer sent: a minute before it expires, or halfway through a shorter life.
    let renewAt: ContinuousClock.Instant

    init(value: String, expires: ContinuousClock.Instant, refreshToken: String?, lifetime: Duration = .seconds(3600)) {
        self.value = value
        self.expires = expires
        self.refreshToken = refreshToken
        renewAt = expires - min(.seconds(60), lifetime / 2)
    }
}

/// One token at a time, fetched once however many requests ask together (single flight).
actor TokenCache {
    private var token: AccessToken?
    private var fetching: Task<AccessToken, Error>?

    func get(_ fetch: @escaping @Sendable () async throws -> AccessToken) async throws -> AccessToken {
        if let token, token.renewAt > .now { return token }
        if let fetching { return try await fetching.value }
        let task = Task { try await fetch() }
        fetching = task
        defer { fetching = nil }
        let fresh = try await task.value
        token = fresh
        return fresh
    }

    func clear(ifValue value: String?) {
        if value == nil || token?.value == value { token = nil }
    }
}

/// OAuth2 bearer tokens from a token endpoint (RFC 6749 §4.4, §6; RFC 7523).
struct OAuth2Auth: Authenticator {
    let cache: TokenCache
    let fetch: @Sendable (HTTPTransport) async throws -> AccessToken

    func headers(_ transport: HTTPTransport) async throws -> [String: String] {
        let token = try await cache.get { try await fetch(transport) }
        return ["Authorization": "Bearer " + token.value]
    }

    func invalidate(_ sent: [String: String]) async {
        await cache.clear(ifValue: sent["Authorization"].map { String($0.dropFirst("Bearer ".count)) })
    }
    var refreshable: Bool { true }

    /// POSTs the grant (client credentials in Basic when given) and reads the RFC 6749 answer;
    /// an error names the OAuth error code, never a token.
    static func requestToken(
        _ transport: HTTPTransport, endpoint: String, path: String, form: [(String, String)],
        basic: (String, String)?
    ) async throws -> AccessToken {
        var headers = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        if let (user, password) = basic {
            headers["Authorization"] = "Basic " + Data("\(Query.encode(user)):\(Query.encode(password))".utf8).base64EncodedString()
        }
        let body = form.map { "\(Query.encode($0.0))=\(Query.encode($0.1))" }.joined(separator: "&")
        let request = ProviderRequest(.POST, path, endpoint: endpoint, headers: headers, body: Array(body.utf8), retryable: true)
        // What the provider says goes into our messages: never with a value we sent it.
        let sent = SentValues(headers: [:], values: form.map(\.1) + (basic.map { [$0.0, $0.1] } ?? []))
        // Down or throttling: tried again as any request is (the transport's one retry loop).
        let response = try await transport.send(request, authenticated: false) { response in
            guard !(200..<300).contains(response.status) else { return .success }
            let json = try? response.json()
            let code = json?["error"]?.string ?? "HTTP \(response.status)"
            let detail = json?["error_description"]?.string.map { ": \($0)" } ?? ""
            let message = sent.cut("the token endpoint refused the grant (\(code)\(detail))")
            guard response.status == 429 || response.status >= 500 else { return .failure(ProviderError(.auth, status: response.status, message: message)) }
            return .retry(after: ResponseClass.retryAfter(response), ProviderError(.transient, status: response.status, message: message))
        }
        let json = try? response.json()
        guard let value = json?["access_token"]?.string, !value.isEmpty else {
            throw ProviderError(.auth, status: response.status, message: "the token endpoint answered without an access_token")
        }
        let lifetime = json?["expires_in"]?.int ?? json?["expires_in"]?.string.flatMap(Int.init) ?? 3600
        return AccessToken(value: value, expires: .now + .seconds(lifetime), refreshToken: json?["refresh_token"]?.string, lifetime: .seconds(lifetime))
    }
}
