import SalonOpsEmulatorKit
import Foundation

/// Everything the Stripe emulator holds, in memory. Each request runs under one lock, so a
/// request is atomic with respect to the others.
struct StripeState: Sendable {
    var products = StripeTable<StripeProduct>()
    var prices = StripeTable<StripePrice>()
    var plans = StripeTable<StripePlan>()
    var coupons = StripeTable<StripeCoupon>()
    var taxRates = StripeTable<StripeTaxRate>()
    var webhookEndpoints = StripeTable<StripeWebhookEndpoint>()
    var idempotency = IdempotencyStore()

    private var ids: IdentifierGenerator
    private(set) var requestIDs: IdentifierGenerator
    var secrets: IdentifierGenerator
    private var sequence = 0

    init(seed: UInt64) {
        ids = IdentifierGenerator(seed: seed, stream: 10)
        requestIDs = IdentifierGenerator(seed: seed, stream: 11)
        secrets = IdentifierGenerator(seed: seed, stream: 12)
    }

    static func wallClock() -> Int { Int(Date().timeIntervalSince1970) }
    func clock() -> Int { Self.wallClock() }

    mutating func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    mutating func newRequestID() -> String { requestIDs.id("req", length: 14) }

    /// A fresh `prefix_…` id from the seeded stream, retried in the (unlikely) case it is taken.
    mutating func newID<R>(_ prefix: String, length: Int, in table: KeyPath<StripeState, StripeTable<R>>) -> String {
        while true {
            let id = ids.id(prefix, length: length)
            if self[keyPath: table][id] == nil { return id }
        }
    }

    /// Stripe generates 8 upper-case alphanumerics for a coupon created without an id.
    mutating func newCouponID() -> String {
        while true {
            let id = ids.string(length: 8, alphabet: IdentifierGenerator.upperAlphanumerics)
            if coupons[id] == nil { return id }
        }
    }

    var balance: JSONValue {
        let zero: JSONValue = .array([
            .object([
                ("amount", .int(0)), ("currency", .string("usd")),
                ("source_types", .object([("card", .int(0))])),
            ])
        ])
        return .object([
            ("object", .string("balance")), ("available", zero),
            (
                "connect_reserved",
                .array([
                    .object([
                        ("amount", .int(0)), ("currency", .string("usd")),
                    ])
                ])
            ), ("livemode", .bool(false)), ("pending", zero),
        ])
    }
}
