import SalonOpsEmulatorKit
/// An error in Google's "v1" envelope, as the Calendar API v3 answers:
/// `{"error":{"errors":[{"domain","reason","message","locationType","location"}],"code","message"}}`
/// (developers.google.com/workspace/calendar/api/guides/errors; notes booking.md §1.6).
struct GoogleAPIError: Error, Sendable, Equatable {
    var status: Int
    var domain: String
    var reason: String
    var message: String
    var locationType: String?
    var location: String?
    var headers: [(String, String)] = []
    /// The envelope's top-level `message` when Google words it differently from the item's.
    var summary: String? = nil

    static func == (lhs: GoogleAPIError, rhs: GoogleAPIError) -> Bool {
        lhs.status == rhs.status && lhs.domain == rhs.domain && lhs.reason == rhs.reason && lhs.message == rhs.message
            && lhs.locationType == rhs.locationType && lhs.location == rhs.location
    }

    var json: JSONValue {
        var item: [(String, JSONValue)] = [("domain", .string(domain)), ("reason", .string(reason)), ("message", .string(message))]
        if let locationType { item.append(("locationType", .string(locationType))) }
        if let location { item.append(("location", .string(location))) }
        return .object([
            (
                "error",
                .object([
                    ("errors", .array([.object(item)])),
                    ("code", .int(status)),
                    ("message", .string(summary ?? message)),
                ])
            )
        ])
    }

    var response: EmulatorResponse {
        .json(status, json, headers: headers).withGoogleJSONType
    }
}

extension EmulatorResponse {
    /// Google labels its JSON `application/json; charset=UTF-8`.
    var withGoogleJSONType: EmulatorResponse {
        var copy = self
        copy.headers = copy.headers.map { $0.0 == "Content-Type" ? ($0.0, "application/json; charset=UTF-8") : $0 }
        return copy
    }
}

/// The errors the emulator answers, with where each text comes from. [C] official documentation,
/// [R] reported (captured responses in public issues), [A] assumed (no public capture found).
extension GoogleAPIError {
    // MARK: Authentication and authorisation

    /// A missing `Authorization` header. [R] The 401 Google front ends answer without a
    /// credential ("Request is missing required authentication credential…", captured in several
    /// public test fixtures), in the v1 envelope with the classic `required` / "Login Required." item.
    static let loginRequired = GoogleAPIError(
        status: 401, domain: "global", reason: "required", message: "Login Required.", locationType: "header",
        location: "Authorization", headers: [("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"")],
        summary: "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other "
            + "valid authentication credential.")

    /// An unknown or expired access token. [C] errors guide; [R] headers as captured in
    /// rubenCodeforges/ng-gapi#79 (`www-authenticate: Bearer realm=…, error=invalid_token`).
    static let invalidCredentials = GoogleAPIError(
        status: 401, domain: "global", reason: "authError", message: "Invalid Credentials", locationType: "header",
        location: "Authorization",
        headers: [("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=invalid_token")])

    /// A token whose scopes do not include one the method lists. [R] GeneralTask/task-manager#2160
    /// ("Request had insufficient authentication scopes." … "Reason: insufficientPermissions,
    /// Message: Insufficient Permission").
    static let insufficientScopes = GoogleAPIError(
        status: 403, domain: "global", reason: "insufficientPermissions", message: "Insufficient Permission",
        summary: "Request had insufficient authentication scopes.")

    /// The user's role on the calendar does not allow the write. [R] googleapis/google-api-dotnet-client#891
    /// (`Message[Forbidden] Reason[forbidden] Domain[global]`).
    static let forbidden = GoogleAPIError(status: 403, domain: "global", reason: "forbidden", message: "Forbidden")

    // MARK: Usage limits ([C] errors guide, quota guide)

    static let userRateLimitExceeded = GoogleAPIError(
        status: 403, domain: "usageLimits", reason: "userRateLimitExceeded", message: "User Rate Limit Exceeded")
    static let rateLimitExceeded = GoogleAPIError(
        status: 403, domain: "usageLimits", reason: "rateLimitExceeded", message: "Rate Limit Exceeded")
    /// "rateLimitExceeded errors can return either 403 or 429" [C errors guide]: the injected 429.
    static func tooManyRequests(retryAfterSeconds: Int) -> GoogleAPIError {
        GoogleAPIError(
            status: 429, domain: "usageLimits", reason: "rateLimitExceeded", message: "Rate Limit Exceeded",
            headers: [("Retry-After", String(retryAfterSeconds))])
    }
    /// Calendar usage limits (anti-abuse), not retryable. [C] errors guide.
    static let quotaExceeded = GoogleAPIError(
        status: 403, domain: "usageLimits", reason: "quotaExceeded", message: "Calendar usage limits exceeded.")
    /// The injected 503. [A] the guide lists 500 `backendError` "Backend Error"; the same item with 503.
    static let backendError = GoogleAPIError(status: 503, domain: "global", reason: "backendError", message: "Backend Error")

    // MARK: Resources ([C] errors guide unless noted)

    static let notFound = GoogleAPIError(status: 404, domain: "global", reason: "notFound", message: "Not Found")
    static let duplicate = GoogleAPIError(
        status: 409, domain: "global", reason: "duplicate", message: "The requested identifier already exists.")
    /// Deleting an event that is already deleted. [C] errors guide; [R] the exact text in
    /// googleapis/google-api-python-client#210 (`HttpError 410 … returned "Resource has been deleted"`).
    static let deleted = GoogleAPIError(status: 410, domain: "global", reason: "deleted", message: "Resource has been deleted")
    static let preconditionFailed = GoogleAPIError(
        status: 412, domain: "global", reason: "conditionNotMet", message: "Precondition Failed", locationType: "header",
        location: "If-Match")

    // MARK: Request validation

    /// [R] google-api-nodejs-client#477: calendars.insert without `summary` answers
    /// `{domain: 'global', reason: 'required', message: 'Missing title.'}` with code 400.
    static let missingTitle = GoogleAPIError(status: 400, domain: "global", reason: "required", message: "Missing title.")

    /// [R] wanasit/google-calendar#25, odoo/odoo#18180, googleworkspace/dotnet-samples#33: an event id
    /// outside base32hex / 5–1024 characters.
    static let invalidResourceID = GoogleAPIError(
        status: 400, domain: "global", reason: "invalid", message: "Invalid resource id value.")

    /// [R] kewisch/gdata-provider#12: a POST to …/events whose end is not after its start answers
    /// `calendar` / `timeRangeEmpty`, location `timeMax` (also the answer to timeMin ≥ timeMax on list).
    static let timeRangeEmpty = GoogleAPIError(
        status: 400, domain: "calendar", reason: "timeRangeEmpty", message: "The specified time range is empty.",
        locationType: "parameter", location: "timeMax")

    /// "Missing start time." / "Missing end time." [R] the texts third-party Calendar fakes reproduce
    /// (several public test suites); reason `required` as for "Missing title.".
    static func missingTime(_ which: String) -> GoogleAPIError {
        GoogleAPIError(status: 400, domain: "global", reason: "required", message: "Missing \(which) time.")
    }

    /// [A] A start or end that is neither a valid `date` nor a valid `dateTime` (or mixes an all-day
    /// start with a timed end).
    static func invalidTime(_ which: String) -> GoogleAPIError {
        GoogleAPIError(status: 400, domain: "global", reason: "invalid", message: "Invalid \(which) time.")
    }

    /// [R] fmeum/ics2gcal#1 and n8n-io/n8n#2995: "Invalid time zone definition for start time." and
    /// "Missing time zone definition for start time." (dateTime without an offset and without timeZone).
    static func invalidTimeZoneDefinition(_ which: String) -> GoogleAPIError {
        GoogleAPIError(status: 400, domain: "global", reason: "invalid", message: "Invalid time zone definition for \(which) time.")
    }
    static func missingTimeZoneDefinition(_ which: String) -> GoogleAPIError {
        GoogleAPIError(status: 400, domain: "global", reason: "required", message: "Missing time zone definition for \(which) time.")
    }

    /// [A] A calendar `timeZone` that is not an IANA name (wording after the event variant above).
    static let invalidTimeZone = GoogleAPIError(status: 400, domain: "global", reason: "invalid", message: "Invalid time zone definition.")

    /// [R] google/google-api-javascript-client#70: acl.insert with a bad scope answers
    /// `{domain: global, reason: required, message: "Missing scope type."}`; the role and value
    /// variants follow the same pattern [A].
    static let missingScopeType = GoogleAPIError(status: 400, domain: "global", reason: "required", message: "Missing scope type.")
    static let missingRole = GoogleAPIError(status: 400, domain: "global", reason: "required", message: "Missing role.")
    static let missingScopeValue = GoogleAPIError(status: 400, domain: "global", reason: "required", message: "Missing scope value.")
    static func invalidValue(_ what: String) -> GoogleAPIError {
        GoogleAPIError(status: 400, domain: "global", reason: "invalid", message: "Invalid \(what) value.")
    }

    /// [A] calendarList.insert without `id` (the discovery doc marks it required).
    static let missingCalendarID = GoogleAPIError(status: 400, domain: "global", reason: "required", message: "Missing calendar id.")

    /// [A] calendars.delete on a primary calendar (the method is for secondary calendars only; primary
    /// calendars are cleared with calendars.clear) [C spec:cal `calendars.delete.description`].
    static let cannotDeletePrimary = GoogleAPIError(
        status: 400, domain: "calendar", reason: "cannotDeletePrimaryCalendar", message: "Cannot delete primary calendar.")

    /// [A] An update/patch/delete against a rule id whose scope it cannot change.
    static let cannotChangeScope = GoogleAPIError(
        status: 400, domain: "global", reason: "invalid", message: "Invalid scope value.")

    /// A body that is not JSON. [A] apiary's `parseError` item.
    static let parseError = GoogleAPIError(status: 400, domain: "global", reason: "parseError", message: "Parse Error")

    /// A JSON member with the wrong type. [A] ESF's "Invalid value for: …" wording (captured for other
    /// members in itblog.dynaspo.com/blog-entry-202.html).
    static func invalidMemberValue(_ member: String) -> GoogleAPIError {
        GoogleAPIError(status: 400, domain: "global", reason: "invalid", message: "Invalid value for: \(member)")
    }

    /// A page or sync token this emulator did not issue. [A]
    static func invalidToken(_ parameter: String) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "invalid", message: "Invalid \(parameter) value.",
            locationType: "parameter", location: parameter)
    }

    /// A syncToken combined with a filter it cannot be combined with. [C spec:cal `events.list.syncToken`]
    /// lists the parameters; [A] the text.
    static func syncTokenConflict(_ parameter: String) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "invalid",
            message: "The parameter \(parameter) cannot be used with syncToken.", locationType: "parameter",
            location: parameter)
    }

    /// [C spec:cal `events.list.orderBy`] "startTime … only available when querying single events".
    /// [A] the text.
    static let orderByNeedsSingleEvents = GoogleAPIError(
        status: 400, domain: "global", reason: "badRequest", message: "The requested ordering is not available for the particular query.",
        locationType: "parameter", location: "orderBy")

    // MARK: Query parameters (ESF, the front end shared by Google's discovery APIs)

    /// [R] The front end's answer for a query parameter the method does not declare ("Unknown name
    /// \"…\": Cannot bind query parameter. Field '…' could not be found in request message.",
    /// captured from several Google APIs in public test fixtures), in the v1 envelope.
    static func unknownParameter(_ name: String) -> GoogleAPIError {
        let message =
            "Invalid JSON payload received. Unknown name \"\(name)\": Cannot bind query parameter. "
            + "Field '\(name)' could not be found in request message."
        return GoogleAPIError(
            status: 400, domain: "global", reason: "badRequest", message: message, locationType: "parameter",
            location: name)
    }

    /// [R] A YouTube Data API v3 capture (same front end) in a public test script:
    /// "Invalid value '100'. Values must be within the range: [0, 50]", reason `invalidParameter`.
    /// Calendar's page sizes only declare a minimum (1); above the documented maximum they clamp.
    static func outOfRange(_ name: String, _ value: String, _ low: Int, _ high: Int) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "invalidParameter",
            message: "Invalid value '\(value)'. Values must be within the range: [\(low), \(high)]",
            locationType: "parameter", location: name)
    }

    /// [R] Same capture: "Invalid string value: 'date,max'. Allowed values: [date, rating, …]" (the
    /// front end lists the enum lower-cased).
    static func notInEnum(_ name: String, _ value: String, _ allowed: [String]) -> GoogleAPIError {
        let listed = allowed.map { $0.lowercased() }.joined(separator: ", ")
        return GoogleAPIError(
            status: 400, domain: "global", reason: "invalidParameter",
            message: "Invalid string value: '\(value)'. Allowed values: [\(listed)]",
            locationType: "parameter", location: name)
    }

    /// [A] A value that does not parse as the declared type (integer or boolean), in the front end's
    /// pattern wording ("Invalid value '…'. Values must match the following regular expression: …",
    /// as captured for a Google+ parameter in a public mock).
    static func badType(_ name: String, _ value: String, pattern: String) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "invalidParameter",
            message: "Invalid value '\(value)'. Values must match the following regular expression: '\(pattern)'",
            locationType: "parameter", location: name)
    }

    /// [R] googleapis/google-api-python-client#779: a `timeMin` without an offset answers 400 "Bad Request".
    static func badDateTime(_ name: String) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "badRequest", message: "Bad Request", locationType: "parameter",
            location: name)
    }

    /// [R] The YouTube capture above: "Invalid field selection 1*" for a `fields` that does not parse.
    static func invalidFieldSelection(_ fields: String) -> GoogleAPIError {
        GoogleAPIError(
            status: 400, domain: "global", reason: "invalidParameter", message: "Invalid field selection \(fields)",
            locationType: "parameter", location: "fields")
    }

    /// A request that cannot be read at all (a query string that is not percent-encoding). [A]
    static let badRequest = GoogleAPIError(status: 400, domain: "global", reason: "badRequest", message: "Bad Request")

    /// A path no method serves. [A] Google answers an HTML 404 page; JSON here, so clients parse it.
    static let unknownPath = GoogleAPIError(status: 404, domain: "global", reason: "notFound", message: "Not Found")

    /// A method the discovery document lists that this emulator does not implement.
    static func notEmulated(_ methodID: String) -> GoogleAPIError {
        GoogleAPIError(
            status: 501, domain: "global", reason: "notImplemented",
            message: "\(methodID) is not emulated by the SalonOps sandbox.")
    }
}
