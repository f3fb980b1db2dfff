import SalonOpsEmulatorKit
import Foundation

/// A user's effective access to a calendar (AclRule roles, spec:cal `schemas.AclRule.role`),
/// ordered from none to owner.
enum CalendarRole: Int, Comparable, Sendable {
    case none, freeBusyReader, reader, writer, owner

    init?(name: String) {
        switch name {
        case "none": self = .none
        case "freeBusyReader": self = .freeBusyReader
        case "reader": self = .reader
        case "writer": self = .writer
        case "owner": self = .owner
        default: return nil
        }
    }

    /// CalendarListEntry's `minAccessRole` also names `writerWithoutPrivateAccess`, between reader and writer.
    init?(minimumAccessRole name: String) {
        if name == "writerWithoutPrivateAccess" { self = .writer; return }
        self.init(name: name)
    }

    var name: String {
        switch self {
        case .none: return "none"
        case .freeBusyReader: return "freeBusyReader"
        case .reader: return "reader"
        case .writer: return "writer"
        case .owner: return "owner"
        }
    }

    static func < (lhs: CalendarRole, rhs: CalendarRole) -> Bool { lhs.rawValue < rhs.rawValue }
}

struct CalendarRecord: Sendable {
    var summary: String
    var description: String?
    var location: String?
    var timeZone: String
    /// The user who created a secondary calendar (`dataOwner`); `nil` for primary calendars.
    var dataOwner: String?
    /// The user whose primary calendar this is.
    var primaryOf: String?
}

struct AclRuleRecord: Sendable {
    var role: CalendarRole
    var scopeType: String
    var scopeValue: String?

    static func ruleID(type: String, value: String?) -> String {
        guard let value, type != "default" else { return type }
        return type + ":" + value
    }
}

/// The user's own settings for a calendar in their list (the rest of a CalendarListEntry is a
/// read-only copy of the calendar).
struct CalendarListSettings: Sendable {
    var summaryOverride: String?
    var colorId = "14"
    var backgroundColor = "#9fe1e7"
    var foregroundColor = "#000000"
    var hidden = false
    var selected = true
    var defaultReminders: JSONValue = .array([])
    var notificationSettings: JSONValue?
}

struct EventRecord: Sendable {
    /// The client-writable members, in the order they were written.
    var fields: JSONValue
    var status: String
    var created: Date
    var updated: Date
    var sequence: Int
    var creator: String
    var start: Date
    var end: Date
}

struct CalendarUser: Sendable {
    var calendarList = VersionedCollection<CalendarListSettings>()
}

/// Everything the Calendar emulator holds, in memory; each request runs under one lock.
struct CalendarState: Sendable {
    var versions = VersionCounter()
    var calendars = VersionedCollection<CalendarRecord>()
    var acls: [String: VersionedCollection<AclRuleRecord>] = [:]
    var events: [String: VersionedCollection<EventRecord>] = [:]
    var users: [String: CalendarUser] = [:]
    var tokenEndpoint: JWTBearerTokenEndpoint
    var tokens = AccessTokenRegistry()
    var userLimiter: SlidingWindowLimiter
    var projectLimiter: SlidingWindowLimiter
    /// Requests still to be refused by `failNextRequests`.
    var forcedFailures: [GoogleAPIError] = []
    var ids: IdentifierGenerator
    var tokenIDs: IdentifierGenerator

    static let base32hex = Array("0123456789abcdefghijklmnopqrstuv")

    init(seed: UInt64, options: GoogleCalendarOptions, serviceAccounts: [ServiceAccountKey]) {
        tokenEndpoint = JWTBearerTokenEndpoint(audience: GoogleTokenEndpoint.audience, knownScopes: options.knownScopes)
        for key in serviceAccounts { tokenEndpoint.register(key) }
        userLimiter = SlidingWindowLimiter(limit: options.perUserRequestsPerMinute)
        projectLimiter = SlidingWindowLimiter(limit: options.perProjectRequestsPerMinute)
        ids = IdentifierGenerator(seed: seed, stream: 20)
        tokenIDs = IdentifierGenerator(seed: seed, stream: 21)
    }

    // MARK: Users and access

    /// A user's record, created with their primary calendar on first sight (a Google account always
    /// has one, whose id is the account's email).
    mutating func ensureUser(_ email: String) {
        guard users[email] == nil else { return }
        users[email] = CalendarUser()
        if calendars[email] == nil {
            calendars.insert(
                CalendarRecord(summary: email, timeZone: "UTC", dataOwner: nil, primaryOf: email),
                id: email, version: versions.next())
            var acl = VersionedCollection<AclRuleRecord>()
            acl.insert(AclRuleRecord(role: .owner, scopeType: "user", scopeValue: email), id: "user:" + email, version: versions.next())
            acls[email] = acl
            events[email] = VersionedCollection()
        }
        users[email]?.calendarList.insert(CalendarListSettings(), id: email, version: versions.next())
    }

    /// `primary` is the caller's own calendar.
    func resolve(_ calendarID: String, user: String) -> String { calendarID == "primary" ? user : calendarID }

    /// The caller's role: their own user rule, their domain's rule, or the public one, whichever is highest.
    func role(of user: String, on calendarID: String) -> CalendarRole {
        guard let acl = acls[calendarID] else { return .none }
        let domain = user.split(separator: "@").last.map(String.init) ?? ""
        let candidates = ["user:" + user, "domain:" + domain, "default"]
        return candidates.compactMap { acl.live($0)?.value.role }.max() ?? .none
    }

    /// The calendar when the caller may at least see it; Google answers 404 for a calendar the
    /// caller has no access to, as for one that does not exist.
    func visibleCalendar(
        _ calendarID: String, user: String,
        atLeast minimum: CalendarRole = .reader
    ) throws(GoogleAPIError) -> VersionedCollection<CalendarRecord>.Entry {
        guard let calendar = calendars.live(calendarID), role(of: user, on: calendarID) >= .freeBusyReader else { throw .notFound }
        guard role(of: user, on: calendarID) >= minimum else { throw .forbidden }
        return calendar
    }

    mutating func newCalendarID() -> String {
        while true {
            let id = ids.string(length: 26, alphabet: Self.base32hex) + "@group.calendar.google.com"
            if calendars[id] == nil { return id }
        }
    }

    mutating func newEventID(in calendarID: String) -> String {
        while true {
            let id = ids.string(length: 26, alphabet: Self.base32hex)
            if events[calendarID]?[id] == nil { return id }
        }
    }

    // MARK: ETags

    static func etag(_ version: Int) -> String { EntityTags.strong(version: version) }

    /// Collections carry their own tag, changing whenever a member does (Google's look like `"p33c…"`).
    static func collectionETag(_ version: Int) -> String { "\"p" + String(version, radix: 32) + "\"" }
}
