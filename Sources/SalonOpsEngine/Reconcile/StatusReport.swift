import Foundation
import SalonOpsCore
import SalonOpsSecrets

/// The status report written after every plan, apply, reconcile or check (`--report-dir`):
/// `status.json` (schema `salonops.status/v1`, docs/status-json.md), `status.md` for people and
/// `flags.json` for the salon app (each feature: enabled and healthy).
public struct StatusReport: Sendable, Codable {
    public static let schema = "salonops.status/v1"

    public enum ConnectionState: String, Sendable, Codable {
        /// `unknown`: not checked in this run; `suspended`: neither planned nor applied until resumed.
        case connected, error, unknown, disabled, unsupported, suspended
    }

    public struct Connection: Sendable, Codable {
        public var state: ConnectionState
        public var detail: String?

        public init(state: ConnectionState, detail: String?) {
            self.state = state
            self.detail = detail
        }
    }

    public struct Counts: Sendable, Codable {
        public var planned = 0
        public var applied = 0
        public var failed = 0
        public var skipped = 0
    }

    /// What a run retried at one provider: every retry sent, those past a request's own
    /// attempts taken from the run's budget, and that budget.
    public struct Retries: Sendable, Codable, Equatable {
        public var sent: Int
        public var fromBudget: Int
        public var budget: Int

        public init(sent: Int, fromBudget: Int, budget: Int) {
            self.sent = sent
            self.fromBudget = fromBudget
            self.budget = budget
        }
    }

    public struct EstablishmentStatus: Sendable, Codable {
        public var establishment: String
        public var displayName: String
        public var enabled: Bool
        public var healthy: Bool
    }

    public struct IntegrationStatus: Sendable, Codable {
        public var integration: String
        public var provider: String
        public var enabled: Bool
        public var connection: Connection
        public var establishments: [EstablishmentStatus]
        public var lastAppliedCommit: String?
        public var drift: Int
        public var changes: Counts
        public var errors: [StageError]
        public var durationMs: Int
        public var requests: Int
        /// Nil when the integration was not connected in this run.
        public var retries: Retries?

        public var healthy: Bool { enabled && errors.isEmpty && connection.state == .connected && changes.failed == 0 }
    }

    public var schema = StatusReport.schema
    public var generatedAt: String
    public var command: String
    public var repository: String
    public var commit: String
    public var integrations: [IntegrationStatus]
    /// Each establishment's hours, closures and services as the config and each provider hold
    /// them (docs/status-json.md); nil before any plan has observed the providers.
    public var consistency: ConsistencyView?

    /// One row per Integration of the config (managed or not), with what this run learnt.
    public static func make(
        command: String, state: DesiredState, repository: String, commit: String, plan: Plan?, result: ApplyResult?,
        connections: [String: Connection], lastApplied: [String: String], durationMs: Int,
        requests: [String: Int] = [:], retries: [String: Retries] = [:], supported: Set<String>, consistency: ConsistencyView? = nil
    ) -> StatusReport {
        let rows = state.integrations.sorted { $0.metadata.name < $1.metadata.name }.map { integration -> IntegrationStatus in
            let name = integration.metadata.name
            let integrationPlan = plan?.integrations.first { $0.integration == name }
            var counts = Counts()
            counts.planned = integrationPlan?.applicable.count ?? 0
            counts.applied = result?.count(.applied, integration: name) ?? 0
            counts.failed = result?.count(.failed, integration: name) ?? 0
            counts.skipped = result?.count(.skipped, integration: name) ?? 0
            var errors: [StageError] = integrationPlan?.error.map { [$0] } ?? []
            if let refusal = integrationPlan?.refusal { errors.append(StageError(stage: .plan, message: "refused: \(refusal)", retryable: false)) }
            for item in result?.items ?? [] where item.integration == name && item.outcome == .failed {
                errors.append(StageError(stage: .apply, message: "\(item.kind) \(item.key): \(item.reason ?? "failed")", retryable: item.retryable))
            }
            let supported = supported.contains(integration.provider.value)
            var connection = connections[name] ?? Connection(state: .unknown, detail: nil)
            if !integration.enabled {
                connection = Connection(state: .disabled, detail: nil)
            } else if !supported {
                connection = Connection(state: .unsupported, detail: "no adapter for \(integration.provider.value) in this version")
            } else if let error = integrationPlan?.error, connections[name] == nil {
                connection = Connection(state: .error, detail: error.description)
            } else if integrationPlan != nil && integrationPlan?.error == nil && connections[name] == nil {
                connection = Connection(state: .connected, detail: "observed")
            }
            var row = IntegrationStatus(
                integration: name, provider: integration.provider.value, enabled: integration.enabled, connection: connection,
                establishments: [], lastAppliedCommit: lastApplied[name], drift: integrationPlan?.driftCount ?? 0,
                changes: counts, errors: errors, durationMs: durationMs,
                requests: (result?.requests[name] ?? requests[name] ?? 0), retries: retries[name])
            let healthy = row.healthy
            row.establishments = state.establishments.sorted { $0.metadata.name < $1.metadata.name }.map { establishment in
                let covered = integration.establishments.includes(establishment.metadata.name)
                return EstablishmentStatus(
                    establishment: establishment.metadata.name, displayName: establishment.displayName,
                    enabled: integration.enabled && covered, healthy: integration.enabled && covered && healthy)
            }
            return row
        }
        return StatusReport(
            generatedAt: SopsFile.rfc3339(Date()), command: command, repository: repository, commit: commit, integrations: rows, consistency: consistency)
    }

    public func markdown() -> String {
        var out = "# État des intégrations\n\nCommit `\(commit.prefix(12))`, \(generatedAt) (`salonops \(command)`)\n\n"
        out += "| Intégration | Établissement | État | Détail |\n| --- | --- | --- | --- |\n"
        for row in integrations {
            for establishment in row.establishments where establishment.enabled {
                let state = row.connection.state == .unsupported ? "· Non géré (version actuelle)" : (establishment.healthy ? "✅ Connecté" : "❌ Erreur")
                let detail = row.errors.first?.description ?? row.connection.detail ?? ""
                out += "| \(row.integration) | \(establishment.displayName) | \(state) | \(detail.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
            if !row.enabled { out += "| \(row.integration) | — | ⏸ Désactivé | |\n" }
        }
        let retried = integrations.compactMap { row in row.retries.map { (row.integration, $0) } }
        if !retried.isEmpty {
            out += "\nNouvelles tentatives (retries) : "
            out += retried.map { "\($0.0) \($0.1.sent) (dont \($0.1.fromBudget) sur le budget de \($0.1.budget) du passage)" }.joined(separator: ", ") + "\n"
        }
        return out + (consistency?.markdown() ?? "")
    }

    /// `flags.json`: per feature (integration), whether the salon app may use it.
    public func flags() -> [String: Any] {
        var features: [String: Any] = [:]
        for row in integrations {
            var establishments: [String: Any] = [:]
            for e in row.establishments { establishments[e.establishment] = ["enabled": e.enabled, "healthy": e.healthy] }
            features[row.integration] = ["provider": row.provider, "enabled": row.enabled, "healthy": row.healthy, "establishments": establishments]
        }
        return ["schema": "salonops.flags/v1", "generatedAt": generatedAt, "commit": commit, "features": features]
    }

    public func write(to directory: String) throws {
        try StateDirectory.prepare(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        let flags = String(decoding: try JSONSerialization.data(withJSONObject: flags(), options: [.prettyPrinted, .sortedKeys]), as: UTF8.self) + "\n"
        try writeAtomically(json, (directory as NSString).appendingPathComponent("status.json"))
        try writeAtomically(markdown(), (directory as NSString).appendingPathComponent("status.md"))
        try writeAtomically(flags, (directory as NSString).appendingPathComponent("flags.json"))
    }

    private func writeAtomically(_ text: String, _ path: String) throws {
        try AtomicFile.write(text, to: path, mode: 0o600)
    }

    public static func read(from directory: String) throws -> StatusReport {
        let data = try Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("status.json")))
        return try JSONDecoder().decode(StatusReport.self, from: data)
    }
}
