/// A venue marketplace's rules on the config, checked by `salonops validate` before any call:
/// every covered establishment bound to a venue, in a country the provider trades in, with
/// prices in the venue's currency and durations the contract accepts.
extension VenueMapping {
    public func validate(_ integration: Integration, _ state: DesiredState) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let name = integration.metadata.name
        let settingsAt = integration.settings?.location ?? integration.metadata.location
        let bound = Set(Self.venues(integration, state).map(\.establishment.metadata.name))
        for establishment in state.establishments(of: integration) {
            let place = establishment.metadata.name, at = establishment.metadata.location
            guard bound.contains(place) else {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: settingsAt, "Integration '\(name)': establishment '\(place)' has no \(providerName) venue id",
                        hint: "add '\(place): <venue id>' under settings.venueIds, or leave '\(place)' out of spec.establishments"))
                continue
            }
            let country = establishment.address.country.uppercased()
            guard let countryCurrency = market.currencies[country] else {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: at, "\(providerName) has no venues in '\(country)' (establishment '\(place)')",
                        hint: "\(providerName) trades in \(market.countries.joined(separator: ", ")); leave '\(place)' out of Integration '\(name)'"))
                continue
            }
            let currency = currency(of: establishment, in: state)
            if currency != countryCurrency {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: state.organization?.metadata.location ?? at,
                        "\(providerName) venue '\(place)' is in \(country), whose currency is \(countryCurrency), not \(currency)",
                        hint: "set the Organization's defaults.currency to \(countryCurrency), or leave '\(place)' out of Integration '\(name)'"))
            }
            for offered in state.offeredServices(at: establishment) {
                let service = offered.service
                let override = establishment.overrides.first {
                    if case .service(let ref) = $0.target { return ref.value == service.metadata.name }
                    return false
                }
                let where_ = override?.location ?? service.metadata.location
                if offered.price.currency.code != currency {
                    out.append(
                        Diagnostic(
                            .error, .providerRule, at: where_,
                            "'\(service.metadata.name)' costs \(offered.price) at '\(place)', whose \(providerName) venue sells in \(currency)",
                            hint: "give '\(place)' an override of '\(service.metadata.name)' priced in \(currency)"))
                }
                let minutes = offered.duration.minutes
                if minutes < 5 || minutes > 720 || minutes % 5 != 0 {
                    out.append(
                        Diagnostic(
                            .error, .providerRule, at: where_,
                            "'\(service.metadata.name)' lasts \(minutes) min at '\(place)': \(providerName) takes 5 to 720 minutes, in steps of 5",
                            hint: "round the duration to a multiple of 5 minutes"))
                }
            }
        }
        let settings = SettingsReader(integration.settings?.value)
        if settings.bool("syncBookings") == true, settings.string("webhook", "url") == nil {
            out.append(
                Diagnostic(
                    .warning, .providerRule, at: settingsAt, "Integration '\(name)': syncBookings is on but no webhook says where to send the bookings",
                    hint:
                        "add 'webhook: {url: https://<your app>/hooks/\(integration.provider.value), events: [booking.created, booking.updated, booking.cancelled]}' under settings"
                ))
        }
        return out
    }
}
