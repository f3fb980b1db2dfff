import Foundation
import SalonOpsProviderTesting
import SalonOpsSandbox
import Testing

/// Values Stripe refuses, with Stripe's words and parameter: currencies, recurring intervals over
/// three years, unknown webhook event types.
@Suite struct StripeRefusalTests {
    @Test func unsupportedCurrenciesAreRefusedWithStripesList() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Cut")]).string("id"))
            let price = try await s.stripe(.POST, "/v1/prices", [("product", product), ("unit_amount", "100"), ("currency", "zzz")])
            #expect(price.status == 400)
            #expect(price.error["type"] as? String == "invalid_request_error")
            #expect(price.error["param"] as? String == "currency")
            let message = try #require(price.error["message"] as? String)
            #expect(message.hasPrefix("Invalid currency: zzz. Stripe currently supports these currencies: usd, aed, afn, all, amd,"))
            #expect(message.contains(", eur, ") && message.hasSuffix(", zar, zmw"))

            // Plans and coupons take the same list; any case is accepted and answered in lower case.
            let plan = try await s.stripe(
                .POST, "/v1/plans",
                [
                    ("amount", "1"), ("currency", "ABC"), ("interval", "month"), ("product", product),
                ])
            #expect(plan.error["param"] as? String == "currency")
            #expect((plan.error["message"] as? String)?.hasPrefix("Invalid currency: abc.") == true)
            let coupon = try await s.stripe(.POST, "/v1/coupons", [("amount_off", "5"), ("currency", "xyz")])
            #expect(coupon.error["param"] as? String == "currency")
            let yen = try await s.stripe(.POST, "/v1/prices", [("product", product), ("unit_amount", "1"), ("currency", "JPY")])
            #expect(yen.string("currency") == "jpy")
            #expect(try await s.stripe(.GET, "/v1/prices", [("currency", "jpy")]).ids.count == 1)
        }
    }

    @Test func recurringIntervalsOverThreeYearsAreRefused() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Membership")]).string("id"))
            let limits = [("year", 3, "yearly"), ("month", 36, "monthly"), ("week", 156, "weekly"), ("day", 1095, "daily")]
            for (interval, limit, adjective) in limits {
                let longest = try await s.stripe(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount", "100"), ("currency", "eur"),
                        ("recurring[interval]", interval), ("recurring[interval_count]", String(limit)),
                    ])
                #expect(longest.status == 200, "\(interval) × \(limit): \(longest.body)")
                let tooLong = try await s.stripe(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount", "100"), ("currency", "eur"),
                        ("recurring[interval]", interval), ("recurring[interval_count]", String(limit + 1)),
                    ])
                #expect(tooLong.status == 400)
                #expect(tooLong.error["param"] as? String == "recurring[interval_count]")
                #expect(tooLong.error["message"] as? String == "The interval_count for \(adjective) prices can't be greater than \(limit)")

                let plan = { (count: Int) in
                    [
                        ("amount", "100"), ("currency", "eur"), ("interval", interval), ("interval_count", String(count)),
                        ("product", product),
                    ]
                }
                #expect(try await s.stripe(.POST, "/v1/plans", plan(limit)).status == 200)
                let tooLongPlan = try await s.stripe(.POST, "/v1/plans", plan(limit + 1))
                #expect(tooLongPlan.error["param"] as? String == "interval_count")
                #expect(
                    tooLongPlan.error["message"] as? String
                        == "The interval_count for \(adjective) plans can't be greater than \(limit)")
            }
            let zero = try await s.stripe(
                .POST, "/v1/plans",
                [
                    ("amount", "100"), ("currency", "eur"), ("interval", "month"), ("interval_count", "0"), ("product", product),
                ])
            #expect(zero.error["param"] as? String == "interval_count")
        }
    }

    @Test func unknownWebhookEventTypesAreRefusedByIndex() async throws {
        try await withSandbox { s in
            let refused = try await s.stripe(
                .POST, "/v1/webhook_endpoints",
                [
                    ("url", "https://salon.example/hooks"), ("enabled_events[0]", "invoice.paid"), ("enabled_events[1]", "invoice.bogus"),
                ])
            #expect(refused.status == 400)
            #expect(refused.error["type"] as? String == "invalid_request_error")
            #expect(refused.error["param"] as? String == "enabled_events[1]")
            let message = try #require(refused.error["message"] as? String)
            #expect(message.hasPrefix("Invalid enabled_events[1]: must be one of account.application.authorized, account.application."))
            #expect(message.contains(", invoice.paid, ") && message.hasSuffix(", or *"))
            // Wildcards other than `*` are not event types.
            #expect(
                try await s.stripe(
                    .POST, "/v1/webhook_endpoints",
                    [
                        ("url", "https://salon.example/hooks"), ("enabled_events[]", "invoice.*"),
                    ]
                ).error["param"] as? String == "enabled_events[0]")
            #expect(try await s.stripe(.GET, "/v1/webhook_endpoints").ids.isEmpty)

            // Newer types than the 2020-08-27 spec are accepted, and the update checks too.
            let created = try await s.stripe(
                .POST, "/v1/webhook_endpoints",
                [
                    ("url", "https://salon.example/hooks"), ("enabled_events[]", "invoice.overdue"),
                    ("enabled_events[]", "billing.meter.created"),
                ])
            #expect(created.status == 200)
            let id = try #require(created.string("id"))
            let update = try await s.stripe(
                .POST, "/v1/webhook_endpoints/\(id)",
                [
                    ("enabled_events[0]", "*"), ("enabled_events[1]", "nope"),
                ])
            #expect(update.error["param"] as? String == "enabled_events[1]")
            let unchanged = try await s.stripe(.GET, "/v1/webhook_endpoints/\(id)")
            #expect(unchanged.json["enabled_events"] as? [String] == ["invoice.overdue", "billing.meter.created"])
        }
    }
}
