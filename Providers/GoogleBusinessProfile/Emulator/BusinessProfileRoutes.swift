import Foundation
import SalonOpsEmulatorKit

/// The methods the emulator serves, by endpoint (`api` = Business Information, `accounts` =
/// Account Management) and path below it (`v1/…`, as the discovery documents write them).
enum BusinessProfileRoute: Equatable {
    case listAccounts
    case getAccount(account: String)
    case listLocations(parent: String)
    case getLocation(name: String)
    case patchLocation(name: String)

    var service: BusinessProfileStatus.Service {
        switch self {
        case .listAccounts, .getAccount: return .accountManagement
        case .listLocations, .getLocation, .patchLocation: return .businessInformation
        }
    }

    /// The method's own query parameters (spec:bi, spec:am).
    var parameters: Set<String> {
        switch self {
        case .listAccounts: return ["pageSize", "pageToken", "filter", "parentAccount"]
        case .getAccount: return []
        case .listLocations: return ["readMask", "pageSize", "pageToken", "filter", "orderBy"]
        case .getLocation: return ["readMask"]
        case .patchLocation: return ["updateMask", "validateOnly"]
        }
    }

    /// The parameters every discovery API takes (spec:bi `parameters`).
    static let globalParameters: Set<String> = [
        "$.xgafv", "access_token", "alt", "callback", "fields", "key", "oauth_token", "prettyPrint", "quotaUser", "upload_protocol", "uploadType",
    ]

    /// The route of a request, `nil` for a path no served method has; `endpoint` is `api` or `accounts`.
    static func resolve(endpoint: String, method: String, segments: [String]) -> BusinessProfileRoute? {
        switch (endpoint, method, segments.count) {
        case ("accounts", "GET", 2) where segments == ["v1", "accounts"]:
            return .listAccounts
        case ("accounts", "GET", 3) where segments[0] == "v1" && segments[1] == "accounts" && isID(segments[2]):
            return .getAccount(account: "accounts/" + segments[2])
        case ("api", "GET", 4) where segments[0] == "v1" && segments[1] == "accounts" && segments[3] == "locations" && isID(segments[2]):
            return .listLocations(parent: "accounts/" + segments[2])
        case ("api", "GET", 3) where segments[0] == "v1" && segments[1] == "locations" && isID(segments[2]):
            return .getLocation(name: "locations/" + segments[2])
        case ("api", "PATCH", 3) where segments[0] == "v1" && segments[1] == "locations" && isID(segments[2]):
            return .patchLocation(name: "locations/" + segments[2])
        default:
            return nil
        }
    }

    /// Ids are one path segment without a custom verb (`123`, not `123:getGoogleUpdated`); `-` is
    /// the caller's wildcard account.
    private static func isID(_ segment: String) -> Bool {
        segment == "-" || GoogleBusinessProfileOptions.isResourceID(segment)
    }

    /// The stats row of a request: ids replaced by placeholders so counts compare across locations.
    var statsTemplate: String {
        switch self {
        case .listAccounts: return "/accounts/v1/accounts"
        case .getAccount: return "/accounts/v1/accounts/{accountId}"
        case .listLocations: return "/api/v1/accounts/{accountId}/locations"
        case .getLocation, .patchLocation: return "/api/v1/locations/{locationId}"
        }
    }

    /// Methods of the two APIs the emulator knows of but does not serve, by method and path
    /// shape (`*` one id segment, `*:verb` an id with a custom verb): answered 501, not 404.
    static func knownUnserved(endpoint: String, method: String, segments: [String]) -> String? {
        let table: [(String, String, [String], String)] = [
            ("api", "POST", ["v1", "accounts", "*", "locations"], "accounts.locations.create"),
            ("api", "DELETE", ["v1", "locations", "*"], "locations.delete"),
            ("api", "GET", ["v1", "locations", "*:getGoogleUpdated"], "locations.getGoogleUpdated"),
            ("api", "GET", ["v1", "locations", "*", "attributes"], "locations.getAttributes"),
            ("api", "PATCH", ["v1", "locations", "*", "attributes"], "locations.updateAttributes"),
            ("api", "GET", ["v1", "categories"], "categories.list"),
            ("api", "GET", ["v1", "categories:batchGet"], "categories.batchGet"),
            ("api", "GET", ["v1", "attributes"], "attributes.list"),
            ("api", "GET", ["v1", "chains:search"], "chains.search"),
            ("api", "GET", ["v1", "chains", "*"], "chains.get"),
            ("api", "POST", ["v1", "googleLocations:search"], "googleLocations.search"),
            ("accounts", "POST", ["v1", "accounts"], "accounts.create"),
            ("accounts", "PATCH", ["v1", "accounts", "*"], "accounts.patch"),
            ("accounts", "GET", ["v1", "accounts", "*", "admins"], "accounts.admins.list"),
            ("accounts", "GET", ["v1", "accounts", "*", "invitations"], "accounts.invitations.list"),
            ("accounts", "GET", ["v1", "locations", "*", "admins"], "locations.admins.list"),
            ("accounts", "POST", ["v1", "locations", "*:transfer"], "locations.transfer"),
        ]
        let match = table.first { entry in
            entry.0 == endpoint && entry.1 == method && entry.2.count == segments.count
                && zip(entry.2, segments).allSatisfy { pattern, segment in
                    if pattern == "*" { return !segment.isEmpty && !segment.contains(":") }
                    if pattern.hasPrefix("*:") { return segment.hasSuffix(pattern.dropFirst()) && segment.count > pattern.count - 1 }
                    return pattern == segment
                }
        }
        return match.map { (endpoint == "api" ? "mybusinessbusinessinformation." : "mybusinessaccountmanagement.") + $0.3 }
    }
}

/// One authenticated request on its way to a handler: the route, the query and the body.
struct BusinessProfileCall {
    let route: BusinessProfileRoute
    let query: QueryParameters
    let request: EmulatorRequest
    let now: Date

    func string(_ name: String) -> String? { query[name] }

    /// A boolean parameter (checked already: `true` or `false`).
    func bool(_ name: String) -> Bool { query[name] == "true" }

    /// `pageSize`: 0 or absent is the default; above `maximum` or below 0 is refused (spec:bi
    /// "maximum page size is 100", spec:am "The default and maximum is 20").
    func pageSize(default defaultSize: Int, maximum: Int) throws(BusinessProfileStatus) -> Int {
        guard let text = query["pageSize"] else { return defaultSize }
        guard let size = Int(text) else { throw .invalidPayload("Invalid value at 'page_size' (TYPE_INT32), \"\(text)\"") }
        if size == 0 { return defaultSize }
        guard size > 0, size <= maximum else {
            throw .invalidParameter("page_size", "Page size must be between 1 and \(maximum); got \(size).")
        }
        return size
    }

    /// The body as a JSON object (an empty body is an empty object, as Google reads it).
    func jsonBody() throws(BusinessProfileStatus) -> JSONValue {
        let text = request.body.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .object([]) }
        guard let value = try? JSONValue.parse(text), value.objectFields != nil else {
            throw .invalidPayload("The request body is not a JSON object.")
        }
        return value
    }
}

/// Opaque page tokens: which list they belong to and where the next page starts.
enum PageTokens {
    static func make(list: String, offset: Int) -> String {
        Data("\(list)|\(offset)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The offset a token continues at, `nil` when it was not issued for `list`.
    static func offset(_ token: String, list: String) -> Int? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let bar = text.lastIndex(of: "|"), text[..<bar] == list, let offset = Int(text[text.index(after: bar)...]), offset >= 0
        else { return nil }
        return offset
    }

    /// One page of `items` from `call`'s `pageToken`, and the token of the next (absent on the last page).
    static func page<Item>(_ items: [Item], list: String, size: Int, call: BusinessProfileCall) throws(BusinessProfileStatus) -> ([Item], String?) {
        var start = 0
        if let token = call.string("pageToken"), !token.isEmpty {
            guard let offset = offset(token, list: list) else { throw .invalidParameter("page_token", "Invalid page token.") }
            start = min(offset, items.count)
        }
        let end = min(start + size, items.count)
        return (Array(items[start..<end]), end < items.count ? make(list: list, offset: end) : nil)
    }
}
