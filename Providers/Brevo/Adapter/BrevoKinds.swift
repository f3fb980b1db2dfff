import SalonOpsProviderKit

/// What SalonOps keeps in Brevo: one folder of contact lists, a list per `contactLists` entry
/// in it, the email sender, and a webhook when the settings ask for one.
enum BrevoKinds {
    /// Folders carry nothing but a name (spec: `getFolder`), so there is no room for a marker:
    /// the folder is matched by its name and owned through the ledger, so a folder someone made
    /// by hand with the same name is never taken unless the Integration says `adopt: true`.
    static let folder = ResourceKind(
        name: "folder", label: "dossier de listes",
        fields: ["name"], removal: .delete,
        fieldLabels: ["name": "nom"],
        identity: .naturalKey)

    /// Lists have a name and a folder only (spec: `getList`): owned through the ledger like the
    /// folder, matched by name. Brevo's `PUT` takes a new name or a new folder, not both at once.
    static let list = ResourceKind(
        name: "list", label: "liste de contacts",
        fields: ["name", "folder"], dependsOn: ["folder"], removal: .delete,
        fieldLabels: ["name": "nom", "folder": "dossier"],
        identity: .naturalKey)

    /// A sender has a From name and address and nothing else (spec: `getSendersList`): matched
    /// by its address. A new address is a new sender (Brevo validates each address by a code
    /// it emails there), so the address is fixed: changing it replaces the sender. `active` is
    /// Brevo's to set (validation), never SalonOps'.
    static let sender = ResourceKind(
        name: "sender", label: "expéditeur",
        fields: ["name"], immutableFields: ["email"], removal: .delete,
        fieldLabels: ["name": "nom affiché", "email": "adresse d'envoi"],
        identity: .naturalKey)

    /// Webhooks have a free `description`, which carries the markers; `type` and `channel`
    /// cannot be updated (spec: `updateWebhook`), so changing them replaces the webhook.
    static let webhook = ResourceKind(
        name: "webhook", label: "webhook",
        fields: ["url", "events", "description"], immutableFields: ["type", "channel"], removal: .delete,
        fieldLabels: ["url": "adresse", "events": "événements", "type": "type"],
        identity: .marker(.descriptionTag))

    static let all = [folder, list, sender, webhook]
}
