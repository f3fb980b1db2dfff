import Foundation
import SalonOpsProviderKit

/// Brevo's wire format (docs/providers/brevo.md): JSON bodies, server-assigned int64 ids,
/// `{"code", "message"}` errors (spec: `errorModel`), `limit`/`offset` pages with a `count`
/// total, and `x-sib-ratelimit-*` headers on a 429.
enum BrevoWire {
    /// Brevo's page maximum for folders and lists (spec: `getFolders.limit`, `getLists.limit`).
    static let maxPageSize = 50
    /// Rate keys of the two hourly budgets (`ProviderTraits.rate.keyed`).
    static let otherBudget = "brevo-other"
    static let smtpBudget = "brevo-smtp"

    /// Email webhook events by type (spec: `createWebhook.events`; brevo-python 5.1.0).
    static let transactionalEvents = [
        "sent", "request", "delivered", "hardBounce", "softBounce", "blocked", "spam", "invalid", "deferred", "click", "opened", "uniqueOpened",
        "unsubscribed",
    ]
    static let marketingEvents = ["spam", "opened", "click", "hardBounce", "softBounce", "unsubscribed", "listAddition", "delivered", "contactUpdated", "contactDeleted"]

    /// The webhook type the events fit: transactional when they all are (Brevo's default),
    /// else marketing when they all are, else nil (they mix both, or there are none).
    static func webhookType(events: [String]) -> String? {
        guard !events.isEmpty else { return nil }
        if events.allSatisfy(transactionalEvents.contains) { return "transactional" }
        if events.allSatisfy(marketingEvents.contains) { return "marketing" }
        return nil
    }

    /// What an answer means, from Brevo's error codes: 429 waits for `x-sib-ratelimit-reset`
    /// (seconds, https://developers.brevo.com/docs/limit-headers) or a `Retry-After`; 5xx may
    /// pass; `document_not_found` is a 404; `duplicate_parameter` is refused, not taken (see
    /// `BrevoAdapter.read`); the rest is typed for the engine.
    static func classify(_ response: ProviderResponse) -> ResponseClass {
        let status = response.status
        guard !(200..<300).contains(status) else { return .success }
        let body = response.body.isEmpty ? nil : try? JSONValue.parse(response.body)
        let code = body?["code"]?.string
        var message = body?["message"]?.string ?? "Brevo answered HTTP \(status)"
        if let code { message += " (\(code))" }
        switch (status, code) {
        case (429, _):
            let after = retryAfter(response)
            return .retry(after: after, ProviderError(.rateLimited(retryAfter: after), status: status, message: message))
        case (500...599, _): return .retry(after: ResponseClass.retryAfter(response), ProviderError(.transient, status: status, message: message))
        case (401, _), (403, _), (_, "unauthorized"), (_, "permission_denied"):
            return .failure(ProviderError(.auth, status: status, message: message))
        case (404, _), (_, "document_not_found"): return .failure(ProviderError(.notFound, status: status, message: message))
        case (_, "duplicate_parameter"):
            return .failure(
                ProviderError(
                    .invalid(field: nil), status: status,
                    message: message + ": Brevo already has one; set 'adopt: true' on the Integration for SalonOps to take it over"))
        case (400, _), (422, _): return .failure(ProviderError(.invalid(field: nil), status: status, message: message))
        default: return .failure(ProviderError(.permanent, status: status, message: message))
        }
    }

    /// `x-sib-ratelimit-reset` (seconds until the window resets), else `Retry-After`.
    static func retryAfter(_ response: ProviderResponse) -> Duration? {
        if let reset = response.headers["x-sib-ratelimit-reset"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), reset >= 0 {
            return .milliseconds(Int64(reset * 1000))
        }
        return ResponseClass.retryAfter(response)
    }

    // MARK: requests

    static func contacts(_ method: ProviderRequest.Method, _ path: String, _ body: JSONValue? = nil, retryable: Bool? = nil) -> ProviderRequest {
        body.map { .json(method, path, $0, retryable: retryable) } ?? ProviderRequest(method, path, retryable: retryable)
    }

    /// Senders, webhooks and the account count against the 100-an-hour budget.
    static func other(_ method: ProviderRequest.Method, _ path: String, _ body: JSONValue? = nil, retryable: Bool? = nil) -> ProviderRequest {
        body.map { .json(method, path, $0, retryable: retryable, rateKeys: [otherBudget]) }
            ?? ProviderRequest(method, path, retryable: retryable, rateKeys: [otherBudget])
    }

    static func pages(itemsKey: String, size: Int) -> PageStyle {
        .offsetCounted(limitParameter: "limit", limit: size, offsetParameter: "offset", itemsKey: itemsKey, countKey: "count")
    }

    // MARK: remote ids

    /// Brevo numbers each collection on its own (folder 1 and list 1 both exist), while SalonOps
    /// needs a remote id that names one resource: the resource's path below the API root,
    /// `contacts/folders/1`, `contacts/lists/1`, `senders/1`, `webhooks/1`.
    static func remoteID(_ collection: String, _ id: Int) -> String { "\(collection)/\(id)" }

    static let folders = "contacts/folders", lists = "contacts/lists", senders = "senders", webhooks = "webhooks"

    /// The numeric id in a remote id (`contacts/folders/12` → 12).
    static func number(_ remoteID: String) throws -> Int {
        guard let last = remoteID.split(separator: "/").last, let id = Int(last) else {
            throw ProviderError(.permanent, message: "'\(remoteID)' is not a Brevo resource id")
        }
        return id
    }

    /// The remote id of a created resource (spec: `createModel`: `{"id": <int64>}`).
    static func created(_ answer: JSONValue, in collection: String) throws -> String {
        guard let id = answer["id"]?.int else { throw ProviderError(.permanent, message: "Brevo returned no id for the new \(collection)") }
        return remoteID(collection, id)
    }

    // MARK: observed

    static func folder(_ item: JSONValue) -> ObservedResource? {
        guard let id = item["id"]?.int, let name = item["name"]?.string else { return nil }
        return ObservedResource(kind: "folder", remoteID: remoteID(folders, id), key: nil, owner: nil, naturalKey: name, fields: ["name": .string(name)], title: name)
    }

    static func list(_ item: JSONValue) -> ObservedResource? {
        guard let id = item["id"]?.int, let name = item["name"]?.string else { return nil }
        let folder = item["folderId"]?.int.map { remoteID(folders, $0) }
        return ObservedResource(
            kind: "list", remoteID: remoteID(lists, id), key: nil, owner: nil, naturalKey: name, fields: ["name": .string(name)],
            references: folder.map { ["folder": $0] } ?? [:], title: name)
    }

    static func sender(_ item: JSONValue) -> ObservedResource? {
        guard let id = item["id"]?.int, let email = item["email"]?.string?.lowercased() else { return nil }
        let name = item["name"]?.string ?? ""
        return ObservedResource(
            kind: "sender", remoteID: remoteID(senders, id), key: nil, owner: nil, naturalKey: email,
            fields: ["name": .string(name), "email": .string(email), "active": .bool(item["active"]?.bool ?? false)],
            title: "\(name) <\(email)>")
    }

    static func webhook(_ item: JSONValue) -> ObservedResource? {
        guard let id = item["id"]?.int, let url = item["url"]?.string else { return nil }
        let (text, owner, key, digest) = Markers.untag(item["description"]?.string ?? "")
        let events = (item["events"]?.array ?? []).compactMap(\.string).sorted()
        return ObservedResource(
            kind: "webhook", remoteID: remoteID(webhooks, id), key: key, owner: owner, naturalKey: url,
            fields: [
                "url": .string(url), "events": .list(events.map(FieldValue.string)), "description": .string(text),
                "type": .string(item["type"]?.string ?? "transactional"),
                // Brevo's read model may leave `channel` out (brevo-python 5.1.0): email is its default.
                "channel": .string(item["channel"]?.string ?? "email"),
            ],
            appliedDigest: digest, title: url)
    }
}
