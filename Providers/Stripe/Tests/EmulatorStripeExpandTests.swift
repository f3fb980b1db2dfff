import Foundation
import SalonOpsProviderTesting
import SalonOpsSandbox
import Testing

/// `expand[]`: the fields whose objects the sandbox holds, and Stripe's refusal of the others.
@Suite struct StripeExpandTests {
    @Test func pricesExpandTheirProductAndListsTheirItems() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Colour")]).string("id"))
            let price = try await s.stripe(
                .POST, "/v1/prices",
                [
                    ("product", product), ("unit_amount", "4500"), ("currency", "eur"), ("expand[]", "product"),
                ])
            #expect((price.json["product"] as? [String: Any])?["name"] as? String == "Colour")
            let id = try #require(price.string("id"))
            #expect(try await s.stripe(.GET, "/v1/prices/\(id)").string("product") == product)  // not expanded unless asked
            let fetched = try await s.stripe(.GET, "/v1/prices/\(id)", [("expand[0]", "product")])
            #expect((fetched.json["product"] as? [String: Any])?["object"] as? String == "product")

            let listed = try await s.stripe(.GET, "/v1/prices", [("expand[]", "data.product")])
            #expect((listed.data.first?["product"] as? [String: Any])?["id"] as? String == product)

            // Two levels: the product's default price, itself a price.
            #expect(try await s.stripe(.POST, "/v1/products/\(product)", [("default_price", id)]).status == 200)
            let deep = try await s.stripe(.GET, "/v1/prices", [("expand[]", "data.product.default_price")])
            let expandedProduct = try #require(deep.data.first?["product"] as? [String: Any])
            #expect((expandedProduct["default_price"] as? [String: Any])?["id"] as? String == id)
            let viaProduct = try await s.stripe(.GET, "/v1/products/\(product)", [("expand[]", "default_price")])
            #expect((viaProduct.json["default_price"] as? [String: Any])?["unit_amount"] as? Int == 4500)

            let plan = try await s.stripe(
                .POST, "/v1/plans",
                [
                    ("amount", "100"), ("currency", "eur"), ("interval", "month"), ("product", product), ("expand[]", "product"),
                ])
            #expect((plan.json["product"] as? [String: Any])?["id"] as? String == product)
        }
    }

    @Test func whatCannotBeExpandedIsRefusedAndChangesNothing() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Cut")]).string("id"))
            let onList = try await s.stripe(.GET, "/v1/prices", [("expand[]", "product")])
            #expect(onList.status == 400)
            #expect(onList.error["type"] as? String == "invalid_request_error")
            #expect(
                onList.error["message"] as? String
                    == "This property cannot be expanded (product). You may want to try expanding 'data.product' instead.")
            let metadata = try await s.stripe(.GET, "/v1/products/\(product)", [("expand[]", "metadata")])
            #expect(metadata.error["message"] as? String == "This property cannot be expanded (metadata).")

            // A create whose expand is refused makes nothing (and uses no id).
            let refused = try await s.stripe(
                .POST, "/v1/prices",
                [
                    ("product", product), ("unit_amount", "100"), ("currency", "eur"), ("expand[]", "currency"),
                ])
            #expect(refused.status == 400)
            #expect(try await s.stripe(.GET, "/v1/prices").ids.isEmpty)

            let notAList = try await s.stripe(.GET, "/v1/products/\(product)", [("expand", "default_price")])
            #expect(notAList.error["param"] as? String == "expand")
            // A null reference expands to null.
            let none = try await s.stripe(.GET, "/v1/products/\(product)", [("expand[]", "default_price")])
            #expect(none.json["default_price"] is NSNull)
        }
    }
}
