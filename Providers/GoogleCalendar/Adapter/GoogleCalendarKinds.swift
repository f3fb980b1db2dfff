import SalonOpsProviderKit

/// What SalonOps keeps in Google Calendar: a secondary calendar per staff member and per room,
/// its ACL rules, and an all-day event per closure in each.
enum GoogleCalendarKinds {
    /// Calendars have no extended properties (spec: `Calendar`), so the markers sit in a tag at
    /// the end of the description.
    static let calendar = ResourceKind(
        name: "calendar", label: "agenda",
        fields: ["summary", "description", "timeZone"],
        removal: .delete,
        fieldLabels: ["summary": "nom", "description": "description", "timeZone": "fuseau horaire"],
        identity: .marker(.descriptionTag))

    /// An ACL rule's id is its scope (`user:alice@example.com`) and it has no room for a marker:
    /// matched by that natural key, owned through the ledger (so a rule shared by hand is never
    /// taken), and a create left pending by a run that died is settled by reading the scope
    /// again. The scope of a rule never changes.
    static let acl = ResourceKind(
        name: "acl", label: "accès à l'agenda",
        fields: ["role"],
        immutableFields: ["scope.type", "scope.value", "calendar"],
        dependsOn: ["calendar"], removal: .delete,
        fieldLabels: ["role": "droit", "scope.value": "personne"],
        identity: .naturalKey)

    /// Closures: all-day opaque events with client-chosen ids (retry-safe inserts) and markers
    /// in `extendedProperties.private`, listed with `privateExtendedProperty`.
    static let closure = ResourceKind(
        name: "closure", label: "fermeture",
        fields: ["summary", "start.date", "end.date", "transparency"],
        immutableFields: ["calendar"],
        dependsOn: ["calendar"], removal: .delete,
        fieldLabels: ["summary": "intitulé", "start.date": "du", "end.date": "au (exclu)"],
        identity: .deterministicID)

    static let all = [calendar, acl, closure]
}
