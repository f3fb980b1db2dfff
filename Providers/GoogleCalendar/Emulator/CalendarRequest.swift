import SalonOpsEmulatorKit
import Foundation

/// One authenticated, validated API call: its method, path and query parameters, the acting user
/// and the request body.
struct CalendarCall: Sendable {
    let route: CalendarRoute
    let query: QueryParameters
    let request: EmulatorRequest
    /// The impersonated user (`sub`), or the service account itself; lower-cased.
    let user: String
    let now: Date

    var methodID: String { route.method.id }
    subscript(path name: String) -> String { route[name] }

    func string(_ name: String) -> String? { query[name] }
    func strings(_ name: String) -> [String] { query.values(name) }
    /// Validated already: a declared boolean parameter reads `true` or `false`.
    func bool(_ name: String) -> Bool? { query[name].map { $0 == "true" } }
    func int(_ name: String) -> Int? { query[name].flatMap { Int($0) } }

    var ifMatch: String? { request.header("if-match") }
    var ifNoneMatch: String? { request.header("if-none-match") }

    /// The body as a JSON object (an empty body is an empty object, as Google reads it).
    func jsonBody() throws(GoogleAPIError) -> JSONValue {
        let text = request.body.trimmingWhitespace
        if text.isEmpty { return .object([]) }
        guard let value = try? JSONValue.parse(text) else { throw .parseError }
        guard value.objectFields != nil else { throw .parseError }
        return value
    }

    /// The page size: the default, the documented ceiling for larger values (spec:cal "can never be
    /// larger than …"; wanasit/google-calendar#6: `maxResults=10000` served 2500 events).
    func pageSize(default defaultSize: Int, ceiling: Int) -> Int {
        min(int("maxResults") ?? defaultSize, ceiling)
    }
}

/// Parameter checks against the method's declared query parameters (and the global ones).
enum CalendarParameterCheck {
    static func validate(_ query: QueryParameters, for method: CalendarMethod) throws(GoogleAPIError) {
        for name in query.names {
            guard let type = method.parameters[name] ?? calendarGlobalParameters[name] else { throw .unknownParameter(name) }
            let values = query.values(name)
            if case .repeated(let element) = type {
                for value in values { try check(value, as: element, name: name) }
            } else if let value = values.last {
                try check(value, as: type, name: name)
            }
        }
    }

    private static func check(_ value: String, as type: ParameterType, name: String) throws(GoogleAPIError) {
        switch type {
        case .string:
            // "quotaUser … Must not exceed 40 characters." [C spec:cal parameters.quotaUser]
            if name == "quotaUser", value.count > 40 { throw .outOfRangeLength(name, value, 40) }
            if name == "fields", !FieldSelection.isValid(value) { throw .invalidFieldSelection(value) }
        case .boolean:
            guard value == "true" || value == "false" else { throw .badType(name, value, pattern: "true|false") }
        case .integer(let minimum, let maximum, _):
            guard let number = Int(value), number >= Int(Int32.min), number <= Int(Int32.max) else {
                throw .badType(name, value, pattern: "-?\\d+")
            }
            let low = minimum ?? Int(Int32.min), high = maximum ?? Int(Int32.max)
            if number < low || number > high { throw .outOfRange(name, value, low, high) }
        case .enumeration(let allowed):
            guard allowed.contains(value) else { throw .notInEnum(name, value, allowed) }
        case .dateTime:
            guard let parsed = CalendarTime.parseDateTime(value), parsed.offset != nil else { throw .badDateTime(name) }
        case .repeated(let element):
            try check(value, as: element, name: name)
        }
    }
}

extension GoogleAPIError {
    /// [A] A string parameter over its documented length, in the range wording above.
    static func outOfRangeLength(_ name: String, _ value: String, _ limit: Int) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "invalidParameter",
            message: "Invalid value '\(value)'. Values must be at most \(limit) characters long.",
            locationType: "parameter", location: name)
    }

    /// [A] A parameter value the method cannot use (a page token it did not issue, a malformed
    /// extended-property constraint).
    static func invalidParameterValue(_ name: String) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "invalid", message: "Invalid \(name) value.", locationType: "parameter",
            location: name)
    }

    /// [C] errors guide: 410 `fullSyncRequired`, location `syncToken`; [A] the text.
    static let fullSyncRequired = GoogleAPIError(
        status: 410, domain: "calendar", reason: "fullSyncRequired", message: "Sync token is no longer valid, a full sync is required.",
        locationType: "parameter", location: "syncToken")
}

/// Opaque page and sync tokens: which list they belong to and where the next page starts, or
/// the version a sync starts after.
enum ListTokens {
    static func pageToken(list: String, offset: Int, syncFrom: Int?) -> String {
        encode("page|\(list)|\(offset)|\(syncFrom.map(String.init) ?? "")")
    }

    static func syncToken(list: String, version: Int) -> String { encode("sync|\(list)|\(version)") }

    static func parsePage(_ token: String, list: String) -> (offset: Int, syncFrom: Int?)? {
        guard let text = decode(token) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "page", parts[1] == list, let offset = Int(parts[2]), offset >= 0 else { return nil }
        return (offset, parts[3].isEmpty ? nil : Int(parts[3]))
    }

    static func parseSync(_ token: String, list: String) -> Int? {
        guard let text = decode(token) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "sync", parts[1] == list, let version = Int(parts[2]) else { return nil }
        return version
    }

    private static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ token: String) -> String? {
        JWTBearerTokenEndpoint.base64URLDecode(Substring(token)).flatMap { String(data: $0, encoding: .utf8) }
    }
}

/// One page of a list answer.
struct ListPage<Item> {
    var items: [Item]
    var nextPageToken: String?
    var nextSyncToken: String?

    /// The collection's `items` and the token that continues it (`nextPageToken`, or on the last
    /// page `nextSyncToken`), as Calendar lists end [C spec:cal `CalendarList.nextSyncToken`].
    func fields(_ render: (Item) -> JSONValue) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = []
        if let nextPageToken { fields.append(("nextPageToken", .string(nextPageToken))) }
        if let nextSyncToken { fields.append(("nextSyncToken", .string(nextSyncToken))) }
        fields.append(("items", .array(items.map(render))))
        return fields
    }
}

enum Listing {
    /// Where a list starts: the page token's offset and sync point, or a sync token's.
    static func start(_ call: CalendarCall, list: String) throws(GoogleAPIError) -> (offset: Int, syncFrom: Int?) {
        if let token = call.string("pageToken") {
            guard let page = ListTokens.parsePage(token, list: list) else { throw .invalidParameterValue("pageToken") }
            return page
        }
        if let token = call.string("syncToken") {
            guard let version = ListTokens.parseSync(token, list: list) else { throw .fullSyncRequired }
            return (0, version)
        }
        return (0, nil)
    }

    /// A page of `items` from `offset`. With `keep`, positions count every item, the ones it
    /// leaves out included (tombstones, hidden entries): an entry deleted between two pages then
    /// never shifts the next page, and a page may hold fewer items than asked, even none, as
    /// Google's may ("a page may hold fewer items, even none, while nextPageToken is still set").
    static func page<Item>(
        _ items: [Item], keep: (Item) -> Bool = { _ in true }, offset: Int, size: Int, list: String, syncFrom: Int?,
        currentVersion: Int
    ) -> ListPage<Item> {
        let start = min(offset, items.count)
        let end = min(start + size, items.count)
        let slice = items[start..<end].filter(keep)
        if end < items.count {
            return ListPage(items: slice, nextPageToken: ListTokens.pageToken(list: list, offset: end, syncFrom: syncFrom))
        }
        return ListPage(items: slice, nextSyncToken: ListTokens.syncToken(list: list, version: currentVersion))
    }
}
