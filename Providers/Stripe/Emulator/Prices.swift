import SalonOpsEmulatorKit
struct StripePrice: StripeRecord {
    struct Recurring: Sendable {
        var interval: String
        var intervalCount: Int
        var usageType: String
        var trialPeriodDays: Int?
    }

    var id: String
    var sequence: Int
    var created: Int
    var product: String
    var currency: String
    var unitAmount: Int?
    var unitAmountDecimal: String
    var recurring: Recurring?
    var active = true
    var lookupKey: String?
    var nickname: String?
    var taxBehavior = "unspecified"
    var metadata: [String: String] = [:]

    var json: JSONValue {
        stripeObject(
            id: id, object: "price",
            [
                ("active", .bool(active)), ("billing_scheme", .string("per_unit")), ("created", .int(created)),
                ("currency", .string(currency)), ("custom_unit_amount", .null), ("livemode", .bool(false)),
                ("lookup_key", .optional(lookupKey)), ("metadata", .stringMap(metadata)), ("nickname", .optional(nickname)),
                ("product", .string(product)),
                (
                    "recurring",
                    recurring.map { r in
                        .object([
                            ("interval", .string(r.interval)), ("interval_count", .int(r.intervalCount)), ("meter", .null),
                            ("trial_period_days", .optional(r.trialPeriodDays)), ("usage_type", .string(r.usageType)),
                        ])
                    } ?? .null
                ),
                ("tax_behavior", .string(taxBehavior)), ("tiers_mode", .null), ("transform_quantity", .null),
                ("type", .string(recurring == nil ? "one_time" : "recurring")),
                ("unit_amount", .optional(unitAmount)), ("unit_amount_decimal", .string(unitAmountDecimal)),
            ])
    }
}

extension StripeState {
    static let taxBehaviors = ["exclusive", "inclusive", "unspecified"]

    mutating func createPrice(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(
            [
                "product", "currency", "unit_amount", "unit_amount_decimal", "recurring", "lookup_key",
                "transfer_lookup_key", "nickname", "active", "tax_behavior", "metadata",
            ],
            unsupported: [
                "product_data", "billing_scheme", "currency_options", "custom_unit_amount",
                "tiers", "tiers_mode", "transform_quantity",
            ])
        let productID = try p.requiredString("product")
        let currency = try Self.currency(p.requiredString("currency"))
        let amount = try p.int("unit_amount")
        let decimal = try p.nonEmptyString("unit_amount_decimal")
        if amount != nil, decimal != nil { throw .exclusive(["unit_amount", "unit_amount_decimal"]) }
        let unitAmount: Int?, unitAmountDecimal: String
        if let amount {
            guard amount >= 0 else { throw .invalid("Invalid unit_amount: must be greater than or equal to 0", param: "unit_amount") }
            (unitAmount, unitAmountDecimal) = (amount, String(amount))
        } else if let decimal {
            guard let value = try p.decimal("unit_amount_decimal"), value >= 0 else {
                throw .invalid("Invalid unit_amount_decimal: must be greater than or equal to 0", param: "unit_amount_decimal")
            }
            let whole = value == value.rounded() && value < 1e15
            (unitAmount, unitAmountDecimal) = (whole ? Int(value) : nil, decimal)
        } else {
            throw .missing("unit_amount")
        }
        guard products[productID] != nil else { throw .noSuch("product", productID, param: "product", status: 400) }

        var recurring: StripePrice.Recurring? = nil
        if let r = try p.hash("recurring") {
            try r.allowOnly(
                ["interval", "interval_count", "usage_type", "trial_period_days"],
                unsupported: ["meter", "aggregate_usage"])
            guard let interval = try r.oneOf("interval", ["day", "month", "week", "year"]) else { throw .missing("recurring[interval]") }
            let count = try r.int("interval_count") ?? 1
            try StripeCatalog.checkIntervalCount(count, interval: interval, noun: "prices", param: "recurring[interval_count]")
            let trial = try r.int("trial_period_days")
            if let trial, trial < 0 {
                throw .invalid("Invalid recurring[trial_period_days]: must be greater than or equal to 0", param: "recurring[trial_period_days]")
            }
            recurring = .init(
                interval: interval, intervalCount: count,
                usageType: try r.oneOf("usage_type", ["licensed", "metered"]) ?? "licensed", trialPeriodDays: trial)
        }
        var price = StripePrice(
            id: newID("price", length: 24, in: \.prices), sequence: nextSequence(), created: clock(),
            product: productID, currency: currency, unitAmount: unitAmount,
            unitAmountDecimal: unitAmountDecimal, recurring: recurring)
        if let active = try p.bool("active") { price.active = active }
        if let nickname = try p.nullableString("nickname") { price.nickname = nickname }
        if let behavior = try p.oneOf("tax_behavior", Self.taxBehaviors) { price.taxBehavior = behavior }
        if let change = try p.metadata() { try change.apply(to: &price.metadata) }
        let transfer = try p.bool("transfer_lookup_key") ?? false
        if let key = try p.nullableString("lookup_key", maxLength: 200), let key {
            try claimLookupKey(key, for: price.id, transfer: transfer)
            price.lookupKey = key
        }
        prices[price.id] = price
        return price.json
    }

    mutating func updatePrice(_ id: String, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard var price = prices[id] else { throw .noSuch("price", id) }
        try p.allowOnly(
            ["active", "nickname", "metadata", "lookup_key", "transfer_lookup_key", "tax_behavior"],
            unsupported: ["currency_options", "migrate_to"])
        if let active = try p.bool("active") { price.active = active }
        if let nickname = try p.nullableString("nickname") { price.nickname = nickname }
        if let behavior = try p.oneOf("tax_behavior", Self.taxBehaviors), behavior != price.taxBehavior {
            guard price.taxBehavior == "unspecified" else {
                throw .invalid(
                    "The tax_behavior of a price cannot be changed once it is set to `inclusive` or `exclusive`.",
                    param: "tax_behavior")
            }
            price.taxBehavior = behavior
        }
        if let change = try p.metadata() { try change.apply(to: &price.metadata) }
        let transfer = try p.bool("transfer_lookup_key") ?? false
        if let key = try p.nullableString("lookup_key", maxLength: 200) {
            if let key, key != price.lookupKey { try claimLookupKey(key, for: id, transfer: transfer) }
            price.lookupKey = key
        }
        prices[id] = price
        return price.json
    }

    /// Lookup keys are unique among prices: a key in use moves only with `transfer_lookup_key=true`.
    private mutating func claimLookupKey(_ key: String, for priceID: String, transfer: Bool) throws(StripeError) {
        guard let holder = prices.byID.values.first(where: { $0.lookupKey == key && $0.id != priceID }) else { return }
        guard transfer else {
            throw .invalid(
                "A price (`\(holder.id)`) already uses that lookup key. Pass `transfer_lookup_key=true` to move it to this price.",
                param: "lookup_key")
        }
        prices[holder.id]?.lookupKey = nil
    }

    func listPrices(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(
            ListParameters.names.union(["product", "active", "currency", "type", "lookup_keys", "recurring"]),
            unsupported: ["created"])
        // Unlike products, plans and tax rates, prices list only the active ones by default: "Returns a
        // list of your active prices […]. For the list of inactive prices, set active to false."
        // (docs.stripe.com/api/prices/list; stripe-java's PriceService.list says the same).
        let product = try p.nonEmptyString("product"), active = try p.bool("active") ?? true
        let currency = try p.nonEmptyString("currency").map { $0.lowercased() }
        let type = try p.oneOf("type", ["one_time", "recurring"])
        let lookupKeys = try p.stringList("lookup_keys").map(Set.init)
        if let lookupKeys, lookupKeys.count > 10 {
            throw .invalid("Invalid lookup_keys: at most 10 lookup keys can be given", param: "lookup_keys")
        }
        var interval: String? = nil, usageType: String? = nil
        if let r = try p.hash("recurring") {
            try r.allowOnly(["interval", "usage_type"], unsupported: ["meter"])
            interval = try r.oneOf("interval", ["day", "month", "week", "year"])
            usageType = try r.oneOf("usage_type", ["licensed", "metered"])
        }
        return try prices.list(p, url: "/v1/prices", resource: "price") { price in
            (product == nil || price.product == product) && price.active == active
                && (currency == nil || price.currency == currency)
                && (type == nil || (price.recurring == nil ? "one_time" : "recurring") == type)
                && (lookupKeys == nil || price.lookupKey.map { lookupKeys!.contains($0) } == true)
                && (interval == nil || price.recurring?.interval == interval)
                && (usageType == nil || price.recurring?.usageType == usageType)
        }
    }

    /// One of Stripe's supported currencies, in any case; answered in lower case as Stripe does.
    static func currency(_ text: String, param: String = "currency") throws(StripeError) -> String {
        let lower = text.lowercased()
        guard StripeCatalog.currencySet.contains(lower) else { throw StripeCatalog.unsupportedCurrency(lower, param: param) }
        return lower
    }
}
