import SalonOpsEmulatorKit
import Foundation

/// acl.* (spec:cal `resources.acl`): rules `<scope.type>:<scope.value>` (`default` for the public
/// rule), managed by the calendar's owners.
extension CalendarState {
    static let scopeTypes = ["default", "user", "group", "domain"]

    func aclJSON(_ entry: VersionedCollection<AclRuleRecord>.Entry) -> JSONValue {
        var scope: [(String, JSONValue)] = [("type", .string(entry.value.scopeType))]
        if let value = entry.value.scopeValue { scope.append(("value", .string(value))) }
        // Deleted rules are listed with role "none" [C spec:cal acl.list.showDeleted].
        let role = entry.deleted ? CalendarRole.none : entry.value.role
        return .object([
            ("kind", .string("calendar#aclRule")), ("etag", .string(Self.etag(entry.version))), ("id", .string(entry.id)),
            ("scope", .object(scope)), ("role", .string(role.name)),
        ])
    }

    /// The calendar, when the caller owns it: only owners see and change ACLs ("owner … the additional
    /// ability to see and manipulate ACLs" [C developers.google.com/calendar/api/v3/reference/acl]).
    private func ownedCalendar(_ call: CalendarCall) throws(GoogleAPIError) -> String {
        let id = resolve(call[path: "calendarId"], user: call.user)
        _ = try visibleCalendar(id, user: call.user, atLeast: .owner)
        return id
    }

    mutating func listAcl(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let id = try ownedCalendar(call)
        let list = "acl:" + id
        let (offset, syncFrom) = try Listing.start(call, list: list)
        let rules = (acls[id]?.all ?? []).filter { rule in
            // "Deleted ACLs will always be included if syncToken is provided." [C spec:cal]
            if let syncFrom { return rule.version > syncFrom }
            return !rule.deleted || call.bool("showDeleted") == true
        }
        let page = Listing.page(
            rules, offset: offset, size: call.pageSize(default: 100, ceiling: 250), list: list, syncFrom: syncFrom,
            currentVersion: versions.current)
        return .object(
            [("kind", .string("calendar#acl")), ("etag", .string(Self.collectionETag(acls[id]?.latestVersion ?? 0)))]
                + page.fields(aclJSON))
    }

    func getAclRule(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let id = try ownedCalendar(call)
        guard let rule = acls[id]?.live(call[path: "ruleId"]) else { throw .notFound }
        return aclJSON(rule)
    }

    /// A rule for a scope that already has one replaces its role (the rule id is the scope) [A].
    mutating func insertAclRule(_ call: CalendarCall) throws(GoogleAPIError) -> JSONValue {
        let id = try ownedCalendar(call)
        let body = try call.jsonBody()
        let (type, value) = try Self.aclScope(body)
        let role = try Self.aclRole(body)
        let ruleID = AclRuleRecord.ruleID(type: type, value: value)
        try protectOwnRule(call, calendarID: id, ruleID: ruleID, newRole: role)
        acls[id, default: VersionedCollection()].insert(
            AclRuleRecord(role: role, scopeType: type, scopeValue: value), id: ruleID,
            version: versions.next())
        shareIntoList(calendarID: id, type: type, value: value, role: role)
        return aclJSON(acls[id]![ruleID]!)
    }

    /// PATCH may change the role; PUT must repeat the scope (spec:cal: `scope` required on update).
    /// The scope itself cannot change: it is the rule's id.
    mutating func writeAclRule(_ call: CalendarCall, replace: Bool) throws(GoogleAPIError) -> JSONValue {
        let id = try ownedCalendar(call)
        let ruleID = call[path: "ruleId"]
        guard let rule = acls[id]?.live(ruleID) else { throw .notFound }
        try Self.requireCurrent(call, etag: Self.etag(rule.version))
        let body = try call.jsonBody()
        if replace || (body["scope"] != nil && body["scope"] != .null) {
            let (type, value) = try Self.aclScope(body)
            guard AclRuleRecord.ruleID(type: type, value: value) == ruleID else { throw .cannotChangeScope }
        }
        var role = rule.value.role
        if replace || (body["role"] != nil && body["role"] != .null) { role = try Self.aclRole(body) }
        try protectOwnRule(call, calendarID: id, ruleID: ruleID, newRole: role)
        acls[id]?.update(ruleID, version: versions.next()) { $0.role = role }
        shareIntoList(calendarID: id, type: rule.value.scopeType, value: rule.value.scopeValue, role: role)
        return aclJSON(acls[id]![ruleID]!)
    }

    mutating func deleteAclRule(_ call: CalendarCall) throws(GoogleAPIError) {
        let id = try ownedCalendar(call)
        let ruleID = call[path: "ruleId"]
        guard let rule = acls[id]?.live(ruleID) else { throw .notFound }
        try Self.requireCurrent(call, etag: Self.etag(rule.version))
        try protectOwnRule(call, calendarID: id, ruleID: ruleID, newRole: .none)
        acls[id]?.markDeleted(ruleID, version: versions.next())
        if rule.value.scopeType == "user", let grantee = rule.value.scopeValue?.lowercased(),
            users[grantee]?.calendarList.live(id) != nil, calendars[id]?.value.dataOwner != grantee
        {
            users[grantee]?.calendarList.markDeleted(id, version: versions.next())
        }
    }

    /// `scope` {type, value}: type required and one of the four; value required except for `default`.
    static func aclScope(_ body: JSONValue) throws(GoogleAPIError) -> (String, String?) {
        guard let scope = body["scope"], scope != .null else { throw .missingScopeType }
        guard scope.objectFields != nil else { throw .invalidMemberValue("scope") }
        guard let typeValue = scope["type"], typeValue != .null else { throw .missingScopeType }
        guard let type = typeValue.stringValue, scopeTypes.contains(type) else { throw .invalidValue("scope type") }
        if type == "default" { return (type, nil) }
        guard let value = scope["value"]?.stringValue, !value.isEmpty else { throw .missingScopeValue }
        if type == "domain" {
            guard value.contains("."), !value.contains("@") else { throw .invalidValue("scope") }
            return (type, value.lowercased())
        }
        guard JWTBearerTokenEndpoint.looksLikeEmail(value) else { throw .invalidValue("scope") }
        return (type, value.lowercased())
    }

    static func aclRole(_ body: JSONValue) throws(GoogleAPIError) -> CalendarRole {
        guard let value = body["role"], value != .null else { throw .missingRole }
        guard let name = value.stringValue, let role = CalendarRole(name: name) else { throw .invalidValue("role") }
        return role
    }

    /// The data owner's own rule cannot be lowered: a calendar keeps an owner. [A] Google's
    /// `cannotChangeOwnAcl` refusal.
    private func protectOwnRule(_ call: CalendarCall, calendarID: String, ruleID: String, newRole: CalendarRole) throws(GoogleAPIError) {
        let owner = calendars[calendarID]?.value.dataOwner ?? calendars[calendarID]?.value.primaryOf
        guard let owner, ruleID == "user:" + owner, newRole != .owner else { return }
        throw GoogleAPIError(status: 403, domain: "calendar", reason: "cannotChangeOwnAcl", message: "Cannot change your own access level.")
    }

    /// A user granted access finds the calendar in their list (as a Workspace user does) [A].
    private mutating func shareIntoList(calendarID: String, type: String, value: String?, role: CalendarRole) {
        guard type == "user", let grantee = value?.lowercased(), role >= .freeBusyReader else { return }
        ensureUser(grantee)
        guard users[grantee]?.calendarList.live(calendarID) == nil else { return }
        users[grantee]?.calendarList.insert(CalendarListSettings(), id: calendarID, version: versions.next())
    }
}
