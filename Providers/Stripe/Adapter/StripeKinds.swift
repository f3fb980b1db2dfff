import SalonOpsProviderKit

/// Stripe's resource kinds as SalonOps manages them (https://docs.stripe.com/api): one spec per
/// kind holds everything about it, the diff rules and the wire facts.
struct StripeKind: Sendable {
    let kind: ResourceKind
    let path: String
    /// Fields read back from Stripe (dotted: `recurring.interval`).
    let observed: [String]
    /// Fields an update may set; the others are fixed once created.
    let updatable: Set<String>
    let references: [String]
    /// Whether Stripe takes a custom `id` (so a retried create finds its resource).
    let customID: Bool
    /// The lists that together hold every object of the kind. Products, plans and tax rates
    /// list active and archived alike when `active` is not given
    /// (docs.stripe.com/api/products/list, /plans/list, /tax_rates/list); prices list only
    /// the active ones unless `active=false` (docs.stripe.com/api/prices/list), so archived
    /// prices (replaced, pruned, or archived by hand: restored when wanted again) take a second.
    var filters: [String] = [""]

    var name: String { kind.name }
}

enum StripeKinds {
    static let product = StripeKind(
        kind: ResourceKind(
            name: "product", label: "produit",
            fields: ["name", "description", "active", "metadata"],
            // Products with prices cannot be deleted: they are archived (active=false).
            removal: .archive(field: "active"),
            fieldLabels: ["name": "nom", "description": "description", "metadata.category": "catégorie", "metadata.duration": "durée"]),
        path: "/v1/products", observed: ["name", "description", "active"], updatable: ["name", "description", "active"], references: [],
        customID: true)

    static let price = StripeKind(
        kind: ResourceKind(
            name: "price", label: "prix",
            fields: ["active", "product"],
            // Stripe: amount, currency and recurrence of a price never change; a new price takes
            // over the lookup key and the old one is archived.
            immutableFields: ["unit_amount", "currency", "recurring.interval", "product", "tax_behavior"],
            dependsOn: ["product"], removal: .archive(field: "active"),
            moneyFields: ["unit_amount": "currency"],
            fieldLabels: ["unit_amount": "prix", "nickname": "libellé", "lookup_key": "clé"]),
        path: "/v1/prices", observed: ["unit_amount", "currency", "tax_behavior", "lookup_key", "active", "nickname", "recurring.interval"],
        updatable: ["nickname", "active", "lookup_key"], references: ["product"], customID: false, filters: ["", "active=false"])

    static let plan = StripeKind(
        kind: ResourceKind(
            name: "plan", label: "abonnement",
            fields: ["active"],
            immutableFields: ["amount", "currency", "interval", "product"],
            dependsOn: ["product"], removal: .delete,
            moneyFields: ["amount": "currency"],
            fieldLabels: ["amount": "prix de l'abonnement", "nickname": "libellé", "interval": "périodicité"]),
        path: "/v1/plans", observed: ["amount", "currency", "interval", "nickname", "active"], updatable: ["nickname", "active"],
        references: ["product"], customID: true)

    static let coupon = StripeKind(
        kind: ResourceKind(
            name: "coupon", label: "coupon",
            fields: ["name"],
            // Only name and metadata of a coupon can be updated.
            immutableFields: ["percent_off", "amount_off", "currency", "duration", "duration_in_months", "max_redemptions", "redeem_by"],
            removal: .delete,
            moneyFields: ["amount_off": "currency"],
            fieldLabels: ["name": "nom", "percent_off": "remise (%)", "amount_off": "remise", "redeem_by": "date limite"]),
        path: "/v1/coupons", observed: ["name", "percent_off", "amount_off", "currency", "duration", "duration_in_months", "max_redemptions", "redeem_by"],
        updatable: ["name"], references: [], customID: true)

    static let taxRate = StripeKind(
        kind: ResourceKind(
            name: "tax_rate", label: "taux de TVA",
            fields: ["display_name", "description", "active"],
            immutableFields: ["percentage", "inclusive"],
            removal: .archive(field: "active"),
            fieldLabels: ["display_name": "nom", "percentage": "taux", "description": "description"]),
        path: "/v1/tax_rates", observed: ["display_name", "description", "percentage", "inclusive", "country", "active"],
        updatable: ["display_name", "description", "active", "country"], references: [], customID: false)

    static let webhookEndpoint = StripeKind(
        kind: ResourceKind(
            name: "webhook_endpoint", label: "webhook",
            fields: ["url", "enabled_events"],
            // The signing secret is returned once, at creation: stored encrypted, never compared.
            writeOnlyFields: ["secret"],
            removal: .delete,
            fieldLabels: ["url": "adresse", "enabled_events": "événements"]),
        path: "/v1/webhook_endpoints", observed: ["url", "enabled_events", "description"], updatable: ["url", "enabled_events", "description"],
        references: [], customID: false)

    static let all = [product, price, plan, coupon, taxRate, webhookEndpoint]
    static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Marker keys in `metadata`, kept out of the compared fields.
    static let ownerKey = Markers.ownerName
    static let idKey = Markers.keyName
    static let digestKey = Markers.digestName
}
