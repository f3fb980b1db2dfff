/// What each establishment's venue shows the public, for the consistency view: its weekly hours,
/// every day of its closures, and its services with price and duration. Objects SalonOps does
/// not own count too (the public sees them), named by the venue they sit in.
extension VenueAdapter {
    public func holdings(_ resources: [ObservedResource], in state: DesiredState) -> [String: Holdings] {
        let establishmentOfVenue = Dictionary(venues.map { ($0.venue, $0.establishment) }, uniquingKeysWith: { a, _ in a })
        // A resource the engine synthesized from a create may carry the key without the owner.
        func ours(_ resource: ObservedResource) -> Bool { resource.key != nil && (resource.owner == owner || resource.owner == nil) }
        func place(_ resource: ObservedResource) -> String? {
            if ours(resource), let key = resource.key, let end = key.firstIndex(where: { $0 == "/" || $0 == "@" }) ?? (resource.kind == "venue" ? key.endIndex : nil) {
                return String(key[..<end])
            }
            let venue = resource.kind == "venue" ? resource.remoteID : VenueResources.split(resource.remoteID).venue
            return venue.flatMap { establishmentOfVenue[$0] }
        }
        func text(_ value: FieldValue?) -> String? { if case .string(let s)? = value { return s }; return nil }
        func int(_ value: FieldValue?) -> Int64? { if case .int(let i)? = value { return i }; return nil }
        var held: [String: Holdings] = [:]
        for resource in resources where !resource.archived {
            guard let establishment = place(resource) else { continue }
            var holdings = held[establishment] ?? Holdings(hours: nil, closedDays: [], services: [])
            switch resource.kind {
            case "venue":
                holdings.hours = OpeningHoursField.holdings(resource.fields["openingHours"])
            case "closure":
                guard case .success(let from)? = text(resource.fields["startDate"]).map(LocalDate.parse),
                    case .success(let to)? = text(resource.fields["endDate"]).map(LocalDate.parse)
                else { continue }
                holdings.closedDays = Array(Set((holdings.closedDays ?? []) + LocalDate.days(from: from, through: to).map(\.description))).sorted()
            case "service":
                let catalogueName = ours(resource) ? resource.key.flatMap { $0.split(separator: "/", maxSplits: 1).last.map(String.init) } : nil
                let title = text(resource.fields["name"]) ?? resource.title
                holdings.services?.append(
                    HeldService(
                        name: catalogueName ?? "#\(resource.remoteID)", title: title, price: int(resource.fields["price.amount"]),
                        currency: text(resource.fields["price.currency"]), durationMinutes: int(resource.fields["durationMinutes"]).map(Int.init)))
            default: continue
            }
            held[establishment] = holdings
        }
        return held.mapValues { holdings in
            var sorted = holdings
            sorted.services = holdings.services?.sorted { ($0.name, $0.title) < ($1.name, $1.title) }
            return sorted
        }
    }
}
