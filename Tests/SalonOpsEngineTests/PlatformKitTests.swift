import Foundation
import SalonOpsProviderKit
import SalonOpsProviderTesting
import Testing
@testable import SalonOpsEngine

/// Kit pieces the first two providers do not use yet, proven for the ones that will: GraphQL
/// connection paging (Shopify) and a cost bucket fed from answers.
@Suite struct PlatformKitTests {
    static let traits = ProviderTraits(
        endpoints: [Endpoint("api", "https://shop.example/admin/api/2025-01/graphql.json")], auth: .none,
        rate: RatePolicy(requestsPerSecond: 1000, burst: 1000), classify: { $0.status == 200 ? .success : .failure(ProviderError(.permanent, status: $0.status, message: "x")) })

    @Test func aGraphQLConnectionIsReadPageAfterPageWithItsCursor() async throws {
        let session = FakeSession(traits: Self.traits, owner: "belle-epoque") { request in
            guard case .json(let body) = request.body else { throw ProviderError(.permanent, message: "not JSON") }
            let after = body.at("variables.after")?.string
            let page: JSONValue
            switch after {
            case nil: page = Self.page(["p1", "p2"], next: "c2")
            case "c2": page = Self.page(["p3", "p4"], next: "c4")
            case "c4": page = Self.page(["p5"], next: nil)
            default: return FakeSession.json(.object([("errors", .array([.object([("message", .string("bad cursor"))])]))]))
            }
            return FakeSession.json(.object([("data", .object([("shop", .object([("products", page)]))]))]))
        }
        let nodes = try await Paginator.connection(
            session, path: "", query: "query($first: Int!, $after: String) { … }",
            variables: [("query", .string("status:active"))], connection: "shop.products", pageSize: 2)
        #expect(nodes.compactMap { $0["id"]?.string } == ["p1", "p2", "p3", "p4", "p5"])
        let sent = await session.sent
        #expect(sent.count == 3)
        let bodies = sent.compactMap { request -> JSONValue? in
            if case .json(let body) = request.body { return body }; return nil
        }
        #expect(bodies.map { $0.at("variables.first")?.int } == [2, 2, 2])
        #expect(bodies.first?.at("variables.query")?.string == "status:active")
    }

    @Test func graphQLErrorsWithoutDataFailTheListing() async throws {
        let session = FakeSession(traits: Self.traits, owner: "o") { _ in
            FakeSession.json(.object([("errors", .array([.object([("message", .string("Field 'prodcts' doesn't exist"))])]))]))
        }
        await #expect(throws: ProviderError.self) {
            _ = try await Paginator.connection(session, path: "", query: "{}", connection: "prodcts", pageSize: 10)
        }
    }

    static func page(_ ids: [String], next: String?) -> JSONValue {
        .object([
            ("edges", .array(ids.map { .object([("node", .object([("id", .string($0))]))]) })),
            ("pageInfo", .object([("hasNextPage", .bool(next != nil)), ("endCursor", next.map(JSONValue.string) ?? .null)])),
        ])
    }

    @Test func aCostBucketHoldsARequestUntilThePointsAreBackAndBelievesTheProvider() async throws {
        let bucket = CostBucket(capacity: 100, restorePerSecond: 500, defaultCost: 10) { _ in nil }
        let limiter = RateLimiter(policy: RatePolicy(requestsPerSecond: 1000, burst: 1000, cost: bucket))
        // A far deadline: the whole suite runs at once on two cores.
        let deadline = ContinuousClock.now + .seconds(120)
        try await limiter.admit(keys: [], cost: 90, deadline: deadline)
        // The provider says only 5 points are left: a 60-point request waits for 55 at 500/s.
        await limiter.observe(available: 5)
        let start = ContinuousClock.now
        try await limiter.admit(keys: [], cost: 60, deadline: deadline)
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        // More than the bucket holds is capped at its capacity, not refused forever.
        try await limiter.admit(keys: [], cost: 1_000, deadline: deadline)
    }

    @Test func aCostThatCannotBeMetBeforeTheDeadlineFailsAsRateLimited() async {
        let bucket = CostBucket(capacity: 1000, restorePerSecond: 1, defaultCost: 10) { _ in nil }
        let limiter = RateLimiter(policy: RatePolicy(requestsPerSecond: 1000, burst: 1000, cost: bucket))
        await limiter.observe(available: 0)
        await #expect {
            try await limiter.admit(keys: [], cost: 500, deadline: .now + .seconds(2))
        } throws: { error in
            guard let error = error as? ProviderError, case .rateLimited = error.kind else { return false }
            return true
        }
    }
}
