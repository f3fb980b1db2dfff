import Foundation
import SalonOpsProviderTesting
import SalonOpsSandbox
import NIOHTTP1
import Testing

/// A sandbox whose every request and answer is checked against Stripe's OpenAPI spec.
struct SpecCheckedStripe {
    let sandbox: Sandbox
    let spec: StripeSpec
    private(set) var violations: [String] = []
    private(set) var operations = Set<String>()

    init(_ sandbox: Sandbox) throws {
        self.sandbox = sandbox
        self.spec = try StripeSpec.shared.get()
    }

    /// Parameters added to the API after the spec's 2020-08-27, per operation, with their source.
    static let newerParameters: [String: Set<String>] = [
        // docs.stripe.com/api/products/update#update_product-default_price (2022).
        "POST /v1/products/{id}": ["default_price"]
    ]

    /// `wellFormed: false` for a request meant to be refused: its parameters are not checked against
    /// the spec, its (error) answer is.
    @discardableResult
    mutating func call(
        _ method: HTTPMethod, _ path: String, _ form: [(String, String)] = [], status expected: Int = 200,
        wellFormed: Bool = true, apiKey: String? = Sandbox.apiKey,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        let reply = try await sandbox.stripe(method, path, form, apiKey: apiKey, headers: headers)
        if reply.status != expected { violations.append("\(method) \(path): HTTP \(reply.status), expected \(expected): \(reply.body)") }
        if let template = spec.operation(method.rawValue, path)?.template { operations.insert("\(method.rawValue) \(template)") }
        let newer = Self.newerParameters["\(method.rawValue) \(spec.operation(method.rawValue, path)?.template ?? "")"] ?? []
        if wellFormed { violations += spec.checkRequest(method.rawValue, path, form, newer: newer) }
        violations += spec.checkResponse(method.rawValue, path, status: reply.status, body: reply.body)
        return reply
    }
}

@Suite(.enabled(if: StripeSpec.available, "needs stripe-spec3.json and stripe-fixtures3.json in ../shared/specs or /work/shared/specs"))
struct StripeSpecConformanceTests {
    @Test func theValidatorCatchesWhatItShould() throws {
        let spec = try StripeSpec.shared.get()
        let product = """
            {"id": "prod_1", "object": "product", "active": "yes", "created": 1, "images": [], "livemode": false, "metadata": {"a": 1},
             "updated": 1, "attributes": [], "default_price": null, "marketing_features": 3}
            """
        let violations = spec.checkResponse("GET", "/v1/products/prod_1", status: 200, body: product)
        let expected = [
            ".active: string where the spec has boolean", ".metadata.a: integer where the spec has string",
            ".attributes: not in the 2020-08-27 schema", ".marketing_features: integer where the current fixture has array",
            ".name: required by the spec, missing",
        ]
        for fragment in expected { #expect(violations.contains { $0.contains(fragment) }, "\(fragment) in \(violations)") }
        #expect(violations.count == expected.count, "\(violations)")
        let weekly = spec.checkResponse(
            "GET", "/v1/prices/price_1", status: 200,
            body: #"{"id": "price_1", "object": "price", "type": "weekly"}"#)
        #expect(weekly.contains { $0.contains(".type: weekly is none of") })
        #expect(spec.checkResponse("GET", "/v1/prices/price_1", status: 404, body: #"{"error": {"type": "oops"}}"#).count == 1)
        let list = #"{"object": "list", "url": "/v1/products", "has_more": false, "data": [{"id": "p", "object": "product"}]}"#
        #expect(spec.checkResponse("GET", "/v1/products", status: 200, body: list).contains { $0.contains(".data[0].name: required") })

        #expect(
            spec.checkRequest(
                "POST", "/v1/prices",
                [
                    ("currency", "eur"), ("recurring[interval]", "fortnight"), ("unit_amount", "1.5"),
                    ("colour", "red"), ("recurring[colour]", "red"), ("metadata[k]", "v"),
                ]
            ).count == 4)
        #expect(spec.checkRequest("POST", "/v1/webhook_endpoints", [("url", "https://a.example")]).count == 1)  // enabled_events required
        #expect(
            spec.checkRequest(
                "GET", "/v1/prices",
                [
                    ("lookup_keys[]", "a"), ("recurring[interval]", "month"), ("active", "false"),
                    ("expand[]", "data.product"),
                ]
            ).isEmpty)
        #expect(spec.checkRequest("GET", "/v1/prices", [("active", "maybe")]).count == 1)
    }

    @Test func productsPricesAndPlans() async throws {
        try await withSandbox { s in
            var stripe = try SpecCheckedStripe(s)
            let product = try #require(
                try await stripe.call(
                    .POST, "/v1/products",
                    [
                        ("name", "Balayage"), ("description", "Hand-painted colour"), ("metadata[salonops_owner]", "salonops"),
                        ("images[]", "https://img.example/1.png"), ("url", "https://salon.example/balayage"), ("unit_label", "séance"),
                        ("statement_descriptor", "BALAYAGE"), ("shippable", "false"),
                    ]
                ).string("id"))
            try await stripe.call(.POST, "/v1/products", [("id", "so_cut"), ("name", "Cut"), ("active", "false")])
            try await stripe.call(.GET, "/v1/products/\(product)")
            try await stripe.call(
                .POST, "/v1/products/\(product)",
                [
                    ("name", "Balayage & gloss"), ("description", ""), ("metadata[tier]", "gold"),
                ])
            try await stripe.call(.GET, "/v1/products", [("limit", "1")])
            try await stripe.call(.GET, "/v1/products", [("active", "false"), ("ids[]", "so_cut")])

            let price = try #require(
                try await stripe.call(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount", "4500"), ("currency", "eur"), ("recurring[interval]", "month"),
                        ("recurring[interval_count]", "3"), ("recurring[usage_type]", "licensed"), ("lookup_key", "balayage"),
                        ("nickname", "Quarterly"), ("tax_behavior", "inclusive"), ("metadata[salonops_id]", "service:balayage"),
                    ]
                ).string("id"))
            let oneOff = try #require(
                try await stripe.call(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount_decimal", "990.5"), ("currency", "eur"), ("active", "false"),
                    ]
                ).string("id"))
            try await stripe.call(
                .POST, "/v1/prices",
                [
                    ("product", product), ("unit_amount", "5000"), ("currency", "eur"), ("lookup_key", "balayage"),
                    ("transfer_lookup_key", "true"), ("expand[]", "product"),
                ])
            try await stripe.call(.GET, "/v1/prices/\(price)", [("expand[]", "product")])
            try await stripe.call(.POST, "/v1/prices/\(price)", [("nickname", ""), ("active", "false"), ("metadata", "")])
            try await stripe.call(.POST, "/v1/products/\(product)", [("default_price", oneOff)])
            try await stripe.call(.GET, "/v1/prices", [("expand[]", "data.product"), ("limit", "100")])
            try await stripe.call(
                .GET, "/v1/prices",
                [
                    ("active", "false"), ("product", product), ("type", "one_time"), ("currency", "eur"),
                ])
            try await stripe.call(.GET, "/v1/prices", [("lookup_keys[]", "balayage"), ("recurring[interval]", "month")])

            let plan = try #require(
                try await stripe.call(
                    .POST, "/v1/plans",
                    [
                        ("id", "so_membership"), ("amount", "4900"), ("currency", "eur"), ("interval", "month"), ("interval_count", "1"),
                        ("product", product), ("nickname", "Éclat"), ("metadata[salonops_owner]", "x"),
                    ]
                ).string("id"))
            try await stripe.call(.GET, "/v1/plans/\(plan)", [("expand[]", "product")])
            try await stripe.call(.POST, "/v1/plans/\(plan)", [("nickname", "Éclat+"), ("active", "false")])
            try await stripe.call(.GET, "/v1/plans", [("active", "false"), ("product", product)])
            try await stripe.call(.DELETE, "/v1/plans/\(plan)")
            try await stripe.call(.DELETE, "/v1/products/so_cut")
            #expect(stripe.violations.isEmpty, "\(stripe.violations.joined(separator: "\n"))")
            #expect(stripe.operations.count == 14, "\(stripe.operations.sorted())")
        }
    }

    @Test func couponsTaxRatesWebhookEndpointsAndBalance() async throws {
        try await withSandbox { s in
            var stripe = try SpecCheckedStripe(s)
            try await stripe.call(
                .POST, "/v1/coupons",
                [
                    ("id", "BIENVENUE15"), ("name", "Bienvenue"), ("percent_off", "15"), ("duration", "repeating"),
                    ("duration_in_months", "3"), ("max_redemptions", "100"), ("metadata[salonops_owner]", "x"),
                ])
            let generated = try #require(
                try await stripe.call(
                    .POST, "/v1/coupons",
                    [
                        ("amount_off", "500"), ("currency", "eur"), ("duration", "once"),
                        ("redeem_by", String(Int(Date().timeIntervalSince1970) + 86_400)),
                    ]
                ).string("id"))
            try await stripe.call(.GET, "/v1/coupons/BIENVENUE15")
            try await stripe.call(.POST, "/v1/coupons/BIENVENUE15", [("name", "Hello"), ("metadata[k]", "v")])
            try await stripe.call(.GET, "/v1/coupons", [("limit", "1"), ("starting_after", generated)])
            try await stripe.call(.DELETE, "/v1/coupons/BIENVENUE15")

            let rate = try #require(
                try await stripe.call(
                    .POST, "/v1/tax_rates",
                    [
                        ("display_name", "TVA"), ("percentage", "20"), ("inclusive", "true"), ("country", "FR"), ("jurisdiction", "FR"),
                        ("tax_type", "vat"), ("description", "French VAT"), ("state", "IDF"), ("metadata[salonops_owner]", "x"),
                    ]
                ).string("id"))
            try await stripe.call(.POST, "/v1/tax_rates", [("display_name", "TVA réduite"), ("percentage", "5.5"), ("inclusive", "false")])
            try await stripe.call(.GET, "/v1/tax_rates/\(rate)")
            try await stripe.call(.POST, "/v1/tax_rates/\(rate)", [("active", "false"), ("description", ""), ("display_name", "TVA 20")])
            try await stripe.call(.GET, "/v1/tax_rates", [("active", "false"), ("inclusive", "true")])

            let hook = try #require(
                try await stripe.call(
                    .POST, "/v1/webhook_endpoints",
                    [
                        ("url", "https://salon.example/hooks"), ("enabled_events[0]", "checkout.session.completed"),
                        ("enabled_events[1]", "charge.refunded"), ("description", "salon"), ("api_version", "2020-08-27"),
                        ("metadata[salonops_owner]", "x"), ("connect", "false"),
                    ]
                ).string("id"))
            try await stripe.call(.GET, "/v1/webhook_endpoints/\(hook)")
            try await stripe.call(
                .POST, "/v1/webhook_endpoints/\(hook)",
                [
                    ("disabled", "true"), ("enabled_events[]", "*"), ("url", "https://salon.example/v2"),
                ])
            try await stripe.call(.GET, "/v1/webhook_endpoints", [("limit", "10")])
            try await stripe.call(.DELETE, "/v1/webhook_endpoints/\(hook)")
            try await stripe.call(.GET, "/v1/balance")
            #expect(stripe.violations.isEmpty, "\(stripe.violations.joined(separator: "\n"))")
            #expect(stripe.operations.count == 15, "\(stripe.operations.sorted())")
        }
    }

    @Test func errorsHaveStripesShape() async throws {
        try await withSandbox { s in
            var stripe = try SpecCheckedStripe(s)
            let product = try #require(try await stripe.call(.POST, "/v1/products", [("name", "Cut")]).string("id"))
            try await stripe.call(.GET, "/v1/products/prod_missing", status: 404)
            try await stripe.call(.POST, "/v1/products", [("name", "x"), ("colour", "red")], status: 400, wellFormed: false)
            try await stripe.call(.POST, "/v1/products", [("description", "no name")], status: 400, wellFormed: false)
            try await stripe.call(.POST, "/v1/prices", [("product", product), ("unit_amount", "1"), ("currency", "zzz")], status: 400)
            try await stripe.call(
                .POST, "/v1/prices",
                [
                    ("product", product), ("unit_amount", "1"), ("currency", "eur"),
                    ("recurring[interval]", "year"), ("recurring[interval_count]", "4"),
                ], status: 400)
            try await stripe.call(
                .POST, "/v1/plans",
                [
                    ("amount", "1"), ("currency", "eur"), ("interval", "week"), ("interval_count", "157"), ("product", product),
                ], status: 400)
            try await stripe.call(
                .POST, "/v1/webhook_endpoints", [("url", "https://a.example"), ("enabled_events[]", "nope.nope")],
                status: 400, wellFormed: false)
            try await stripe.call(.GET, "/v1/prices", [("expand[]", "product")], status: 400)
            try await stripe.call(.GET, "/v1/products", [("limit", "101")], status: 400)
            try await stripe.call(.GET, "/v1/coupons", status: 401, apiKey: nil)
            try await stripe.call(.POST, "/v1/products", [("name", "Idem")], headers: [("Idempotency-Key", "k")])
            try await stripe.call(.POST, "/v1/products", [("name", "Idem 2")], status: 400, headers: [("Idempotency-Key", "k")])
            #expect(stripe.violations.isEmpty, "\(stripe.violations.joined(separator: "\n"))")
        }
    }

    @Test func everyEventTypeOfTheSpecIsAccepted() async throws {
        let types = try StripeSpec.shared.get().webhookEventTypes
        #expect(types.count > 150)
        try await withSandbox { s in
            var stripe = try SpecCheckedStripe(s)
            let form = [("url", "https://salon.example/all")] + types.enumerated().map { ("enabled_events[\($0.offset)]", $0.element) }
            let created = try await stripe.call(.POST, "/v1/webhook_endpoints", form)
            #expect(created.json["enabled_events"] as? [String] == types)
            #expect(stripe.violations.isEmpty, "\(stripe.violations.joined(separator: "\n"))")
        }
    }
}
