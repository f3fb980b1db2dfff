import SalonOpsProviderKit

/// Google Business Profile (Business Information v1 and Account Management v1), declared in one
/// value: catalogue entry, traits and connect (docs/providers/google-business-profile.md).
public enum GoogleBusinessProfile: ProviderModule {
    public static let spec = ProviderSpec(
        id: "google-business-profile", displayName: "Google Business Profile",
        // OAuth 2.0 of a user who manages the locations (offline consent: a refresh token);
        // Business Profile has no service-account access of its own.
        credentials: ["clientId", "clientSecret", "refreshToken"],
        settings: [
            SettingField("accountId", .string, required: true),
            SettingField("locationIds", .establishmentMap(.string), required: true),
            SettingField("publishHours", .bool), SettingField("publishPhone", .bool), SettingField("publishWebsite", .bool),
            SettingField("publishServices", .bool), SettingField("descriptions", .establishmentMap(.string)),
        ],
        kinds: GoogleBusinessProfileKinds.all,
        // One Google user reaches every account it manages: the account is the user's grant
        // and the Business Profile account.
        accountSettings: ["accountId"], validate: GoogleBusinessProfileMapping.validate,
        credentialHelp: [
            "clientId": "Google Cloud console → APIs & Services → Credentials → the OAuth 2.0 client (Desktop or Web): its client ID",
            "clientSecret": "the same OAuth 2.0 client: its client secret",
            "refreshToken":
                "a refresh token for the Google user who manages the locations, granted the business.manage scope (OAuth consent with access_type=offline)",
        ])

    /// "300 QPM" per API and project, and "Edits: 10 per minute per Google Business Profile
    /// (cannot be increased)" (https://developers.google.com/my-business/content/limits): a
    /// keyed limit per location on every PATCH.
    public static let traits = ProviderTraits(
        endpoints: [
            Endpoint("api", "https://mybusinessbusinessinformation.googleapis.com"),
            Endpoint("accounts", "https://mybusinessaccountmanagement.googleapis.com"),
            Endpoint("oauth", "https://oauth2.googleapis.com"),
        ],
        auth: .refreshToken(
            OAuth2Grant(
                tokenEndpoint: "oauth", tokenPath: "/token", clientID: "clientId", clientSecret: "clientSecret",
                scopes: ["https://www.googleapis.com/auth/business.manage"]),
            refreshToken: "refreshToken"),
        rate: RatePolicy(requestsPerSecond: 4.9, burst: 5, maxInFlight: 5, keyed: [KeyedLimit(prefix: "edits:", count: 10, per: .seconds(60))]),
        classify: GoogleBusinessProfileWire.classify)

    /// Option (tests): `pageSize=N` lists N locations a page instead of 100, to page cheaply.
    public static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter {
        let settings = context.settings(integration)
        guard let account = settings.string("accountId") else {
            throw ProviderError(.permanent, message: "Integration '\(integration.metadata.name)' has no accountId")
        }
        return GoogleBusinessProfileAdapter(
            integration: integration, owner: context.owner, account: account, pageSize: context.options["pageSize"].flatMap(Int.init))
    }
}
