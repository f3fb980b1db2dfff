import Foundation
import SalonOpsEmulatorKit

/// A location as stored: the account that owns it and its JSON (all fields, in Google's order).
struct StoredLocation: Sendable {
    var account: String
    var value: JSONValue
}

/// Everything the emulator holds, changed only under its lock.
struct BusinessProfileState: Sendable {
    let seed: UInt64
    let options: GoogleBusinessProfileOptions
    var accounts: [String]
    var locations: [String: StoredLocation] = [:]
    /// Location names in creation order (the listing order).
    var locationOrder: [String] = []
    /// Access tokens issued, with their expiry.
    var tokens: [String: Date] = [:]
    var tokenIDs: IdentifierGenerator
    var quotas: BusinessProfileQuotas

    init(seed: UInt64, options: GoogleBusinessProfileOptions) {
        self.seed = seed
        self.options = options
        accounts = options.accounts
        tokenIDs = IdentifierGenerator(seed: seed, stream: 0x6B70)
        quotas = BusinessProfileQuotas(options: options)
        for seeded in options.locations ?? [] { addLocation(seeded.name, account: seeded.account, title: seeded.title) }
    }

    /// One request below `/google-business-profile`, start to end.
    mutating func handle(_ request: EmulatorRequest, now: Date) -> EmulatorResponse {
        let segments = Self.segments(request.path)
        guard let endpoint = segments.first else { return BusinessProfileStatus.unknownPath(request.path).response }
        if segments == ["oauth", "token"] { return handleToken(request, now: now) }
        guard endpoint == "api" || endpoint == "accounts" else { return BusinessProfileStatus.unknownPath(request.path).response }
        let rest = Array(segments.dropFirst())
        guard let route = BusinessProfileRoute.resolve(endpoint: endpoint, method: request.method, segments: rest) else {
            if let method = BusinessProfileRoute.knownUnserved(endpoint: endpoint, method: request.method, segments: rest) {
                return BusinessProfileStatus.notEmulated(method).response
            }
            return BusinessProfileStatus.unknownPath(request.path).response
        }
        do throws(BusinessProfileStatus) {
            guard let query = QueryParameters(parsing: request.query) else { throw BusinessProfileStatus.invalidPayload("The query string is not valid.") }
            try authenticate(request, query: query, service: route.service, now: now)
            try quotas.admitRequest(route.service, now: now)
            try Self.checkParameters(query, route: route)
            let call = BusinessProfileCall(route: route, query: query, request: request, now: now)
            return Self.render(try dispatch(call), query: query)
        } catch {
            return error.response
        }
    }

    private mutating func dispatch(_ call: BusinessProfileCall) throws(BusinessProfileStatus) -> JSONValue {
        switch call.route {
        case .listAccounts: return try listAccounts(call)
        case .getAccount(let account): return try getAccount(account)
        case .listLocations(let parent): return try listLocations(parent: parent, call)
        case .getLocation(let name): return try getLocation(name, call)
        case .patchLocation(let name): return try patchLocation(name, call)
        }
    }

    /// Path segments, percent-decoded one by one.
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
    }

    /// `Authorization: Bearer <token>` (or the `access_token`/`oauth_token` parameter), issued here
    /// and unexpired.
    private func authenticate(_ request: EmulatorRequest, query: QueryParameters, service: BusinessProfileStatus.Service, now: Date) throws(BusinessProfileStatus) {
        var token = query["access_token"] ?? query["oauth_token"]
        if let header = request.header("authorization")?.trimmingCharacters(in: .whitespaces), !header.isEmpty {
            guard header.lowercased().hasPrefix("bearer ") else { throw .invalidCredentials(service) }
            token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard let token, !token.isEmpty else { throw .credentialsMissing(service) }
        guard let expiry = tokens[token], expiry > now else { throw .invalidCredentials(service) }
    }

    /// Declared parameters only, with their declared types (spec:bi/spec:am method and global parameters).
    static func checkParameters(_ query: QueryParameters, route: BusinessProfileRoute) throws(BusinessProfileStatus) {
        for name in query.names {
            guard route.parameters.contains(name) || BusinessProfileRoute.globalParameters.contains(name) else { throw .unknownParameter(name) }
        }
        for name in ["prettyPrint", "validateOnly"] {
            if let value = query[name], value != "true", value != "false" {
                throw .invalidPayload("Invalid value at '\(name)' (TYPE_BOOL), \"\(value)\"")
            }
        }
        if let format = query["$.xgafv"], format != "1", format != "2" {
            throw .invalidPayload("Invalid value at '$.xgafv' (type.googleapis.com/google.rpc.Xgafv), \"\(format)\"")
        }
        // [A] Only the JSON rendering is emulated: media and proto answers are refused.
        if let alt = query["alt"], alt != "json" { throw .invalidParameter("alt", "The sandbox answers alt=json only; got \(alt).") }
        if let fields = query["fields"], !FieldSelection.isValid(fields) { throw .invalidParameter("fields", "Invalid field selection \(fields)") }
    }

    /// JSON with `fields` applied and `prettyPrint` honoured (pretty by default, as Google answers).
    static func render(_ value: JSONValue, query: QueryParameters) -> EmulatorResponse {
        var value = value
        if let fields = query["fields"], let selection = FieldSelection.parse(fields) { value = FieldSelection.apply(selection, to: value) }
        let body = query["prettyPrint"] == "false" ? value.serialized : value.pretty
        return EmulatorResponse(status: 200, headers: [("Content-Type", "application/json; charset=UTF-8")], body: body)
    }
}
