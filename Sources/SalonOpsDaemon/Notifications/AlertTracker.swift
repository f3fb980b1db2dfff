import Foundation

/// How an integration (or the fetch) stands after a run, for notifications.
public enum AlertLevel: String, Sendable, Codable, Equatable {
    case ok, drift, failed
}

/// A change of state worth telling people about.
public struct Alert: Sendable, Equatable, Codable {
    public enum Event: String, Sendable, Codable {
        case failure, drift, recovery
    }

    public var event: Event
    /// An Integration's name, or `fetch` for the followed ref.
    public var key: String
    public var level: AlertLevel
    public var previous: AlertLevel?
    /// One line for people (redacted).
    public var summary: String
    public var details: [String]
}

/// Turns each run's states into alerts: one per change of state, at most one per key every
/// `minimumInterval` (a change inside the window waits, and is sent when the window has passed
/// if the state still differs from the last one sent), never for an unchanged state. Pure, so
/// the rules are tested without a clock or a network.
public struct AlertTracker: Sendable {
    public var minimumInterval: TimeInterval
    /// The last state sent per key, and when.
    private var sent: [String: (level: AlertLevel, at: Date)] = [:]
    /// The newest state seen per key, with what to say, until it is sent.
    private var held: [String: (level: AlertLevel, summary: String, details: [String], quietAfterDrift: Bool)] = [:]

    public init(minimumInterval: TimeInterval = 300) { self.minimumInterval = minimumInterval }

    /// `quietAfterDrift`: a return to ok from drift is not news (the run corrected the drift it
    /// found, and said so); from a failure it always is.
    public mutating func observe(_ key: String, _ level: AlertLevel, summary: String, details: [String] = [], quietAfterDrift: Bool = false) {
        held[key] = (level, summary, details, quietAfterDrift)
    }

    /// The alerts due at `now`, recorded as sent.
    public mutating func due(at now: Date) -> [Alert] {
        var alerts: [Alert] = []
        for key in held.keys.sorted() {
            let (level, summary, details, quietAfterDrift) = held[key]!
            let last = sent[key]
            // First sight: only a problem is news (a fine state is noted, with no window to
            // wait out). Afterwards: only a change.
            guard last.map({ $0.level != level }) ?? (level != .ok) else {
                if last == nil { sent[key] = (level, .distantPast) }
                held[key] = nil
                continue
            }
            if let last, now.timeIntervalSince(last.at) < minimumInterval { continue }
            held[key] = nil
            if level == .ok && quietAfterDrift && last?.level == .drift {
                sent[key] = (level, last?.at ?? now)
                continue
            }
            let event: Alert.Event = level == .ok ? .recovery : (level == .drift ? .drift : .failure)
            alerts.append(Alert(event: event, key: key, level: level, previous: last?.level, summary: summary, details: details))
            sent[key] = (level, now)
        }
        return alerts
    }
}
