import Foundation
import SalonOpsProviderKit

/// Google Calendar v3 (https://developers.google.com/workspace/calendar/api/v3/reference):
/// observe lists the delegated user's calendar list, then each owned calendar's ACL and its
/// closure events (filtered by the owner marker) at once; apply writes JSON, with `If-Match`
/// on events so a change made meanwhile is a conflict, not lost.
struct GoogleCalendarAdapter: ProviderAdapter {
    let integration: Integration
    let owner: String
    /// Items a page: the maxima (calendarList and acl 250, events 2,500) unless a test asks fewer.
    var pageSize: Int?

    var kinds: [ResourceKind] { GoogleCalendarKinds.all }

    func desired(in state: DesiredState, scope: Scope) throws -> Projection {
        var projection = GoogleCalendarMapping.project(integration, state)
        projection.resources = projection.resources.filter { scope.includes(kind: $0.kind) && scope.includes(establishment: $0.establishment) }
        return projection
    }

    func holdings(_ resources: [ObservedResource], in state: DesiredState) -> [String: Holdings] {
        // Closures are blocked only where the Integration says so.
        guard SettingsReader(integration.settings?.value).bool("blockClosures") ?? true else { return [:] }
        return GoogleCalendarMapping.holdings(resources, owner: owner)
    }

    // MARK: observe

    func observe(_ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource] {
        let entries = try await Paginator.all(session, path: "/users/me/calendarList", style: .google(size: pageSize ?? 250))
        // Only calendars the delegated user owns can be SalonOps' (a shared one is someone else's).
        // Ours outside the scope are left out, with their ACLs and events: a scoped run reads and
        // weighs only the establishments it was asked about.
        let calendars = entries.filter { $0["accessRole"]?.string == "owner" && $0["primary"]?.bool != true }.compactMap(GoogleCalendarWire.calendar)
            .filter { $0.owner != owner || scope.includes(establishment: $0.key.flatMap(Self.establishment(ofCalendar:))) }
        let owned = calendars.filter { $0.owner == owner && $0.key != nil }
        let wantACL = scope.includes(kind: "acl"), wantClosures = scope.includes(kind: "closure")
        // Each calendar's ACL and events are independent lists: all at once, paced by the transport.
        let children = try await concurrently(owned) { calendar -> [ObservedResource] in
            let id = GoogleCalendarWire.segment(calendar.remoteID)
            async let rules: [ObservedResource] =
                wantACL
                ? Paginator.all(session, path: "/calendars/\(id)/acl", style: .google(size: pageSize ?? 250)).compactMap {
                    GoogleCalendarWire.acl($0, calendar: calendar.remoteID)
                } : []
            let filter = Paginator.append("/calendars/\(id)/events", [("privateExtendedProperty", "\(GoogleCalendarWire.ownerProperty)=\(owner)")])
            async let events: [ObservedResource] =
                wantClosures
                ? Paginator.all(session, path: filter, style: .google(size: pageSize ?? 2500)).compactMap {
                    GoogleCalendarWire.closure($0, calendar: calendar.remoteID)
                } : []
            return try await rules + events
        }
        return (scope.includes(kind: "calendar") ? calendars : []) + children.flatMap { $0 }
    }

    /// `staff:<establishment>/<member>` and `room:<establishment>/<room>` → the establishment.
    static func establishment(ofCalendar key: String) -> String? {
        guard let colon = key.firstIndex(of: ":"), let slash = key[colon...].firstIndex(of: "/") else { return nil }
        return String(key[key.index(after: colon)..<slash])
    }

    /// Sub-resources are found within their calendar: the calendar's key is the first part of
    /// theirs (`<calendar key>|user:…`, `<calendar key>@<date>`).
    func read(_ ref: ResourceRef, remoteID: String?, _ session: any ProviderSession) async throws -> ObservedResource? {
        let all = try await observe(Scope(kinds: ["calendar", ref.kind]), session)
        if let remoteID, let found = all.first(where: { $0.kind == ref.kind && $0.remoteID == remoteID }) { return found }
        if let found = all.first(where: { $0.kind == ref.kind && $0.key == ref.key && $0.owner == owner }) { return found }
        guard ref.kind == "acl", let bar = ref.key.lastIndex(of: "|") else { return nil }
        // A rule made by a run that did not record it: its calendar is ours and its scope matches.
        let calendarKey = String(ref.key[..<bar]), scope = String(ref.key[ref.key.index(after: bar)...])
        guard let calendar = all.first(where: { $0.kind == "calendar" && $0.key == calendarKey && $0.owner == owner }) else { return nil }
        return all.first { $0.kind == "acl" && $0.remoteID == calendar.remoteID + "/" + scope }
    }

    // MARK: apply

    func apply(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.kind {
        case "calendar": return try await applyCalendar(change, session)
        case "acl": return try await applyACL(change, context, session)
        case "closure": return try await applyClosure(change, context, session)
        default: throw ProviderError(.permanent, message: "Google Calendar has no kind '\(change.kind)'")
        }
    }

    private func applyCalendar(_ change: Change, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.action {
        case .create, .replace:
            let created = try await session.send(.json(.POST, "/calendars", calendarBody(change.desired!))).json()
            guard let id = created["id"]?.string else { throw ProviderError(.permanent, message: "Google returned no id for the new calendar") }
            if change.action == .replace, let old = change.remoteID { try await delete("/calendars/\(GoogleCalendarWire.segment(old))", session) }
            return ApplyOutcome(remoteID: id, version: created["etag"]?.string)
        case .update, .adopt:
            let id = change.remoteID!
            // The description always goes: its tag carries the new digest.
            let updated = try await session.send(
                .json(
                    .PATCH, "/calendars/\(GoogleCalendarWire.segment(id))", calendarBody(change.desired!),
                    retryable: true)
            ).json()
            return ApplyOutcome(remoteID: id, version: updated["etag"]?.string)
        case .delete:
            try await delete("/calendars/\(GoogleCalendarWire.segment(change.remoteID!))", session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    private func calendarBody(_ desired: DesiredResource) -> JSONValue {
        .object([
            ("summary", .string(desired.fields["summary"]?.text ?? "")),
            ("description", .string(Markers(owner: owner, desired).tagging(desired.fields["description"]?.text ?? ""))),
            ("timeZone", .string(desired.fields["timeZone"]?.text ?? "")),
        ])
    }

    private func applyACL(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.action {
        case .create, .replace:
            let desired = change.desired!
            let calendar = try context.remoteID(of: "calendar", in: desired)
            let body: JSONValue = .object([
                ("role", .string(desired.fields["role"]?.text ?? "reader")),
                ("scope", .object([("type", .string(desired.fields["scope.type"]?.text ?? "user")), ("value", .string(desired.fields["scope.value"]?.text ?? ""))])),
            ])
            // No notification mail for a rule SalonOps sets; a rule's id is its scope, so a retry finds it.
            let path = "/calendars/\(GoogleCalendarWire.segment(calendar))/acl?sendNotifications=false"
            let rule = try await session.send(.json(.POST, path, body, retryable: true)).json()
            guard let id = rule["id"]?.string else { throw ProviderError(.permanent, message: "Google returned no id for the new ACL rule") }
            if change.action == .replace, let old = change.remoteID, old != calendar + "/" + id { try await deleteRule(old, session) }
            return ApplyOutcome(remoteID: calendar + "/" + id, version: rule["etag"]?.string)
        case .update, .adopt:
            let (calendar, id) = GoogleCalendarWire.split(change.remoteID!)
            let path = "/calendars/\(GoogleCalendarWire.segment(calendar))/acl/\(GoogleCalendarWire.segment(id))?sendNotifications=false"
            let rule = try await session.send(
                .json(
                    .PATCH, path, .object([("role", .string(change.desired!.fields["role"]?.text ?? "reader"))]),
                    retryable: true)
            ).json()
            return ApplyOutcome(remoteID: change.remoteID!, version: rule["etag"]?.string)
        case .delete:
            try await deleteRule(change.remoteID!, session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    private func deleteRule(_ remoteID: String, _ session: any ProviderSession) async throws {
        let (calendar, id) = GoogleCalendarWire.split(remoteID)
        try await delete("/calendars/\(GoogleCalendarWire.segment(calendar))/acl/\(GoogleCalendarWire.segment(id))", session)
    }

    private func applyClosure(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.action {
        case .create, .replace:
            let desired = change.desired!
            let calendar = try context.remoteID(of: "calendar", in: desired)
            var body = eventBody(desired)
            body.set("id", .string(GoogleCalendarWire.eventID(owner: owner, key: desired.key)))
            let path = "/calendars/\(GoogleCalendarWire.segment(calendar))/events?sendUpdates=none"
            // The id is chosen here: a retried insert answers 409 `duplicate` (found again by the engine).
            let event = try await session.send(.json(.POST, path, body, retryable: true)).json()
            let id = event["id"]?.string ?? GoogleCalendarWire.eventID(owner: owner, key: desired.key)
            if change.action == .replace, let old = change.remoteID, old != calendar + "/" + id { try await deleteEvent(old, session) }
            return ApplyOutcome(remoteID: calendar + "/" + id, version: event["etag"]?.string)
        case .update, .adopt:
            let (calendar, id) = GoogleCalendarWire.split(change.remoteID!)
            var headers: [String: String] = [:]
            // A stale ETag answers 412: the engine reads the event again and retries once.
            if let version = context.observed?.version ?? change.version { headers["If-Match"] = version }
            let path = "/calendars/\(GoogleCalendarWire.segment(calendar))/events/\(GoogleCalendarWire.segment(id))?sendUpdates=none"
            let event = try await session.send(.json(.PATCH, path, eventBody(change.desired!), headers: headers, retryable: true)).json()
            return ApplyOutcome(remoteID: change.remoteID!, version: event["etag"]?.string)
        case .delete:
            try await deleteEvent(change.remoteID!, session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    private func eventBody(_ desired: DesiredResource) -> JSONValue {
        .object([
            ("summary", .string(desired.fields["summary"]?.text ?? "")),
            ("start", .object([("date", .string(desired.fields["start.date"]?.text ?? ""))])),
            ("end", .object([("date", .string(desired.fields["end.date"]?.text ?? ""))])),
            ("transparency", .string(desired.fields["transparency"]?.text ?? "opaque")),
            ("extendedProperties", .object([("private", Markers(owner: owner, desired).json)])),
        ])
    }

    private func deleteEvent(_ remoteID: String, _ session: any ProviderSession) async throws {
        let (calendar, id) = GoogleCalendarWire.split(remoteID)
        try await delete("/calendars/\(GoogleCalendarWire.segment(calendar))/events/\(GoogleCalendarWire.segment(id))?sendUpdates=none", session)
    }

    private func delete(_ path: String, _ session: any ProviderSession) async throws {
        _ = try await session.send(ProviderRequest(.DELETE, path, retryable: true))
    }

    // MARK: check

    func check(_ session: any ProviderSession) async throws -> String {
        let page = try await session.send(ProviderRequest(.GET, "/users/me/calendarList?maxResults=1")).json()
        return page["kind"]?.string == "calendar#calendarList" ? "calendar list readable" : "answered"
    }
}
