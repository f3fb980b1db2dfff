import SalonOpsEmulatorKit

/// Planity's emulator: the assumed venue contract (docs/assumed-venue-api.md) as Planity would
/// serve it: venues in France and Belgium, in euros, currency fixed by the country; 10 requests a
/// second per key, 20 in any one second.
public enum PlanityEmulator {
    public static let profile = VenueAPIProfile(
        id: "planity", currencies: ["FR": "EUR", "BE": "EUR"], venueCurrencyWritable: false, requestsPerSecond: 10, burst: 20)

    public static func make(settings: EmulatorSettings) throws -> VenueAPIEmulator { try VenueAPIEmulator(profile: profile, settings: settings) }
}
