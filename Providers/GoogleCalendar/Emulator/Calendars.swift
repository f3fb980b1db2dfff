import SalonOpsEmulatorKit
import Foundation

/// calendars.* and calendarList.* (spec:cal `resources.calendars`, `resources.calendarList`).
extension CalendarState {
    // MARK: Rendering

    func calendarJSON(_ entry: VersionedCollection<CalendarRecord>.Entry) -> JSONValue {
        let c = entry.value
        var fields: [(String, JSONValue)] = [
            ("kind", .string("calendar#calendar")), ("etag", .string(Self.etag(entry.version))), ("id", .string(entry.id)),
            ("summary", .string(c.summary)),
        ]
        if let description = c.description { fields.append(("description", .string(description))) }
        if let location = c.location { fields.append(("location", .string(location))) }
        fields.append(("timeZone", .string(c.timeZone)))
        if let owner = c.dataOwner { fields.append(("dataOwner", .string(owner))) }
        fields.append(("conferenceProperties", .object([("allowedConferenceSolutionTypes", .array([.string("hangoutsMeet")]))])))
        return .object(fields)
    }

    func calendarListJSON(_ entry: VersionedCollection<CalendarListSettings>.Entry, user: String) -> JSONValue {
        let s = entry.value
        let calendar = calendars[entry.id]
        let role = role(of: user, on: entry.id)
        // The entry changes when the calendar it copies does.
        let version = max(entry.version, calendar?.version ?? 0)
        var fields: [(String, JSONValue)] = [
            ("kind", .string("calendar#calendarListEntry")), ("etag", .string(Self.etag(version))), ("id", .string(entry.id)),
        ]
        if let c = calendar?.value {
            fields.append(("summary", .string(c.summary)))
            if let description = c.description { fields.append(("description", .string(description))) }
            if let location = c.location { fields.append(("location", .string(location))) }
            fields.append(("timeZone", .string(c.timeZone)))
            if let owner = c.dataOwner { fields.append(("dataOwner", .string(owner))) }
        }
        if let summaryOverride = s.summaryOverride { fields.append(("summaryOverride", .string(summaryOverride))) }
        fields += [
            ("colorId", .string(s.colorId)), ("backgroundColor", .string(s.backgroundColor)),
            ("foregroundColor", .string(s.foregroundColor)),
        ]
        // `hidden`, `primary` and `deleted` are only written when true [C spec:cal CalendarListEntry].
        if s.hidden { fields.append(("hidden", .bool(true))) }
        if s.selected { fields.append(("selected", .bool(true))) }
        fields.append(("accessRole", .string(entry.deleted ? "none" : role == .none ? "freeBusyReader" : role.name)))
        fields.append(("defaultReminders", s.defaultReminders))
        if let notifications = s.notificationSettings { fields.append(("notificationSettings", notifications)) }
        if calendar?.value.primaryOf == user { fields.append(("primary", .bool(true))) }
        if entry.deleted { fields.append(("deleted", .bool(true))) }
        fields.append(("conferenceProperties", .object([("allowedConferenceSolutionTypes", .array([.string("hangoutsMeet")]))])))
        return .object(fields)
    }

    // MARK: calendars

    mutating func insertCalendar(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let body = try call.jsonBody()
        var record = CalendarRecord(summary: "", timeZone: "UTC", dataOwner: call.user, primaryOf: nil)
        try Self.applyCalendarBody(body, to: &record, replace: true)
        let id = newCalendarID()
        calendars.insert(record, id: id, version: versions.next())
        var acl = VersionedCollection<AclRuleRecord>()
        acl.insert(AclRuleRecord(role: .owner, scopeType: "user", scopeValue: call.user), id: "user:" + call.user, version: versions.next())
        acls[id] = acl
        events[id] = VersionedCollection()
        // "The authenticated user for the request is made the data owner of the new calendar"
        // [C spec:cal calendars.insert], and it appears in their calendar list.
        users[call.user]?.calendarList.insert(CalendarListSettings(), id: id, version: versions.next())
        return calendarJSON(calendars[id]!)
    }

    func getCalendar(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let id = resolve(call[path: "calendarId"], user: call.user)
        return calendarJSON(try visibleCalendar(id, user: call.user))
    }

    /// PATCH merges the given members; PUT replaces the writable ones (an absent one is cleared).
    mutating func writeCalendar(_ call: CalendarCall, replace: Bool) throws(GoogleAPIError) -> JSONValue {
        let id = resolve(call[path: "calendarId"], user: call.user)
        let entry = try visibleCalendar(id, user: call.user, atLeast: .owner)
        try Self.requireCurrent(call, etag: Self.etag(entry.version))
        var record = entry.value
        try Self.applyCalendarBody(try call.jsonBody(), to: &record, replace: replace)
        calendars.update(id, version: versions.next()) { $0 = record }
        return calendarJSON(calendars[id]!)
    }

    /// The writable members: `summary` (required on insert and update), `description`, `location`,
    /// `timeZone` (an IANA name). Read-only ones (`id`, `etag`, `kind`, `dataOwner`) are ignored.
    static func applyCalendarBody(_ body: JSONValue, to record: inout CalendarRecord, replace: Bool) throws(GoogleAPIError) {
        func text(_ key: String) throws(GoogleAPIError) -> String?? {
            guard let value = body[key] else { return .none }
            if value == .null { return .some(nil) }
            guard let s = value.stringValue else { throw .invalidMemberValue(key) }
            return .some(s)
        }
        let summary = try text("summary")
        if replace {
            guard case .some(.some(let s)) = summary, !s.isEmpty else { throw .missingTitle }
            record.summary = s
            record.description = try text("description") ?? nil
            record.location = try text("location") ?? nil
        } else {
            if case .some(let s) = summary {
                guard let s, !s.isEmpty else { throw .missingTitle }
                record.summary = s
            }
            if case .some(let d) = try text("description") { record.description = d }
            if case .some(let l) = try text("location") { record.location = l }
        }
        switch try text("timeZone") {
        case .some(.some(let zone)):
            guard CalendarTime.zone(named: zone) != nil else { throw .invalidTimeZone }
            record.timeZone = zone
        case .some(.none):
            record.timeZone = "UTC"
        case .none:
            break
        }
    }

    /// Secondary calendars only [C spec:cal calendars.delete]; the calendar leaves every list.
    mutating func deleteCalendar(_ call: CalendarCall) throws(GoogleAPIError) {
        let id = resolve(call[path: "calendarId"], user: call.user)
        let entry = try visibleCalendar(id, user: call.user, atLeast: .owner)
        guard entry.value.primaryOf == nil else { throw .cannotDeletePrimary }
        try Self.requireCurrent(call, etag: Self.etag(entry.version))
        calendars.purge(id)
        acls[id] = nil
        events[id] = nil
        for email in users.keys where users[email]?.calendarList.live(id) != nil {
            users[email]?.calendarList.markDeleted(id, version: versions.next())
        }
    }

    /// Deletes every event of a calendar (the way to empty a primary calendar).
    mutating func clearCalendar(_ call: CalendarCall) throws(GoogleAPIError) {
        let id = resolve(call[path: "calendarId"], user: call.user)
        _ = try visibleCalendar(id, user: call.user, atLeast: .owner)
        for event in events[id]?.liveEntries ?? [] {
            events[id]?.markDeleted(event.id, version: versions.next())
            events[id]?.update(event.id, version: versions.current) {
                $0.status = "cancelled"; $0.updated = call.now
            }
        }
    }

    // MARK: calendarList

    mutating func listCalendarList(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let list = "calendarList:" + call.user
        if call.string("syncToken") != nil {
            // "To ensure client state consistency minAccessRole and showOwnOrganizationOnly query
            // parameters cannot be specified together with nextSyncToken." [C spec:cal]
            for name in ["minAccessRole", "showOwnOrganizationOnly"] where call.string(name) != nil {
                throw .syncTokenConflict(name)
            }
        }
        let (offset, syncFrom) = try Listing.start(call, list: list)
        let minimum = call.string("minAccessRole").flatMap(CalendarRole.init(minimumAccessRole:))
        let every = users[call.user]?.calendarList.all ?? []
        let keep = { (entry: VersionedCollection<CalendarListSettings>.Entry) -> Bool in
            if let syncFrom {
                // "All entries deleted and hidden since the previous list request will always be in the result set."
                return max(entry.version, calendars[entry.id]?.version ?? 0) > syncFrom
            }
            if entry.deleted, call.bool("showDeleted") != true { return false }
            if entry.value.hidden, call.bool("showHidden") != true { return false }
            if let minimum, self.role(of: call.user, on: entry.id) < minimum { return false }
            return true
        }
        let entries = every.filter(keep)
        // Paged over every entry of the list, tombstones included: a calendar deleted while a
        // client reads the list page by page does not make it skip another.
        let page = Listing.page(
            every, keep: keep, offset: offset, size: call.pageSize(default: 100, ceiling: 250), list: list,
            syncFrom: syncFrom, currentVersion: versions.current)
        let version = max(users[call.user]?.calendarList.latestVersion ?? 0, entries.compactMap { calendars[$0.id]?.version }.max() ?? 0)
        return .object(
            [("kind", .string("calendar#calendarList")), ("etag", .string(Self.collectionETag(version)))]
                + page.fields { calendarListJSON($0, user: call.user) })
    }

    func getCalendarListEntry(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let id = resolve(call[path: "calendarId"], user: call.user)
        guard let entry = users[call.user]?.calendarList.live(id), calendars.live(id) != nil else { throw .notFound }
        return calendarListJSON(entry, user: call.user)
    }

    /// Adds an existing calendar the user can see to their list; adding one already there updates
    /// its settings [A].
    mutating func insertCalendarListEntry(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let body = try call.jsonBody()
        guard let rawID = body["id"] else { throw .missingCalendarID }
        guard let requested = rawID.stringValue, !requested.isEmpty else { throw .missingCalendarID }
        let id = resolve(requested, user: call.user)
        guard calendars.live(id) != nil, role(of: call.user, on: id) >= .freeBusyReader else { throw .notFound }
        var settings = users[call.user]?.calendarList.live(id)?.value ?? CalendarListSettings()
        try Self.applyListSettings(body, to: &settings, replace: true, rgb: call.bool("colorRgbFormat") == true)
        users[call.user]?.calendarList.insert(settings, id: id, version: versions.next())
        return calendarListJSON(users[call.user]!.calendarList[id]!, user: call.user)
    }

    mutating func writeCalendarListEntry(_ call: CalendarCall, replace: Bool) throws(GoogleAPIError) -> JSONValue {
        let id = resolve(call[path: "calendarId"], user: call.user)
        guard let entry = users[call.user]?.calendarList.live(id), calendars.live(id) != nil else { throw .notFound }
        try Self.requireCurrent(call, etag: Self.etag(max(entry.version, calendars[id]?.version ?? 0)))
        var settings = entry.value
        try Self.applyListSettings(try call.jsonBody(), to: &settings, replace: replace, rgb: call.bool("colorRgbFormat") == true)
        users[call.user]?.calendarList.update(id, version: versions.next()) { $0 = settings }
        return calendarListJSON(users[call.user]!.calendarList[id]!, user: call.user)
    }

    mutating func deleteCalendarListEntry(_ call: CalendarCall) throws(GoogleAPIError) {
        let id = resolve(call[path: "calendarId"], user: call.user)
        guard let entry = users[call.user]?.calendarList.live(id) else { throw .notFound }
        guard calendars[id]?.value.primaryOf != call.user else { throw .cannotDeletePrimary }
        try Self.requireCurrent(call, etag: Self.etag(max(entry.version, calendars[id]?.version ?? 0)))
        users[call.user]?.calendarList.markDeleted(id, version: versions.next())
    }

    /// The user's own settings. `backgroundColor`/`foregroundColor` are only written with
    /// `colorRgbFormat=true` [C spec:cal CalendarListEntry.backgroundColor].
    static func applyListSettings(
        _ body: JSONValue, to settings: inout CalendarListSettings, replace: Bool,
        rgb: Bool
    ) throws(GoogleAPIError) {
        func member(_ key: String) -> JSONValue? {
            guard let value = body[key], value != .null else { return nil }
            return value
        }
        func string(_ key: String) throws(GoogleAPIError) -> String? {
            guard let value = member(key) else { return nil }
            guard let s = value.stringValue else { throw .invalidMemberValue(key) }
            return s
        }
        func bool(_ key: String) throws(GoogleAPIError) -> Bool? {
            guard let value = member(key) else { return nil }
            guard let b = value.boolValue else { throw .invalidMemberValue(key) }
            return b
        }
        if replace { settings = CalendarListSettings() }
        if let summaryOverride = try string("summaryOverride") { settings.summaryOverride = summaryOverride }
        if let colorId = try string("colorId") { settings.colorId = colorId }
        if rgb {
            for key in ["backgroundColor", "foregroundColor"] {
                guard let color = try string(key) else { continue }
                guard color.count == 7, color.hasPrefix("#"), color.dropFirst().allSatisfy(\.isHexDigit) else {
                    throw .invalidValue(key)
                }
                if key == "backgroundColor" {
                    settings.backgroundColor = color.lowercased()
                } else {
                    settings.foregroundColor = color.lowercased()
                }
            }
        }
        if let hidden = try bool("hidden") { settings.hidden = hidden }
        if let selected = try bool("selected") { settings.selected = selected }
        if let reminders = member("defaultReminders") {
            guard reminders.arrayValue != nil else { throw .invalidMemberValue("defaultReminders") }
            settings.defaultReminders = reminders
        }
        if let notifications = member("notificationSettings") {
            guard notifications.objectFields != nil else { throw .invalidMemberValue("notificationSettings") }
            settings.notificationSettings = notifications
        }
    }
}
