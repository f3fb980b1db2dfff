import SalonOpsEmulatorKit
import Foundation

struct StripeWebhookEndpoint: StripeRecord {
    var id: String
    var sequence: Int
    var created: Int
    var url: String
    var enabledEvents: [String]
    var description: String?
    var disabled = false
    var apiVersion: String?
    var metadata: [String: String] = [:]
    /// Kept, but only ever shown in the create answer (`jsonWithSecret`), as Stripe does.
    var secret: String

    var json: JSONValue { render(withSecret: false) }
    var jsonWithSecret: JSONValue { render(withSecret: true) }

    private func render(withSecret: Bool) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("api_version", .optional(apiVersion)), ("application", .null), ("created", .int(created)),
            ("description", .optional(description)), ("enabled_events", .array(enabledEvents.map(JSONValue.string))),
            ("livemode", .bool(false)), ("metadata", .stringMap(metadata)),
            ("status", .string(disabled ? "disabled" : "enabled")), ("url", .string(url)),
        ]
        if withSecret { fields.append(("secret", .string(secret))) }
        return stripeObject(id: id, object: "webhook_endpoint", fields)
    }
}

extension StripeState {
    /// Stripe's limit of webhook endpoints per account and mode.
    static let maximumWebhookEndpoints = 16

    mutating func createWebhookEndpoint(_ p: StripeParams) throws(StripeError) -> JSONValue {
        // `disabled` is an update-only parameter on the real API.
        try p.allowOnly(["url", "enabled_events", "description", "metadata", "api_version", "connect"])
        let url = try Self.webhookURL(p.requiredString("url"))
        guard let events = try p.stringList("enabled_events") else { throw .missing("enabled_events") }
        try Self.checkEvents(events)
        let apiVersion = try p.nonEmptyString("api_version")
        if let connect = try p.bool("connect"), connect {
            throw .unsupportedParameter("connect")
        }
        guard webhookEndpoints.count < Self.maximumWebhookEndpoints else {
            throw .invalid("You have reached the maximum of \(Self.maximumWebhookEndpoints) test webhook endpoints.", param: "url")
        }
        var endpoint = StripeWebhookEndpoint(
            id: newID("we", length: 24, in: \.webhookEndpoints), sequence: nextSequence(),
            created: clock(), url: url, enabledEvents: events, apiVersion: apiVersion,
            secret: "whsec_" + secrets.string(length: 32))
        if let description = try p.nullableString("description", maxLength: 5000) { endpoint.description = description }
        if let change = try p.metadata() { try change.apply(to: &endpoint.metadata) }
        webhookEndpoints[endpoint.id] = endpoint
        return endpoint.jsonWithSecret
    }

    mutating func updateWebhookEndpoint(_ id: String, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard var endpoint = webhookEndpoints[id] else { throw .noSuch("webhook endpoint", id) }
        try p.allowOnly(["url", "enabled_events", "disabled", "description", "metadata"])
        if let url = try p.nonEmptyString("url") { endpoint.url = try Self.webhookURL(url) }
        if let events = try p.stringList("enabled_events") {
            try Self.checkEvents(events)
            endpoint.enabledEvents = events
        }
        if let disabled = try p.bool("disabled") { endpoint.disabled = disabled }
        if let description = try p.nullableString("description", maxLength: 5000) { endpoint.description = description }
        if let change = try p.metadata() { try change.apply(to: &endpoint.metadata) }
        webhookEndpoints[id] = endpoint
        return endpoint.json
    }

    mutating func deleteWebhookEndpoint(_ id: String) throws(StripeError) -> JSONValue {
        guard webhookEndpoints[id] != nil else { throw .noSuch("webhook endpoint", id) }
        webhookEndpoints[id] = nil
        return deletedObject(id: id, object: "webhook_endpoint")
    }

    func listWebhookEndpoints(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(ListParameters.names)
        return try webhookEndpoints.list(p, url: "/v1/webhook_endpoints", resource: "webhook endpoint")
    }

    static func webhookURL(_ text: String) throws(StripeError) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw .invalid("Invalid URL: \(text). URLs must be absolute http or https URLs.", param: "url", code: "url_invalid")
        }
        return text
    }

    /// Each name must be one of Stripe's event types (`StripeEventTypes`). Stripe's refusal names the
    /// first bad item and lists them all: "Invalid enabled_events[0]: must be one of
    /// account.application.authorized, account.application.deauthorized, …" on `enabled_events[0]`
    /// (as the real API answered a Stripe CLI call, quoted in a public session log).
    static func checkEvents(_ events: [String]) throws(StripeError) {
        guard !events.isEmpty else { throw .missing("enabled_events") }
        for (index, event) in events.enumerated() where !StripeEventTypes.all.contains(event) {
            let list = StripeEventTypes.sorted
            throw .invalid(
                "Invalid enabled_events[\(index)]: must be one of \(list.dropLast().joined(separator: ", ")), or \(list.last!)",
                param: "enabled_events[\(index)]")
        }
    }
}
