import Foundation
import SalonOpsProviderTesting
import SalonOpsSandbox
import Testing

/// Which lists hide archived objects: prices do unless `active=false` is given; products, plans and
/// tax rates list them all unless `active` is given.
@Suite struct StripeActiveFilterTests {
    @Test func pricesListOnlyActiveOnesUnlessActiveFalse() async throws {
        try await withSandbox { s in
            let product = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Cut")]).string("id"))
            var ids: [String] = []
            for amount in ["100", "200", "300"] {
                ids.append(
                    try #require(
                        try await s.stripe(
                            .POST, "/v1/prices",
                            [
                                ("product", product), ("unit_amount", amount), ("currency", "eur"),
                            ]
                        ).string("id")))
            }
            #expect(try await s.stripe(.POST, "/v1/prices/\(ids[1])", [("active", "false")]).status == 200)
            // Also archived at creation.
            let bornArchived = try #require(
                try await s.stripe(
                    .POST, "/v1/prices",
                    [
                        ("product", product), ("unit_amount", "400"), ("currency", "eur"), ("active", "false"),
                    ]
                ).string("id"))

            #expect(try await s.stripe(.GET, "/v1/prices").ids == [ids[2], ids[0]])
            #expect(try await s.stripe(.GET, "/v1/prices", [("active", "true")]).ids == [ids[2], ids[0]])
            #expect(try await s.stripe(.GET, "/v1/prices", [("active", "false")]).ids == [bornArchived, ids[1]])
            #expect(try await s.stripe(.GET, "/v1/prices", [("product", product)]).ids == [ids[2], ids[0]])
            #expect(try await s.stripe(.GET, "/v1/prices", [("product", product), ("active", "false")]).ids == [bornArchived, ids[1]])
            // A retrieve still finds an archived price.
            #expect(try await s.stripe(.GET, "/v1/prices/\(ids[1])").json["active"] as? Bool == false)

            // Pagination walks the active list only; a cursor may be an archived price.
            let first = try await s.stripe(.GET, "/v1/prices", [("limit", "1")])
            #expect(first.ids == [ids[2]])
            #expect(first.json["has_more"] as? Bool == true)
            #expect(try await s.stripe(.GET, "/v1/prices", [("limit", "1"), ("starting_after", ids[2])]).ids == [ids[0]])
            #expect(try await s.stripe(.GET, "/v1/prices", [("starting_after", ids[1])]).ids == [ids[0]])
        }
    }

    @Test func productsPlansAndTaxRatesListArchivedOnesByDefault() async throws {
        try await withSandbox { s in
            let kept = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Kept")]).string("id"))
            let archived = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Old"), ("active", "false")]).string("id"))
            #expect(try await s.stripe(.GET, "/v1/products").ids == [archived, kept])
            #expect(try await s.stripe(.GET, "/v1/products", [("active", "true")]).ids == [kept])
            #expect(try await s.stripe(.GET, "/v1/products", [("active", "false")]).ids == [archived])

            let plan = try #require(
                try await s.stripe(
                    .POST, "/v1/plans",
                    [
                        ("amount", "4900"), ("currency", "eur"), ("interval", "month"), ("product", kept),
                    ]
                ).string("id"))
            let oldPlan = try #require(
                try await s.stripe(
                    .POST, "/v1/plans",
                    [
                        ("amount", "3900"), ("currency", "eur"), ("interval", "month"), ("product", archived), ("active", "false"),
                    ]
                ).string("id"))
            #expect(try await s.stripe(.GET, "/v1/plans").ids == [oldPlan, plan])
            #expect(try await s.stripe(.GET, "/v1/plans", [("active", "true")]).ids == [plan])
            #expect(try await s.stripe(.GET, "/v1/plans", [("active", "false")]).ids == [oldPlan])
            #expect(try await s.stripe(.GET, "/v1/plans", [("product", archived)]).ids == [oldPlan])

            let vat = try #require(
                try await s.stripe(
                    .POST, "/v1/tax_rates",
                    [
                        ("display_name", "TVA"), ("percentage", "20"), ("inclusive", "true"),
                    ]
                ).string("id"))
            let oldVAT = try #require(
                try await s.stripe(
                    .POST, "/v1/tax_rates",
                    [
                        ("display_name", "TVA 19.6"), ("percentage", "19.6"), ("inclusive", "true"), ("active", "false"),
                    ]
                ).string("id"))
            #expect(try await s.stripe(.GET, "/v1/tax_rates").ids == [oldVAT, vat])
            #expect(try await s.stripe(.GET, "/v1/tax_rates", [("active", "true")]).ids == [vat])
        }
    }
}
