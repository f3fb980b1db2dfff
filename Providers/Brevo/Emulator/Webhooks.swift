import Foundation
import SalonOpsEmulatorKit

/// `/webhooks` (spec: getWebhooks, createWebhook, getWebhook, updateWebhook, deleteWebhook).
extension BrevoState {
    /// At most 40 marketing and transactional webhooks per account
    /// (https://developers.brevo.com/changelog/limits-for-webhook-creation).
    static let maxWebhooks = 40

    /// Events each type and channel takes (spec: `createWebhook.events` description).
    static let events: [String: Set<String>] = [
        "transactional/email": [
            "sent", "request", "delivered", "hardBounce", "softBounce", "blocked", "spam", "invalid", "deferred", "click", "opened", "uniqueOpened",
            "unsubscribed",
        ],
        "marketing/email": ["spam", "opened", "click", "hardBounce", "softBounce", "unsubscribed", "listAddition", "delivered", "contactUpdated", "contactDeleted"],
        "inbound/email": ["inboundEmailProcessed"],
        "transactional/sms": ["accepted", "delivered", "softBounce", "hardBounce", "unsubscribe", "reply", "subscribe", "sent", "blacklisted", "skip"],
        "marketing/sms": ["sent", "delivered", "softBounce", "hardBounce", "unsubscribe", "reply", "subscribe", "skip"],
    ]

    mutating func webhooks(_ method: String, _ segments: [String], _ request: EmulatorRequest, now: Date) throws(BrevoError) -> EmulatorResponse {
        let (route, id) = Self.route(segments)
        switch (method, route) {
        case ("GET", ""):
            let query = try BrevoQuery(request)
            // `type` defaults to transactional (spec: getWebhooks).
            let type = try query.oneOf("type", ["marketing", "transactional", "inbound"], default: "transactional")
            let ascending = try query.ascending()
            let found = webhooks.filter { $0.type == type }
            return .json(200, .object([("webhooks", .array((ascending ? found : found.reversed()).map(\.json)))]))
        case ("POST", ""):
            let body = try BrevoBody(request)
            let url = try body.required("url")
            guard BrevoFormat.isURL(url) else { throw .invalid("url is not valid") }
            let type = try body.string("type") ?? "transactional", channel = try body.string("channel") ?? "email"
            guard ["transactional", "marketing", "inbound"].contains(type) else { throw .invalid("type must be one of transactional, marketing, inbound") }
            guard ["email", "sms"].contains(channel) else { throw .invalid("channel must be one of sms, email") }
            let domain = try body.string("domain")
            if type == "inbound" && domain == nil { throw .missing("domain is required for an inbound webhook") }
            let events = try checkedEvents(try body.strings("events"), type: type, channel: channel, required: type != "inbound") ?? ["inboundEmailProcessed"]
            if type != "inbound" && webhooks.filter({ $0.type != "inbound" }).count >= Self.maxWebhooks {
                // The answer for the 41st is not documented (assumed: docs/providers/brevo.md).
                throw BrevoError(status: 400, code: .badRequest, message: "You can create at most \(Self.maxWebhooks) webhooks (marketing and transactional)")
            }
            let stamp = BrevoFormat.timestamp(now)
            let webhook = Webhook(
                id: nextID("webhook"), url: url, description: try body.string("description") ?? "", events: events, type: type, channel: channel,
                batched: try body.bool("batched"), domain: domain, createdAt: stamp, modifiedAt: stamp)
            webhooks.append(webhook)
            return .json(201, .object([("id", .int(webhook.id))]))
        case ("GET", "{id}"):
            return .json(200, webhooks[try webhookIndex(id)].json)
        case ("PUT", "{id}"):
            let index = try webhookIndex(id)
            let body = try BrevoBody(request)
            // `type` and `channel` are not in updateWebhook: assumed refused rather than ignored.
            for fixed in ["type", "channel"] where body[fixed] != nil {
                throw .invalid("\(fixed) cannot be updated: delete the webhook and create it again")
            }
            var webhook = webhooks[index]
            if let url = try body.string("url") {
                guard BrevoFormat.isURL(url) else { throw .invalid("url is not valid") }
                webhook.url = url
            }
            if let description = try body.string("description") { webhook.description = description }
            if let events = try checkedEvents(try body.strings("events"), type: webhook.type, channel: webhook.channel, required: false) { webhook.events = events }
            if let batched = try body.bool("batched") { webhook.batched = batched }
            if let domain = try body.string("domain") { webhook.domain = domain }
            webhook.modifiedAt = BrevoFormat.timestamp(now)
            webhooks[index] = webhook
            return EmulatorResponse(status: 204, body: "")
        case ("DELETE", "{id}"):
            webhooks.remove(at: try webhookIndex(id))
            return EmulatorResponse(status: 204, body: "")
        default:
            throw BrevoError.unknownRoute(method, "/webhooks/" + segments.joined(separator: "/"))
        }
    }

    func checkedEvents(_ events: [String]?, type: String, channel: String, required: Bool) throws(BrevoError) -> [String]? {
        guard let events else {
            if required { throw .missing("events is missing") }
            return nil
        }
        if required && events.isEmpty { throw .missing("events should not be empty") }
        let allowed = Self.events["\(type)/\(channel)"] ?? []
        if let wrong = events.first(where: { !allowed.contains($0) }) {
            throw .invalid("'\(wrong)' is not a valid event for a \(type) \(channel) webhook; valid events: \(allowed.sorted().joined(separator: ", "))")
        }
        return events
    }

    func webhookIndex(_ id: String) throws(BrevoError) -> Int {
        guard let number = Int(id) else { throw .invalid("webhookId should be an integer") }
        guard let index = webhooks.firstIndex(where: { $0.id == number }) else { throw .notFound("Webhook ID does not exist") }
        return index
    }
}
