import Foundation
@_exported import SalonOpsJSON

/// One provider request as the emulators see it: the path below the provider's base path
/// (`/stripe/api/v1/products` → `/api/v1/products`: the first segment names the endpoint), the
/// raw query and body, and the headers.
public struct EmulatorRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String
    /// Header names lowercased; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: String

    public init(method: String, path: String, query: String = "", headers: [String: String] = [:], body: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, b in a + ", " + b })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The path without its first segment (the endpoint name), and that name.
    public var endpoint: (name: String, path: String) {
        let trimmed = path.drop { $0 == "/" }
        guard let slash = trimmed.firstIndex(of: "/") else { return (String(trimmed), "/") }
        return (String(trimmed[..<slash]), String(trimmed[slash...]))
    }

    /// Decoded query items in order (`a=1&a=2` gives both).
    public var queryItems: [(String, String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

public struct EmulatorResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: String

    public init(status: Int, headers: [(String, String)] = [], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> EmulatorResponse {
        EmulatorResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: value.pretty)
    }

    public static func == (lhs: EmulatorResponse, rhs: EmulatorResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { $0.0 + ":" + $0.1 } == rhs.headers.map { $0.0 + ":" + $0.1 }
    }

    public func adding(header name: String, _ value: String) -> EmulatorResponse {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }
}

/// A provider emulator, served by the sandbox under `/<id>/<endpoint>/…`. It is an independent
/// reading of the provider's published API: it never imports the provider's adapter.
public protocol ProviderEmulator: Sendable {
    /// The provider id (`stripe`, `google-calendar`): the first path segment.
    var id: String { get }
    /// Answers one request (faults already decided by the caller).
    func respond(to request: EmulatorRequest) async -> EmulatorResponse
    /// The provider's own answer for an injected 429 or 503.
    func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse
    /// Drops all state and restarts the provider's seeded streams.
    func reset()
    /// The provider's answer for an injected fault on `path` (a provider with two wire shapes,
    /// like Google's API and token endpoint, answers each in its own).
    func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int, path: String) -> EmulatorResponse
    /// The path the request counters file a request under: the path itself, or its template
    /// when the provider's paths carry ids (`/api/calendars/{calendarId}/events`).
    func statsPath(method: String, path: String) -> String
    /// Whether the counters count the request as a write.
    func isWrite(method: String, path: String) -> Bool
    /// The sandbox's `churn` fault: adds (even `draw`) or removes (odd) one resource nobody
    /// manages, as another user of the account would, with the credentials of `request` (a
    /// read about to be answered), so that listings change between their pages.
    func churn(_ draw: UInt64, like request: EmulatorRequest) async
}

extension ProviderEmulator {
    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int, path: String) -> EmulatorResponse {
        faultResponse(fault, retryAfterSeconds: retryAfterSeconds)
    }

    public func statsPath(method: String, path: String) -> String { path }

    public func isWrite(method: String, path: String) -> Bool { method != "GET" && method != "HEAD" }

    public func churn(_ draw: UInt64, like request: EmulatorRequest) async {}
}

extension JSONValue {
    /// A request body as JSON, with where it went wrong (the emulators answer it in the
    /// provider's own shape).
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        do { return try JSONValue.parse(Array(text.utf8)) } catch { throw JSONParseError(offset: 0, reason: String(describing: error)) }
    }
}

public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { reason }

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

/// What an emulator is built with: the sandbox's seed, and options (`key=value`) for what the
/// real provider knows already, such as the public keys of the service accounts it issued.
public struct EmulatorSettings: Sendable {
    public var seed: UInt64
    public var options: [String: String]

    public init(seed: UInt64, options: [String: String] = [:]) {
        self.seed = seed
        self.options = options
    }
}

/// An option an emulator cannot use, named with how to write it.
public struct EmulatorOptionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
