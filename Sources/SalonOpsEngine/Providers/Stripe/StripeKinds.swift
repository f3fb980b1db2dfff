import SalonOpsCore

/// Stripe's resource kinds as SalonOps manages them (https://docs.stripe.com/api).
enum StripeKinds {
    static let product = ResourceKind(
        name: "product", label: "produit",
        // Products with prices cannot be deleted: they are archived (active=false).
        removal: .archive(field: "active"),
        fieldLabels: ["name": "nom", "description": "description", "metadata.category": "catégorie", "metadata.duration": "durée"])

    static let price = ResourceKind(
        name: "price", label: "prix",
        // Stripe: amount, currency and recurrence of a price never change; a new price takes
        // over the lookup key and the old one is archived.
        immutableFields: ["unit_amount", "currency", "recurring.interval", "product", "tax_behavior"],
        dependsOn: ["product"], removal: .archive(field: "active"),
        moneyFields: ["unit_amount": "currency"],
        fieldLabels: ["unit_amount": "prix", "nickname": "libellé", "lookup_key": "clé"])

    static let plan = ResourceKind(
        name: "plan", label: "abonnement",
        immutableFields: ["amount", "currency", "interval", "product"],
        dependsOn: ["product"], removal: .delete,
        moneyFields: ["amount": "currency"],
        fieldLabels: ["amount": "prix de l'abonnement", "nickname": "libellé", "interval": "périodicité"])

    static let coupon = ResourceKind(
        name: "coupon", label: "coupon",
        // Only name and metadata of a coupon can be updated.
        immutableFields: ["percent_off", "amount_off", "currency", "duration", "duration_in_months", "max_redemptions", "redeem_by"],
        removal: .delete,
        moneyFields: ["amount_off": "currency"],
        fieldLabels: ["name": "nom", "percent_off": "remise (%)", "amount_off": "remise", "redeem_by": "date limite"])

    static let taxRate = ResourceKind(
        name: "tax_rate", label: "taux de TVA",
        immutableFields: ["percentage", "inclusive"],
        removal: .archive(field: "active"),
        fieldLabels: ["display_name": "nom", "percentage": "taux", "description": "description"])

    static let webhookEndpoint = ResourceKind(
        name: "webhook_endpoint", label: "webhook",
        // The signing secret is returned once, at creation: stored encrypted, never compared.
        writeOnlyFields: ["secret"],
        removal: .delete,
        fieldLabels: ["url": "adresse", "enabled_events": "événements"])

    static let all = [product, price, plan, coupon, taxRate, webhookEndpoint]

    /// Marker keys in `metadata`, kept out of the compared fields.
    static let ownerKey = "salonops_owner"
    static let idKey = "salonops_id"
    static let digestKey = "salonops_digest"
}
