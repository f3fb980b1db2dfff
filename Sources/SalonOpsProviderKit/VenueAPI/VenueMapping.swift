/// The config projected into a venue marketplace (pure), for each establishment the Integration
/// covers and binds to a venue (`venueIds`): the venue's hours and time zone (and currency and
/// locale where the venue carries them), its staff, rooms, closures, and the services of its
/// catalogue with its overrides; plus the account's booking webhook (`webhook`, unless
/// `syncBookings: false`). What the contract has no room for is said in notes.
public struct VenueMapping: Sendable {
    public let market: VenueMarket
    /// The provider's name, for notes and diagnostics.
    public let providerName: String

    public init(market: VenueMarket, providerName: String) {
        self.market = market
        self.providerName = providerName
    }

    /// Establishment name → venue id, for the establishments the Integration covers.
    public static func venues(_ integration: Integration, _ state: DesiredState) -> [(establishment: Establishment, venue: String)] {
        let ids = Dictionary(SettingsReader(integration.settings?.value).map("venueIds") ?? [], uniquingKeysWith: { a, _ in a })
        return state.establishments(of: integration).compactMap { establishment in ids[establishment.metadata.name].map { (establishment, $0) } }
    }

    /// The venue's currency: its country's (Planity), or the Organization's (Treatwell sets it).
    public func currency(of establishment: Establishment, in state: DesiredState) -> String {
        if market.venueSetsCurrencyAndLocale { return (state.organization?.defaults ?? Organization.standardDefaults).currency.code }
        return market.currencies[establishment.address.country.uppercased()] ?? "EUR"
    }

    public func project(_ integration: Integration, _ state: DesiredState) -> Projection {
        var projection = Projection()
        let defaults = state.organization?.defaults ?? Organization.standardDefaults
        var buffered: [String: Int] = [:], described = Set<String>()
        for (establishment, venue) in Self.venues(integration, state) {
            let place = establishment.metadata.name
            var fields: [String: FieldValue] = [
                "openingHours": OpeningHoursField.value(establishment.hours), "timeZone": .string(state.effectiveTimezone(of: establishment)),
            ]
            if market.venueSetsCurrencyAndLocale {
                fields["currency"] = .string(currency(of: establishment, in: state))
                fields["locale"] = .string(defaults.locale)
            }
            projection.resources.append(
                DesiredResource(kind: "venue", key: place, establishment: place, title: establishment.displayName, fields: fields, remoteID: venue))
            for member in establishment.staff {
                projection.resources.append(
                    DesiredResource(
                        kind: "staff", key: "\(place)/\(member.name)", establishment: place, title: member.displayName,
                        fields: ["name": .string(member.displayName), "role": text(member.role), "email": text(member.email)],
                        naturalKey: "\(venue):\(member.displayName)"))
            }
            for room in establishment.rooms {
                let name = room.displayName ?? room.name
                projection.resources.append(
                    DesiredResource(
                        kind: "room", key: "\(place)/\(room.name)", establishment: place, title: name,
                        fields: ["name": .string(name), "capacity": .int(Int64(room.capacity))], naturalKey: "\(venue):\(name)"))
            }
            for offered in state.offeredServices(at: establishment) {
                let service = offered.service, name = service.metadata.name
                var references: [String: ResourceRef] = [:]
                for member in establishment.staff where member.services.contains(where: { $0.value == name }) {
                    references["staff:\(member.name)"] = ResourceRef("staff", "\(place)/\(member.name)")
                }
                for room in establishment.rooms where room.services.contains(where: { $0.value == name }) {
                    references["room:\(room.name)"] = ResourceRef("room", "\(place)/\(room.name)")
                }
                projection.resources.append(
                    DesiredResource(
                        kind: "service", key: "\(place)/\(name)", establishment: place, title: service.displayName,
                        fields: [
                            "name": .string(service.displayName), "category": .string(service.category),
                            "durationMinutes": .int(Int64(offered.duration.minutes)), "price.amount": .int(offered.price.minorUnits),
                            "price.currency": .string(offered.price.currency.code), "vatRate": .int(Int64(service.vatRate.basisPoints)),
                            "bookable": .bool(service.bookableOnline),
                        ],
                        references: references, naturalKey: "\(venue):\(service.displayName)"))
                if let buffer = service.bufferAfter { buffered[name] = buffer.minutes }
                if service.description != nil { described.insert(name) }
            }
            for closure in establishment.closures {
                projection.resources.append(
                    DesiredResource(
                        kind: "closure", key: "\(place)@\(closure.from)", establishment: place, title: "Fermeture du \(closure.from.french)",
                        fields: ["startDate": .string(closure.from.description), "endDate": .string(closure.to.description), "reason": text(closure.reason)],
                        naturalKey: "\(venue):\(closure.from)"))
            }
        }
        projection.resources += webhook(integration)
        projection.notes += notes(buffered: buffered, described: described, any: !projection.resources.isEmpty)
        return projection
    }

    func text(_ value: String?) -> FieldValue { value.map(FieldValue.string) ?? .null }

    func webhook(_ integration: Integration) -> [DesiredResource] {
        let settings = SettingsReader(integration.settings?.value)
        guard settings.bool("syncBookings") != false, let url = settings.string("webhook", "url") else { return [] }
        let events = (settings.strings("webhook", "events") ?? ["booking.created", "booking.updated", "booking.cancelled"]).sorted()
        return [
            DesiredResource(
                kind: "webhook", key: "webhook", title: url, fields: ["url": .string(url), "events": .list(events.map(FieldValue.string))], naturalKey: url)
        ]
    }

    func notes(buffered: [String: Int], described: Set<String>, any: Bool) -> [PlanNote] {
        var notes = buffered.keys.sorted().map { name in
            PlanNote(
                kind: "service", key: nil,
                "\(name): the \(buffered[name]!) min after the service (bufferAfter) has no field at \(providerName) and is not published; block it in its diary")
        }
        if !described.isEmpty {
            notes.append(PlanNote(kind: "service", "\(providerName) holds no service description: \(described.count) description(s) not published"))
        }
        if any {
            notes.append(
                PlanNote(
                    kind: "venue",
                    "\(providerName) keeps each venue's name, address and contact details itself: SalonOps sets hours and closures, not those; products and offers are not published there"
                ))
        }
        return notes
    }
}
