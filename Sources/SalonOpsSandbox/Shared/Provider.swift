/// One provider request as the emulators see it: the path below the provider's base path
/// (`/stripe/v1/products` → `/v1/products`), the raw query and body, and the headers.
struct ProviderRequest: Sendable {
    var method: String
    var path: String
    var query: String
    /// Header names lowercased; repeated headers joined with ", ".
    var headers: [String: String]
    var body: String

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

struct ProviderResponse: Sendable, Equatable {
    var status: Int
    var headers: [(String, String)]
    var body: String

    init(status: Int, headers: [(String, String)] = [], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> ProviderResponse {
        ProviderResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: value.pretty)
    }

    static func == (lhs: ProviderResponse, rhs: ProviderResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { $0.0 + ":" + $0.1 } == rhs.headers.map { $0.0 + ":" + $0.1 }
    }

    func adding(header name: String, _ value: String) -> ProviderResponse {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }
}

/// A provider emulator, served under `/<name>/…`. Adding a provider is one folder with a type
/// conforming to this protocol, listed in `SandboxServer.makeProviders`.
protocol SandboxProvider: Sendable {
    /// The first path segment, e.g. `stripe`.
    var name: String { get }
    /// Answers one request (faults already decided by the caller).
    func respond(to request: ProviderRequest) async -> ProviderResponse
    /// The provider's own answer for an injected 429 or 503.
    func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> ProviderResponse
    /// Drops all state and restarts the provider's seeded streams.
    func reset()
}
