import SalonOpsCore
/// The one exit-status vocabulary of plan, apply, reconcile and check.
public enum ExitStatus: Int32, Sendable {
    /// Nothing to change, everything applied, every connection answers.
    case ok = 0
    /// An error: bad input, a failed change, a provider that could not be planned.
    case failed = 1
    /// Changes to apply, or drift and findings worth a look.
    case changes = 2
    /// Refused: safety threshold, lock held, stale plan.
    case refused = 3

    public static func of(_ plan: Plan) -> ExitStatus { ExitStatus(rawValue: plan.exitCode) ?? .failed }

    /// For runs.jsonl.
    public var word: String {
        switch self {
        case .ok: "ok"
        case .failed: "failed"
        case .changes: "changes"
        case .refused: "refused"
        }
    }
}

extension Plan {
    /// Drift or findings under `drift: warn`, or duplicates left in place: reported, not corrected.
    public var hasWarnedDrift: Bool {
        integrations.contains { ($0.drift == .warn && ($0.driftCount > 0 || !$0.findings.isEmpty)) || $0.duplicates.contains { !$0.retired } }
    }
}
