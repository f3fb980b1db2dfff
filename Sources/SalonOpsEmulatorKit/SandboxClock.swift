import Foundation

/// The time an emulator reads (token expiry, rate-limit windows, `updated` stamps): the system
/// clock, or a manual one that tests move forward instead of sleeping.
public final class SandboxClock: Sendable {
    private let manual: Locked<Date>?

    /// The system clock.
    public static let system = SandboxClock(manual: nil)

    private init(manual: Locked<Date>?) { self.manual = manual }

    /// A clock that stands still at `start` until `advance(by:)` moves it.
    public static func manual(startingAt start: Date) -> SandboxClock { SandboxClock(manual: Locked(start)) }

    public var now: Date { manual?.withLock { $0 } ?? Date() }

    /// Moves a manual clock forward (a no-op on the system clock).
    public func advance(by seconds: TimeInterval) {
        manual?.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
