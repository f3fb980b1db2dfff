import Foundation
import SalonOpsProviderKit

/// Brevo API v3 (https://developers.brevo.com/reference): observe lists folders, lists,
/// senders and both kinds of email webhooks at once; apply writes JSON. Nothing of Brevo's
/// takes an idempotency key, so creates are sent once and the rest (`PUT`, `DELETE`) may be
/// sent again.
struct BrevoAdapter: ProviderAdapter {
    let integration: Integration
    let owner: String
    let organizationName: String?
    let pageSize: Int

    var kinds: [ResourceKind] { BrevoKinds.all }

    var settings: SettingsReader { SettingsReader(integration.settings?.value) }

    /// Nothing Brevo holds depends on an establishment (and what it depends on, the
    /// Integration and the Organization, makes a run whole): a run narrowed to establishments (a
    /// change-scoped run) has nothing to do here, and spends none of the hourly budget.
    static func narrowedToEstablishments(_ scope: Scope) -> Bool { scope.establishments != nil }

    func desired(in state: DesiredState, scope: Scope) throws -> Projection {
        guard !Self.narrowedToEstablishments(scope) else { return Projection() }
        var projection = BrevoMapping.project(integration, organizationName: organizationName)
        projection.resources = projection.resources.filter { scope.includes(kind: $0.kind) && scope.includes(establishment: $0.establishment) }
        return projection
    }

    // MARK: observe

    /// Folders and lists are read oldest first (`sort=asc`): one made while the pages are read
    /// lands after them instead of shifting every later page by one.
    func observe(_ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource] {
        guard !Self.narrowedToEstablishments(scope) else { return [] }
        async let folders: [ObservedResource] =
            scope.includes(kind: "folder")
            ? Paginator.all(session, path: "/contacts/folders?sort=asc", style: BrevoWire.pages(itemsKey: "folders", size: pageSize)).compactMap(BrevoWire.folder) : []
        async let lists: [ObservedResource] =
            scope.includes(kind: "list")
            ? Paginator.all(session, path: "/contacts/lists?sort=asc", style: BrevoWire.pages(itemsKey: "lists", size: pageSize)).compactMap(BrevoWire.list) : []
        async let senders: [ObservedResource] = scope.includes(kind: "sender") ? listSenders(session) : []
        async let webhooks: [ObservedResource] = scope.includes(kind: "webhook") ? listWebhooks(session) : []
        return try await folders + lists + senders + webhooks
    }

    private func listSenders(_ session: any ProviderSession) async throws -> [ObservedResource] {
        // Not paginated (spec: `getSenders`).
        try await session.send(BrevoWire.other(.GET, "/senders")).json()["senders"]?.array?.compactMap(BrevoWire.sender) ?? []
    }

    /// `GET /webhooks` lists one type at a time (`type` defaults to transactional): SalonOps
    /// makes transactional and marketing email webhooks, so it reads both. Not paginated.
    private func listWebhooks(_ session: any ProviderSession) async throws -> [ObservedResource] {
        try await concurrently(["transactional", "marketing"]) { type in
            try await session.send(BrevoWire.other(.GET, "/webhooks?type=\(type)")).json()["webhooks"]?.array?.compactMap(BrevoWire.webhook) ?? []
        }.flatMap { $0 }
    }

    /// Webhooks are found by their marker (the default). Ledger kinds carry no key, so they are
    /// found by remote id, or, for a create whose outcome is unknown (its answer lost, or the
    /// run died before the ledger had the id), by what the config names: the one folder of the
    /// configured name, the one list of the key's name in such a folder, the one sender of the
    /// configured address. SalonOps asked Brevo for exactly that resource a moment before; a
    /// plain create that Brevo refuses as a duplicate is never taken this way (the classifier
    /// makes `duplicate_parameter` a refusal, not an already-exists).
    func read(_ ref: ResourceRef, remoteID: String?, _ session: any ProviderSession) async throws -> ObservedResource? {
        // A list is found within its folder.
        let all = try await observe(Scope(kinds: [ref.kind, "folder"]), session)
        if let remoteID { return all.first { $0.kind == ref.kind && $0.remoteID == remoteID } }
        let folderName = settings.string("listFolder") ?? BrevoMapping.defaultFolder
        let folders = all.filter { $0.kind == "folder" && $0.naturalKey == folderName }
        let candidates: [ObservedResource]
        switch ref.kind {
        case "webhook": return all.first { $0.kind == "webhook" && $0.key == ref.key && $0.owner == owner }
        case "folder": candidates = folders
        case "list":
            candidates = all.filter { list in
                list.kind == "list" && list.naturalKey == ref.key && folders.contains { $0.remoteID == list.references["folder"] }
            }
        case "sender":
            let email = settings.string("sender", "email")?.lowercased()
            candidates = all.filter { $0.kind == "sender" && $0.naturalKey == email }
        default: return nil
        }
        return candidates.count == 1 ? candidates[0] : nil
    }

    // MARK: apply

    func apply(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.kind {
        case "folder": return try await applyFolder(change, session)
        case "list": return try await applyList(change, context, session)
        case "sender": return try await applySender(change, session)
        case "webhook": return try await applyWebhook(change, session)
        default: throw ProviderError(.permanent, message: "Brevo has no kind '\(change.kind)'")
        }
    }

    private func applyFolder(_ change: Change, _ session: any ProviderSession) async throws -> ApplyOutcome {
        let body = JSONValue.object([("name", .string(change.desired?.fields["name"]?.text ?? ""))])
        switch change.action {
        case .create, .replace:
            let id = try BrevoWire.created(try await session.send(BrevoWire.contacts(.POST, "/contacts/folders", body)).json(), in: BrevoWire.folders)
            return ApplyOutcome(remoteID: id)
        case .update, .adopt:
            _ = try await session.send(BrevoWire.contacts(.PUT, "/\(change.remoteID!)", body, retryable: true))
            return ApplyOutcome(remoteID: change.remoteID!)
        case .delete:
            let id = change.remoteID!
            // Brevo deletes a folder with every list in it (spec: `deleteFolder`): SalonOps' own
            // lists are deleted before it (they depend on it), so any list left is someone else's.
            let left = try await Paginator.all(session, path: "/\(id)/lists", style: BrevoWire.pages(itemsKey: "lists", size: pageSize))
            guard left.isEmpty else {
                let names = left.compactMap { $0["name"]?.string }.sorted()
                throw ProviderError(
                    .permanent,
                    message:
                        "the folder \(id) still holds lists SalonOps does not manage (\(names.joined(separator: ", "))), which Brevo would delete with it: move them to another folder in Brevo, then apply again"
                )
            }
            _ = try await session.send(BrevoWire.contacts(.DELETE, "/\(id)", retryable: true))
            return ApplyOutcome(remoteID: id)
        }
    }

    private func applyList(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.action {
        case .create, .replace:
            let desired = change.desired!
            let folder = try context.remoteID(of: "folder", in: desired)
            let body = JSONValue.object([("name", .string(desired.fields["name"]?.text ?? desired.key)), ("folderId", .int(try BrevoWire.number(folder)))])
            let id = try BrevoWire.created(try await session.send(BrevoWire.contacts(.POST, "/contacts/lists", body)).json(), in: BrevoWire.lists)
            return ApplyOutcome(remoteID: id)
        case .update, .adopt:
            let desired = change.desired!, id = change.remoteID!
            let changed = Set(change.fieldChanges.map(\.field))
            // "Either of the two parameters (name, folderId) can be updated at a time"
            // (spec: `updateList`): one request per field that moved.
            if changed.contains("folder") {
                let folder = try context.remoteID(of: "folder", in: desired)
                _ = try await session.send(BrevoWire.contacts(.PUT, "/\(id)", .object([("folderId", .int(try BrevoWire.number(folder)))]), retryable: true))
            }
            if changed.contains("name") {
                let name = JSONValue.object([("name", .string(desired.fields["name"]?.text ?? desired.key))])
                _ = try await session.send(BrevoWire.contacts(.PUT, "/\(id)", name, retryable: true))
            }
            return ApplyOutcome(remoteID: id)
        case .delete:
            // The list goes; its contacts stay in the account (spec: `deleteList`).
            _ = try await session.send(BrevoWire.contacts(.DELETE, "/\(change.remoteID!)", retryable: true))
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    private func applySender(_ change: Change, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.action {
        case .create, .replace:
            let desired = change.desired!
            let body = JSONValue.object([("name", .string(desired.fields["name"]?.text ?? "")), ("email", .string(desired.fields["email"]?.text ?? ""))])
            // Brevo emails a validation code to the address; the sender stays inactive until then.
            let id = try BrevoWire.created(try await session.send(BrevoWire.other(.POST, "/senders", body)).json(), in: BrevoWire.senders)
            if change.action == .replace, let old = change.remoteID { try await delete(old, session) }
            return ApplyOutcome(remoteID: id)
        case .update, .adopt:
            let body = JSONValue.object([("name", .string(change.desired!.fields["name"]?.text ?? ""))])
            _ = try await session.send(BrevoWire.other(.PUT, "/\(change.remoteID!)", body, retryable: true))
            return ApplyOutcome(remoteID: change.remoteID!)
        case .delete:
            try await delete(change.remoteID!, session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    private func applyWebhook(_ change: Change, _ session: any ProviderSession) async throws -> ApplyOutcome {
        switch change.action {
        case .create, .replace:
            let desired = change.desired!
            var body = webhookBody(desired)
            body.set("type", .string(desired.fields["type"]?.text ?? "transactional"))
            body.set("channel", .string(desired.fields["channel"]?.text ?? "email"))
            // A replace makes the new one first, so that events keep coming; Brevo's limit of 40
            // webhooks counts both for that moment.
            let id = try BrevoWire.created(try await session.send(BrevoWire.other(.POST, "/webhooks", body)).json(), in: BrevoWire.webhooks)
            if change.action == .replace, let old = change.remoteID { try await delete(old, session) }
            return ApplyOutcome(remoteID: id)
        case .update, .adopt:
            // The description always goes: its tag carries the new digest.
            _ = try await session.send(BrevoWire.other(.PUT, "/\(change.remoteID!)", webhookBody(change.desired!), retryable: true))
            return ApplyOutcome(remoteID: change.remoteID!)
        case .delete:
            try await delete(change.remoteID!, session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    /// What `PUT /webhooks/{id}` takes (spec: `updateWebhook`): no `type`, no `channel`.
    private func webhookBody(_ desired: DesiredResource) -> JSONValue {
        let events: [JSONValue]
        if case .list(let items)? = desired.fields["events"] { events = items.compactMap { $0.text.map(JSONValue.string) } } else { events = [] }
        return .object([
            ("url", .string(desired.fields["url"]?.text ?? "")),
            ("description", .string(Markers(owner: owner, desired).tagging(desired.fields["description"]?.text ?? ""))),
            ("events", .array(events)),
        ])
    }

    /// A sender or a webhook, by its remote id (its path).
    private func delete(_ remoteID: String, _ session: any ProviderSession) async throws {
        _ = try await session.send(BrevoWire.other(.DELETE, "/" + remoteID, retryable: true))
    }

    // MARK: check

    /// `GET /account` proves the key; the configured sender's validation is said beside it
    /// (Brevo's `active`), so that an address waiting for its code is never reported ready.
    func check(_ session: any ProviderSession) async throws -> String {
        let account = try await session.send(BrevoWire.other(.GET, "/account")).json()
        let plan = account["plan"]?.array?.first?["type"]?.string
        var summary = "account of " + (account["companyName"]?.string ?? "an unnamed company") + (plan.map { ", \($0) plan" } ?? "")
        guard let email = settings.string("sender", "email")?.lowercased() else { return summary }
        let senders = try await listSenders(session)
        switch senders.first(where: { $0.naturalKey == email })?.fields["active"] {
        case .bool(true)?: summary += "; sender \(email) validated"
        case .bool(false)?: summary += "; sender \(email) NOT validated yet: enter the code Brevo emailed to it (Senders, Domains & Dedicated IPs → Senders)"
        default: summary += "; sender \(email) not created yet (apply creates it)"
        }
        return summary
    }
}
