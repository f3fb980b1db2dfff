import Foundation
import SalonOpsEmulatorKit
import SalonOpsGoogleBusinessProfileEmulator
import SalonOpsProviderTesting
import SalonOpsTestSupport
import Testing

/// The two discovery documents beside the package (`../shared/specs`), or the shared copies.
struct GBPDiscovery: Sendable {
    let businessInformation: DiscoveryDocument
    let accountManagement: DiscoveryDocument

    static let loaded: GBPDiscovery? = {
        func load(_ file: String) -> DiscoveryDocument? { SharedSpecs.locate(file).flatMap { try? DiscoveryDocument(contentsOf: $0) } }
        guard let bi = load("google-mybusinessbusinessinformation.v1.json"), let am = load("google-mybusinessaccountmanagement.v1.json") else {
            return nil
        }
        return GBPDiscovery(businessInformation: bi, accountManagement: am)
    }()
}

let gbpSpecAvailable = GBPDiscovery.loaded != nil
let gbpSpecMissing = "google-mybusiness{businessinformation,accountmanagement}.v1.json not found in ../shared/specs or /work/shared/specs"

/// Which API a call goes to: the emulator's endpoint segment and the discovery document.
enum GBPAPI {
    case businessInformation
    case accountManagement

    var endpoint: String { self == .businessInformation ? "/api/" : "/accounts/" }
    func document(_ discovery: GBPDiscovery) -> DiscoveryDocument {
        self == .businessInformation ? discovery.businessInformation : discovery.accountManagement
    }
}

/// Whether a request is meant to match the discovery document (`valid`), to break it on purpose
/// (`invalid`: the validator must say so), or breaks only a rule the document does not encode
/// (`unchecked`: a missing readMask, which the document describes as required but does not flag).
enum GBPRequestShape {
    case valid
    case invalid
    case unchecked
}

/// The credential of a call: a token just issued, none, or one given.
enum GBPAuth {
    case fresh
    case anonymous
    case bearer(String)
}

/// One answer of the emulator, body parsed where it is JSON.
struct GBPReply {
    let status: Int
    let headers: [(String, String)]
    let body: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    var errorStatus: String? { error["status"] as? String }
    var errorInfo: [String: Any] {
        (error["details"] as? [[String: Any]] ?? []).first { $0["@type"] as? String == "type.googleapis.com/google.rpc.ErrorInfo" } ?? [:]
    }
    var reason: String? { errorInfo["reason"] as? String }
    var fieldMask: String? { (errorInfo["metadata"] as? [String: String])?["field_mask"] }
    var locations: [[String: Any]] { json["locations"] as? [[String: Any]] ?? [] }
}

/// The emulator called in process (no sockets), on a manual clock; every request is checked
/// against its discovery method, every answer against the response schema or google.rpc.Status.
struct GBPHarness {
    let emulator: GoogleBusinessProfileEmulator
    let clock: SandboxClock
    let discovery: GBPDiscovery

    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30

    init(options: GoogleBusinessProfileOptions = GBPHarness.defaultOptions, seed: UInt64 = 7) throws {
        guard let discovery = GBPDiscovery.loaded else { throw HarnessError(gbpSpecMissing) }
        let clock = SandboxClock.manual(startingAt: Self.start)
        var options = options
        options.clock = clock
        self.emulator = GoogleBusinessProfileEmulator(seed: seed, options: options)
        self.clock = clock
        self.discovery = discovery
    }

    /// Two accounts: `accounts/1` with five locations, `accounts/2` with one.
    static let defaultOptions = GoogleBusinessProfileOptions(
        locations: (1...5).map { .init(account: "accounts/1", name: "locations/10\($0)", title: "Belle Époque \($0)") }
            + [.init(account: "accounts/2", name: "locations/201", title: "Lyon")],
        clients: [.init(clientID: "client-1.apps.googleusercontent.com", clientSecret: "secret-1", refreshToken: "1//refresh-1")])

    /// POSTs a form to the token endpoint.
    func tokenRequest(_ form: [(String, String)], headers: [String: String] = [:], method: String = "POST") async -> GBPReply {
        var all = headers
        all["content-type"] = "application/x-www-form-urlencoded"
        let answer = await emulator.respond(to: EmulatorRequest(method: method, path: "/oauth/token", headers: all, body: Sandbox.encode(form)))
        return GBPReply(status: answer.status, headers: answer.headers, body: answer.body)
    }

    static let refreshForm: [(String, String)] = [
        ("grant_type", "refresh_token"), ("refresh_token", "1//refresh-1"), ("client_id", "client-1.apps.googleusercontent.com"),
        ("client_secret", "secret-1"),
    ]

    func token() async throws -> String {
        let reply = await tokenRequest(Self.refreshForm)
        guard reply.status == 200, let token = reply.json["access_token"] as? String else { throw HarnessError("no token: \(reply.body)") }
        return token
    }

    /// A call, by default with a token just issued.
    func call(
        on api: GBPAPI = .businessInformation, _ method: String, _ path: String, query: [(String, String)] = [], body: Any? = nil,
        auth: GBPAuth = .fresh, headers: [String: String] = [:], shape: GBPRequestShape = .valid,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> GBPReply {
        let bearer: String?
        switch auth {
        case .fresh: bearer = try await token()
        case .anonymous: bearer = nil
        case .bearer(let given): bearer = given
        }
        var bodyText = ""
        if let body {
            if let text = body as? String {
                bodyText = text
            } else {
                bodyText = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
            }
        }
        let document = api.document(discovery)
        let (matched, problems) = GBPSpecCheck.request(document, method: method, path: path, query: query, body: body == nil ? nil : bodyText)
        switch shape {
        case .valid: #expect(problems.isEmpty, "request \(method) \(path) \(query): \(problems)", sourceLocation: sourceLocation)
        case .invalid: #expect(!problems.isEmpty, "the validator accepts \(method) \(path) \(query)", sourceLocation: sourceLocation)
        case .unchecked: break
        }
        var allHeaders = headers
        if let bearer { allHeaders["authorization"] = "Bearer \(bearer)" }
        if body != nil { allHeaders["content-type"] = "application/json" }
        let request = EmulatorRequest(method: method, path: api.endpoint + path, query: Sandbox.encode(query), headers: allHeaders, body: bodyText)
        let answer = await emulator.respond(to: request)
        let reply = GBPReply(status: answer.status, headers: answer.headers, body: answer.body)
        let answerProblems = GBPSpecCheck.response(document, status: reply.status, body: reply.body, method: matched, partial: query.contains { $0.0 == "fields" })
        #expect(answerProblems.isEmpty, "answer to \(method) \(path): \(answerProblems)\n\(reply.body)", sourceLocation: sourceLocation)
        return reply
    }

    func get(_ location: String, mask: String = "name,title", sourceLocation: SourceLocation = #_sourceLocation) async throws -> GBPReply {
        try await call("GET", "v1/\(location)", query: [("readMask", mask)], sourceLocation: sourceLocation)
    }

    func patch(
        _ location: String, mask: String, _ body: [String: Any], validateOnly: Bool = false, shape: GBPRequestShape = .valid,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> GBPReply {
        var query = [("updateMask", mask)]
        if validateOnly { query.append(("validateOnly", "true")) }
        return try await call("PATCH", "v1/\(location)", query: query, body: body, shape: shape, sourceLocation: sourceLocation)
    }

    /// The stored location, parsed.
    func stored(_ name: String) -> [String: Any] {
        emulator.location(name).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
    }
}

/// Hours in the API's JSON, for short test bodies.
enum Hours {
    static func time(_ hours: Int, _ minutes: Int = 0) -> [String: Any] {
        var value: [String: Any] = [:]
        if hours != 0 { value["hours"] = hours }
        if minutes != 0 { value["minutes"] = minutes }
        return value
    }

    static func period(_ openDay: String, _ open: [String: Any], _ closeDay: String, _ close: [String: Any]) -> [String: Any] {
        ["openDay": openDay, "openTime": open, "closeDay": closeDay, "closeTime": close]
    }

    static func regular(_ periods: [[String: Any]]) -> [String: Any] { ["regularHours": ["periods": periods]] }

    static var tuesday: [String: Any] { regular([period("TUESDAY", time(9), "TUESDAY", time(19))]) }

    static func date(_ year: Int, _ month: Int, _ day: Int) -> [String: Any] { ["year": year, "month": month, "day": day] }

    static func special(_ start: [String: Any], end: [String: Any]? = nil, open: [String: Any]? = nil, close: [String: Any]? = nil, closed: Bool? = nil)
        -> [String: Any]
    {
        var value: [String: Any] = ["startDate": start]
        if let end { value["endDate"] = end }
        if let open { value["openTime"] = open }
        if let close { value["closeTime"] = close }
        if let closed { value["closed"] = closed }
        return value
    }

    /// Regular hours plus these special periods, for a `regularHours,specialHours` mask.
    static func withSpecial(_ periods: [[String: Any]]) -> [String: Any] {
        var body = tuesday
        body["specialHours"] = ["specialHourPeriods": periods]
        return body
    }
}
