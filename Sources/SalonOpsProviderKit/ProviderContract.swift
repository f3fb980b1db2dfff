import Foundation
@_exported import SalonOpsCore
@_exported import SalonOpsJSON

/// One provider, declared in one value (docs/providers/writing-a-provider.md): its catalogue
/// entry, how its API is reached, and how an adapter is built for one Integration. Everything
/// provider-specific lives behind this; the engine only reads it.
public protocol ProviderModule: Sendable {
    /// The catalogue entry: id, credentials, settings schema, kinds and provider validation.
    static var spec: ProviderSpec { get }
    /// Endpoints, auth, rate policy and retry rules.
    static var traits: ProviderTraits { get }
    /// The adapter for one Integration (Terraform's `Configure`, Crossplane's `Connect`): it
    /// reads the settings it needs in every path (an account id, a shop domain) here, once.
    static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter
}

/// What `connect` is given besides the Integration.
public struct ConnectContext: Sendable {
    /// This config's ownership marker (the Organization's name).
    public var owner: String
    /// The whole desired state (establishment names, time zones), for settings that refer to it.
    public var state: DesiredState
    /// Engine-level options for a provider, `key=value`: peer quirks for tests (a local peer
    /// that lacks a field of the real API), never read from the config repository.
    public var options: [String: String]

    public init(owner: String, state: DesiredState, options: [String: String] = [:]) {
        self.owner = owner
        self.state = state
        self.options = options
    }

    /// Integration settings, read by path.
    public func settings(_ integration: Integration) -> SettingsReader { SettingsReader(integration.settings?.value) }
}

/// Which part of the config a run looks at: every establishment and kind by default; a
/// change-scoped or sharded run narrows it, so that observe can cut requests.
public struct Scope: Sendable, Hashable {
    public var establishments: Set<String>?
    public var kinds: Set<String>?

    public init(establishments: Set<String>? = nil, kinds: Set<String>? = nil) {
        self.establishments = establishments
        self.kinds = kinds
    }

    public static let all = Scope()

    public func includes(establishment: String?) -> Bool {
        guard let establishments, let establishment else { return true }
        return establishments.contains(establishment)
    }

    public func includes(kind: String) -> Bool { kinds?.contains(kind) ?? true }
}

/// The config projected into one provider's resources, and what the provider cannot hold.
public struct Projection: Sendable {
    public var resources: [DesiredResource]
    /// Shown in the plan: what the provider cannot represent (a service duration where there is
    /// no duration field), never silently dropped.
    public var notes: [PlanNote]

    public init(resources: [DesiredResource] = [], notes: [PlanNote] = []) {
        self.resources = resources
        self.notes = notes
    }
}

/// The contract every provider adapter follows. Requests and responses are plain values, sent
/// through a session the engine supplies (auth, pacing, retries), so adapters stay testable.
public protocol ProviderAdapter: Sendable {
    /// Resource kinds, with their identity, lifecycle and field rules.
    var kinds: [ResourceKind] { get }
    /// Pure projection of the config into this provider's resources (no I/O).
    func desired(in state: DesiredState, scope: Scope) throws -> Projection
    /// What the account has of the managed kinds, within the scope, through the provider's
    /// pagination (independent collections may be listed concurrently).
    func observe(_ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource]
    /// Carries out one change.
    func apply(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome
    /// A cheap authenticated call proving the credentials and endpoints work.
    func check(_ session: any ProviderSession) async throws -> String
    /// Reads one resource again (after a conflict, or an already-exists on a retried create);
    /// nil when it is not there. The default lists the kind's collection.
    func read(_ ref: ResourceRef, remoteID: String?, _ session: any ProviderSession) async throws -> ObservedResource?
    /// For the consistency view (`salonops status`): what these resources hold, by establishment,
    /// in the config's terms (hours, closed days, services with price and duration). They are
    /// the observed ones with the run's applied changes laid over them, so the fields are the
    /// kinds' own. A part the provider does not carry stays nil. The default: nothing.
    func holdings(_ resources: [ObservedResource], in state: DesiredState) -> [String: Holdings]
}

extension ProviderAdapter {
    public func read(_ ref: ResourceRef, remoteID: String?, _ session: any ProviderSession) async throws -> ObservedResource? {
        let all = try await observe(Scope(kinds: [ref.kind]), session)
        return all.first { $0.kind == ref.kind && !$0.archived && ($0.key == ref.key || ($0.remoteID == remoteID && remoteID != nil)) }
    }

    public func holdings(_ resources: [ObservedResource], in state: DesiredState) -> [String: Holdings] { [:] }
}

/// What apply hands an adapter with one change.
public struct ApplyContext: Sendable {
    /// Remote ids of the resources this one references, created earlier in the same apply or
    /// observed, by (kind, key).
    public var remoteIDs: [ResourceRef: String]
    /// The resource as observed (for version tokens and whole-resource updates).
    public var observed: ObservedResource?
    /// Stable per plan and change: a plan applied twice does not act twice.
    public var idempotencyKey: String

    public init(remoteIDs: [ResourceRef: String], observed: ObservedResource?, idempotencyKey: String) {
        self.remoteIDs = remoteIDs
        self.observed = observed
        self.idempotencyKey = idempotencyKey
    }

    /// The remote id of what `desired.references[field]` points at.
    public func remoteID(of field: String, in desired: DesiredResource) throws -> String {
        guard let ref = desired.references[field] else {
            throw ProviderError(.permanent, message: "\(desired.kind) \(desired.key) has no \(field) reference")
        }
        guard let id = remoteIDs[ref] else {
            throw ProviderError(.permanent, message: "\(desired.kind) \(desired.key) needs \(ref.kind) \(ref.key) (its \(field)), which has no remote id yet")
        }
        return id
    }
}

/// What an adapter can reach during observe, apply and check.
public protocol ProviderSession: Sendable {
    /// This config's ownership marker.
    var owner: String { get }
    /// A credential's plaintext, for a request that signs something itself (auth headers are
    /// the transport's job), and nowhere else.
    func credential(_ name: String) throws -> String
    /// Sends one request: auth, pacing and retries are applied; only a success comes back, any
    /// other answer is thrown as a typed `ProviderError` by the provider's classifier.
    func send(_ request: ProviderRequest) async throws -> ProviderResponse
}

public struct ProviderRequest: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable { case GET, POST, PUT, PATCH, DELETE }

    /// Which of the provider's endpoints (`ProviderTraits.endpoints`) it goes to.
    public var endpoint: String
    public var method: Method
    /// Path below the endpoint's URL, with the query string (`/v1/products?limit=100`).
    public var path: String
    public var headers: [String: String]
    public var body: [UInt8]
    /// Whether the transport may send it again after a connection error or a retryable answer
    /// (reads, and writes that carry an idempotency key or a deterministic id).
    public var retryable: Bool
    /// Keyed rate limits this request counts against (`edits:locations/123`).
    public var rateKeys: [String]
    /// Its expected cost in the provider's cost bucket (`RatePolicy.cost`), when it has one.
    public var cost: Double?

    public init(
        _ method: Method, _ path: String, endpoint: String = "api", headers: [String: String] = [:], body: [UInt8] = [],
        retryable: Bool? = nil, rateKeys: [String] = [], cost: Double? = nil
    ) {
        self.endpoint = endpoint
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.retryable = retryable ?? (method == .GET)
        self.rateKeys = rateKeys
        self.cost = cost
    }

    /// A JSON body, with its content type.
    public static func json(
        _ method: Method, _ path: String, _ body: JSONValue, endpoint: String = "api", headers: [String: String] = [:],
        retryable: Bool? = nil, rateKeys: [String] = [], cost: Double? = nil
    ) -> ProviderRequest {
        var all = headers
        all["Content-Type"] = "application/json"
        return ProviderRequest(
            method, path, endpoint: endpoint, headers: all, body: Array(body.serialized.utf8), retryable: retryable,
            rateKeys: rateKeys, cost: cost)
    }
}

public struct ProviderResponse: Sendable, Hashable {
    public let status: Int
    /// Header names lowercased.
    public let headers: [String: String]
    public let body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as JSON (an empty body is `null`).
    public func json() throws -> JSONValue {
        if body.isEmpty { return .null }
        do { return try JSONValue.parse(body) } catch {
            throw ProviderError(.permanent, status: status, message: "the answer is not JSON")
        }
    }
}

/// The result of one applied change.
public struct ApplyOutcome: Sendable {
    public let remoteID: String
    /// The resource's new version token (ETag, SyncToken), when the provider returns one.
    public let version: String?
    /// Values the provider returns once (a webhook signing secret), to store encrypted. Never
    /// printed; the report shows their fingerprint.
    public let writeOnly: [String: [UInt8]]

    public init(remoteID: String, version: String? = nil, writeOnly: [String: [UInt8]] = [:]) {
        self.remoteID = remoteID
        self.version = version
        self.writeOnly = writeOnly
    }
}

/// A provider's answer that is not a success, typed so that the engine can apply the shared
/// rules (a retried delete that finds nothing succeeded; a conflict is read again), with what
/// the provider said (never a credential).
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Throttled: try again after the delay (when the provider says one).
        case rateLimited(retryAfter: Duration?)
        /// A stale version token (HTTP 412, a SyncToken that moved): read again, diff again.
        case conflict
        case notFound
        case alreadyExists
        /// A value the provider refuses (the field, when it names one).
        case invalid(field: String?)
        /// Credentials refused or not allowed.
        case auth
        /// Down or overloaded for now: may succeed if retried.
        case transient
        /// Anything else: retrying the same request will fail the same way.
        case permanent
    }

    public let kind: Kind
    public let status: Int
    public let message: String

    public init(_ kind: Kind, status: Int = 0, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    /// A throttled request was not carried out: sending it again is safe even without an
    /// idempotency key.
    public var wasNotCarriedOut: Bool {
        if case .rateLimited = kind { return true }
        return false
    }

    /// Only what can recover: throttling and transient failures.
    public var retryable: Bool {
        switch kind {
        case .rateLimited, .transient: true
        default: false
        }
    }

    public var description: String { status > 0 ? "HTTP \(status): \(message)" : message }
}
