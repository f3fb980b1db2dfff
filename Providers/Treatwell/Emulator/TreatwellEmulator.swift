import SalonOpsEmulatorKit

/// Treatwell's emulator: the assumed venue contract (docs/assumed-venue-api.md) as Treatwell
/// would serve it: venues in its 13 countries, each with a writable currency (its country's) and
/// locale; 5 requests a second per key, 10 in any one second.
public enum TreatwellEmulator {
    public static let profile = VenueAPIProfile(
        id: "treatwell",
        currencies: [
            "GB": "GBP", "IE": "EUR", "FR": "EUR", "DE": "EUR", "AT": "EUR", "CH": "CHF", "NL": "EUR", "BE": "EUR", "ES": "EUR", "IT": "EUR",
            "PT": "EUR", "LT": "EUR", "LV": "EUR",
        ], venueCurrencyWritable: true, requestsPerSecond: 5, burst: 10)

    public static func make(settings: EmulatorSettings) throws -> VenueAPIEmulator { try VenueAPIEmulator(profile: profile, settings: settings) }
}
