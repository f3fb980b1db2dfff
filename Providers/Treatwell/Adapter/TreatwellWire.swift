import SalonOpsProviderKit

/// Treatwell publishes no API (shared/notes/providers/booking.md §4): this file is the whole of
/// what SalonOps assumes of it, the shared assumed venue contract (docs/assumed-venue-api.md)
/// with Treatwell's parameters. A partner contract replaces this file and nothing else.
enum TreatwellWire {
    /// Its 13 countries, each venue with its currency and locale (set from the config).
    static let format = AssumedVenueWire(
        market: VenueMarket(
            currencies: [
                "GB": "GBP", "IE": "EUR", "FR": "EUR", "DE": "EUR", "AT": "EUR", "CH": "CHF", "NL": "EUR", "BE": "EUR", "ES": "EUR", "IT": "EUR",
                "PT": "EUR", "LT": "EUR", "LV": "EUR",
            ], venueSetsCurrencyAndLocale: true))

    static let endpoints = [Endpoint("api", "https://partners.treatwell.com")]

    /// Assumed: 5 requests a second per key, 10 in any one second. A token bucket of 4.5 a second
    /// with a burst of 5 never sends more than 9.5 in a second nor 275 in a minute.
    static let rate = RatePolicy(requestsPerSecond: 4.5, burst: 5, maxInFlight: 5)
}
