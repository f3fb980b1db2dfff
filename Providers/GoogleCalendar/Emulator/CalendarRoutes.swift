import SalonOpsEmulatorKit
/// Calendar API v3 methods as the discovery document declares them (spec:cal `resources.*.methods`):
/// HTTP method, path below `calendar/v3/`, query parameters with their types, and scopes. The
/// emulator's own transcription of the published spec, so that routing, parameter checks and the
/// stats' path templates agree.
struct CalendarMethod: Sendable {
    let id: String
    let httpMethod: String
    /// Below the API root, `{name}` for a path parameter, e.g. `calendars/{calendarId}/events`.
    let template: String
    let parameters: [String: ParameterType]
    /// Scope suffixes after `https://www.googleapis.com/auth/`; any one of them authorises the call.
    let scopes: [String]
    let emulated: Bool

    init(
        _ id: String, _ httpMethod: String, _ template: String, _ parameters: [String: ParameterType] = [:],
        scopes: [String], emulated: Bool = true
    ) {
        self.id = id
        self.httpMethod = httpMethod
        self.template = template
        self.parameters = parameters
        self.scopes = scopes
        self.emulated = emulated
    }

    var segments: [String] { template.split(separator: "/").map(String.init) }
}

/// A query parameter's declared type.
indirect enum ParameterType: Sendable {
    case string
    case boolean
    /// int32 with the declared minimum/maximum; `clampAbove` is the documented page-size ceiling
    /// ("can never be larger than …"): larger values are served at the ceiling, not refused.
    case integer(minimum: Int?, maximum: Int?, clampAbove: Int?)
    case enumeration([String])
    case dateTime
    case repeated(ParameterType)
}

/// The global parameters every method accepts (spec:cal top-level `parameters`).
let calendarGlobalParameters: [String: ParameterType] = [
    "alt": .enumeration(["json"]), "fields": .string, "key": .string, "oauth_token": .string,
    "prettyPrint": .boolean, "quotaUser": .string, "userIp": .string,
]

private let accessRoles = ["freeBusyReader", "owner", "reader", "writer", "writerWithoutPrivateAccess"]
private let sendUpdates: ParameterType = .enumeration(["all", "externalOnly", "none"])
private let eventTypes = ["birthday", "default", "focusTime", "fromGmail", "outOfOffice", "workingLocation"]
private func pageSize(ceiling: Int) -> ParameterType { .integer(minimum: 1, maximum: nil, clampAbove: ceiling) }

private let readCalendars = ["calendar", "calendar.app.created", "calendar.calendars", "calendar.calendars.readonly", "calendar.readonly"]
private let writeCalendars = ["calendar", "calendar.app.created", "calendar.calendars"]
private let readList = ["calendar", "calendar.calendarlist", "calendar.calendarlist.readonly", "calendar.readonly"]
private let writeList = ["calendar", "calendar.app.created", "calendar.calendarlist"]
private let readAcl = ["calendar", "calendar.acls", "calendar.acls.readonly"]
private let writeAcl = ["calendar", "calendar.acls"]
private let readEvents = [
    "calendar", "calendar.app.created", "calendar.events", "calendar.events.freebusy", "calendar.events.owned",
    "calendar.events.owned.readonly", "calendar.events.public.readonly", "calendar.events.readonly",
    "calendar.readonly",
]
private let writeEvents = ["calendar", "calendar.app.created", "calendar.events", "calendar.events.owned"]

private let eventWriteParameters: [String: ParameterType] = [
    "alwaysIncludeEmail": .boolean, "conferenceDataVersion": .integer(minimum: 0, maximum: 1, clampAbove: nil),
    "eventLabelVersion": .integer(minimum: 0, maximum: 1, clampAbove: nil),
    "maxAttendees": .integer(minimum: 1, maximum: nil, clampAbove: nil), "sendNotifications": .boolean,
    "sendUpdates": sendUpdates, "supportsAttachments": .boolean,
]
private let eventListParameters: [String: ParameterType] = [
    "alwaysIncludeEmail": .boolean, "eventTypes": .repeated(.enumeration(eventTypes)), "iCalUID": .string,
    "maxAttendees": .integer(minimum: 1, maximum: nil, clampAbove: nil), "maxResults": pageSize(ceiling: 2500),
    "orderBy": .enumeration(["startTime", "updated"]), "pageToken": .string, "privateExtendedProperty": .repeated(.string),
    "q": .string, "sharedExtendedProperty": .repeated(.string), "showDeleted": .boolean, "showHiddenInvitations": .boolean,
    "singleEvents": .boolean, "syncToken": .string, "timeMax": .dateTime, "timeMin": .dateTime, "timeZone": .string,
    "updatedMin": .dateTime,
]
private let calendarListListParameters: [String: ParameterType] = [
    "maxResults": pageSize(ceiling: 250), "minAccessRole": .enumeration(accessRoles), "pageToken": .string,
    "showDeleted": .boolean, "showHidden": .boolean, "showOwnOrganizationOnly": .boolean, "syncToken": .string,
]
private let aclListParameters: [String: ParameterType] = [
    "maxResults": pageSize(ceiling: 250), "pageToken": .string, "showDeleted": .boolean, "syncToken": .string,
]

let calendarMethods: [CalendarMethod] = [
    CalendarMethod("calendar.calendars.insert", "POST", "calendars", scopes: writeCalendars),
    CalendarMethod("calendar.calendars.get", "GET", "calendars/{calendarId}", scopes: readCalendars),
    CalendarMethod("calendar.calendars.patch", "PATCH", "calendars/{calendarId}", scopes: writeCalendars),
    CalendarMethod("calendar.calendars.update", "PUT", "calendars/{calendarId}", scopes: writeCalendars),
    CalendarMethod("calendar.calendars.delete", "DELETE", "calendars/{calendarId}", scopes: writeCalendars),
    CalendarMethod("calendar.calendars.clear", "POST", "calendars/{calendarId}/clear", scopes: ["calendar", "calendar.calendars"]),
    CalendarMethod(
        "calendar.calendars.transferOwnership", "POST", "calendars/{calendarId}/transferOwnership",
        ["newDataOwner": .string, "useAdminAccess": .boolean], scopes: ["calendar", "calendar.calendars"], emulated: false),

    CalendarMethod("calendar.calendarList.list", "GET", "users/me/calendarList", calendarListListParameters, scopes: readList),
    CalendarMethod(
        "calendar.calendarList.insert", "POST", "users/me/calendarList", ["colorRgbFormat": .boolean],
        scopes: ["calendar", "calendar.calendarlist"]),
    CalendarMethod(
        "calendar.calendarList.watch", "POST", "users/me/calendarList/watch", calendarListListParameters,
        scopes: readList, emulated: false),
    CalendarMethod(
        "calendar.calendarList.get", "GET", "users/me/calendarList/{calendarId}",
        scopes: readList + ["calendar.app.created"]),
    CalendarMethod(
        "calendar.calendarList.patch", "PATCH", "users/me/calendarList/{calendarId}", ["colorRgbFormat": .boolean],
        scopes: writeList),
    CalendarMethod(
        "calendar.calendarList.update", "PUT", "users/me/calendarList/{calendarId}", ["colorRgbFormat": .boolean],
        scopes: writeList),
    CalendarMethod("calendar.calendarList.delete", "DELETE", "users/me/calendarList/{calendarId}", scopes: writeList),

    CalendarMethod("calendar.acl.list", "GET", "calendars/{calendarId}/acl", aclListParameters, scopes: readAcl),
    CalendarMethod("calendar.acl.insert", "POST", "calendars/{calendarId}/acl", ["sendNotifications": .boolean], scopes: writeAcl),
    CalendarMethod(
        "calendar.acl.watch", "POST", "calendars/{calendarId}/acl/watch", aclListParameters, scopes: readAcl,
        emulated: false),
    CalendarMethod("calendar.acl.get", "GET", "calendars/{calendarId}/acl/{ruleId}", scopes: readAcl + ["calendar.readonly"]),
    CalendarMethod(
        "calendar.acl.patch", "PATCH", "calendars/{calendarId}/acl/{ruleId}", ["sendNotifications": .boolean],
        scopes: writeAcl),
    CalendarMethod(
        "calendar.acl.update", "PUT", "calendars/{calendarId}/acl/{ruleId}", ["sendNotifications": .boolean],
        scopes: writeAcl),
    CalendarMethod("calendar.acl.delete", "DELETE", "calendars/{calendarId}/acl/{ruleId}", scopes: writeAcl),

    CalendarMethod("calendar.events.list", "GET", "calendars/{calendarId}/events", eventListParameters, scopes: readEvents),
    CalendarMethod(
        "calendar.events.insert", "POST", "calendars/{calendarId}/events",
        eventWriteParameters.filter { $0.key != "alwaysIncludeEmail" },
        scopes: writeEvents),
    CalendarMethod(
        "calendar.events.import", "POST", "calendars/{calendarId}/events/import",
        [
            "conferenceDataVersion": .integer(minimum: 0, maximum: 1, clampAbove: nil),
            "eventLabelVersion": .integer(minimum: 0, maximum: 1, clampAbove: nil), "supportsAttachments": .boolean,
        ],
        scopes: writeEvents, emulated: false),
    CalendarMethod(
        "calendar.events.quickAdd", "POST", "calendars/{calendarId}/events/quickAdd",
        ["sendNotifications": .boolean, "sendUpdates": sendUpdates, "text": .string], scopes: writeEvents, emulated: false),
    CalendarMethod(
        "calendar.events.watch", "POST", "calendars/{calendarId}/events/watch", eventListParameters, scopes: readEvents,
        emulated: false),
    CalendarMethod(
        "calendar.events.get", "GET", "calendars/{calendarId}/events/{eventId}",
        [
            "alwaysIncludeEmail": .boolean, "maxAttendees": .integer(minimum: 1, maximum: nil, clampAbove: nil),
            "timeZone": .string,
        ],
        scopes: readEvents),
    CalendarMethod("calendar.events.patch", "PATCH", "calendars/{calendarId}/events/{eventId}", eventWriteParameters, scopes: writeEvents),
    CalendarMethod("calendar.events.update", "PUT", "calendars/{calendarId}/events/{eventId}", eventWriteParameters, scopes: writeEvents),
    CalendarMethod(
        "calendar.events.delete", "DELETE", "calendars/{calendarId}/events/{eventId}",
        ["sendNotifications": .boolean, "sendUpdates": sendUpdates], scopes: writeEvents),
    CalendarMethod(
        "calendar.events.instances", "GET", "calendars/{calendarId}/events/{eventId}/instances",
        [
            "maxResults": pageSize(ceiling: 2500), "pageToken": .string, "showDeleted": .boolean, "timeMax": .dateTime,
            "timeMin": .dateTime, "timeZone": .string, "originalStart": .string, "alwaysIncludeEmail": .boolean,
            "maxAttendees": .integer(minimum: 1, maximum: nil, clampAbove: nil),
        ],
        scopes: readEvents, emulated: false),
    CalendarMethod(
        "calendar.events.move", "POST", "calendars/{calendarId}/events/{eventId}/move",
        ["destination": .string, "sendNotifications": .boolean, "sendUpdates": sendUpdates],
        scopes: ["calendar", "calendar.events", "calendar.events.owned"], emulated: false),
]

/// A request matched to a method, with its path parameters decoded.
struct CalendarRoute: Sendable {
    let method: CalendarMethod
    let pathParameters: [String: String]

    subscript(name: String) -> String { pathParameters[name] ?? "" }
}

enum CalendarRouter {
    /// Literal segments before parameters: a POST to `…/events/import` is events.import, while a
    /// GET of `…/events/import` is events.get of an event called "import" (a valid base32hex id).
    static func route(httpMethod: String, segments: [String]) -> CalendarRoute? {
        var best: (method: CalendarMethod, parameters: [String: String], literals: Int)?
        for method in calendarMethods where method.httpMethod == httpMethod {
            let template = method.segments
            guard template.count == segments.count else { continue }
            var parameters: [String: String] = [:]
            var literals = 0
            var matches = true
            for (pattern, segment) in zip(template, segments) {
                if pattern.hasPrefix("{") {
                    guard !segment.isEmpty else { matches = false; break }
                    parameters[String(pattern.dropFirst().dropLast())] = segment
                } else if pattern == segment {
                    literals += 1
                } else {
                    matches = false
                    break
                }
            }
            if matches, literals > (best?.literals ?? -1) { best = (method, parameters, literals) }
        }
        return best.map { CalendarRoute(method: $0.method, pathParameters: $0.parameters) }
    }
}
