import Foundation

/// A sliding-window rate limit per key: at most `limit` admitted requests in any `window`
/// seconds (Google's per-user and per-project quotas are "per minute, sliding window").
/// Refused requests are not counted, so a client that backs off gets through once the oldest
/// admitted request leaves the window.
public struct SlidingWindowLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private var admitted: [String: [Date]] = [:]

    public init(limit: Int, window: TimeInterval = 60) {
        precondition(limit >= 0 && window > 0, "a rate limit needs a non-negative limit and a positive window")
        self.limit = limit
        self.window = window
    }

    /// Whether a request for `key` at `now` would be admitted (nothing is recorded).
    public func allows(_ key: String, at now: Date) -> Bool {
        let horizon = now.addingTimeInterval(-window)
        return (admitted[key] ?? []).lazy.filter { $0 > horizon }.count < limit
    }

    /// Requests admitted for `key` within the window ending at `now` (what a provider's
    /// "remaining" header subtracts from the limit).
    public func used(_ key: String, at now: Date) -> Int {
        let horizon = now.addingTimeInterval(-window)
        return (admitted[key] ?? []).lazy.filter { $0 > horizon }.count
    }

    /// Counts an admitted request, forgetting the ones that left the window.
    public mutating func record(_ key: String, at now: Date) {
        let horizon = now.addingTimeInterval(-window)
        var times = admitted[key, default: []]
        if let firstKept = times.firstIndex(where: { $0 > horizon }) {
            if firstKept > 0 { times.removeFirst(firstKept) }
        } else {
            times.removeAll(keepingCapacity: true)
        }
        times.append(now)
        admitted[key] = times
    }

    /// Records and admits the request when `key` is under its limit at `now`.
    public mutating func admit(_ key: String, at now: Date) -> Bool {
        guard allows(key, at: now) else { return false }
        record(key, at: now)
        return true
    }

    /// Seconds until `key` may be admitted again (0 when it may be now).
    public func retryAfter(_ key: String, at now: Date) -> TimeInterval {
        let times = admitted[key, default: []].filter { $0 > now.addingTimeInterval(-window) }
        guard times.count >= limit, let oldest = times.first else { return 0 }
        return max(0, oldest.addingTimeInterval(window).timeIntervalSince(now))
    }
}
