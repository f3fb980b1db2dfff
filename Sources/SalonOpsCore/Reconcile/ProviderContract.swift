/// The contract every provider adapter follows (docs/providers/writing-a-provider.md). The core
/// holds only the shape: requests and responses are plain values, sent by a transport the
/// engine supplies (HTTP with rate limiting, retries and idempotency keys), so adapters are
/// testable and the core stays free of I/O.
public protocol ProviderAdapter: Sendable {
    /// The `provider:` value of an Integration.
    var providerID: String { get }
    /// Resource kinds, with their immutable, write-only and sensitive fields and dependencies.
    var kinds: [ResourceKind] { get }
    /// Pure projection of the config into this provider's resources (no I/O).
    func desired(for integration: Integration, in state: DesiredState, owner: String) throws -> [DesiredResource]
    /// Everything of the managed kinds the account has, through the provider's pagination.
    func observe(_ session: ProviderSession) async throws -> [ObservedResource]
    /// Carries out one change. `remoteIDs` maps the keys of resources this one references
    /// (created earlier in the same apply, or observed) to their remote ids.
    func apply(_ change: Change, remoteIDs: [String: String], session: ProviderSession) async throws -> ApplyOutcome
    /// A cheap authenticated call proving the credentials and endpoint work.
    func check(_ session: ProviderSession) async throws -> String
}

/// What an adapter can reach during observe/apply/check.
public protocol ProviderSession: Sendable {
    /// This config's ownership marker.
    var owner: String { get }
    /// Prefix of idempotency keys for this run (the plan id): a key is `<scope>/<change id>`,
    /// so a plan applied twice does not act twice.
    var idempotencyScope: String { get }
    /// A credential's plaintext, for the request that needs it, and nowhere else.
    func credential(_ name: String) throws -> String
    func send(_ request: ProviderRequest) async throws -> ProviderResponse
}

public struct ProviderRequest: Sendable, Hashable {
    public enum Method: String, Sendable { case GET, POST, PUT, PATCH, DELETE }

    public var method: Method
    /// Path below the provider's base URL, with the query string (`/v1/products?limit=100`).
    public var path: String
    public var headers: [String: String]
    public var body: [UInt8]
    /// Sent as the provider's idempotency header; the transport keeps it across retries.
    public var idempotencyKey: String?
    /// Whether the transport may retry it after a connection error (GETs, and writes that carry
    /// an idempotency key or a deterministic id).
    public var retryable: Bool

    public init(method: Method, path: String, headers: [String: String] = [:], body: [UInt8] = [], idempotencyKey: String? = nil, retryable: Bool? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.retryable = retryable ?? (method == .GET || idempotencyKey != nil)
    }
}

public struct ProviderResponse: Sendable, Hashable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The result of one applied change.
public struct ApplyOutcome: Sendable {
    public let remoteID: String
    /// Values the provider returns once (a webhook signing secret), to store encrypted. Never
    /// printed; the report shows their fingerprint.
    public let writeOnly: [String: [UInt8]]

    public init(remoteID: String, writeOnly: [String: [UInt8]] = [:]) {
        self.remoteID = remoteID
        self.writeOnly = writeOnly
    }
}

/// A provider's answer that is not a success, with what the provider said (never a credential).
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let message: String
    public let retryable: Bool

    public init(status: Int, message: String, retryable: Bool) {
        self.status = status
        self.message = message
        self.retryable = retryable
    }

    public var description: String { status > 0 ? "HTTP \(status): \(message)" : message }
}
