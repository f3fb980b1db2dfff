import Foundation
import SalonOpsProviderKit

/// A provider session with no sockets, for adapter tests: every request is recorded, answered
/// from a table of canned responses or from a closure, and each answer goes through the
/// provider's `traits.classify` the way `HTTPTransport.send` does it, so the adapter sees a
/// success or the typed `ProviderError`:
/// - `.success` is returned; `.failure` is thrown;
/// - `.retry` is asked again (up to `traits.maxAttempts` tries, the first included, then while
///   this session's share of `traits.retryBudget` lasts) when the
///   request is retryable or was throttled (not carried out), and thrown otherwise; the delay
///   the real transport would wait is recorded in `retries`, never slept;
/// - an answer the responder drops (`FakeSession.Dropped`) is a transient connection failure,
///   retried only when the request is retryable;
/// - a request to an endpoint the traits do not name fails as permanent, as in the transport.
/// Auth is not simulated (no token is fetched): a 401 goes straight to the classifier, as under
/// a static-header scheme. The engine's own transport tests cover the refresh on 401.
public actor FakeSession: ProviderSession {
    /// Where a canned answer applies: the exact path with its query, as the adapter builds it.
    public struct Route: Sendable, Hashable, CustomStringConvertible {
        public let endpoint: String
        public let method: ProviderRequest.Method
        public let path: String

        public init(_ method: ProviderRequest.Method, _ path: String, endpoint: String = "api") {
            self.endpoint = endpoint
            self.method = method
            self.path = path
        }

        public var description: String { "\(method.rawValue) \(endpoint):\(path)" }
    }

    /// Answers one sent request; throw `Dropped` for a connection that gives no answer.
    public typealias Responder = @Sendable (SentRequest) async throws -> ProviderResponse

    /// Thrown by a responder: the request got no answer at all (a reset connection).
    public struct Dropped: Error, Sendable {
        public init() {}
    }

    /// A request nobody told the fake how to answer: the test's mistake or the adapter's
    /// surprise, never one of the provider's errors. Names the route only (never headers).
    public struct Unanswered: Error, Sendable, CustomStringConvertible {
        public let route: Route
        public init(route: Route) { self.route = route }
        public var description: String { "FakeSession: no answer for \(route)" }
    }

    /// A `.retry` answer the real transport would have waited on before the next try.
    public struct Retry: Sendable {
        public let request: SentRequest
        public let error: ProviderError
        /// The provider's own delay (`Retry-After`), when it gave one.
        public let after: Duration?
    }

    nonisolated public let owner: String
    nonisolated private let credentials: [String: String]
    nonisolated public let traits: ProviderTraits
    private let responder: Responder?
    private var table: [Route: [ProviderResponse]] = [:]
    /// Every request, each try of it included, in the order it was sent.
    public private(set) var sent: [SentRequest] = []
    public private(set) var retries: [Retry] = []

    /// `credentials`: plaintexts an adapter may ask for (`credential(_:)`); `responder` answers
    /// what the table has no entry for.
    public init(traits: ProviderTraits, owner: String, credentials: [String: String] = [:], responder: Responder? = nil) {
        self.traits = traits
        self.owner = owner
        self.credentials = credentials
        self.responder = responder
    }

    public init(module: any ProviderModule.Type, owner: String, credentials: [String: String] = [:], responder: Responder? = nil) {
        self.init(traits: module.traits, owner: owner, credentials: credentials, responder: responder)
    }

    // MARK: canned answers

    /// Answers `route` with `responses` in turn; the last one keeps answering.
    public func answer(_ route: Route, _ responses: [ProviderResponse]) {
        precondition(!responses.isEmpty, "FakeSession.answer needs at least one response")
        table[route] = responses
    }

    public func answer(_ method: ProviderRequest.Method, _ path: String, endpoint: String = "api", _ responses: ProviderResponse...) {
        answer(Route(method, path, endpoint: endpoint), responses)
    }

    public func answer(
        _ method: ProviderRequest.Method, _ path: String, endpoint: String = "api", json: JSONValue, status: Int = 200,
        headers: [String: String] = [:]
    ) {
        answer(Route(method, path, endpoint: endpoint), [Self.json(json, status: status, headers: headers)])
    }

    /// A JSON answer (header names lowercased, as the transport hands them over).
    public static func json(_ value: JSONValue, status: Int = 200, headers: [String: String] = [:]) -> ProviderResponse {
        var all = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        all["content-type"] = "application/json"
        return ProviderResponse(status: status, headers: all, body: Array(value.serialized.utf8))
    }

    /// A JSON answer from its text; a test's literal that does not parse stops the test.
    public static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> ProviderResponse {
        do { return json(try JSONValue.parse(Array(text.utf8)), status: status, headers: headers) } catch {
            preconditionFailure("FakeSession.json: not JSON: \(error)")
        }
    }

    public static func empty(status: Int = 204, headers: [String: String] = [:]) -> ProviderResponse {
        let lowercased = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        return ProviderResponse(status: status, headers: lowercased, body: [])
    }

    // MARK: ProviderSession

    /// The same refusal as the engine's session for a credential that is not there.
    nonisolated public func credential(_ name: String) throws -> String {
        guard let value = credentials[name] else {
            throw ProviderError(.auth, message: "credential '\(name)' is not available (see `salonops validate --credentials`)")
        }
        return value
    }

    /// Retries taken from the retry budget (a session is one run).
    private var budgetSpent = 0

    public func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        var attempt = 0
        while true {
            attempt += 1
            guard traits.endpoint(request.endpoint) != nil else {
                throw ProviderError(.permanent, message: "the fake provider has no endpoint '\(request.endpoint)'")
            }
            let record = SentRequest(request)
            sent.append(record)
            let outcome: Result<ProviderResponse, ProviderError>
            do {
                outcome = .success(try await respond(record))
            } catch is Dropped {
                outcome = .failure(ProviderError(.transient, message: "no answer from the fake provider: the connection was dropped"))
            }
            let failure: ProviderError
            let wait: Duration?
            switch outcome {
            case .success(let response):
                switch traits.classify(response) {
                case .success: return response
                case .failure(let error): throw error
                case .retry(let after, let error):
                    guard request.retryable || error.wasNotCarriedOut else { throw error }
                    failure = error
                    wait = after
                }
            case .failure(let error):
                guard request.retryable else { throw error }
                failure = error
                wait = nil
            }
            guard traits.retryBudget.allowsRetry(after: attempt, maxAttempts: traits.maxAttempts, spent: &budgetSpent) else { throw failure }
            retries.append(Retry(request: record, error: failure, after: wait))
        }
    }

    private func respond(_ request: SentRequest) async throws -> ProviderResponse {
        let route = Route(request.method, request.path, endpoint: request.endpoint)
        if var queue = table[route] {
            let next = queue.removeFirst()
            if !queue.isEmpty { table[route] = queue }
            return next
        }
        guard let responder else { throw Unanswered(route: route) }
        return try await responder(request)
    }

    // MARK: assertions

    /// The requests sent with this method whose path (query apart) is `path`.
    public func requests(_ method: ProviderRequest.Method, _ path: String, endpoint: String = "api") -> [SentRequest] {
        sent.filter { $0.method == method && $0.route == path && $0.endpoint == endpoint }
    }

    /// The paths (with queries) of every GET, sorted: observe's concurrent lists in a stable order.
    public var readPaths: [String] { sent.filter { $0.method == .GET }.map(\.path).sorted() }

    public var writes: [SentRequest] { sent.filter { $0.method != .GET } }

    /// Forgets what was sent (canned answers stay).
    public func clearRecord() {
        sent = []
        retries = []
    }
}

/// One request as the adapter sent it, its body decoded by its content type.
public struct SentRequest: Sendable, CustomStringConvertible {
    public enum Body: Sendable {
        case empty
        case json(JSONValue)
        /// `application/x-www-form-urlencoded`, decoded, in order.
        case form([FormPair])
        /// Anything else, or a JSON body that does not parse.
        case bytes([UInt8])
    }

    public struct FormPair: Sendable, Hashable {
        public let name: String
        public let value: String
    }

    public let method: ProviderRequest.Method
    public let endpoint: String
    /// With the query string, as sent.
    public let path: String
    public let headers: [String: String]
    public let body: Body
    public let retryable: Bool
    public let rateKeys: [String]

    init(_ request: ProviderRequest) {
        method = request.method
        endpoint = request.endpoint
        path = request.path
        headers = request.headers
        retryable = request.retryable
        rateKeys = request.rateKeys
        let type = request.headers.first { $0.key.lowercased() == "content-type" }?.value.lowercased() ?? ""
        if request.body.isEmpty {
            body = .empty
        } else if type.hasPrefix("application/json"), let value = try? JSONValue.parse(request.body) {
            body = .json(value)
        } else if type.hasPrefix("application/x-www-form-urlencoded") {
            body = .form(Self.decodeForm(String(decoding: request.body, as: UTF8.self)))
        } else {
            body = .bytes(request.body)
        }
    }

    /// The path without its query.
    public var route: String { path.firstIndex(of: "?").map { String(path[..<$0]) } ?? path }

    /// The query's items, decoded, in order.
    public var query: [FormPair] { path.firstIndex(of: "?").map { Self.decodeForm(String(path[path.index(after: $0)...])) } ?? [] }

    /// The first query item of this name.
    public func query(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// A header by name, whatever its case.
    public func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }

    public var json: JSONValue? { if case .json(let value) = body { return value }; return nil }

    public var form: [FormPair] { if case .form(let pairs) = body { return pairs }; return [] }

    /// The first form field of this name (`metadata[salonops_id]`).
    public func form(_ name: String) -> String? { form.first { $0.name == name }?.value }

    /// Method, endpoint and path: never headers, which may carry a credential.
    public var description: String { "\(method.rawValue) \(endpoint):\(path)" }

    /// `a=1&b=x%20y` in order, `+` as a space (form encoding).
    public static func decodeForm(_ text: String) -> [FormPair] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return FormPair(name: formDecode(parts[0]), value: parts.count > 1 ? formDecode(parts[1]) : "")
        }
    }

    /// One form-encoded part, decoded.
    public static func formDecode(_ part: some StringProtocol) -> String {
        let text = String(part).replacingOccurrences(of: "+", with: " ")
        return text.removingPercentEncoding ?? text
    }
}

/// An adapter connected to one Integration of a config, over a `FakeSession`: project, observe
/// and apply it as the engine would, with no engine and no socket.
public struct AdapterHarness: Sendable {
    public let module: any ProviderModule.Type
    public let integration: Integration
    public let state: DesiredState
    public let adapter: any ProviderAdapter
    public let session: FakeSession

    /// Connects `module` to the Integration named `integration` in `state`, as the engine does
    /// (owner: the Organization's name).
    public init(
        _ module: any ProviderModule.Type, integration name: String, in state: DesiredState, options: [String: String] = [:],
        credentials: [String: String] = [:], responder: FakeSession.Responder? = nil
    ) throws {
        guard let integration = state.integrations.first(where: { $0.metadata.name == name }) else {
            throw HarnessError("no Integration named '\(name)' in the config")
        }
        let owner = state.organization?.metadata.name ?? "salonops"
        self.module = module
        self.integration = integration
        self.state = state
        self.adapter = try module.connect(integration, ConnectContext(owner: owner, state: state, options: options))
        self.session = FakeSession(module: module, owner: owner, credentials: credentials, responder: responder)
    }

    public var owner: String { session.owner }

    public func projection(_ scope: Scope = .all) throws -> Projection { try adapter.desired(in: state, scope: scope) }

    public func observe(_ scope: Scope = .all) async throws -> [ObservedResource] { try await adapter.observe(scope, session) }

    /// Applies one change; the idempotency key defaults to the engine's form (`<plan id>/<change id>`).
    public func apply(
        _ change: Change, remoteIDs: [ResourceRef: String] = [:], observed: ObservedResource? = nil,
        idempotencyKey: String? = nil
    ) async throws -> ApplyOutcome {
        let context = ApplyContext(remoteIDs: remoteIDs, observed: observed, idempotencyKey: idempotencyKey ?? "plan-test/" + change.id)
        return try await adapter.apply(change, context, session)
    }

    /// A change as the planner would make it: id `integration/kind/key/action`; for an update,
    /// the fields that differ between `desired` and `observed` unless `fields` names them.
    public func change(
        _ action: Change.Action, _ desired: DesiredResource?, kind: String? = nil, key: String? = nil,
        observed: ObservedResource? = nil, fields: [String]? = nil, drift: Bool = false
    ) -> Change {
        let kind = desired?.kind ?? kind ?? observed?.kind ?? "?"
        let key = desired?.key ?? key ?? observed?.key ?? "?"
        let names =
            fields
            ?? (desired.map { desired in
                desired.fields.keys.sorted().filter { observed?.fields[$0] != desired.fields[$0] }
            } ?? [])
        let changes =
            action == .create || action == .delete
            ? []
            : names.map {
                FieldChange(field: $0, before: observed?.fields[$0], after: desired?.fields[$0])
            }
        return Change(
            id: "\(integration.metadata.name)/\(kind)/\(key)/\(action.rawValue)", provider: module.spec.id,
            integration: integration.metadata.name, kind: kind, key: key, title: desired?.title ?? observed?.title ?? key,
            establishment: desired?.establishment, action: action, remoteID: observed?.remoteID, fieldChanges: changes,
            replaceBecause: [], desired: desired, drift: drift, willApply: true, version: observed?.version)
    }
}
