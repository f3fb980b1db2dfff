import Foundation

/// How a provider's API is reached, as data the engine's transport follows.
public struct ProviderTraits: Sendable {
    /// Named endpoints; `api` is the default of a request. The sandbox serves each at
    /// `<sandbox>/<provider>/<name>`.
    public var endpoints: [Endpoint]
    public var auth: AuthScheme
    public var rate: RatePolicy
    /// Reads an answer: success, retry (after a delay) or a typed failure. From the response,
    /// not the status alone (Google's 403 `rateLimitExceeded` is retried, `quotaExceeded` not).
    public var classify: @Sendable (ProviderResponse) -> ResponseClass
    /// Tries of one request, the first included, once the run's retry budget is spent.
    public var maxAttempts: Int
    /// Retries one run may spend on this provider beyond `maxAttempts`, for a storm of throttling
    /// and outages to pass within the run.
    public var retryBudget: RetryBudget

    public init(
        endpoints: [Endpoint], auth: AuthScheme, rate: RatePolicy, maxAttempts: Int = 6, retryBudget: RetryBudget = RetryBudget(),
        classify: @escaping @Sendable (ProviderResponse) -> ResponseClass
    ) {
        self.endpoints = endpoints
        self.auth = auth
        self.rate = rate
        self.classify = classify
        self.maxAttempts = maxAttempts
        self.retryBudget = retryBudget
    }

    public func endpoint(_ name: String) -> Endpoint? { endpoints.first { $0.name == name } }
}

/// How far a run goes on retrying one provider (a retry quota, as the AWS SDKs keep one): each
/// request gets `ProviderTraits.maxAttempts`; past that, a request may go on up to
/// `maxAttemptsPerRequest` while the run still has retries of its budget left. A sick
/// provider then cannot make a run retry without end, and a passing storm does not fail a
/// change. Whatever the budget, nothing waits past the run's deadline.
public struct RetryBudget: Sendable, Hashable {
    /// Retries (beyond each request's `maxAttempts`) one run may spend on this provider.
    public var retriesPerRun: Int
    /// Tries of one request while the budget lasts, the first included.
    public var maxAttemptsPerRequest: Int

    public init(retriesPerRun: Int = 500, maxAttemptsPerRequest: Int = 20) {
        self.retriesPerRun = retriesPerRun
        self.maxAttemptsPerRequest = maxAttemptsPerRequest
    }

    /// Whether a request that has just failed its `attempt`-th try may try again: within
    /// `maxAttempts` always, past it while the run's budget lasts (`spent` counts what the run
    /// took from it, and grows by the retry granted). The transport and the test fake share it.
    public func allowsRetry(after attempt: Int, maxAttempts: Int, spent: inout Int) -> Bool {
        if attempt < maxAttempts { return true }
        guard attempt < maxAttemptsPerRequest, spent < retriesPerRun else { return false }
        spent += 1
        return true
    }
}

/// One base URL of a provider. `{name}` placeholders are filled from the Integration's settings
/// (`https://{shopDomain}/admin/api`).
public struct Endpoint: Sendable, Hashable {
    public var name: String
    public var url: String

    public init(_ name: String, _ url: String) {
        self.name = name
        self.url = url
    }

    /// The URL with its placeholders filled from top-level settings; nil when one is missing.
    public func resolve(_ settings: SettingsReader) -> String? {
        var result = ""
        var rest = Substring(url)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            result += rest[..<open]
            guard let value = settings.string(String(rest[rest.index(after: open)..<close])) else { return nil }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}

/// How requests are authenticated; the transport applies it (adapters never build auth headers).
public enum AuthScheme: Sendable, Hashable {
    case none
    /// A credential in a header, with an optional prefix (`Authorization: Bearer …`, `X-Api-Key: …`).
    case header(name: String, credential: String, prefix: String)
    /// HTTP Basic from two credentials (the password may be empty: Stripe's key as user name).
    case basic(username: String, password: String?)
    /// OAuth2 client credentials grant at the named endpoint's path.
    case clientCredentials(OAuth2Grant)
    /// OAuth2 refresh-token grant; a provider that rotates its refresh token gets the new one kept
    /// encrypted in the state directory (the config repository is read-only).
    case refreshToken(OAuth2Grant, refreshToken: String)
    /// The JWT-bearer grant (RFC 7523) signed RS256 with a service-account key (Google; with
    /// `sub` for domain-wide delegation, from the setting named `subjectSetting`).
    case jwtBearer(JWTBearerGrant)

    public static func bearer(_ credential: String) -> AuthScheme { .header(name: "Authorization", credential: credential, prefix: "Bearer ") }
}

public struct OAuth2Grant: Sendable, Hashable {
    /// Endpoint and path of the token request (`oauth`, `/oauth2/v1/tokens/bearer`).
    public var tokenEndpoint: String
    public var tokenPath: String
    public var clientID: String
    public var clientSecret: String
    public var scopes: [String]

    public init(tokenEndpoint: String, tokenPath: String, clientID: String, clientSecret: String, scopes: [String] = []) {
        self.tokenEndpoint = tokenEndpoint
        self.tokenPath = tokenPath
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
    }
}

public struct JWTBearerGrant: Sendable, Hashable {
    public var tokenEndpoint: String
    public var tokenPath: String
    /// The credential holding the service-account key (Google's JSON key file).
    public var keyCredential: String
    public var scopes: [String]
    /// The `aud` claim (Google: always `https://oauth2.googleapis.com/token`).
    public var audience: String
    /// The setting naming the user to act as (`sub`), if any.
    public var subjectSetting: String?

    public init(tokenEndpoint: String, tokenPath: String, keyCredential: String, scopes: [String], audience: String, subjectSetting: String? = nil) {
        self.tokenEndpoint = tokenEndpoint
        self.tokenPath = tokenPath
        self.keyCredential = keyCredential
        self.scopes = scopes
        self.audience = audience
        self.subjectSetting = subjectSetting
    }
}

/// Pacing, as the provider publishes it. One limiter per (provider, account) lives for the
/// whole process, shared by the integrations that use the same account.
public struct RatePolicy: Sendable, Hashable {
    /// Token bucket: sustained requests per second and the burst allowed.
    public var requestsPerSecond: Double
    public var burst: Int
    /// Requests in flight at once.
    public var maxInFlight: Int
    /// Sub-limits for requests carrying a key with this prefix, per key (GBP: 10 edits a minute
    /// per location).
    public var keyed: [KeyedLimit]
    /// A cost bucket fed from responses (Shopify's GraphQL: each query costs points from a bucket
    /// that refills at a fixed rate, and every answer says what is left).
    public var cost: CostBucket?

    public init(requestsPerSecond: Double, burst: Int, maxInFlight: Int = 8, keyed: [KeyedLimit] = [], cost: CostBucket? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.maxInFlight = maxInFlight
        self.keyed = keyed
        self.cost = cost
    }
}

/// A bucket of points: a request waits until the bucket holds what it is expected to cost
/// (`ProviderRequest.cost`, or `defaultCost`); each answer resets the level to what the provider
/// reports (`readAvailable`), since the provider's own accounting is the truth.
public struct CostBucket: Sendable, Hashable {
    public var capacity: Double
    public var restorePerSecond: Double
    public var defaultCost: Double
    /// The points available after this answer, when the answer says (Shopify:
    /// `extensions.cost.throttleStatus.currentlyAvailable`).
    public var readAvailable: @Sendable (ProviderResponse) -> Double?

    public init(capacity: Double, restorePerSecond: Double, defaultCost: Double, readAvailable: @escaping @Sendable (ProviderResponse) -> Double?) {
        self.capacity = capacity
        self.restorePerSecond = restorePerSecond
        self.defaultCost = defaultCost
        self.readAvailable = readAvailable
    }

    public static func == (a: CostBucket, b: CostBucket) -> Bool {
        a.capacity == b.capacity && a.restorePerSecond == b.restorePerSecond && a.defaultCost == b.defaultCost
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        hasher.combine(restorePerSecond)
        hasher.combine(defaultCost)
    }
}

public struct KeyedLimit: Sendable, Hashable {
    public var prefix: String
    public var count: Int
    public var per: Duration

    public init(prefix: String, count: Int, per: Duration) {
        self.prefix = prefix
        self.count = count
        self.per = per
    }
}

/// What a response means to the transport.
public enum ResponseClass: Sendable {
    case success
    /// Worth another try; `after` is the provider's own delay when it gave one.
    case retry(after: Duration?, ProviderError)
    case failure(ProviderError)
}

extension ResponseClass {
    /// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ response: ProviderResponse, now: Date = Date()) -> Duration? {
        guard let value = response.headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}

extension ProviderTraits {
    /// The hosts of the real API (endpoints whose host is fixed): what an endpoint override
    /// must not imitate.
    public var officialHosts: [String] {
        endpoints.compactMap { URLComponents(string: $0.url)?.host }.filter { !$0.contains("{") }
    }
}
