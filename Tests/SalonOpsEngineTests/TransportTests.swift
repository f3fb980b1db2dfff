import Foundation
import SalonOpsProviderKit
import Testing
@testable import SalonOpsEngine

/// The pieces of the transport that need no server: Retry-After in both forms, keyed rate
/// windows, the in-flight cap, one token fetch for many requests.
@Suite struct TransportTests {
    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        func response(_ value: String) -> ProviderResponse { ProviderResponse(status: 429, headers: ["retry-after": value], body: []) }
        #expect(ResponseClass.retryAfter(response("120"), now: now) == .seconds(120))
        #expect(ResponseClass.retryAfter(response("0.5"), now: now) == .milliseconds(500))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(ResponseClass.retryAfter(response(formatter.string(from: now.addingTimeInterval(90))), now: now) == .seconds(90))
        #expect(ResponseClass.retryAfter(response("soon"), now: now) == nil)
        #expect(ResponseClass.retryAfter(ProviderResponse(status: 429, headers: [:], body: []), now: now) == nil)
    }

    @Test func aKeyedWindowHoldsTheNextRequestUntilTheWindowHasRoom() async throws {
        let limiter = RateLimiter(policy: RatePolicy(requestsPerSecond: 1000, burst: 1000, keyed: [KeyedLimit(prefix: "edits:", count: 2, per: .milliseconds(300))]))
        let deadline = ContinuousClock.now + .seconds(120)
        let start = ContinuousClock.now
        try await limiter.admit(keys: ["edits:locations/1"], deadline: deadline)
        try await limiter.admit(keys: ["edits:locations/1"], deadline: deadline)
        // Another key has its own window; a read counts against none.
        try await limiter.admit(keys: ["edits:locations/2"], deadline: deadline)
        try await limiter.admit(keys: [], deadline: deadline)
        try await limiter.admit(keys: ["edits:locations/1"], deadline: deadline)
        #expect(ContinuousClock.now - start >= .milliseconds(290), "the third edit waited for the window")
    }

    @Test func aWaitPastTheRunDeadlineFailsAtOnceAsRateLimited() async {
        let limiter = RateLimiter(policy: RatePolicy(requestsPerSecond: 1000, burst: 1000, keyed: [KeyedLimit(prefix: "e", count: 1, per: .seconds(60))]))
        try? await limiter.admit(keys: ["e"], deadline: .now + .seconds(5))
        await #expect {
            try await limiter.admit(keys: ["e"], deadline: .now + .seconds(5))
        } throws: { error in
            guard let error = error as? ProviderError, case .rateLimited = error.kind else { return false }
            return true
        }
    }

    @Test func theSemaphoreCapsWhatRunsAtOnce() async {
        let gate = AsyncSemaphore(2)
        let counter = Peak()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await gate.acquire()
                    await counter.enter()
                    await Task.yield()
                    await counter.leave()
                    await gate.release()
                }
            }
        }
        #expect(await counter.peak <= 2)
        #expect(await counter.total == 8)
    }

    @Test func concurrentRequestsShareOneTokenFetch() async throws {
        let cache = TokenCache()
        let fetches = Peak()
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await cache.get {
                        await fetches.enter()
                        try await Task.sleep(for: .milliseconds(20))
                        return AccessToken(value: "t1", expires: .now + .seconds(3600), refreshToken: nil)
                    }.value
                }
            }
            var all: [String] = []
            for try await token in group { all.append(token) }
            return all
        }
        #expect(tokens == Array(repeating: "t1", count: 10))
        #expect(await fetches.total == 1)
    }
}

actor Peak {
    var current = 0, peak = 0, total = 0
    func enter() {
        current += 1
        total += 1
        peak = max(peak, current)
    }
    func leave() { current -= 1 }
}

/// What a provider quotes back of a request is cut out of its error before anyone sees it.
@Suite struct SentValuesTests {
    @Test func credentialHeadersAndBothHalvesOfBasicAreCut() {
        let basic = "Basic " + Data("client%20id:s3cret-half-CANARY".utf8).base64EncodedString()
        let sent = SentValues(headers: ["Authorization": basic, "X-Api-Key": "key-CANARY-0123", "Accept": "application/json"])
        let quoted = "you sent \(basic), key-CANARY-0123, client id, s3cret-half-CANARY and application/json"
        let error = sent.apply(ProviderError(.permanent, status: 400, message: quoted))
        #expect(!error.message.contains("CANARY"), "\(error.message)")
        #expect(error.message.contains("application/json"), "a header that carries no credential is left as it is")
        #expect(error.kind == .permanent && error.status == 400)
    }
}
