import SalonOpsProviderKit

/// Google Calendar v3, declared in one value: catalogue entry, traits and connect
/// (docs/providers/google-calendar.md).
public enum GoogleCalendar: ProviderModule {
    public static let spec = ProviderSpec(
        id: "google-calendar", displayName: "Google Calendar", credentials: ["serviceAccountKey"],
        settings: [
            // The Workspace user the service account acts as (domain-wide delegation): it owns the
            // calendars ("Don't use a service account" as their owner: calendars.insert).
            SettingField("delegatedUser", .email, required: true),
            SettingField("calendarPerStaff", .bool), SettingField("calendarPerRoom", .bool),
            SettingField("calendarNamePrefix", .string), SettingField("blockClosures", .bool),
            // A Google group (the front desk) that reads every calendar.
            SettingField("readerGroup", .email),
        ],
        kinds: GoogleCalendarKinds.all,
        // One service account reaches every user of the domain: the user is the account.
        accountSettings: ["delegatedUser"], validate: GoogleCalendarMapping.validate,
        credentialHelp: [
            "serviceAccountKey":
                "Google Cloud console → IAM & Admin → Service accounts → the account → Keys → Add key → JSON; type @ and the downloaded file's path (@/path/key.json). Domain-wide delegation of the Calendar scope is granted in the Workspace admin console (Security → API controls)"
        ])

    /// "Per minute per user per project: 600", sliding window
    /// (https://developers.google.com/workspace/calendar/api/guides/quota): every request acts as
    /// the delegated user, so 9.9 a second with a burst of 5 stays under 600 in any minute.
    public static let traits = ProviderTraits(
        endpoints: [Endpoint("api", "https://www.googleapis.com/calendar/v3"), Endpoint("oauth", "https://oauth2.googleapis.com")],
        auth: .jwtBearer(
            JWTBearerGrant(
                tokenEndpoint: "oauth", tokenPath: "/token", keyCredential: "serviceAccountKey",
                scopes: ["https://www.googleapis.com/auth/calendar"], audience: "https://oauth2.googleapis.com/token",
                subjectSetting: "delegatedUser")),
        rate: RatePolicy(requestsPerSecond: 9.9, burst: 5, maxInFlight: 10),
        classify: GoogleCalendarWire.classify)

    /// Option (tests): `pageSize=N` lists N items a page instead of the maximum, to page cheaply.
    public static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter {
        GoogleCalendarAdapter(integration: integration, owner: context.owner, pageSize: context.options["pageSize"].flatMap(Int.init))
    }
}
