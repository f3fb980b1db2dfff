import SalonOpsEmulatorKit
/// Stripe's Plans API (the older form of recurring prices, still served and the one localstripe
/// has): amount, currency, interval and product never change; nickname, active, metadata do.
struct StripePlan: StripeRecord {
    var id: String
    var sequence: Int
    var created: Int
    var product: String
    var amount: Int
    var currency: String
    var interval: String
    var intervalCount: Int
    var nickname: String?
    var active = true
    var metadata: [String: String] = [:]

    var json: JSONValue {
        stripeObject(
            id: id, object: "plan",
            [
                ("active", .bool(active)), ("amount", .int(amount)), ("amount_decimal", .string(String(amount))),
                ("billing_scheme", .string("per_unit")), ("created", .int(created)), ("currency", .string(currency)),
                ("interval", .string(interval)), ("interval_count", .int(intervalCount)), ("livemode", .bool(false)),
                ("metadata", .stringMap(metadata)), ("nickname", .optional(nickname)), ("product", .string(product)),
                ("tiers_mode", .null), ("trial_period_days", .null), ("usage_type", .string("licensed")),
            ])
    }
}

extension StripeState {
    mutating func createPlan(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(
            ["id", "amount", "currency", "interval", "interval_count", "product", "nickname", "active", "metadata"],
            unsupported: ["amount_decimal", "billing_scheme", "tiers", "tiers_mode", "transform_usage", "trial_period_days", "usage_type", "meter"])
        guard let amount = try p.int("amount") else { throw .missing("amount") }
        guard amount >= 0 else { throw .invalid("Invalid amount: must be greater than or equal to 0", param: "amount") }
        let currency = try Self.currency(p.requiredString("currency"))
        guard let interval = try p.oneOf("interval", ["day", "week", "month", "year"]) else { throw .missing("interval") }
        let count = try p.int("interval_count") ?? 1
        try StripeCatalog.checkIntervalCount(count, interval: interval, noun: "plans", param: "interval_count")
        let productID = try p.requiredString("product")
        guard products[productID] != nil else { throw .noSuch("product", productID, param: "product", status: 400) }
        let id: String
        if let custom = try p.nonEmptyString("id") {
            try Self.checkCustomID(custom)
            guard plans[custom] == nil else { throw .invalid("Plan already exists.", param: "id", code: "resource_already_exists") }
            id = custom
        } else {
            id = newID("plan", length: 24, in: \.plans)
        }
        var plan = StripePlan(
            id: id, sequence: nextSequence(), created: clock(), product: productID, amount: amount, currency: currency,
            interval: interval, intervalCount: count, nickname: try p.nullableString("nickname") ?? nil)
        if let active = try p.bool("active") { plan.active = active }
        if let change = try p.metadata() { try change.apply(to: &plan.metadata) }
        plans[id] = plan
        return plan.json
    }

    mutating func updatePlan(_ id: String, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard var plan = plans[id] else { throw .noSuch("plan", id) }
        try p.allowOnly(["nickname", "active", "metadata", "product", "trial_period_days"])
        if let nickname = try p.nullableString("nickname") { plan.nickname = nickname }
        if let active = try p.bool("active") { plan.active = active }
        if let change = try p.metadata() { try change.apply(to: &plan.metadata) }
        plans[id] = plan
        return plan.json
    }

    mutating func deletePlan(_ id: String) throws(StripeError) -> JSONValue {
        guard plans[id] != nil else { throw .noSuch("plan", id) }
        plans[id] = nil
        return deletedObject(id: id, object: "plan")
    }

    /// All plans unless `active` is given ("Returns a list of your plans", docs.stripe.com/api/plans/list;
    /// only prices default to the active ones).
    func listPlans(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(ListParameters.names.union(["active", "product"]), unsupported: ["created"])
        let active = try p.bool("active"), product = try p.nonEmptyString("product")
        return try plans.list(p, url: "/v1/plans", resource: "plan") { plan in
            (active == nil || plan.active == active) && (product == nil || plan.product == product)
        }
    }
}
