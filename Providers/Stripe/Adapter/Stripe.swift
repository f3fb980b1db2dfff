import SalonOpsProviderKit

/// Stripe, declared in one value: catalogue entry, traits and connect.
public enum Stripe: ProviderModule {
    public static let spec = ProviderSpec(
        id: "stripe", displayName: "Stripe", credentials: ["secretKey"],
        settings: [
            .webhook,
            SettingField("publish", .object([SettingField("services", .bool), SettingField("products", .bool), SettingField("offers", .bool)])),
            SettingField("statementDescriptor", .string),
        ],
        kinds: StripeKinds.all.map(\.kind),
        credentialHelp: [
            "secretKey":
                "Stripe Dashboard → Developers → API keys: the secret key (sk_live_…, or sk_test_… in test mode), or a restricted key (rk_…) with write access to Products, Prices, Coupons, Tax rates and Webhook endpoints"
        ])

    /// Test mode allows 25 read and 25 write requests a second, live mode 100
    /// (https://docs.stripe.com/rate-limits): pace at the lower.
    public static let traits = ProviderTraits(
        endpoints: [Endpoint("api", "https://api.stripe.com")],
        auth: .bearer("secretKey"),
        rate: RatePolicy(requestsPerSecond: 25, burst: 25, maxInFlight: 8),
        classify: StripeWire.classify)

    /// Options (tests against a partial peer): `kinds=product,coupon` limits the kinds managed;
    /// `omit=coupon.name` never sends nor compares those fields; `pageSize=N` lists N a page
    /// (Stripe's maximum, 100, otherwise), to page cheaply.
    public static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter {
        let all = Set(StripeKinds.all.map(\.name))
        let kinds = context.options["kinds"].map { Set($0.split(separator: ",").map(String.init)) } ?? all
        let omitted = context.options["omit"].map { Set($0.split(separator: ",").map(String.init)) } ?? []
        return StripeAdapter(
            integration: integration, owner: context.owner, managed: kinds.intersection(all), omitted: omitted,
            pageSize: context.options["pageSize"].flatMap(Int.init) ?? 100)
    }
}
