import SalonOpsProviderKit

/// Treatwell, declared in one value: catalogue entry, traits and connect
/// (docs/providers/treatwell.md). One venue per establishment, each with its currency and locale.
public enum Treatwell: ProviderModule {
    static let mapping = VenueMapping(market: TreatwellWire.format.market, providerName: "Treatwell")

    public static let spec = ProviderSpec(
        id: "treatwell", displayName: "Treatwell", credentials: ["apiKey"],
        settings: [
            SettingField("venueIds", .establishmentMap(.string), required: true), SettingField("syncBookings", .bool), .webhook,
        ],
        kinds: VenueKinds.all(TreatwellWire.format.market), validate: { mapping.validate($0, $1) },
        credentialHelp: ["apiKey": "the partner API key Treatwell issues with the partner agreement (docs/assumed-venue-api.md: Treatwell publishes no self-serve API)"])

    public static let traits = ProviderTraits(
        endpoints: TreatwellWire.endpoints, auth: .bearer("apiKey"), rate: TreatwellWire.rate, classify: { TreatwellWire.format.classify($0) })

    /// Options (tests): `pageSize=N`, `kinds=…` (VenueAdapter).
    public static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter {
        VenueAdapter(wire: TreatwellWire.format, providerName: "Treatwell", integration: integration, context: context)
    }
}
