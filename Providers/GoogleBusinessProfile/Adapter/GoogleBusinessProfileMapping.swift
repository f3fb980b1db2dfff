import Foundation
import SalonOpsProviderKit

/// The config projected into Google Business Profile (pure): for each establishment the
/// Integration covers, its location (bound by `locationIds`) with
/// - `regularHours` from the establishment's hours and `specialHours` from its closures, one
///   closed day each (`publishHours`, default on);
/// - `phoneNumbers.primaryPhone` (`publishPhone`), `websiteUri` (`publishWebsite`) and
///   `profile.description` (`descriptions.<establishment>`) where the Integration publishes them;
/// - a free-form service item per catalogue service it sells (`publishServices`): name and
///   price; GBP has no field for the duration or the VAT, which the plan's notes say.
enum GoogleBusinessProfileMapping {
    struct Options {
        var hours: Bool
        var phone: Bool
        var website: Bool
        var services: Bool

        init(_ settings: SettingsReader) {
            hours = settings.bool("publishHours") ?? true
            phone = settings.bool("publishPhone") ?? false
            website = settings.bool("publishWebsite") ?? false
            services = settings.bool("publishServices") ?? false
        }
    }

    static func project(_ integration: Integration, _ state: DesiredState) -> Projection {
        let settings = SettingsReader(integration.settings?.value)
        let options = Options(settings)
        let locations = Dictionary(settings.map("locationIds") ?? [], uniquingKeysWith: { a, _ in a })
        let descriptions = Dictionary(settings.map("descriptions") ?? [], uniquingKeysWith: { a, _ in a })
        var projection = Projection()
        for establishment in state.establishments(of: integration) {
            let name = establishment.metadata.name
            // validate names an establishment with no location; the plan has nothing to bind.
            guard let location = locations[name] else { continue }
            var fields: [String: FieldValue] = [:]
            if options.hours {
                fields["regularHours"] = OpeningHoursField.value(establishment.hours)
                fields["specialHours"] = GoogleBusinessProfileWire.specialHours(closedDays: Holdings.closedDays(establishment.closures))
            }
            // An establishment without one leaves the listing's as it is: the primary phone
            // cannot be emptied, and nothing says the website should be.
            if options.phone, let phone = establishment.phone { fields["phoneNumbers.primaryPhone"] = .string(phone) }
            if options.website, let website = establishment.website { fields["websiteUri"] = .string(website) }
            if let description = descriptions[name] { fields["profile.description"] = .string(description) }
            if options.services {
                // In the order observe reads them back: by name.
                let offered = state.offeredServices(at: establishment).sorted { $0.service.displayName < $1.service.displayName }
                fields["serviceItems"] = .list(offered.map { GoogleBusinessProfileWire.serviceItem(name: $0.service.displayName, price: $0.price) })
            }
            projection.resources.append(
                DesiredResource(
                    kind: "location", key: name, establishment: name, title: "\(establishment.displayName) (\(location))", fields: fields,
                    remoteID: location))
        }
        guard !projection.resources.isEmpty else { return projection }
        if options.services {
            projection.notes.append(
                PlanNote(
                    kind: "location",
                    "Google Business Profile lists each service with its name and price only: it has no field for the duration or the VAT rate, which stay in the catalogue"
                ))
        }
        projection.notes.append(
            PlanNote(
                kind: "location",
                "Google Business Profile shows each closure as closed days (special hours, one a day); staff and rooms are not published there"))
        return projection
    }

    // MARK: validate

    /// GBP's own rules, before any call (spec `TimePeriod`, `SpecialHourPeriod`, `Location`).
    static func validate(_ integration: Integration, _ state: DesiredState) -> [Diagnostic] {
        let settings = SettingsReader(integration.settings?.value)
        let options = Options(settings)
        let fallback = integration.settings?.location ?? integration.metadata.location
        let label = "Integration '\(integration.metadata.name)'"
        var out: [Diagnostic] = []
        if let account = settings.string("accountId"), !matches(account, prefix: "accounts/") {
            out.append(
                Diagnostic(
                    .error, .providerRule, at: settings.location("accountId") ?? fallback, "\(label): accountId '\(account)' is not a Business Profile account name",
                    hint: "write it as GBP names it, 'accounts/<digits>' (Business Profile Manager, or accounts.list)"))
        }
        let locations = settings.map("locationIds") ?? []
        for (establishment, location) in locations where !matches(location, prefix: "locations/") {
            out.append(
                Diagnostic(
                    .error, .providerRule, at: settings.location("locationIds", establishment) ?? fallback,
                    "\(label): location '\(location)' of '\(establishment)' is not a Business Profile location name",
                    hint: "write it as 'locations/<digits>' (accounts.locations.list gives each location's name)"))
        }
        let bound = Set(locations.map(\.0))
        for establishment in state.establishments(of: integration) {
            let name = establishment.metadata.name
            guard bound.contains(name) else {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: settings.location("locationIds") ?? fallback,
                        "\(label): establishment '\(name)' has no location in locationIds, and Business Profile locations are never created by SalonOps",
                        hint: "add '\(name): locations/<id>' under locationIds, or leave '\(name)' out of the Integration's establishments"))
                continue
            }
            out += rules(establishment, options: options, description: settings.string("descriptions", name), label: label)
        }
        return out
    }

    static func matches(_ text: String, prefix: String) -> Bool {
        text.hasPrefix(prefix) && text.count > prefix.count && text.dropFirst(prefix.count).allSatisfy(\.isNumber)
    }

    static func rules(_ establishment: Establishment, options: Options, description: String?, label: String) -> [Diagnostic] {
        let at = establishment.metadata.location
        let name = establishment.metadata.name
        var out: [Diagnostic] = []
        if options.hours {
            let open = establishment.hours.values.contains { !$0.isEmpty }
            if !open, let first = establishment.closures.first {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: first.location,
                        "\(label): '\(name)' has closures but no opening hours; Business Profile refuses special hours without regular hours (SPECIAL_HOURS_SET_WITHOUT_REGULAR_HOURS)",
                        hint: "declare the establishment's weekly hours, or set 'publishHours: false'"))
            }
            for closure in establishment.closures where LocalDate.days(from: closure.from, through: closure.to).count > 366 {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: closure.location,
                        "\(label): the closure from \(closure.from) to \(closure.to) of '\(name)' is longer than a year; Business Profile holds one special period a day",
                        hint: "for a closure that long, mark the location closed temporarily in Business Profile and remove the closure here"))
            }
        }
        if options.phone, let phone = establishment.phone, !isE164(phone) {
            out.append(
                Diagnostic(
                    .error, .providerRule, at: at, "\(label): the phone number of '\(name)' is not one Business Profile accepts (INVALID_PHONE_NUMBER)",
                    hint: "write it in international form, '+33 1 43 55 12 34' or '+33143551234'"))
        }
        if options.website, let website = establishment.website, !(website.hasPrefix("https://") || website.hasPrefix("http://")) {
            out.append(
                Diagnostic(
                    .error, .providerRule, at: at, "\(label): the website of '\(name)' must be an http(s) URL for Business Profile",
                    hint: "write it in full, 'https://www.example.fr/…'"))
        }
        if let description, description.count > 750 {
            out.append(
                Diagnostic(
                    .error, .providerRule, at: at,
                    "\(label): the description of '\(name)' has \(description.count) characters; Business Profile takes at most 750 (STRING_TOO_LONG)",
                    hint: "shorten it under descriptions.\(name)"))
        }
        return out
    }

    static func isE164(_ phone: String) -> Bool {
        let digits = phone.filter { !" .-()".contains($0) }
        return digits.hasPrefix("+") && (8...16).contains(digits.count) && digits.dropFirst().allSatisfy(\.isNumber)
    }

    // MARK: holdings

    /// What each bound location shows, in the config's terms: hours and closed days when the
    /// Integration publishes them, services by name with their price (no duration: GBP has none).
    static func holdings(_ resources: [ObservedResource], integration: Integration, state: DesiredState) -> [String: Holdings] {
        let settings = SettingsReader(integration.settings?.value)
        let options = Options(settings)
        let byLocation = Dictionary((settings.map("locationIds") ?? []).map { ($0.1, $0.0) }, uniquingKeysWith: { a, _ in a })
        let serviceNames = Dictionary(state.services.map { ($0.displayName, $0.metadata.name) }, uniquingKeysWith: { a, _ in a })
        var out: [String: Holdings] = [:]
        for resource in resources where resource.kind == "location" {
            guard let establishment = byLocation[resource.remoteID], state.establishments(of: integration).contains(where: { $0.metadata.name == establishment }) else {
                continue
            }
            var holdings = Holdings()
            if options.hours {
                holdings.hours = OpeningHoursField.holdings(resource.fields["regularHours"])
                holdings.closedDays = closedDays(resource.fields["specialHours"])
            }
            if options.services, case .list(let items)? = resource.fields["serviceItems"] {
                holdings.services = items.compactMap { item -> HeldService? in
                    guard case .object(let entries) = item, case .string(let label)? = entries.first(where: { $0.name == "label" })?.value else { return nil }
                    var service = HeldService(name: serviceNames[label] ?? label, title: label)
                    if case .int(let price)? = entries.first(where: { $0.name == "price" })?.value { service.price = price }
                    if case .string(let code)? = entries.first(where: { $0.name == "currency" })?.value { service.currency = code }
                    return service
                }.sorted { $0.name < $1.name }
            }
            out[establishment] = holdings
        }
        return out
    }

    static func closedDays(_ value: FieldValue?) -> [String]? {
        guard case .list(let items)? = value else { return nil }
        return items.compactMap { item -> String? in
            guard case .object(let entries) = item, case .bool(true)? = entries.first(where: { $0.name == "closed" })?.value,
                case .string(let date)? = entries.first(where: { $0.name == "date" })?.value
            else { return nil }
            return date
        }.sorted()
    }
}
