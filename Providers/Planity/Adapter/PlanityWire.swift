import SalonOpsProviderKit

/// Planity publishes no API (shared/notes/providers/booking.md §3): this file is the whole of
/// what SalonOps assumes of it, the shared assumed venue contract (docs/assumed-venue-api.md)
/// with Planity's parameters. A partner contract replaces this file and nothing else.
enum PlanityWire {
    /// Venues in France and Belgium, in euros; a venue's currency and locale are Planity's own.
    static let format = AssumedVenueWire(market: VenueMarket(currencies: ["FR": "EUR", "BE": "EUR"], venueSetsCurrencyAndLocale: false))

    static let endpoints = [Endpoint("api", "https://partners.planity.com")]

    /// Assumed: 10 requests a second per key, 20 in any one second. A token bucket of 9.5 a second
    /// with a burst of 10 never sends more than 19.5 in a second nor 580 in a minute.
    static let rate = RatePolicy(requestsPerSecond: 9.5, burst: 10, maxInFlight: 8)
}
