import SalonOpsEmulatorKit
import Foundation

extension CalendarState {
    /// One API request (below `/google-calendar`), start to end, under the emulator's lock.
    mutating func handle(_ request: EmulatorRequest, now: Date) -> EmulatorResponse {
        let segments = Self.segments(request.path)
        switch segments.first {
        case "api":
            do {
                return try handleAPI(request, segments: Array(segments.dropFirst()), now: now)
            } catch {
                return error.response
            }
        default:
            return GoogleAPIError.unknownPath.response
        }
    }

    /// Path segments, percent-decoded one by one (a calendar id arrives as `c1%40group…`).
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
    }

    private mutating func handleAPI(_ request: EmulatorRequest, segments: [String], now: Date) throws(GoogleAPIError) -> EmulatorResponse {
        guard let route = CalendarRouter.route(httpMethod: request.method, segments: segments) else {
            throw .unknownPath
        }
        guard let query = QueryParameters(parsing: request.query) else { throw GoogleAPIError.badRequest }
        let issued = try authenticate(request, query: query, now: now)
        if !forcedFailures.isEmpty { throw forcedFailures.removeFirst() }
        let user = (issued.grant.subject ?? issued.grant.issuer).lowercased()
        try admit(user: query["quotaUser"] ?? user, now: now)
        let granted = Set(issued.grant.scopes)
        guard route.method.scopes.contains(where: { granted.contains(GoogleCalendarOptions.scopePrefix + $0) }) else {
            throw .insufficientScopes
        }
        guard route.method.emulated else { throw .notEmulated(route.method.id) }
        try CalendarParameterCheck.validate(query, for: route.method)
        ensureUser(user)
        let call = CalendarCall(route: route, query: query, request: request, user: user, now: now)
        let answer = try dispatch(call)
        return Self.render(answer, call: call)
    }

    /// `Authorization: Bearer <token>` (or the `oauth_token` parameter), issued here and unexpired.
    private func authenticate(
        _ request: EmulatorRequest, query: QueryParameters,
        now: Date
    ) throws(GoogleAPIError) -> AccessTokenRegistry.Issued {
        var token = query["oauth_token"]
        if let header = request.header("authorization")?.trimmingWhitespace, !header.isEmpty {
            guard header.lowercased().hasPrefix("bearer ") else { throw .invalidCredentials }
            token = String(header.dropFirst(7)).trimmingWhitespace
        }
        guard let token, !token.isEmpty else { throw .loginRequired }
        guard let issued = tokens.lookup(token, now: now) else { throw .invalidCredentials }
        return issued
    }

    /// The quotas: per project first, then per user (`quotaUser` overrides the user, as Google
    /// documents for server-side apps [C spec:cal `parameters.quotaUser`]). A refused request
    /// counts against neither.
    private mutating func admit(user: String, now: Date) throws(GoogleAPIError) {
        guard projectLimiter.allows("project", at: now) else { throw .rateLimitExceeded }
        guard userLimiter.allows(user, at: now) else { throw .userRateLimitExceeded }
        projectLimiter.record("project", at: now)
        userLimiter.record(user, at: now)
    }

    /// The answer of a handler before rendering: a resource or collection, or an empty body.
    enum Answer {
        case json(JSONValue)
        case noContent
        case notModified
    }

    private mutating func dispatch(_ call: CalendarCall) throws(GoogleAPIError) -> Answer {
        switch call.methodID {
        case "calendar.calendars.insert": return .json(try insertCalendar(call))
        case "calendar.calendars.get": return conditionalGet(call, try getCalendar(call))
        case "calendar.calendars.patch": return .json(try writeCalendar(call, replace: false))
        case "calendar.calendars.update": return .json(try writeCalendar(call, replace: true))
        case "calendar.calendars.delete": try deleteCalendar(call); return .noContent
        case "calendar.calendars.clear": try clearCalendar(call); return .noContent

        case "calendar.calendarList.list": return .json(try listCalendarList(call))
        case "calendar.calendarList.get": return conditionalGet(call, try getCalendarListEntry(call))
        case "calendar.calendarList.insert": return .json(try insertCalendarListEntry(call))
        case "calendar.calendarList.patch": return .json(try writeCalendarListEntry(call, replace: false))
        case "calendar.calendarList.update": return .json(try writeCalendarListEntry(call, replace: true))
        case "calendar.calendarList.delete": try deleteCalendarListEntry(call); return .noContent

        case "calendar.acl.list": return .json(try listAcl(call))
        case "calendar.acl.insert": return .json(try insertAclRule(call))
        case "calendar.acl.get": return conditionalGet(call, try getAclRule(call))
        case "calendar.acl.patch": return .json(try writeAclRule(call, replace: false))
        case "calendar.acl.update": return .json(try writeAclRule(call, replace: true))
        case "calendar.acl.delete": try deleteAclRule(call); return .noContent

        case "calendar.events.list": return .json(try listEvents(call))
        case "calendar.events.insert": return .json(try insertEvent(call))
        case "calendar.events.get": return conditionalGet(call, try getEvent(call))
        case "calendar.events.patch": return .json(try writeEvent(call, replace: false))
        case "calendar.events.update": return .json(try writeEvent(call, replace: true))
        case "calendar.events.delete": try deleteEvent(call); return .noContent

        default: throw .notEmulated(call.methodID)
        }
    }

    /// `If-None-Match` on a read: 304 when the client's copy is current [C version-resources guide].
    private func conditionalGet(_ call: CalendarCall, _ resource: JSONValue) -> Answer {
        if let tag = resource["etag"]?.stringValue, EntityTags.ifNoneMatchHits(call.ifNoneMatch, current: tag) { return .notModified }
        return .json(resource)
    }

    /// `If-Match` on a write: 412 `conditionNotMet` when the tag is stale [C version-resources guide].
    static func requireCurrent(_ call: CalendarCall, etag: String) throws(GoogleAPIError) {
        guard EntityTags.ifMatchHolds(call.ifMatch, current: etag) else { throw .preconditionFailed }
    }

    /// JSON with `fields` applied and `prettyPrint` honoured (pretty by default, as Google answers).
    private static func render(_ answer: Answer, call: CalendarCall) -> EmulatorResponse {
        switch answer {
        case .noContent:
            return EmulatorResponse(status: 204, body: "")
        case .notModified:
            return EmulatorResponse(status: 304, body: "")
        case .json(var value):
            if let fields = call.string("fields"), let selection = FieldSelection.parse(fields) {
                value = FieldSelection.apply(selection, to: value)
            }
            var headers: [(String, String)] = [("Content-Type", "application/json; charset=UTF-8")]
            if let tag = value["etag"]?.stringValue { headers.append(("ETag", tag)) }
            let body = call.bool("prettyPrint") == false ? value.serialized : value.pretty
            return EmulatorResponse(status: 200, headers: headers, body: body)
        }
    }
}
