import Foundation
import SalonOpsSandbox
import SalonOpsProviderTesting
import Testing

@Suite struct StripeListTests {
    @Test func paginates250ProductsInThreePages() async throws {
        try await withSandbox { s in
            var createdOrder: [String] = []
            for i in 0..<250 {
                let id = try #require(try await s.stripe(.POST, "/v1/products", [("name", "Product \(i)")]).string("id"))
                createdOrder.append(id)
            }
            var pages: [Reply] = []
            var cursor: String? = nil
            repeat {
                var form = [("limit", "100")]
                if let cursor { form.append(("starting_after", cursor)) }
                let page = try await s.stripe(.GET, "/v1/products", form)
                #expect(page.status == 200)
                #expect(page.string("object") == "list")
                #expect(page.string("url") == "/v1/products")
                pages.append(page)
                cursor = page.ids.last
                if pages.count > 5 { break }
            } while pages.last?.json["has_more"] as? Bool == true
            #expect(pages.count == 3)
            #expect(pages.map(\.ids.count) == [100, 100, 50])
            #expect(pages.map { $0.json["has_more"] as? Bool } == [true, true, false])
            let all = pages.flatMap(\.ids)
            #expect(Set(all).count == 250)
            #expect(all == createdOrder.reversed())  // newest first

            // Default limit 10; ending_before walks back towards newer objects.
            #expect(try await s.stripe(.GET, "/v1/products").ids.count == 10)
            let back = try await s.stripe(.GET, "/v1/products", [("limit", "100"), ("ending_before", all[150])])
            #expect(back.ids == Array(all[50..<150]))
            #expect(back.json["has_more"] as? Bool == true)
            let front = try await s.stripe(.GET, "/v1/products", [("limit", "100"), ("ending_before", all[50])])
            #expect(front.ids == Array(all[0..<50]))
            #expect(front.json["has_more"] as? Bool == false)
        }
    }

    @Test func listParameterErrors() async throws {
        try await withSandbox { s in
            #expect(try await s.stripe(.GET, "/v1/products", [("limit", "101")]).error["param"] as? String == "limit")
            #expect(try await s.stripe(.GET, "/v1/products", [("limit", "0")]).status == 400)
            #expect(try await s.stripe(.GET, "/v1/products", [("limit", "ten")]).error["message"] as? String == "Invalid integer: ten")
            let both = try await s.stripe(.GET, "/v1/products", [("starting_after", "a"), ("ending_before", "b")])
            #expect(both.error["code"] as? String == "parameters_exclusive")
            let missing = try await s.stripe(.GET, "/v1/products", [("starting_after", "prod_nope")])
            #expect(missing.error["code"] as? String == "resource_missing")
            #expect(missing.error["param"] as? String == "starting_after")
            #expect(try await s.stripe(.GET, "/v1/products", [("colour", "red")]).error["code"] as? String == "parameter_unknown")
        }
    }
}

@Suite struct StripeIdempotencyTests {
    @Test func sameKeySameParametersReplays() async throws {
        try await withSandbox { s in
            let form = [("name", "Blow-dry"), ("metadata[salonops_owner]", "x")]
            let first = try await s.stripe(.POST, "/v1/products", form, headers: [("Idempotency-Key", "k-1")])
            #expect(first.status == 200)
            #expect(first.headers.first(name: "Idempotent-Replayed") == nil)
            // Same parameters in another order: still the same request.
            let second = try await s.stripe(.POST, "/v1/products", form.reversed(), headers: [("Idempotency-Key", "k-1")])
            #expect(second.status == 200)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(second.body == first.body)
            #expect(try await s.stripe(.GET, "/v1/products").ids.count == 1)

            let changed = try await s.stripe(.POST, "/v1/products", [("name", "Blow-dry deluxe")], headers: [("Idempotency-Key", "k-1")])
            #expect(changed.status == 400)
            #expect(changed.error["type"] as? String == "idempotency_error")
            let otherEndpoint = try await s.stripe(.POST, "/v1/coupons", [("percent_off", "5")], headers: [("Idempotency-Key", "k-1")])
            #expect(otherEndpoint.status == 400)
            #expect(otherEndpoint.error["type"] as? String == "idempotency_error")

            // Keys are per API key: another key may use the same idempotency key for a new object.
            let otherAccount = try await s.stripe(
                .POST, "/v1/products", form, apiKey: "sk_test_otheraccount9",
                headers: [("Idempotency-Key", "k-1")])
            #expect(otherAccount.status == 200)
            #expect(otherAccount.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(otherAccount.string("id") != first.string("id"))
            #expect(try await s.stripe(.GET, "/v1/products").ids.count == 2)
        }
    }

    @Test func failedValidationLeavesTheKeyFree() async throws {
        try await withSandbox { s in
            let bad = try await s.stripe(.POST, "/v1/products", [("name", "x"), ("bogus", "1")], headers: [("Idempotency-Key", "k-2")])
            #expect(bad.status == 400)
            let good = try await s.stripe(.POST, "/v1/products", [("name", "x")], headers: [("Idempotency-Key", "k-2")])
            #expect(good.status == 200)
            #expect(good.headers.first(name: "Idempotent-Replayed") == nil)
        }
    }
}
