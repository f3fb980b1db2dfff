import SalonOpsProviderKit

/// Brevo (ex-Sendinblue) API v3, declared in one value: catalogue entry, traits and connect
/// (docs/providers/brevo.md).
public enum Brevo: ProviderModule {
    public static let spec = ProviderSpec(
        id: "brevo", displayName: "Brevo", credentials: ["apiKey"],
        settings: [
            SettingField("sender", .object([SettingField("name", .string), SettingField("email", .email, required: true)])),
            SettingField("contactLists", .list(.string)), SettingField("smsSender", .string),
            // The folder SalonOps keeps its lists in (default "SalonOps").
            SettingField("listFolder", .string),
            .webhook,
        ],
        kinds: BrevoKinds.all, validate: BrevoMapping.validate,
        credentialHelp: [
            "apiKey": "Brevo → your account menu → SMTP & API → API keys → Generate a new API key (xkeysib-…); it is shown once"
        ])

    /// Brevo's published limits, General tier (https://developers.brevo.com/docs/api-limits):
    /// `/v3/contacts/…` (folders, lists) 10 a second; `/v3/smtp/…` 300 an hour (the sending
    /// endpoint apart, at 1,000 a second); every other endpoint (senders, webhooks, account) 100
    /// an hour. The bucket paces contacts; the keyed windows the two hourly budgets, which the
    /// daemon's process-wide limiter keeps across runs.
    public static let traits = ProviderTraits(
        endpoints: [Endpoint("api", "https://api.brevo.com/v3")],
        auth: .header(name: "api-key", credential: "apiKey", prefix: ""),
        rate: RatePolicy(
            requestsPerSecond: 10, burst: 10, maxInFlight: 4,
            keyed: [
                KeyedLimit(prefix: BrevoWire.otherBudget, count: 100, per: .seconds(3600)),
                KeyedLimit(prefix: BrevoWire.smtpBudget, count: 300, per: .seconds(3600)),
            ]),
        classify: BrevoWire.classify)

    /// Option (tests): `pageSize=N` lists N folders or lists a page instead of Brevo's maximum
    /// (50), to page cheaply.
    public static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter {
        BrevoAdapter(
            integration: integration, owner: context.owner, organizationName: context.state.organization?.displayName,
            pageSize: context.options["pageSize"].flatMap(Int.init).map { min(max($0, 1), BrevoWire.maxPageSize) } ?? BrevoWire.maxPageSize)
    }
}

extension Brevo: EmailSending {
    /// `POST /smtp/email` (sendTransacEmail) from `settings.sender`: the sender must be one of
    /// the account's validated senders, which is what the `sender` kind keeps.
    public static func emailRequest(_ message: EmailMessage, integration: Integration) throws -> ProviderRequest {
        let settings = SettingsReader(integration.settings?.value)
        guard let email = settings.string("sender", "email") else {
            throw ProviderError(
                .invalid(field: "sender.email"),
                message: "Integration '\(integration.metadata.name)' has no settings.sender.email: Brevo sends only from a configured, validated sender")
        }
        guard !message.to.isEmpty else { throw ProviderError(.invalid(field: "to"), message: "an email needs at least one recipient") }
        var sender: [(String, JSONValue)] = [("email", .string(email))]
        if let name = settings.string("sender", "name") { sender.insert(("name", .string(name)), at: 0) }
        var body: [(String, JSONValue)] = [
            ("sender", .object(sender)),
            ("to", .array(message.to.map { .object([("email", .string($0))]) })),
            ("subject", .string(message.subject)),
            ("textContent", .string(message.text)),
        ]
        if let html = message.html { body.append(("htmlContent", .string(html))) }
        if !message.tags.isEmpty { body.append(("tags", .array(message.tags.map(JSONValue.string)))) }
        // Not retryable: Brevo takes no idempotency key, and a second send is a second email.
        return .json(.POST, "/smtp/email", .object(body), retryable: false)
    }
}
