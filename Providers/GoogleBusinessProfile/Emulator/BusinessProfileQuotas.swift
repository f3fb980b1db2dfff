import Foundation
import SalonOpsEmulatorKit

/// The published limits [C developers.google.com/my-business/content/limits; notes §2.6]: 300
/// requests a minute per project for each API, and 10 edits a minute per location ("cannot be
/// increased"), both sliding windows. A refused request counts against neither.
struct BusinessProfileQuotas: Sendable {
    private var requests: SlidingWindowLimiter
    private var edits: SlidingWindowLimiter

    init(options: GoogleBusinessProfileOptions) {
        requests = SlidingWindowLimiter(limit: options.requestsPerMinutePerProject)
        edits = SlidingWindowLimiter(limit: options.editsPerMinutePerLocation)
    }

    /// Counts one authenticated request against its API's per-project quota [A the metric and
    /// limit names, in the standard `<service>/<metric>` form].
    mutating func admitRequest(_ service: BusinessProfileStatus.Service, now: Date) throws(BusinessProfileStatus) {
        let key = service.rawValue
        guard requests.admit(key, at: now) else {
            throw .quotaExceeded(
                metric: "\(key)/default_requests", limit: "DefaultRequestsPerMinutePerProject",
                retryAfterSeconds: Self.seconds(requests.retryAfter(key, at: now)))
        }
    }

    /// Refuses an edit of `location` when 10 were made in the last minute (nothing is counted).
    func checkEdit(_ location: String, now: Date) throws(BusinessProfileStatus) {
        guard edits.allows(location, at: now) else {
            throw .quotaExceeded(
                metric: "mybusinessbusinessinformation.googleapis.com/edits", limit: "EditsPerMinutePerProfile",
                retryAfterSeconds: Self.seconds(edits.retryAfter(location, at: now)))
        }
    }

    /// Counts an edit that was written [A only successful, non-validateOnly PATCHes count].
    mutating func recordEdit(_ location: String, now: Date) { edits.record(location, at: now) }

    /// `Retry-After` is whole seconds, rounded up so a client that waits that long gets through.
    private static func seconds(_ interval: TimeInterval) -> Int { max(1, Int(interval.rounded(.up))) }
}
