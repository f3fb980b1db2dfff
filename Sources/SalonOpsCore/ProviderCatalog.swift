/// The providers SalonOps knows, what credentials each needs and the shape of its `settings`.
/// Each provider's issue refines its entry; the loader checks every Integration against it.
public indirect enum SettingType: Sendable, Hashable {
    case string
    case bool
    case int
    /// An absolute URL; `https` unless `allowHTTP` (local peers).
    case url
    case email
    case oneOf([String])
    case list(SettingType)
    case object([SettingField])
    /// A map whose keys are establishment names, e.g. one Planity venue id per establishment.
    case establishmentMap(SettingType)

    var description: String {
        switch self {
        case .string: "a text value"
        case .bool: "true or false"
        case .int: "a whole number"
        case .url: "an https URL"
        case .email: "an email address"
        case .oneOf(let values): "one of \(values.joined(separator: ", "))"
        case .list: "a list"
        case .object: "a mapping"
        case .establishmentMap: "a mapping from establishment names to values"
        }
    }
}

public struct SettingField: Sendable, Hashable {
    public let name: String
    public let type: SettingType
    public let required: Bool

    public init(_ name: String, _ type: SettingType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }
}

public struct ProviderSpec: Sendable, Hashable {
    /// The value of `spec.provider`.
    public let id: String
    /// The name shown to people ("Google Business Profile").
    public let displayName: String
    /// Credential names an enabled integration must reference.
    public let credentials: [String]
    public let settings: [SettingField]
}

public enum ProviderCatalog {
    static let webhook = SettingField("webhook", .object([SettingField("url", .url, required: true), SettingField("events", .list(.string))]))

    public static let all: [ProviderSpec] = [
        ProviderSpec(id: "stripe", displayName: "Stripe", credentials: ["secretKey"], settings: [
            webhook,
            SettingField("publish", .object([SettingField("services", .bool), SettingField("products", .bool), SettingField("offers", .bool)])),
            SettingField("statementDescriptor", .string),
        ]),
        ProviderSpec(id: "paypal", displayName: "PayPal", credentials: ["clientId", "clientSecret"], settings: [
            SettingField("environment", .oneOf(["sandbox", "live"])), webhook,
        ]),
        ProviderSpec(id: "planity", displayName: "Planity", credentials: ["apiKey"], settings: [
            SettingField("venueIds", .establishmentMap(.string)), SettingField("syncBookings", .bool),
        ]),
        ProviderSpec(id: "treatwell", displayName: "Treatwell", credentials: ["apiKey"], settings: [
            SettingField("venueIds", .establishmentMap(.string)), SettingField("syncBookings", .bool),
        ]),
        ProviderSpec(id: "groupon", displayName: "Groupon", credentials: ["apiKey"], settings: [
            SettingField("merchantId", .string), SettingField("redeemVouchers", .bool),
        ]),
        ProviderSpec(id: "google-calendar", displayName: "Google Calendar", credentials: ["serviceAccountKey"], settings: [
            SettingField("calendarPerStaff", .bool), SettingField("calendarNamePrefix", .string), SettingField("blockClosures", .bool),
        ]),
        ProviderSpec(id: "brevo", displayName: "Brevo", credentials: ["apiKey"], settings: [
            SettingField("sender", .object([SettingField("name", .string), SettingField("email", .email, required: true)])),
            SettingField("contactLists", .list(.string)), SettingField("smsSender", .string),
        ]),
        ProviderSpec(id: "twilio", displayName: "Twilio", credentials: ["accountSid", "authToken"], settings: [
            SettingField("messagingServiceName", .string), SettingField("smsSender", .string), SettingField("whatsappNumber", .string),
        ]),
        ProviderSpec(id: "meta", displayName: "Meta (Facebook/Instagram)", credentials: ["accessToken", "appSecret"], settings: [
            SettingField("pageId", .string), SettingField("instagramAccountId", .string),
        ]),
        ProviderSpec(id: "tiktok", displayName: "TikTok", credentials: ["accessToken"], settings: [
            SettingField("advertiserId", .string),
        ]),
        ProviderSpec(id: "quickbooks", displayName: "QuickBooks", credentials: ["clientId", "clientSecret", "refreshToken"], settings: [
            SettingField("realmId", .string, required: true), SettingField("environment", .oneOf(["sandbox", "production"])),
        ]),
        ProviderSpec(id: "pennylane", displayName: "Pennylane", credentials: ["apiToken"], settings: [
            SettingField("companyId", .string), SettingField("journalCode", .string),
        ]),
        ProviderSpec(id: "yousign", displayName: "Yousign", credentials: ["apiKey"], settings: [
            SettingField("environment", .oneOf(["sandbox", "production"])), SettingField("templates", .list(.string)),
        ]),
        ProviderSpec(id: "docusign", displayName: "DocuSign", credentials: ["integrationKey", "userId", "privateKey"], settings: [
            SettingField("accountId", .string, required: true), SettingField("environment", .oneOf(["demo", "production"])),
        ]),
        ProviderSpec(id: "shopify", displayName: "Shopify", credentials: ["accessToken"], settings: [
            SettingField("shopDomain", .string, required: true), SettingField("publishProducts", .bool),
        ]),
        ProviderSpec(id: "prestashop", displayName: "PrestaShop", credentials: ["webserviceKey"], settings: [
            SettingField("shopUrl", .url, required: true), SettingField("publishProducts", .bool),
        ]),
        ProviderSpec(id: "google-business-profile", displayName: "Google Business Profile", credentials: ["serviceAccountKey"], settings: [
            SettingField("accountId", .string, required: true), SettingField("locationIds", .establishmentMap(.string)), SettingField("publishHours", .bool),
        ]),
        ProviderSpec(id: "tripadvisor", displayName: "TripAdvisor", credentials: ["apiKey"], settings: [
            SettingField("locationIds", .establishmentMap(.string)),
        ]),
        ProviderSpec(id: "yelp", displayName: "Yelp", credentials: ["apiKey"], settings: [
            SettingField("businessIds", .establishmentMap(.string)),
        ]),
    ]

    public static let byID: [String: ProviderSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    public static func spec(_ id: String) -> ProviderSpec? { byID[id] }
}
