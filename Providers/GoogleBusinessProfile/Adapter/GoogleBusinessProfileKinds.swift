import SalonOpsProviderKit

/// What SalonOps keeps in Google Business Profile: the listing (location) of each establishment,
/// bound by `locationIds`. Locations are never created or deleted (they are verified by Google
/// through the owner), only updated, one PATCH with an `updateMask` per location and apply.
enum GoogleBusinessProfileKinds {
    /// Each top-level block is replaced whole, so each is one field; the mask names the blocks
    /// that changed. Ownership markers sit in `labels` (private to the account's managers, "NOT
    /// user facing": spec `Location.labels`).
    static let location = ResourceKind(
        name: "location", label: "fiche Google",
        fields: ["regularHours", "specialHours", "phoneNumbers.primaryPhone", "websiteUri", "profile.description", "serviceItems"],
        removal: .never,
        fieldLabels: [
            "regularHours": "horaires", "specialHours": "fermetures exceptionnelles", "phoneNumbers.primaryPhone": "téléphone",
            "websiteUri": "site web", "profile.description": "description", "serviceItems": "prestations",
        ],
        identity: .configured(setting: "locationIds"), management: .updateOnly, updateStyle: .fieldMask)

    static let all = [location]

    /// The mask path of a field: the block it belongs to (`phoneNumbers` is set whole, with the
    /// additional phones kept as observed).
    static func maskPath(_ field: String) -> String {
        field == "phoneNumbers.primaryPhone" ? "phoneNumbers" : field
    }
}
