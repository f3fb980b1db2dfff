import Foundation
import SalonOpsProviderTesting
import Testing

@Suite struct StripeProductTests {
    @Test func productCRUD() async throws {
        try await withSandbox { s in
            let created = try await s.stripe(
                .POST, "/v1/products",
                [
                    ("name", "Balayage"), ("description", "Hand-painted colour"), ("metadata[salonops_owner]", "salonops"),
                    ("metadata[tier]", "gold"),
                ])
            #expect(created.status == 200)
            let id = try #require(created.string("id"))
            #expect(id.hasPrefix("prod_"))
            #expect(created.string("object") == "product")
            #expect(created.json["livemode"] as? Bool == false)
            #expect(created.json["active"] as? Bool == true)
            #expect(created.json["created"] is Int)
            #expect(created.json["metadata"] as? [String: String] == ["salonops_owner": "salonops", "tier": "gold"])
            #expect(created.headers.first(name: "Request-Id")?.hasPrefix("req_") == true)

            let fetched = try await s.stripe(.GET, "/v1/products/\(id)")
            #expect(fetched.status == 200)
            #expect(fetched.string("name") == "Balayage")

            // Metadata merges; an empty value removes a key; an empty description unsets it.
            let updated = try await s.stripe(
                .POST, "/v1/products/\(id)",
                [
                    ("name", "Balayage & gloss"), ("metadata[tier]", ""), ("metadata[new]", "1"), ("description", ""), ("active", "false"),
                ])
            #expect(updated.status == 200)
            #expect(updated.string("name") == "Balayage & gloss")
            #expect(updated.json["metadata"] as? [String: String] == ["salonops_owner": "salonops", "new": "1"])
            #expect(updated.json["description"] is NSNull)
            #expect(updated.json["active"] as? Bool == false)

            let cleared = try await s.stripe(.POST, "/v1/products/\(id)", [("metadata", "")])
            #expect(cleared.json["metadata"] as? [String: String] == [:])

            let list = try await s.stripe(.GET, "/v1/products")
            #expect(list.ids == [id])

            let deleted = try await s.stripe(.DELETE, "/v1/products/\(id)")
            #expect(deleted.status == 200)
            #expect(deleted.json["deleted"] as? Bool == true)
            #expect(deleted.string("id") == id)

            let gone = try await s.stripe(.GET, "/v1/products/\(id)")
            #expect(gone.status == 404)
            #expect(gone.error["code"] as? String == "resource_missing")
            #expect(gone.error["type"] as? String == "invalid_request_error")
            #expect(gone.error["message"] as? String == "No such product: '\(id)'")
            #expect(try await s.stripe(.DELETE, "/v1/products/\(id)").status == 404)
        }
    }

    @Test func customIDsAndDuplicates() async throws {
        try await withSandbox { s in
            let first = try await s.stripe(.POST, "/v1/products", [("id", "salon-cut"), ("name", "Cut")])
            #expect(first.status == 200)
            #expect(first.string("id") == "salon-cut")
            let again = try await s.stripe(.POST, "/v1/products", [("id", "salon-cut"), ("name", "Cut")])
            #expect(again.status == 400)
            #expect(again.error["code"] as? String == "resource_already_exists")
            #expect(again.error["param"] as? String == "id")
        }
    }

    @Test func parameterErrors() async throws {
        try await withSandbox { s in
            let unknown = try await s.stripe(.POST, "/v1/products", [("name", "x"), ("colour", "red")])
            #expect(unknown.status == 400)
            #expect(unknown.error["message"] as? String == "Received unknown parameter: colour")
            #expect(unknown.error["param"] as? String == "colour")
            #expect(unknown.error["code"] as? String == "parameter_unknown")

            let missing = try await s.stripe(.POST, "/v1/products", [("description", "no name")])
            #expect(missing.status == 400)
            #expect(missing.error["message"] as? String == "Missing required param: name.")
            #expect(missing.error["code"] as? String == "parameter_missing")

            let badBool = try await s.stripe(.POST, "/v1/products", [("name", "x"), ("active", "maybe")])
            #expect(badBool.status == 400)
            #expect(badBool.error["message"] as? String == "Invalid boolean: maybe")
            #expect(badBool.error["param"] as? String == "active")

            let hashForString = try await s.stripe(.POST, "/v1/products", [("name[first]", "x")])
            #expect(hashForString.status == 400)
            #expect(hashForString.error["param"] as? String == "name")

            let emptyName = try await s.stripe(.POST, "/v1/products", [("name", "")])
            #expect(emptyName.error["code"] as? String == "parameter_invalid_empty")

            let unknownURL = try await s.stripe(.GET, "/v1/widgets")
            #expect(unknownURL.status == 404)
            #expect((unknownURL.error["message"] as? String)?.hasPrefix("Unrecognized request URL (GET: /v1/widgets)") == true)

            // Nothing was created by any of these.
            #expect(try await s.stripe(.GET, "/v1/products").ids.isEmpty)
        }
    }

    @Test func authenticationIsRequired() async throws {
        try await withSandbox { s in
            let none = try await s.stripe(.GET, "/v1/products", apiKey: nil)
            #expect(none.status == 401)
            #expect(none.error["type"] as? String == "invalid_request_error")
            #expect((none.error["message"] as? String)?.hasPrefix("You did not provide an API key.") == true)

            let live = try await s.stripe(.GET, "/v1/products", apiKey: "sk_live_abcdefgh1234")
            #expect(live.status == 401)
            #expect((live.error["message"] as? String)?.hasPrefix("Invalid API Key provided") == true)
            #expect(live.body.contains("sk_live_abcdefgh1234") == false)

            let basic = Data("\(Sandbox.apiKey):".utf8).base64EncodedString()
            let viaBasic = try await s.request(.GET, "/stripe/api/v1/products", apiKey: nil, headers: [("Authorization", "Basic \(basic)")])
            #expect(viaBasic.status == 200)

            let versioned = try await s.stripe(.GET, "/v1/balance", headers: [("Stripe-Version", "2024-06-20")])
            #expect(versioned.status == 200)
            #expect(versioned.headers.first(name: "Stripe-Version") == "2024-06-20")
            #expect(try await s.stripe(.GET, "/v1/balance", headers: [("Stripe-Version", "yesterday")]).status == 400)
        }
    }

    @Test func balance() async throws {
        try await withSandbox { s in
            let balance = try await s.stripe(.GET, "/v1/balance")
            #expect(balance.status == 200)
            #expect(balance.string("object") == "balance")
            #expect((balance.json["available"] as? [[String: Any]])?.first?["currency"] as? String == "usd")
        }
    }
}

@Suite struct StripePriceTests {
    @Test func priceCRUDWithNestedForm() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Colour")]).string("id"))
            let price = try await s.stripe(
                .POST, "/v1/prices",
                [
                    ("product", product), ("unit_amount", "4500"), ("currency", "EUR"), ("recurring[interval]", "month"),
                    ("recurring[interval_count]", "3"), ("lookup_key", "colour-quarterly"), ("nickname", "Quarterly"),
                    ("tax_behavior", "inclusive"), ("metadata[salonops_owner]", "x"),
                ])
            #expect(price.status == 200)
            let id = try #require(price.string("id"))
            #expect(id.hasPrefix("price_"))
            #expect(price.string("currency") == "eur")
            #expect(price.string("type") == "recurring")
            #expect(price.json["unit_amount"] as? Int == 4500)
            #expect(price.string("unit_amount_decimal") == "4500")
            let recurring = try #require(price.json["recurring"] as? [String: Any])
            #expect(recurring["interval"] as? String == "month")
            #expect(recurring["interval_count"] as? Int == 3)
            #expect(price.string("lookup_key") == "colour-quarterly")

            let oneOff = try await s.stripe(.POST, "/v1/prices", [("product", product), ("unit_amount", "900"), ("currency", "usd")])
            #expect(oneOff.string("type") == "one_time")
            #expect(oneOff.json["recurring"] is NSNull)

            let updated = try await s.stripe(.POST, "/v1/prices/\(id)", [("active", "false"), ("nickname", "Q"), ("metadata[a]", "b")])
            #expect(updated.status == 200)
            #expect(updated.json["active"] as? Bool == false)
            #expect(updated.json["metadata"] as? [String: String] == ["salonops_owner": "x", "a": "b"])
            #expect(try await s.stripe(.GET, "/v1/prices/\(id)").string("nickname") == "Q")

            // Filters: product, active, currency, lookup_keys[] (both list spellings); the archived
            // price is listed only with active=false.
            #expect(try await s.stripe(.GET, "/v1/prices", [("product", product)]).ids == [try #require(oneOff.string("id"))])
            #expect(try await s.stripe(.GET, "/v1/prices", [("product", product), ("active", "false")]).ids == [id])
            #expect(try await s.stripe(.GET, "/v1/prices", [("active", "true")]).ids == [try #require(oneOff.string("id"))])
            #expect(try await s.stripe(.GET, "/v1/prices", [("currency", "eur"), ("active", "false")]).ids == [id])
            #expect(try await s.stripe(.GET, "/v1/prices", [("lookup_keys[]", "colour-quarterly"), ("active", "false")]).ids == [id])
            #expect(
                try await s.stripe(
                    .GET, "/v1/prices",
                    [
                        ("lookup_keys[0]", "nope"), ("lookup_keys[1]", "colour-quarterly"),
                        ("active", "false"),
                    ]
                ).ids == [id])
            #expect(try await s.stripe(.GET, "/v1/prices", [("type", "one_time")]).ids.count == 1)

            // Prices have no DELETE; a product with prices cannot be deleted.
            #expect(try await s.stripe(.DELETE, "/v1/prices/\(id)").status == 404)
            let refused = try await s.stripe(.DELETE, "/v1/products/\(product)")
            #expect(refused.status == 400)
        }
    }

    @Test func immutableFieldsAreUnknownOnUpdate() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Cut")]).string("id"))
            let id = try #require(
                try await s.stripe(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount", "100"), ("currency", "usd"),
                    ]
                ).string("id"))
            for (name, value) in [("unit_amount", "200"), ("currency", "eur"), ("product", product), ("recurring[interval]", "month")] {
                let reply = try await s.stripe(.POST, "/v1/prices/\(id)", [(name, value)])
                #expect(reply.status == 400)
                let top = String(name.prefix { $0 != "[" })
                #expect(reply.error["message"] as? String == "Received unknown parameter: \(top)")
            }
            #expect(try await s.stripe(.GET, "/v1/prices/\(id)").json["unit_amount"] as? Int == 100)

            let missing = try await s.stripe(.POST, "/v1/prices", [("product", product), ("currency", "usd")])
            #expect(missing.error["message"] as? String == "Missing required param: unit_amount.")
            let noProduct = try await s.stripe(.POST, "/v1/prices", [("product", "prod_missing"), ("currency", "usd"), ("unit_amount", "1")])
            #expect(noProduct.status == 400)
            #expect(noProduct.error["code"] as? String == "resource_missing")
            #expect(noProduct.error["param"] as? String == "product")
            let badInterval = try await s.stripe(
                .POST, "/v1/prices",
                [
                    ("product", product), ("currency", "usd"), ("unit_amount", "1"), ("recurring[interval]", "fortnight"),
                ])
            #expect(badInterval.error["param"] as? String == "recurring[interval]")
            let badAmount = try await s.stripe(.POST, "/v1/prices", [("product", product), ("currency", "usd"), ("unit_amount", "1.5")])
            #expect(badAmount.error["message"] as? String == "Invalid integer: 1.5")

            // tax_behavior: settable once from unspecified, then fixed.
            #expect(try await s.stripe(.POST, "/v1/prices/\(id)", [("tax_behavior", "exclusive")]).status == 200)
            #expect(try await s.stripe(.POST, "/v1/prices/\(id)", [("tax_behavior", "inclusive")]).status == 400)
        }
    }

    @Test func lookupKeyTransfer() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Cut")]).string("id"))
            let old = try #require(
                try await s.stripe(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount", "100"), ("currency", "usd"), ("lookup_key", "cut"),
                    ]
                ).string("id"))
            let clash = try await s.stripe(
                .POST, "/v1/prices",
                [
                    ("product", product), ("unit_amount", "120"), ("currency", "usd"), ("lookup_key", "cut"),
                ])
            #expect(clash.status == 400)
            #expect(clash.error["param"] as? String == "lookup_key")
            #expect(try await s.stripe(.GET, "/v1/prices").ids == [old])  // nothing created

            let new = try #require(
                try await s.stripe(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount", "120"), ("currency", "usd"),
                    ]
                ).string("id"))
            #expect(try await s.stripe(.POST, "/v1/prices/\(new)", [("lookup_key", "cut")]).status == 400)
            let moved = try await s.stripe(.POST, "/v1/prices/\(new)", [("lookup_key", "cut"), ("transfer_lookup_key", "true")])
            #expect(moved.status == 200)
            #expect(moved.string("lookup_key") == "cut")
            #expect(try await s.stripe(.GET, "/v1/prices/\(old)").json["lookup_key"] is NSNull)
            #expect(try await s.stripe(.GET, "/v1/prices", [("lookup_keys[]", "cut")]).ids == [new])

            // Transfer at creation too.
            let third = try await s.stripe(
                .POST, "/v1/prices",
                [
                    ("product", product), ("unit_amount", "130"), ("currency", "usd"), ("lookup_key", "cut"), ("transfer_lookup_key", "true"),
                ])
            #expect(third.status == 200)
            #expect(try await s.stripe(.GET, "/v1/prices", [("lookup_keys[]", "cut")]).ids == [try #require(third.string("id"))])
        }
    }
}

@Suite struct StripeCouponTaxWebhookTests {
    @Test func couponCRUD() async throws {
        try await withSandbox { s in
            let percent = try await s.stripe(
                .POST, "/v1/coupons",
                [
                    ("id", "WELCOME10"), ("name", "Welcome"), ("percent_off", "10"), ("duration", "repeating"),
                    ("duration_in_months", "3"), ("max_redemptions", "100"), ("metadata[salonops_owner]", "x"),
                ])
            #expect(percent.status == 200)
            #expect(percent.string("id") == "WELCOME10")
            #expect(percent.json["percent_off"] as? Double == 10)
            #expect(percent.json["duration_in_months"] as? Int == 3)
            let amount = try await s.stripe(.POST, "/v1/coupons", [("amount_off", "500"), ("currency", "EUR"), ("duration", "once")])
            #expect(amount.status == 200)
            let generated = try #require(amount.string("id"))
            #expect(generated.count == 8)
            #expect(amount.string("currency") == "eur")

            #expect(try await s.stripe(.POST, "/v1/coupons", [("id", "WELCOME10"), ("percent_off", "5")]).error["code"] as? String == "resource_already_exists")
            #expect(try await s.stripe(.POST, "/v1/coupons", [("percent_off", "5"), ("amount_off", "5"), ("currency", "usd")]).status == 400)
            #expect(try await s.stripe(.POST, "/v1/coupons", [("amount_off", "5")]).error["param"] as? String == "currency")
            #expect(try await s.stripe(.POST, "/v1/coupons", [("percent_off", "5"), ("duration", "repeating")]).error["param"] as? String == "duration_in_months")
            #expect(try await s.stripe(.POST, "/v1/coupons", [("percent_off", "150")]).status == 400)

            let renamed = try await s.stripe(.POST, "/v1/coupons/WELCOME10", [("name", "Hello"), ("metadata[k]", "v")])
            #expect(renamed.string("name") == "Hello")
            for (name, value) in [("percent_off", "20"), ("duration", "forever"), ("max_redemptions", "5")] {
                let refused = try await s.stripe(.POST, "/v1/coupons/WELCOME10", [(name, value)])
                #expect(refused.error["message"] as? String == "Received unknown parameter: \(name)")
            }
            #expect(try await s.stripe(.GET, "/v1/coupons").ids == [generated, "WELCOME10"])
            #expect(try await s.stripe(.DELETE, "/v1/coupons/WELCOME10").json["deleted"] as? Bool == true)
            #expect(try await s.stripe(.GET, "/v1/coupons/WELCOME10").status == 404)
        }
    }

    @Test func taxRateCRUD() async throws {
        try await withSandbox { s in
            let rate = try await s.stripe(
                .POST, "/v1/tax_rates",
                [
                    ("display_name", "VAT"), ("percentage", "20.5"), ("inclusive", "true"), ("country", "fr"),
                    ("jurisdiction", "FR"), ("tax_type", "vat"), ("description", "French VAT"),
                ])
            #expect(rate.status == 200)
            let id = try #require(rate.string("id"))
            #expect(id.hasPrefix("txr_"))
            #expect(rate.json["percentage"] as? Double == 20.5)
            #expect(rate.json["inclusive"] as? Bool == true)
            #expect(rate.string("country") == "FR")

            let updated = try await s.stripe(.POST, "/v1/tax_rates/\(id)", [("display_name", "TVA"), ("active", "false"), ("description", "")])
            #expect(updated.string("display_name") == "TVA")
            #expect(updated.json["description"] is NSNull)
            for (name, value) in [("percentage", "5.5"), ("inclusive", "false")] {
                let refused = try await s.stripe(.POST, "/v1/tax_rates/\(id)", [(name, value)])
                #expect(refused.status == 400)
                #expect(refused.error["message"] as? String == "Received unknown parameter: \(name)")
            }
            #expect(try await s.stripe(.GET, "/v1/tax_rates/\(id)").json["percentage"] as? Double == 20.5)
            #expect(try await s.stripe(.GET, "/v1/tax_rates", [("active", "false")]).ids == [id])
            #expect(try await s.stripe(.DELETE, "/v1/tax_rates/\(id)").status == 404)  // tax rates cannot be deleted
            #expect(try await s.stripe(.POST, "/v1/tax_rates", [("display_name", "X"), ("inclusive", "false")]).error["param"] as? String == "percentage")
        }
    }

    @Test func webhookSecretOnlyAtCreation() async throws {
        try await withSandbox { s in
            let created = try await s.stripe(
                .POST, "/v1/webhook_endpoints",
                [
                    ("url", "https://salon.example/hooks/stripe"), ("enabled_events[0]", "invoice.paid"),
                    ("enabled_events[1]", "customer.subscription.updated"), ("description", "salon"), ("metadata[salonops_owner]", "x"),
                ])
            #expect(created.status == 200)
            let id = try #require(created.string("id"))
            #expect(id.hasPrefix("we_"))
            #expect(created.string("secret")?.hasPrefix("whsec_") == true)
            #expect(created.json["enabled_events"] as? [String] == ["invoice.paid", "customer.subscription.updated"])
            #expect(created.string("status") == "enabled")

            let fetched = try await s.stripe(.GET, "/v1/webhook_endpoints/\(id)")
            #expect(fetched.status == 200)
            #expect(fetched.json["secret"] == nil)
            #expect(try await s.stripe(.GET, "/v1/webhook_endpoints").data.first?["secret"] == nil)

            let updated = try await s.stripe(
                .POST, "/v1/webhook_endpoints/\(id)",
                [
                    ("disabled", "true"), ("enabled_events[]", "*"), ("url", "https://salon.example/v2"),
                ])
            #expect(updated.status == 200)
            #expect(updated.json["secret"] == nil)
            #expect(updated.string("status") == "disabled")
            #expect(updated.json["enabled_events"] as? [String] == ["*"])
            #expect(updated.string("url") == "https://salon.example/v2")

            #expect(try await s.stripe(.POST, "/v1/webhook_endpoints", [("url", "https://x.example")]).error["param"] as? String == "enabled_events")
            #expect(try await s.stripe(.POST, "/v1/webhook_endpoints", [("url", "not a url"), ("enabled_events[]", "*")]).error["param"] as? String == "url")
            // `disabled` is an update-only parameter, as on the real API.
            #expect(
                try await s.stripe(
                    .POST, "/v1/webhook_endpoints",
                    [
                        ("url", "https://x.example"), ("enabled_events[]", "*"), ("disabled", "true"),
                    ]
                ).error["code"] as? String == "parameter_unknown")

            #expect(try await s.stripe(.DELETE, "/v1/webhook_endpoints/\(id)").json["deleted"] as? Bool == true)
            #expect(try await s.stripe(.GET, "/v1/webhook_endpoints/\(id)").status == 404)
        }
    }
}
