import SalonOpsEmulatorKit
import Foundation

/// events.* (spec:cal `resources.events`, `schemas.Event`).
extension CalendarState {
    /// Members a client writes, in the order an event is rendered; others are read-only or not
    /// emulated and ignored, as Google ignores read-only members it is sent.
    static let writableEventMembers = [
        "summary", "description", "location", "colorId", "start", "end", "endTimeUnspecified", "recurrence", "transparency",
        "visibility", "attendees", "guestsCanInviteOthers", "guestsCanModify", "guestsCanSeeOtherGuests", "anyoneCanAddSelf",
        "extendedProperties", "reminders", "source", "sequence",
    ]
    private static let stringMembers: Set = ["summary", "description", "location", "colorId"]
    private static let boolMembers: Set = [
        "endTimeUnspecified", "guestsCanInviteOthers", "guestsCanModify", "guestsCanSeeOtherGuests",
        "anyoneCanAddSelf",
    ]
    private static let enumMembers: [String: [String]] = [
        "transparency": ["opaque", "transparent"], "visibility": ["default", "public", "private", "confidential"],
        "status": ["confirmed", "tentative", "cancelled"],
    ]

    // MARK: Rendering

    func eventJSON(_ entry: VersionedCollection<EventRecord>.Entry, calendarID: String) -> JSONValue {
        let e = entry.value
        let eid = Data((entry.id + " " + calendarID).utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        var fields: [(String, JSONValue)] = [
            ("kind", .string("calendar#event")), ("etag", .string(Self.etag(entry.version))), ("id", .string(entry.id)),
            ("status", .string(e.status)), ("htmlLink", .string("https://www.google.com/calendar/event?eid=" + eid)),
            ("created", .string(CalendarTime.format(e.created))), ("updated", .string(CalendarTime.format(e.updated))),
        ]
        let organizer = calendars[calendarID]?.value
        for key in ["summary", "description", "location", "colorId"] {
            if let value = e.fields[key] { fields.append((key, value)) }
        }
        fields.append(("creator", .object([("email", .string(e.creator))])))
        var organizerFields: [(String, JSONValue)] = [("email", .string(calendarID))]
        if organizer?.primaryOf == nil, let summary = organizer?.summary { organizerFields.append(("displayName", .string(summary))) }
        organizerFields.append(("self", .bool(true)))
        fields.append(("organizer", .object(organizerFields)))
        for key in Self.writableEventMembers
        where ![
            "summary", "description", "location", "colorId", "extendedProperties", "reminders",
            "sequence",
        ].contains(key) {
            if let value = e.fields[key] { fields.append((key, value)) }
        }
        fields.append(("iCalUID", .string(entry.id + "@google.com")))
        fields.append(("sequence", .int(e.sequence)))
        if let extended = e.fields["extendedProperties"] { fields.append(("extendedProperties", extended)) }
        fields.append(("reminders", e.fields["reminders"] ?? .object([("useDefault", .bool(true))])))
        fields.append(("eventType", .string("default")))
        return .object(fields)
    }

    private func calendarForEvents(_ call: CalendarCall, atLeast role: CalendarRole) throws(GoogleAPIError) -> String {
        let id = resolve(call[path: "calendarId"], user: call.user)
        _ = try visibleCalendar(id, user: call.user, atLeast: role)
        return id
    }

    // MARK: Methods

    mutating func insertEvent(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let calendarID = try calendarForEvents(call, atLeast: .writer)
        let body = try call.jsonBody()
        let eventID: String
        if let given = body["id"], given != .null {
            guard let id = given.stringValue, Self.isValidEventID(id) else { throw .invalidResourceID }
            // Ids stay taken after deletion: a replayed insert answers 409 [C errors guide;
            // R googleapis/google-api-ruby-client#1811, re-inserting a deleted event's id].
            guard events[calendarID]?[id] == nil else { throw .duplicate }
            eventID = id
        } else {
            eventID = newEventID(in: calendarID)
        }
        let fields = try Self.eventFields(body, base: nil)
        let status = try Self.eventStatus(body) ?? "confirmed"
        let (start, end) = try eventTimes(fields, calendarID: calendarID)
        var sequence = 0
        if case .int(let given)? = fields["sequence"] { sequence = given }
        let record = EventRecord(
            fields: fields, status: status, created: call.now, updated: call.now, sequence: sequence,
            creator: call.user, start: start, end: end)
        events[calendarID, default: VersionedCollection()].insert(record, id: eventID, version: versions.next())
        return eventJSON(events[calendarID]![eventID]!, calendarID: calendarID)
    }

    /// A deleted event is still answered, with `status: "cancelled"` [C spec:cal Event.status].
    func getEvent(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let calendarID = try calendarForEvents(call, atLeast: .reader)
        guard let entry = events[calendarID]?[call[path: "eventId"]] else { throw .notFound }
        return eventJSON(entry, calendarID: calendarID)
    }

    /// PATCH merges members (objects member by member, `null` removes, arrays replace); PUT
    /// replaces the event, so a member it does not repeat is gone (extended properties included
    /// [C extended-properties guide]). Writing `status: confirmed` brings a deleted event back [A].
    mutating func writeEvent(_ call: CalendarCall, replace: Bool) throws(GoogleAPIError) -> JSONValue {
        let calendarID = try calendarForEvents(call, atLeast: .writer)
        let eventID = call[path: "eventId"]
        guard let entry = events[calendarID]?[eventID] else { throw .notFound }
        try Self.requireCurrent(call, etag: Self.etag(entry.version))
        let body = try call.jsonBody()
        let fields = try Self.eventFields(body, base: replace ? nil : entry.value.fields)
        let status = try Self.eventStatus(body) ?? (replace && !entry.deleted ? "confirmed" : entry.value.status)
        let (start, end) = try eventTimes(fields, calendarID: calendarID)
        let version = versions.next()
        events[calendarID]?.update(eventID, version: version) { record in
            record.fields = fields
            record.status = status
            record.start = start
            record.end = end
            record.updated = call.now
            record.sequence += 1
        }
        if status == "cancelled" {
            events[calendarID]?.markDeleted(eventID, version: version)
        } else if entry.deleted, let revived = events[calendarID]?[eventID]?.value {
            events[calendarID]?.insert(revived, id: eventID, version: version)
        }
        return eventJSON(events[calendarID]![eventID]!, calendarID: calendarID)
    }

    /// The event lingers as `cancelled` (listed with `showDeleted`); deleting it again answers 410
    /// `deleted` [C errors guide].
    mutating func deleteEvent(_ call: CalendarCall) throws(GoogleAPIError) {
        let calendarID = try calendarForEvents(call, atLeast: .writer)
        let eventID = call[path: "eventId"]
        guard let entry = events[calendarID]?[eventID] else { throw .notFound }
        guard !entry.deleted else { throw .deleted }
        try Self.requireCurrent(call, etag: Self.etag(entry.version))
        let version = versions.next()
        events[calendarID]?.update(eventID, version: version) {
            $0.status = "cancelled"; $0.updated = call.now
        }
        events[calendarID]?.markDeleted(eventID, version: version)
    }

    mutating func listEvents(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let calendarID = try calendarForEvents(call, atLeast: .reader)
        let list = "events:" + calendarID
        if call.string("syncToken") != nil {
            // [C spec:cal events.list.syncToken] these cannot be combined with a sync token, and
            // showDeleted cannot be false.
            for name in ["iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin"]
            where call.string(name) != nil {
                throw .syncTokenConflict(name)
            }
            if call.bool("showDeleted") == false { throw .syncTokenConflict("showDeleted") }
        }
        let timeMin = call.string("timeMin").flatMap(CalendarTime.parseDateTime).flatMap { CalendarTime.instant($0, zone: nil) }
        let timeMax = call.string("timeMax").flatMap(CalendarTime.parseDateTime).flatMap { CalendarTime.instant($0, zone: nil) }
        if let timeMin, let timeMax, timeMin >= timeMax { throw .timeRangeEmpty }
        let updatedMin = call.string("updatedMin").flatMap(CalendarTime.parseDateTime).flatMap { CalendarTime.instant($0, zone: nil) }
        let privateFilter = try Self.propertyConstraints(call.strings("privateExtendedProperty"), parameter: "privateExtendedProperty")
        let sharedFilter = try Self.propertyConstraints(call.strings("sharedExtendedProperty"), parameter: "sharedExtendedProperty")
        let orderBy = call.string("orderBy")
        if orderBy == "startTime", call.bool("singleEvents") != true { throw .orderByNeedsSingleEvents }
        let search = call.string("q")?.lowercased()
        let iCalUID = call.string("iCalUID")
        let (offset, syncFrom) = try Listing.start(call, list: list)
        let showDeleted = call.bool("showDeleted") == true

        var selected = (events[calendarID]?.all ?? []).filter { entry in
            let e = entry.value
            if let syncFrom { return entry.version > syncFrom }
            if e.status == "cancelled", !showDeleted { return false }
            // timeMin bounds the end, timeMax the start, both exclusive [C spec:cal events.list].
            if let timeMin, e.end <= timeMin { return false }
            if let timeMax, e.start >= timeMax { return false }
            if let updatedMin, e.updated < updatedMin { return false }
            if let iCalUID, entry.id + "@google.com" != iCalUID { return false }
            if !Self.matches(e.fields["extendedProperties"]?["private"], privateFilter) { return false }
            if !Self.matches(e.fields["extendedProperties"]?["shared"], sharedFilter) { return false }
            if let search {
                let text = ["summary", "description", "location"].compactMap { e.fields[$0]?.stringValue?.lowercased() }
                if !text.contains(where: { $0.contains(search) }) { return false }
            }
            return true
        }
        if orderBy == "startTime" {
            selected.sort { ($0.value.start, $0.sequence) < ($1.value.start, $1.sequence) }
        } else if orderBy == "updated" {
            selected.sort { ($0.value.updated, $0.version) < ($1.value.updated, $1.version) }
        }
        let page = Listing.page(
            selected, offset: offset, size: call.pageSize(default: 250, ceiling: 2500), list: list,
            syncFrom: syncFrom, currentVersion: versions.current)
        let calendar = calendars[calendarID]!
        let latest = (events[calendarID]?.all.map(\.value.updated).max()).map(CalendarTime.format) ?? CalendarTime.format(call.now)
        var fields: [(String, JSONValue)] = [
            ("kind", .string("calendar#events")),
            ("etag", .string(Self.collectionETag(max(events[calendarID]?.latestVersion ?? 0, calendar.version)))),
            ("summary", .string(calendar.value.summary)),
        ]
        if let description = calendar.value.description { fields.append(("description", .string(description))) }
        fields += [
            ("updated", .string(latest)), ("timeZone", .string(calendar.value.timeZone)),
            ("accessRole", .string(role(of: call.user, on: calendarID).name)), ("defaultReminders", .array([])),
        ]
        return .object(fields + page.fields { eventJSON($0, calendarID: calendarID) })
    }

    // MARK: Validation

    /// base32hex (`a`–`v`, `0`–`9`), 5 to 1024 characters [C spec:cal Event.id].
    static func isValidEventID(_ id: String) -> Bool {
        (5...1024).contains(id.count) && id.unicodeScalars.allSatisfy { ("a"..."v").contains($0) || ("0"..."9").contains($0) }
    }

    static func eventStatus(_ body: JSONValue) throws(GoogleAPIError) -> String? {
        guard let value = body["status"], value != .null else { return nil }
        guard let status = value.stringValue, enumMembers["status"]!.contains(status) else { throw .invalidValue("status") }
        return status
    }

    /// The writable members of a request body, type-checked, merged onto `base` for a patch.
    static func eventFields(_ body: JSONValue, base: JSONValue?) throws(GoogleAPIError) -> JSONValue {
        if let type = body["eventType"], type != .null, type != .string("default") {
            // Only default events are emulated; eventType "cannot be modified after the event is created" [C].
            throw .invalidValue("eventType")
        }
        var patch: [(String, JSONValue)] = []
        for (key, value) in body.objectFields ?? [] where writableEventMembers.contains(key) {
            if value == .null {
                patch.append((key, .null))
                continue
            }
            if stringMembers.contains(key) || enumMembers[key] != nil {
                guard let s = value.stringValue else { throw .invalidMemberValue(key) }
                if let allowed = enumMembers[key], !allowed.contains(s) { throw .invalidValue(key) }
            } else if boolMembers.contains(key) {
                guard value.boolValue != nil else { throw .invalidMemberValue(key) }
            } else if key == "sequence" {
                guard case .int = value else { throw .invalidMemberValue(key) }
            } else if ["start", "end", "reminders", "source"].contains(key) {
                guard value.objectFields != nil else { throw .invalidMemberValue(key) }
            } else if ["recurrence", "attendees"].contains(key) {
                guard value.arrayValue != nil else { throw .invalidMemberValue(key) }
            } else if key == "extendedProperties" {
                guard value.objectFields != nil else { throw .invalidMemberValue(key) }
            }
            patch.append((key, value))
        }
        var fields: JSONValue
        if let base {
            // A start or end is replaced whole: merging `{date}` into `{dateTime}` would make neither.
            let whole = patch.filter { $0.0 == "start" || $0.0 == "end" }
            fields = base.merging(patch: .object(patch.filter { $0.0 != "start" && $0.0 != "end" }))
            for (key, value) in whole { fields = fields.setting(key, value == .null ? nil : value) }
        } else {
            fields = .object(patch.filter { $0.1 != .null })
        }
        if let extended = fields["extendedProperties"] {
            fields = fields.setting("extendedProperties", try normalizedExtendedProperties(extended))
        }
        return fields
    }

    /// `private` and `shared` maps of strings. "Keys longer than 44 characters are silently
    /// dropped, values longer than 1024 silently truncated"; at most 300 properties [C
    /// extended-properties guide, notes booking.md §1.4].
    static func normalizedExtendedProperties(_ value: JSONValue) throws(GoogleAPIError) -> JSONValue? {
        var out: [(String, JSONValue)] = []
        var count = 0
        for (group, members) in value.objectFields ?? [] {
            guard group == "private" || group == "shared" else { continue }
            if members == .null { continue }
            guard let map = members.objectFields else { throw .invalidMemberValue("extendedProperties.\(group)") }
            var kept: [(String, JSONValue)] = []
            for (key, member) in map {
                if member == .null { continue }
                guard let text = member.stringValue else { throw .invalidMemberValue("extendedProperties.\(group).\(key)") }
                guard key.count <= 44 else { continue }
                kept.append((key, .string(String(text.prefix(1024)))))
            }
            count += kept.count
            if !kept.isEmpty { out.append((group, .object(kept))) }
        }
        guard count <= 300 else { throw .invalidValue("extendedProperties") }
        return out.isEmpty ? nil : .object(out)
    }

    /// `name=value` constraints (the value may itself contain `=`).
    static func propertyConstraints(_ values: [String], parameter: String) throws(GoogleAPIError) -> [(String, String)] {
        try values.map { (text: String) throws(GoogleAPIError) -> (String, String) in
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { throw .invalidParameterValue(parameter) }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
    }

    /// Repeated constraints of one kind are ORed, as the extended-properties guide says (the
    /// discovery text says all must match; notes booking.md §1.4 records the conflict and the
    /// choice of the guide's reading). No constraint matches everything.
    static func matches(_ properties: JSONValue?, _ constraints: [(String, String)]) -> Bool {
        guard !constraints.isEmpty else { return true }
        return constraints.contains { name, value in properties?[name]?.stringValue == value }
    }

    /// Start and end: each an all-day `date` or a `dateTime` (with an offset, or a `timeZone`),
    /// both of the same kind, end after start.
    func eventTimes(_ fields: JSONValue, calendarID: String) throws(GoogleAPIError) -> (Date, Date) {
        let calendarZone = calendars[calendarID].flatMap { CalendarTime.zone(named: $0.value.timeZone) } ?? TimeZone(identifier: "UTC")!
        func instant(_ which: String) throws(GoogleAPIError) -> (Date, allDay: Bool) {
            guard let value = fields[which], value.objectFields != nil else { throw .missingTime(which) }
            var zone = calendarZone
            var explicitZone = false
            if let zoneValue = value["timeZone"], zoneValue != .null {
                guard let name = zoneValue.stringValue, let named = CalendarTime.zone(named: name) else {
                    throw .invalidTimeZoneDefinition(which)
                }
                zone = named
                explicitZone = true
            }
            let date = value["date"].flatMap { $0 == .null ? nil : $0 }
            let dateTime = value["dateTime"].flatMap { $0 == .null ? nil : $0 }
            switch (date, dateTime) {
            case (let date?, nil):
                guard let text = date.stringValue, let day = CalendarTime.parseDate(text),
                    let start = CalendarTime.startOfDay(day, zone: zone)
                else { throw .invalidTime(which) }
                return (start, true)
            case (nil, let dateTime?):
                guard let text = dateTime.stringValue, let local = CalendarTime.parseDateTime(text) else { throw .invalidTime(which) }
                if local.offset == nil, !explicitZone { throw .missingTimeZoneDefinition(which) }
                guard let at = CalendarTime.instant(local, zone: zone) else { throw .invalidTime(which) }
                return (at, false)
            case (nil, nil):
                throw .missingTime(which)
            default:
                throw .invalidTime(which)
            }
        }
        let start = try instant("start")
        let end = try instant("end")
        guard start.allDay == end.allDay else { throw .invalidTime("end") }
        guard end.0 > start.0 else { throw .timeRangeEmpty }
        return (start.0, end.0)
    }
}
