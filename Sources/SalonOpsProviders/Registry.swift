import SalonOpsBrevo
import SalonOpsBrevoEmulator
import SalonOpsEmulatorKit
import SalonOpsGoogleBusinessProfile
import SalonOpsGoogleBusinessProfileEmulator
import SalonOpsGoogleCalendar
import SalonOpsGoogleCalendarEmulator
import SalonOpsPlanity
import SalonOpsPlanityEmulator
import SalonOpsProviderKit
import SalonOpsStripe
import SalonOpsStripeEmulator
import SalonOpsTreatwell
import SalonOpsTreatwellEmulator

/// THE list of providers: one line each, module and emulator. A test checks it against the
/// folders under Providers/, the catalogue and docs/providers/.
public enum Registry {
    public static let entries: [(module: any ProviderModule.Type, emulator: @Sendable (EmulatorSettings) throws -> any ProviderEmulator)] = [
        (Brevo.self, { try BrevoEmulator(settings: $0) }),
        (GoogleBusinessProfile.self, { try GoogleBusinessProfileEmulator(settings: $0) }),
        (GoogleCalendar.self, { try GoogleCalendarEmulator(settings: $0) }),
        (Planity.self, { try PlanityEmulator.make(settings: $0) }),
        (Stripe.self, { StripeEmulator(seed: $0.seed) }),
        (Treatwell.self, { try TreatwellEmulator.make(settings: $0) }),
    ]

    public static var modules: [any ProviderModule.Type] { entries.map(\.module) }

    /// Every provider the engine can drive, and the catalogue entries of those still to come.
    public static var providers: ProviderSet { ProviderSet(modules: modules, planned: planned) }

    public static var catalog: ProviderCatalog { providers.catalog }

    /// Every emulator, each given its own options (`options[provider id]`).
    public static func emulators(seed: UInt64, options: [String: [String: String]] = [:]) throws -> [any ProviderEmulator] {
        try entries.map { try $0.emulator(EmulatorSettings(seed: seed, options: options[$0.module.spec.id] ?? [:])) }
    }

    /// Providers a config may already name (validated, shown « Non géré ») before their adapter
    /// exists; each moves to its own module when its issue is done.
    public static let planned: [ProviderSpec] = [
        ProviderSpec(
            id: "paypal", displayName: "PayPal", credentials: ["clientId", "clientSecret"],
            settings: [
                SettingField("environment", .oneOf(["sandbox", "live"])), .webhook,
            ]),
        ProviderSpec(
            id: "groupon", displayName: "Groupon", credentials: ["apiKey"],
            settings: [
                SettingField("merchantId", .string), SettingField("merchantIds", .establishmentMap(.string)), SettingField("redeemVouchers", .bool),
            ], validate: GrouponRules.validate),
        ProviderSpec(
            id: "twilio", displayName: "Twilio", credentials: ["accountSid", "authToken"],
            settings: [
                SettingField("messagingServiceName", .string), SettingField("smsSender", .string), SettingField("whatsappNumber", .string),
            ]),
        ProviderSpec(
            id: "meta", displayName: "Meta (Facebook/Instagram)", credentials: ["accessToken", "appSecret"],
            settings: [
                SettingField("pageId", .string), SettingField("instagramAccountId", .string),
            ]),
        ProviderSpec(
            id: "tiktok", displayName: "TikTok", credentials: ["accessToken"],
            settings: [
                SettingField("advertiserId", .string)
            ]),
        ProviderSpec(
            id: "quickbooks", displayName: "QuickBooks", credentials: ["clientId", "clientSecret", "refreshToken"],
            settings: [
                SettingField("realmId", .string, required: true), SettingField("environment", .oneOf(["sandbox", "production"])),
            ]),
        ProviderSpec(
            id: "pennylane", displayName: "Pennylane", credentials: ["apiToken"],
            settings: [
                SettingField("companyId", .string), SettingField("journalCode", .string),
            ]),
        ProviderSpec(
            id: "yousign", displayName: "Yousign", credentials: ["apiKey"],
            settings: [
                SettingField("environment", .oneOf(["sandbox", "production"])), SettingField("templates", .list(.string)),
            ]),
        ProviderSpec(
            id: "docusign", displayName: "DocuSign", credentials: ["integrationKey", "userId", "privateKey"],
            settings: [
                SettingField("accountId", .string, required: true), SettingField("environment", .oneOf(["demo", "production"])),
            ]),
        ProviderSpec(
            id: "shopify", displayName: "Shopify", credentials: ["accessToken"],
            settings: [
                SettingField("shopDomain", .string, required: true), SettingField("publishProducts", .bool),
            ]),
        ProviderSpec(
            id: "prestashop", displayName: "PrestaShop", credentials: ["webserviceKey"],
            settings: [
                SettingField("shopUrl", .url, required: true), SettingField("publishProducts", .bool),
            ]),
        ProviderSpec(
            id: "tripadvisor", displayName: "TripAdvisor", credentials: ["apiKey"],
            settings: [
                SettingField("locationIds", .establishmentMap(.string))
            ]),
        ProviderSpec(
            id: "yelp", displayName: "Yelp", credentials: ["apiKey"],
            settings: [
                SettingField("businessIds", .establishmentMap(.string))
            ]),
    ]
}
