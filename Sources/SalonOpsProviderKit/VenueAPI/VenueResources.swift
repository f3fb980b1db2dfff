/// The neutral values as SalonOps' resources and back: observed objects with the mapping's
/// fields and the markers read from `metadata`; desired resources as objects to write.
/// Objects under a venue have remote ids `<venue id>/<object id>`, so a delete knows its venue.
public enum VenueResources {
    public static func remoteID(venue: String?, id: String) -> String { venue.map { "\($0)/\(id)" } ?? id }

    /// (venue id, object id) of a remote id made by `remoteID`.
    public static func split(_ remoteID: String) -> (venue: String?, id: String) {
        guard let slash = remoteID.lastIndex(of: "/") else { return (nil, remoteID) }
        return (String(remoteID[..<slash]), String(remoteID[remoteID.index(after: slash)...]))
    }

    static func text(_ value: String?) -> FieldValue { value.map(FieldValue.string) ?? .null }

    /// An observed object; `references` names the staff and rooms of a service as the mapping
    /// does (`staff:<name>` → remote id), from the venue's objects SalonOps owns.
    public static func observed(_ item: VenueItem, venue: String?, references: [String: String] = [:]) -> ObservedResource? {
        guard let id = item.id else { return nil }
        let markers = Markers.read { item.metadata[$0] }
        let fields: [String: FieldValue], title: String, natural: String?
        switch item.content {
        case .venue(let profile):
            var all: [String: FieldValue] = ["openingHours": OpeningHoursField.value(profile.hours), "timeZone": text(profile.timeZone)]
            all["currency"] = text(profile.currency)
            all["locale"] = text(profile.locale)
            (fields, title, natural) = (all, profile.name ?? id, nil)
        case .staff(let staff):
            fields = ["name": .string(staff.name), "role": text(staff.role), "email": text(staff.email)]
            (title, natural) = (staff.name, staff.name)
        case .room(let room):
            fields = ["name": .string(room.name), "capacity": .int(Int64(room.capacity))]
            (title, natural) = (room.name, room.name)
        case .service(let service):
            fields = [
                "name": .string(service.name), "category": .string(service.category), "durationMinutes": .int(Int64(service.durationMinutes)),
                "price.amount": .int(service.price), "price.currency": .string(service.currency), "vatRate": .int(Int64(service.vatRate)),
                "bookable": .bool(service.bookable),
            ]
            (title, natural) = (service.name, service.name)
        case .closure(let closure):
            fields = ["startDate": .string(closure.startDate), "endDate": .string(closure.endDate), "reason": text(closure.reason)]
            (title, natural) = ("Fermeture du \(closure.startDate)", closure.startDate)
        case .webhook(let webhook):
            fields = ["url": .string(webhook.url), "events": .list(webhook.events.sorted().map(FieldValue.string))]
            (title, natural) = (webhook.url, nil)
        }
        let naturalKey = item.kind == .webhook ? (fields["url"].flatMap { if case .string(let s) = $0 { s } else { nil } }) : natural.map { "\(venue ?? ""):\($0)" }
        return ObservedResource(
            kind: item.kind.rawValue, remoteID: remoteID(venue: venue, id: id), key: markers.key, owner: markers.owner, naturalKey: naturalKey,
            fields: fields, references: references, appliedDigest: markers.digest, version: item.version, title: title)
    }

    /// The object to write for a desired resource; `remoteIDs` resolves its references.
    public static func item(_ desired: DesiredResource, owner: String, id: String?, version: String?, remoteIDs: (String) throws -> String) throws -> VenueItem {
        let f = desired.fields
        func string(_ name: String) -> String? { if case .string(let s)? = f[name] { return s }; return nil }
        func int(_ name: String) -> Int64? { if case .int(let i)? = f[name] { return i }; return nil }
        func ids(_ prefix: String) throws -> [String] {
            try desired.references.keys.filter { $0.hasPrefix(prefix) }.sorted().map { split(try remoteIDs($0)).id }
        }
        let content: VenueItem.Content
        guard let kind = VenueItemKind(rawValue: desired.kind) else {
            throw ProviderError(.permanent, message: "no venue kind '\(desired.kind)'")
        }
        switch kind {
        case .venue:
            content = .venue(
                VenueProfile(
                    id: id ?? desired.remoteID ?? "", timeZone: string("timeZone"), currency: string("currency"), locale: string("locale"),
                    hours: OpeningHoursField.periods(f["openingHours"]) ?? []))
        case .staff: content = .staff(VenueStaff(name: string("name") ?? desired.title, role: string("role"), email: string("email")))
        case .room: content = .room(VenueRoom(name: string("name") ?? desired.title, capacity: Int(int("capacity") ?? 1)))
        case .service:
            content = .service(
                VenueService(
                    name: string("name") ?? desired.title, category: string("category") ?? "", durationMinutes: Int(int("durationMinutes") ?? 0),
                    price: int("price.amount") ?? 0, currency: string("price.currency") ?? "", vatRate: Int(int("vatRate") ?? 0),
                    bookable: {
                        if case .bool(let b)? = f["bookable"] { return b }; return true
                    }(), staffIDs: try ids("staff:"),
                    roomIDs: try ids("room:")))
        case .closure: content = .closure(VenueClosure(startDate: string("startDate") ?? "", endDate: string("endDate") ?? "", reason: string("reason")))
        case .webhook:
            let events: [String] = {
                if case .list(let items)? = f["events"] { return items.compactMap { if case .string(let s) = $0 { s } else { nil } } }; return []
            }()
            content = .webhook(VenueWebhook(url: string("url") ?? "", events: events))
        }
        let markers = Markers(owner: owner, desired)
        return VenueItem(id: id, content, metadata: Dictionary(uniqueKeysWithValues: markers.properties), version: version)
    }
}
