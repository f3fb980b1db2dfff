import Foundation
import SalonOpsProviderKit

/// A counting semaphore for `async` code: `acquire` waits (in arrival order) for a free slot.
public actor AsyncSemaphore {
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(_ slots: Int) { free = max(slots, 1) }

    public func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        if waiters.isEmpty { free += 1 } else { waiters.removeFirst().resume() }
    }
}

/// Paces one provider account as its `RatePolicy` says: a token bucket, keyed sliding windows
/// (GBP: 10 edits a minute per location) and a cap on requests in flight.
public actor RateLimiter {
    let policy: RatePolicy
    private var tokens: Double
    private var last: ContinuousClock.Instant
    private var windows: [String: [ContinuousClock.Instant]] = [:]
    /// The cost bucket's level and when it was last known.
    private var points: Double
    private var pointsAt: ContinuousClock.Instant
    let inFlight: AsyncSemaphore

    public init(policy: RatePolicy) {
        self.policy = policy
        self.tokens = Double(max(policy.burst, 1))
        self.last = .now
        self.points = policy.cost?.capacity ?? 0
        self.pointsAt = .now
        self.inFlight = AsyncSemaphore(policy.maxInFlight)
    }

    /// Waits for the bucket, every keyed window the request counts against and, for a provider
    /// that prices requests, enough points. Bounded: it gives up (throws) rather than wait past
    /// `deadline`.
    func admit(keys: [String], cost: Double? = nil, deadline: ContinuousClock.Instant) async throws {
        while true {
            let wait = reserve(keys: keys, cost: cost)
            guard let wait else { return }
            guard ContinuousClock.now + wait < deadline else {
                throw ProviderError(.rateLimited(retryAfter: wait), message: "the provider's rate limit leaves no room before the run's deadline")
            }
            try await Task.sleep(for: wait)
        }
    }

    /// What the provider said is left in its cost bucket, after an answer.
    func observe(available: Double) {
        points = available
        pointsAt = .now
    }

    /// Takes a token, a place in each window and the request's points, or says how long to
    /// wait for them.
    private func reserve(keys: [String], cost: Double?) -> Duration? {
        let now = ContinuousClock.now
        let rate = max(policy.requestsPerSecond, 0.001)
        let elapsed = now - last
        last = now
        tokens = min(Double(max(policy.burst, 1)), tokens + rate * Self.seconds(elapsed))
        var wait: Duration = .zero
        if tokens < 1 { wait = .milliseconds(Int64((1 - tokens) / rate * 1000) + 1) }
        var price = 0.0
        if let bucket = policy.cost {
            price = min(cost ?? bucket.defaultCost, bucket.capacity)
            points = min(bucket.capacity, points + bucket.restorePerSecond * Self.seconds(now - pointsAt))
            pointsAt = now
            if points < price { wait = max(wait, .milliseconds(Int64((price - points) / max(bucket.restorePerSecond, 0.001) * 1000) + 1)) }
        }
        var matched: [(String, KeyedLimit)] = []
        for key in keys {
            for limit in policy.keyed where key.hasPrefix(limit.prefix) {
                let recent = (windows[key] ?? []).filter { now - $0 < limit.per }
                windows[key] = recent
                if recent.count >= limit.count, let oldest = recent.first { wait = max(wait, limit.per - (now - oldest)) }
                matched.append((key, limit))
            }
        }
        guard wait == .zero else { return wait }
        tokens -= 1
        points -= price
        for (key, _) in matched { windows[key, default: []].append(now) }
        return nil
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// One limiter per (provider, account) for the life of the process: integrations on the same
/// account share it, and a daemon keeps it across runs.
public actor RateLimiterRegistry {
    private var limiters: [String: RateLimiter] = [:]

    public init() {}

    public func limiter(provider: String, account: String, policy: RatePolicy) -> RateLimiter {
        let key = provider + "\u{1F}" + account
        if let existing = limiters[key] { return existing }
        let limiter = RateLimiter(policy: policy)
        limiters[key] = limiter
        return limiter
    }
}
