import Foundation
import GRDB
import SalonOpsCore
import SalonOpsSecrets
import Synchronization

/// One run as the history keeps it: what started it, the commit, the outcome, counts and
/// durations, and each integration's stage results. Never a value of a secret.
public struct RunRecord: Codable, Sendable, Equatable {
    public struct IntegrationResult: Codable, Sendable, Equatable {
        public var integration: String
        public var provider: String
        /// connected, error, unknown, disabled, unsupported.
        public var connection: String
        /// The stage of the first error (fetch, connect, observe, plan, apply), or "ok".
        public var stage: String
        public var planned: Int
        public var applied: Int
        public var failed: Int
        public var skipped: Int
        public var drift: Int
        public var requests: Int
        /// Errors as the report states them (`stage: message`), redacted.
        public var errors: [String]

        public init(
            integration: String, provider: String, connection: String, stage: String, planned: Int, applied: Int, failed: Int, skipped: Int,
            drift: Int, requests: Int, errors: [String]
        ) {
            self.integration = integration
            self.provider = provider
            self.connection = connection
            self.stage = stage
            self.planned = planned
            self.applied = applied
            self.failed = failed
            self.skipped = skipped
            self.drift = drift
            self.requests = requests
            self.errors = errors
        }
    }

    public var id: Int64?
    public var startedAt: Date
    public var durationMs: Int
    public var command: String
    /// What started it: the command for the CLI, the daemon's trigger (schedule, push, drift).
    public var trigger: String
    public var repository: String
    public var commit: String
    public var ref: String?
    public var outcome: String
    /// "full", or what a change-scoped run looked at.
    public var scope: String
    public var requests: Int
    /// changes, drift, duplicates, applied, failed, skipped, retries.
    public var counts: [String: Int]
    public var integrations: [IntegrationResult]

    public init(
        id: Int64? = nil, startedAt: Date, durationMs: Int, command: String, trigger: String, repository: String, commit: String, ref: String?,
        outcome: String, scope: String, requests: Int, counts: [String: Int], integrations: [IntegrationResult]
    ) {
        self.id = id
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.command = command
        self.trigger = trigger
        self.repository = repository
        self.commit = commit
        self.ref = ref
        self.outcome = outcome
        self.scope = scope
        self.requests = requests
        self.counts = counts
        self.integrations = integrations
    }
}

/// Where runs are kept, behind the state store: `SQLiteRunHistory` in the state directory.
public protocol RunHistory: Sendable {
    /// Keeps `run` and forgets runs older than the retention, as of `now`.
    func record(_ run: RunRecord, now: Date) async throws
    /// Newest first; `integration`: only runs that planned it.
    func runs(since: Date?, integration: String?) async throws -> [RunRecord]
}

/// The history in SQLite (GRDB, the system's libsqlite3), `<state-dir>/history.sqlite`: a
/// `run` table and a `runIntegration` table (cascade-deleted with its run), kept 90 days.
public final class SQLiteRunHistory: RunHistory {
    public let path: String
    public let retention: TimeInterval
    private let opened: Mutex<DatabaseQueue?>

    public static let defaultRetention: TimeInterval = 90 * 86_400

    public init(stateDirectory: String, retention: TimeInterval = SQLiteRunHistory.defaultRetention) {
        path = (stateDirectory as NSString).appendingPathComponent("history.sqlite")
        self.retention = retention
        opened = Mutex(nil)
    }

    /// Opened (and migrated) on first use, so a run that records nothing opens nothing.
    private func database() throws -> DatabaseQueue {
        try opened.withLock { queue in
            if let queue { return queue }
            let fresh = !FileManager.default.fileExists(atPath: path)
            let made = try DatabaseQueue(path: path)
            if fresh { _ = chmod(path, 0o600) }
            try Self.migrator.migrate(made)
            queue = made
            return made
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("startedAt", .datetime).notNull().indexed()
                table.column("durationMs", .integer).notNull()
                table.column("command", .text).notNull()
                table.column("trigger", .text).notNull()
                table.column("repository", .text).notNull()
                table.column("commit", .text).notNull()
                table.column("ref", .text)
                table.column("outcome", .text).notNull()
                table.column("scope", .text).notNull()
                table.column("requests", .integer).notNull()
                table.column("counts", .jsonText).notNull()
            }
            try db.create(table: "runIntegration") { table in
                table.column("runId", .integer).notNull().indexed().references("run", onDelete: .cascade)
                table.column("integration", .text).notNull().indexed()
                table.column("provider", .text).notNull()
                table.column("connection", .text).notNull()
                table.column("stage", .text).notNull()
                table.column("planned", .integer).notNull()
                table.column("applied", .integer).notNull()
                table.column("failed", .integer).notNull()
                table.column("skipped", .integer).notNull()
                table.column("drift", .integer).notNull()
                table.column("requests", .integer).notNull()
                table.column("errors", .jsonText).notNull()
            }
        }
        return migrator
    }

    struct RunRow: Codable, FetchableRecord, MutablePersistableRecord {
        static let databaseTableName = "run"
        var id: Int64?
        var startedAt: Date
        var durationMs: Int
        var command: String
        var trigger: String
        var repository: String
        var commit: String
        var ref: String?
        var outcome: String
        var scope: String
        var requests: Int
        var counts: [String: Int]

        mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
    }

    struct IntegrationRow: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "runIntegration"
        var runId: Int64
        var integration: String
        var provider: String
        var connection: String
        var stage: String
        var planned: Int
        var applied: Int
        var failed: Int
        var skipped: Int
        var drift: Int
        var requests: Int
        var errors: [String]
    }

    public func record(_ run: RunRecord, now: Date = Date()) async throws {
        let database = try database()
        let cutoff = now.addingTimeInterval(-retention)
        try await database.write { db in
            var row = RunRow(
                id: nil, startedAt: run.startedAt, durationMs: run.durationMs, command: run.command, trigger: run.trigger, repository: run.repository,
                commit: run.commit, ref: run.ref, outcome: run.outcome, scope: run.scope, requests: run.requests, counts: run.counts)
            try row.insert(db)
            guard let id = row.id else { return }
            for result in run.integrations {
                try IntegrationRow(
                    runId: id, integration: result.integration, provider: result.provider, connection: result.connection, stage: result.stage,
                    planned: result.planned, applied: result.applied, failed: result.failed, skipped: result.skipped, drift: result.drift,
                    requests: result.requests, errors: result.errors.map { SecretScanner.redact($0) }
                ).insert(db)
            }
            try RunRow.filter(Column("startedAt") < cutoff).deleteAll(db)
        }
    }

    public func runs(since: Date?, integration: String?) async throws -> [RunRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let database = try database()
        return try await database.read { db in
            var request = RunRow.order(Column("startedAt").desc, Column("id").desc)
            if let since { request = request.filter(Column("startedAt") >= since) }
            if let integration {
                request = request.filter(
                    sql: "EXISTS (SELECT 1 FROM runIntegration WHERE runIntegration.runId = run.id AND runIntegration.integration = ?)",
                    arguments: [integration])
            }
            return try request.fetchAll(db).map { row in
                let results = try IntegrationRow.filter(Column("runId") == row.id).order(Column("integration")).fetchAll(db)
                return RunRecord(
                    id: row.id, startedAt: row.startedAt, durationMs: row.durationMs, command: row.command, trigger: row.trigger,
                    repository: row.repository, commit: row.commit, ref: row.ref, outcome: row.outcome, scope: row.scope, requests: row.requests,
                    counts: row.counts,
                    integrations: results.map {
                        RunRecord.IntegrationResult(
                            integration: $0.integration, provider: $0.provider, connection: $0.connection, stage: $0.stage, planned: $0.planned,
                            applied: $0.applied, failed: $0.failed, skipped: $0.skipped, drift: $0.drift, requests: $0.requests, errors: $0.errors)
                    })
            }
        }
    }
}

/// A run of the history with the decryptions it made ("who decrypted what"): the audit log's
/// lines of the same command and commit, within the run's time.
public struct RunWithDecryptions: Codable, Sendable, Equatable {
    public var run: RunRecord
    public var decryptions: [AuditLog.Entry]

    /// Each audit line goes to the run it falls in (a second of slack each side, for the
    /// timestamps' precision); a line no run covers is left out.
    public static func join(_ runs: [RunRecord], audit: [AuditLog.Entry]) -> [RunWithDecryptions] {
        let parsed = audit.compactMap { entry in ISO8601DateFormatter().date(from: entry.time).map { (entry, $0) } }
        return runs.map { run in
            let from = run.startedAt.addingTimeInterval(-1), to = run.startedAt.addingTimeInterval(Double(run.durationMs) / 1000 + 1)
            let lines = parsed.filter { entry, time in
                entry.command == run.command && (entry.commit == nil || entry.commit == run.commit) && time >= from && time <= to
            }.map(\.0)
            return RunWithDecryptions(run: run, decryptions: lines)
        }
    }
}
