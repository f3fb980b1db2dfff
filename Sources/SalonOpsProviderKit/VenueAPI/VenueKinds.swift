/// The kinds a venue marketplace holds for SalonOps. Venues are bound by the `venueIds` setting
/// and only ever updated; everything under them, and the webhook subscription, carries the
/// markers in its `metadata`.
public enum VenueKinds {
    public static func venue(_ market: VenueMarket) -> ResourceKind {
        var fields: Set<String> = ["openingHours", "timeZone"]
        var labels = ["openingHours": "horaires", "timeZone": "fuseau horaire"]
        if market.venueSetsCurrencyAndLocale {
            fields.formUnion(["currency", "locale"])
            labels["currency"] = "devise"
            labels["locale"] = "langue"
        }
        return ResourceKind(
            name: "venue", label: "établissement", fields: fields, removal: .never, fieldLabels: labels,
            identity: .configured(setting: "venueIds"), management: .updateOnly, updateStyle: .partial)
    }

    public static let staff = ResourceKind(
        name: "staff", label: "collaborateur", fields: ["name", "role", "email"], removal: .delete,
        fieldLabels: ["name": "nom", "role": "fonction", "email": "e-mail"])

    public static let room = ResourceKind(
        name: "room", label: "salle", fields: ["name", "capacity"], removal: .delete, fieldLabels: ["name": "nom", "capacity": "capacité"])

    /// Staff and rooms are references (`staff:<name>`, `room:<name>`), compared by identity.
    public static let service = ResourceKind(
        name: "service", label: "prestation",
        fields: ["name", "category", "durationMinutes", "price.amount", "price.currency", "vatRate", "bookable"],
        dependsOn: ["staff", "room"], removal: .delete, moneyFields: ["price.amount": "price.currency"],
        fieldLabels: [
            "name": "nom", "category": "catégorie", "durationMinutes": "durée", "price.amount": "prix", "vatRate": "TVA",
            "bookable": "réservable en ligne",
        ])

    public static let closure = ResourceKind(
        name: "closure", label: "fermeture", fields: ["startDate", "endDate", "reason"], removal: .delete,
        fieldLabels: ["startDate": "du", "endDate": "au", "reason": "motif"])

    /// The signing secret is returned once, on create: stored encrypted, never compared.
    public static let webhook = ResourceKind(
        name: "webhook", label: "webhook des réservations", fields: ["url", "events"], writeOnlyFields: ["secret"], removal: .delete,
        fieldLabels: ["url": "adresse", "events": "événements"])

    public static func all(_ market: VenueMarket) -> [ResourceKind] { [venue(market), staff, room, service, closure, webhook] }
}
