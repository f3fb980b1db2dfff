import SalonOpsEmulatorKit
struct StripeCoupon: StripeRecord {
    var id: String
    var sequence: Int
    var created: Int
    var name: String?
    var percentOff: Double?
    var amountOff: Int?
    var currency: String?
    var duration: String
    var durationInMonths: Int?
    var maxRedemptions: Int?
    var redeemBy: Int?
    var metadata: [String: String] = [:]
    /// Whether it can still be redeemed (false once `redeem_by` has passed).
    var valid: Bool { redeemBy.map { $0 > StripeState.wallClock() } ?? true }

    var json: JSONValue {
        stripeObject(
            id: id, object: "coupon",
            [
                ("amount_off", .optional(amountOff)), ("created", .int(created)), ("currency", .optional(currency)),
                ("duration", .string(duration)), ("duration_in_months", .optional(durationInMonths)), ("livemode", .bool(false)),
                ("max_redemptions", .optional(maxRedemptions)), ("metadata", .stringMap(metadata)), ("name", .optional(name)),
                ("percent_off", percentOff.map(JSONValue.double) ?? .null), ("redeem_by", .optional(redeemBy)),
                ("times_redeemed", .int(0)), ("valid", .bool(valid)),
            ])
    }
}

extension StripeState {
    mutating func createCoupon(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(
            [
                "id", "name", "percent_off", "amount_off", "currency", "duration", "duration_in_months",
                "max_redemptions", "redeem_by", "metadata",
            ],
            unsupported: ["applies_to", "currency_options"])
        let percentOff = try p.decimal("percent_off")
        let amountOff = try p.int("amount_off")
        switch (percentOff, amountOff) {
        case (nil, nil):
            throw .invalid("You must pass either `percent_off` or `amount_off`.", param: "percent_off")
        case (.some, .some):
            throw .exclusive(["percent_off", "amount_off"])
        default: break
        }
        if let percentOff, !(percentOff > 0 && percentOff <= 100) {
            throw .invalid("Invalid percent_off: must be greater than 0 and less than or equal to 100", param: "percent_off")
        }
        var currency: String? = nil
        if let amountOff {
            guard amountOff > 0 else { throw .invalid("Invalid amount_off: must be greater than 0", param: "amount_off") }
            guard let given = try p.nonEmptyString("currency") else {
                throw .invalid("You must pass `currency` when passing `amount_off`.", param: "currency", code: "parameter_missing")
            }
            currency = try Self.currency(given)
        } else if try p.nonEmptyString("currency") != nil {
            throw .invalid("You may only pass `currency` with `amount_off`.", param: "currency")
        }
        let duration = try p.oneOf("duration", ["forever", "once", "repeating"]) ?? "once"
        let months = try p.int("duration_in_months")
        if duration == "repeating" {
            guard let months else { throw .missing("duration_in_months") }
            guard months >= 1 else {
                throw .invalid("Invalid duration_in_months: must be greater than or equal to 1", param: "duration_in_months")
            }
        } else if months != nil {
            throw .invalid("You may only pass `duration_in_months` when `duration` is `repeating`.", param: "duration_in_months")
        }
        let maxRedemptions = try p.int("max_redemptions")
        if let maxRedemptions, maxRedemptions < 1 {
            throw .invalid("Invalid max_redemptions: must be greater than or equal to 1", param: "max_redemptions")
        }
        let redeemBy = try p.int("redeem_by")
        if let redeemBy, redeemBy <= clock() {
            throw .invalid("Invalid redeem_by: must be a timestamp in the future", param: "redeem_by")
        }
        let name = try p.nullableString("name", maxLength: 40) ?? nil
        let id: String
        if let custom = try p.nonEmptyString("id") {
            try Self.checkCustomID(custom)
            guard coupons[custom] == nil else {
                throw .invalid("Coupon already exists.", param: "id", code: "resource_already_exists")
            }
            id = custom
        } else {
            id = newCouponID()
        }
        var coupon = StripeCoupon(
            id: id, sequence: nextSequence(), created: clock(), name: name, percentOff: percentOff,
            amountOff: amountOff, currency: currency, duration: duration, durationInMonths: months,
            maxRedemptions: maxRedemptions, redeemBy: redeemBy)
        if let change = try p.metadata() { try change.apply(to: &coupon.metadata) }
        coupons[id] = coupon
        return coupon.json
    }

    mutating func updateCoupon(_ id: String, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard var coupon = coupons[id] else { throw .noSuch("coupon", id) }
        try p.allowOnly(["name", "metadata"], unsupported: ["currency_options"])
        if let name = try p.nullableString("name", maxLength: 40) { coupon.name = name }
        if let change = try p.metadata() { try change.apply(to: &coupon.metadata) }
        coupons[id] = coupon
        return coupon.json
    }

    mutating func deleteCoupon(_ id: String) throws(StripeError) -> JSONValue {
        guard coupons[id] != nil else { throw .noSuch("coupon", id) }
        coupons[id] = nil
        return deletedObject(id: id, object: "coupon")
    }

    func listCoupons(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(ListParameters.names, unsupported: ["created"])
        return try coupons.list(p, url: "/v1/coupons", resource: "coupon")
    }
}
