import Foundation
import SalonOpsEngine
import SalonOpsSecrets
import SalonOpsTestSupport
import Testing

/// The run history in SQLite: what goes in comes out, newest first, filtered, and forgotten
/// after its retention; joined with the audit log.
@Suite struct RunHistoryTests {
    static func run(_ startedAt: Date, trigger: String = "push", integrations: [String] = ["planity"], error: String? = nil) -> RunRecord {
        RunRecord(
            startedAt: startedAt, durationMs: 1500, command: "run", trigger: trigger, repository: "file:///r", commit: String(repeating: "c", count: 40),
            ref: "refs/heads/main", outcome: error == nil ? "ok" : "failed", scope: "planity (lyon-2)", requests: 12, counts: ["applied": 1, "changes": 1],
            integrations: integrations.map {
                RunRecord.IntegrationResult(
                    integration: $0, provider: $0, connection: "connected", stage: error == nil ? "ok" : "apply", planned: 1, applied: error == nil ? 1 : 0,
                    failed: error == nil ? 0 : 1, skipped: 0, drift: 0, requests: 6, errors: error.map { [$0] } ?? [])
            })
    }

    @Test func whatGoesInComesOutNewestFirstAndFiltered() async throws {
        let folder = try TempFolder("history")
        let history = SQLiteRunHistory(stateDirectory: folder.path)
        let now = Date()
        #expect(try await history.runs(since: nil, integration: nil).isEmpty)
        try await history.record(Self.run(now.addingTimeInterval(-7200), trigger: "drift", integrations: ["planity", "stripe"]), now: now)
        try await history.record(Self.run(now.addingTimeInterval(-60), integrations: ["stripe"], error: "apply: price p: declined"), now: now)
        let all = try await history.runs(since: nil, integration: nil)
        #expect(all.map(\.trigger) == ["push", "drift"])
        #expect(all[0].integrations == Self.run(now, integrations: ["stripe"], error: "apply: price p: declined").integrations)
        #expect(all[1].integrations.map(\.integration) == ["planity", "stripe"] && all[1].counts == ["applied": 1, "changes": 1])
        #expect(abs(all[0].startedAt.timeIntervalSince(now.addingTimeInterval(-60))) < 0.01)
        #expect(try await history.runs(since: now.addingTimeInterval(-3600), integration: nil).map(\.trigger) == ["push"])
        #expect(try await history.runs(since: nil, integration: "planity").map(\.trigger) == ["drift"])
        #expect(try await history.runs(since: nil, integration: "treatwell").isEmpty)
        let mode = try FileManager.default.attributesOfItem(atPath: history.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// 90 days: a run older is gone with its integrations once a newer one is recorded.
    @Test func runsOlderThanTheRetentionAreForgotten() async throws {
        let folder = try TempFolder("history-retention")
        let history = SQLiteRunHistory(stateDirectory: folder.path)
        let now = Date()
        try await history.record(Self.run(now.addingTimeInterval(-91 * 86_400), trigger: "old"), now: now.addingTimeInterval(-91 * 86_400))
        try await history.record(Self.run(now.addingTimeInterval(-89 * 86_400), trigger: "kept"), now: now.addingTimeInterval(-89 * 86_400))
        #expect(try await history.runs(since: nil, integration: nil).count == 2)
        try await history.record(Self.run(now, trigger: "new"), now: now)
        #expect(try await history.runs(since: nil, integration: nil).map(\.trigger) == ["new", "kept"])
        // The old run's integration rows went with it (cascade): only the two runs' remain.
        #expect(try await history.runs(since: nil, integration: "planity").count == 2)
    }

    @Test func eachRunGetsTheDecryptionsItMade() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let run = Self.run(start)
        let audit = [
            AuditLog.Entry(
                time: start.addingTimeInterval(0.2), file: "secrets/planity.sops.yaml", keyPaths: ["planity.api_key"], identity: "age1x", command: "run",
                commit: run.commit),
            AuditLog.Entry(
                time: start.addingTimeInterval(-30), file: "secrets/stripe.sops.yaml", keyPaths: ["stripe.secret_key"], identity: "age1x", command: "run",
                commit: run.commit),
            AuditLog.Entry(time: start.addingTimeInterval(0.5), file: "secrets/stripe.sops.yaml", keyPaths: ["k"], identity: "age1x", command: "secrets edit"),
        ]
        let joined = RunWithDecryptions.join([run], audit: audit)
        #expect(joined.first?.decryptions.map(\.file) == ["secrets/planity.sops.yaml"])
    }
}
