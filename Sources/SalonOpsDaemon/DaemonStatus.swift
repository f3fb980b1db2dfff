import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsSecrets

/// What the daemon says of itself on `/status.json` and `/readyz`: the commit it serves, the
/// last fetch and run, when the next ones are. Never a value of a secret (errors pass through
/// the engine's redaction before they get here).
public struct DaemonStatus: Codable, Sendable, Equatable {
    public struct Fetch: Codable, Sendable, Equatable {
        public var at: String
        public var ok: Bool
        public var commit: String?
        public var error: String?
    }

    public struct Run: Codable, Sendable, Equatable {
        public var trigger: String
        public var commit: String
        /// "full", or what a change-scoped run looked at.
        public var scope: String
        /// The integrations planned (all of them in a full run).
        public var integrations: [String]
        /// ok, changes, failed, refused, or up-to-date / nothing-to-do when nothing ran.
        public var outcome: String
        public var startedAt: String
        public var durationMs: Int
        public var requests: Int
        /// Why the scope is what it is: the documents that moved.
        public var reasons: [String]
    }

    public var startedAt: String
    public var repository: String
    /// The Organization's display name, once a commit is served.
    public var organization: String?
    public var ref: String?
    public var ready: Bool
    public var readiness: String
    public var lastFetch: Fetch?
    /// The last commit that was fetched, trusted and valid: what the daemon serves.
    public var servingCommit: String?
    /// The last commit whose run succeeded: change-scoped runs diff from it.
    public var lastAppliedCommit: String?
    public var running: Run?
    public var lastRun: Run?
    public var cycles: Int
    public var nextRunAt: String?
    public var nextDriftScanAt: String?
    /// The last errors, newest first (at most 10).
    public var lastErrors: [String]
    /// Integrations neither planned nor applied until resumed; `overdue` past their `until`.
    public var suspensions: [Suspension] = []
    public var overdueSuspensions: [String] = []
}

/// The daemon's state, shared by its loop and its HTTP endpoints.
actor DaemonState {
    private(set) var status: DaemonStatus
    /// The config of the last applied commit: what Groupon's feed serves.
    private(set) var applied: DesiredState?

    func served(_ state: DesiredState) { applied = state }

    init(repository: String, ref: String?) {
        status = DaemonStatus(
            startedAt: Timestamp.now(), repository: repository, organization: nil, ref: ref, ready: false, readiness: "starting: the first fetch has not finished",
            lastFetch: nil, servingCommit: nil, lastAppliedCommit: nil, running: nil, lastRun: nil, cycles: 0, nextRunAt: nil,
            nextDriftScanAt: nil, lastErrors: [])
    }

    func fetched(commit: String, organization: String?) {
        status.organization = organization
        status.lastFetch = DaemonStatus.Fetch(at: Timestamp.now(), ok: true, commit: commit, error: nil)
        status.servingCommit = commit
        status.ready = true
        status.readiness = "ok: serving \(commit.prefix(12))"
    }

    /// A fetch (or the load after it) failed: the last good commit is still served, and
    /// `/readyz` says so.
    func fetchFailed(_ error: String) {
        status.lastFetch = DaemonStatus.Fetch(at: Timestamp.now(), ok: false, commit: nil, error: error)
        status.ready = false
        status.readiness =
            status.servingCommit.map { "fetch failed: \(error); still serving \($0.prefix(12))" } ?? "fetch failed: \(error); no commit to serve yet"
        failed(error)
    }

    func failed(_ error: String) {
        status.lastErrors.insert("\(Timestamp.now()) \(error)", at: 0)
        if status.lastErrors.count > 10 { status.lastErrors.removeLast(status.lastErrors.count - 10) }
    }

    func started(_ run: DaemonStatus.Run) { status.running = run }

    /// The suspensions in force; one past its date is an alert, once.
    func suspensions(_ suspensions: [Suspension], now: Date) {
        status.suspensions = suspensions
        let overdue = suspensions.filter { $0.isOverdue(at: now) }.map(\.integration)
        for name in overdue where !status.overdueSuspensions.contains(name) {
            failed("\(name)'s suspension was to end \(suspensions.first { $0.integration == name }?.until ?? "?"): resume it with `salonops resume \(name)`")
        }
        status.overdueSuspensions = overdue
    }

    func finished(_ run: DaemonStatus.Run, applied: String?) {
        status.running = nil
        status.lastRun = run
        if let applied { status.lastAppliedCommit = applied }
    }

    func scheduled(next: Date, drift: Date) {
        status.cycles += 1
        status.nextRunAt = Timestamp.format(next)
        status.nextDriftScanAt = Timestamp.format(drift)
    }
}

enum Timestamp {
    static func now() -> String { format(Date()) }
    static func format(_ date: Date) -> String { SopsFile.rfc3339(date) }
}
