import SalonOpsProviderKit

/// Planity, declared in one value: catalogue entry, traits and connect (docs/providers/planity.md).
/// One account, one venue per establishment.
public enum Planity: ProviderModule {
    static let mapping = VenueMapping(market: PlanityWire.format.market, providerName: "Planity")

    public static let spec = ProviderSpec(
        id: "planity", displayName: "Planity", credentials: ["apiKey"],
        settings: [
            SettingField("venueIds", .establishmentMap(.string), required: true), SettingField("syncBookings", .bool), .webhook,
        ],
        kinds: VenueKinds.all(PlanityWire.format.market), validate: { mapping.validate($0, $1) },
        credentialHelp: ["apiKey": "the partner API key Planity issues with the partner agreement (docs/assumed-venue-api.md: Planity publishes no self-serve API)"])

    public static let traits = ProviderTraits(
        endpoints: PlanityWire.endpoints, auth: .bearer("apiKey"), rate: PlanityWire.rate, classify: { PlanityWire.format.classify($0) })

    /// Options (tests): `pageSize=N`, `kinds=…` (VenueAdapter).
    public static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter {
        VenueAdapter(wire: PlanityWire.format, providerName: "Planity", integration: integration, context: context)
    }
}
