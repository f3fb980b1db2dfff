import Foundation

extension DriftMode: Codable {}

public struct FieldChange: Sendable, Hashable, Codable {
    public let field: String
    public let before: FieldValue?
    public let after: FieldValue?

    public init(field: String, before: FieldValue?, after: FieldValue?) {
        self.field = field
        self.before = before
        self.after = after
    }
}

/// One thing apply would do to one resource.
public struct Change: Sendable, Hashable, Codable, Identifiable {
    public enum Action: String, Sendable, Codable {
        case create, update, replace, delete, adopt
    }

    /// Stable within a plan: `integration/kind/key/action`. Idempotency keys derive from it.
    public let id: String
    public let provider: String
    public let integration: String
    public let kind: String
    public let key: String
    public let title: String
    public let establishment: String?
    public let action: Action
    /// The resource acted on (update, replace: the one retired, delete, adopt).
    public let remoteID: String?
    public let fieldChanges: [FieldChange]
    /// For a replace: the immutable fields that changed.
    public let replaceBecause: [String]
    /// What to create or set (nil for a delete).
    public let desired: DesiredResource?
    /// The resource moved away from the config while the config stayed the same.
    public let drift: Bool
    /// Whether apply carries it out: drift under `observe` or `warn` is only reported.
    public let willApply: Bool
    /// Optimistic-concurrency token observed with the resource.
    public let version: String?
    /// For a delete that retires a duplicate: the remote id of the resource kept under that key.
    public let duplicateOf: String?

    public init(
        id: String, provider: String, integration: String, kind: String, key: String, title: String, establishment: String?,
        action: Action, remoteID: String?, fieldChanges: [FieldChange], replaceBecause: [String], desired: DesiredResource?,
        drift: Bool, willApply: Bool, version: String?, duplicateOf: String? = nil
    ) {
        self.duplicateOf = duplicateOf
        self.id = id
        self.provider = provider
        self.integration = integration
        self.kind = kind
        self.key = key
        self.title = title
        self.establishment = establishment
        self.action = action
        self.remoteID = remoteID
        self.fieldChanges = fieldChanges
        self.replaceBecause = replaceBecause
        self.desired = desired
        self.drift = drift
        self.willApply = willApply
        self.version = version
    }
}

/// A managed resource no longer in the config: kept unless the integration says `prune: true`.
public struct Orphan: Sendable, Hashable, Codable {
    public let kind: String
    public let key: String
    public let remoteID: String
    public let title: String
}

/// Two or more resources at the provider carrying one ownership key (two runs that both made
/// it, a copy made in a dashboard with its metadata): not drift. One is kept and diffed against
/// the config; the others are retired (deleted or archived, as the kind is removed) when the
/// Integration says `prune: true` or the run `--retire-duplicates`, and listed otherwise.
public struct Duplicate: Sendable, Hashable, Codable {
    public let kind: String
    public let key: String
    public let title: String
    /// The one kept: the one the ledger names, otherwise the smallest remote id (see Differ).
    public let kept: String
    /// The others, smallest remote id first.
    public let extra: [String]
    /// Whether this plan retires them.
    public let retired: Bool

    public init(kind: String, key: String, title: String, kept: String, extra: [String], retired: Bool) {
        self.kind = kind
        self.key = key
        self.title = title
        self.kept = kept
        self.extra = extra
        self.retired = retired
    }
}

/// The named stages of a run (DESIGN.md): a failure says which one it happened in.
public enum Stage: String, Sendable, Hashable, Codable {
    case fetch, load, decrypt, connect, observe, diff, plan, apply, report, check
}

/// What a provider cannot represent of the config (a service duration where the provider has no
/// such field), shown in the plan so that nothing is dropped silently.
public struct PlanNote: Sendable, Hashable, Codable {
    public let kind: String?
    public let key: String?
    public let message: String

    public init(kind: String? = nil, key: String? = nil, _ message: String) {
        self.kind = kind
        self.key = key
        self.message = message
    }
}

/// A difference SalonOps may not correct itself (an observe-only or update-only kind, a
/// resource that must already exist): shown « à corriger à la main » with the exact value to
/// set; never applied and never counted by the safety thresholds.
public struct Finding: Sendable, Hashable, Codable {
    public enum Problem: String, Sendable, Hashable, Codable {
        /// It exists but differs: set `fieldChanges[].after` by hand.
        case differs
        /// The config expects it and the provider has none: create it by hand (or bind another).
        case missing
    }

    public let kind: String
    public let key: String
    public let title: String
    public let establishment: String?
    public let remoteID: String?
    public let problem: Problem
    public let fieldChanges: [FieldChange]

    public init(kind: String, key: String, title: String, establishment: String?, remoteID: String?, problem: Problem, fieldChanges: [FieldChange]) {
        self.kind = kind
        self.key = key
        self.title = title
        self.establishment = establishment
        self.remoteID = remoteID
        self.problem = problem
        self.fieldChanges = fieldChanges
    }
}

/// A failure at one stage of one integration: where, what, and whether trying again can help.
public struct StageError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public let stage: Stage
    public let message: String
    public let retryable: Bool

    public init(stage: Stage, message: String, retryable: Bool) {
        self.stage = stage
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(stage): \(message)\(retryable ? " (may succeed if retried)" : "")" }
}

public struct IntegrationPlan: Sendable, Hashable, Codable {
    public let integration: String
    public let provider: String
    public let providerName: String
    public let drift: DriftMode
    public var changes: [Change]
    public var orphans: [Orphan]
    /// Resources at the provider that SalonOps does not manage (never touched).
    public var unmanaged: Int
    public var unchanged: Int
    /// Resources SalonOps manages there now (the base of the safety percentages).
    public var managed: Int
    public var desired: Int
    /// Why apply refuses this integration (safety threshold), if it does.
    public var refusal: String?
    public var error: StageError?
    /// What the provider cannot represent.
    public var notes: [PlanNote] = []
    /// What must be corrected by hand.
    public var findings: [Finding] = []
    /// Resources found more than once under one ownership key.
    public var duplicates: [Duplicate] = []

    public init(
        integration: String, provider: String, providerName: String, drift: DriftMode, changes: [Change] = [], orphans: [Orphan] = [],
        unmanaged: Int = 0, unchanged: Int = 0, managed: Int = 0, desired: Int = 0, refusal: String? = nil, error: StageError? = nil
    ) {
        self.integration = integration
        self.provider = provider
        self.providerName = providerName
        self.drift = drift
        self.changes = changes
        self.orphans = orphans
        self.unmanaged = unmanaged
        self.unchanged = unchanged
        self.managed = managed
        self.desired = desired
        self.refusal = refusal
        self.error = error
    }

    public var applicable: [Change] { changes.filter(\.willApply) }
    public var driftCount: Int { changes.filter(\.drift).count }
}

/// The whole plan: what would change at every provider, for one commit and one observation.
public struct Plan: Sendable, Codable {
    public static let schema = "salonops.plan/v1"

    public var schema: String = Plan.schema
    public let id: String
    public let repository: String
    public let commit: String
    public let createdAt: String
    /// Digest of everything observed: `apply PLAN` observes again and refuses if it moved.
    public let observedDigest: String
    public var integrations: [IntegrationPlan]

    public init(id: String, repository: String, commit: String, createdAt: String, observedDigest: String, integrations: [IntegrationPlan]) {
        self.id = id
        self.repository = repository
        self.commit = commit
        self.createdAt = createdAt
        self.observedDigest = observedDigest
        self.integrations = integrations
    }

    public var changeCount: Int { integrations.reduce(0) { $0 + $1.applicable.count } }
    public var driftCount: Int { integrations.reduce(0) { $0 + $1.driftCount } }
    public var findingCount: Int { integrations.reduce(0) { $0 + $1.findings.count } }
    /// Resources to retire or retired as duplicates (beyond the one kept of each key).
    public var duplicateCount: Int { integrations.reduce(0) { $0 + $1.duplicates.reduce(0) { $0 + $1.extra.count } } }
    public var hasErrors: Bool { integrations.contains { $0.error != nil } }
    public var refusals: [String] { integrations.compactMap { plan in plan.refusal.map { "\(plan.integration): \($0)" } } }

    /// How `saved` (a plan read back from a file) differs from this plan, made again from the
    /// same commit and the same observation: empty when it is applied as written. A saved
    /// plan is evidence of what was reviewed, never instructions: `apply PLAN` carries out the
    /// recomputed plan, and only when the two agree (an edit after review is refused).
    public func edits(in saved: Plan) -> [String] {
        var edits: [String] = []
        if saved.commit != commit { edits.append("commit \(saved.commit) instead of \(commit)") }
        let mine = Dictionary(integrations.map { ($0.integration, $0) }, uniquingKeysWith: { first, _ in first })
        let theirs = Dictionary(saved.integrations.map { ($0.integration, $0) }, uniquingKeysWith: { first, _ in first })
        if saved.integrations.count != theirs.count { edits.append("an integration appears twice") }
        for name in Set(mine.keys).union(theirs.keys).sorted() {
            guard let fresh = mine[name] else {
                edits.append("\(name): not an integration of this commit")
                continue
            }
            guard let old = theirs[name] else {
                edits.append("\(name): missing from the saved plan")
                continue
            }
            // The safety refusal depends on `--force` at each end, not on what was reviewed.
            var comparable = old
            comparable.refusal = fresh.refusal
            guard comparable != fresh else { continue }
            let freshChanges = Dictionary(fresh.changes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let oldChanges = Dictionary(old.changes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var named = false
            for id in Set(freshChanges.keys).union(oldChanges.keys).sorted() where freshChanges[id] != oldChanges[id] {
                named = true
                switch (oldChanges[id], freshChanges[id]) {
                case (nil, _): edits.append("\(name): \(id) is missing from the saved plan")
                case (_, nil): edits.append("\(name): \(id) is not a change this commit makes")
                case (let old?, let fresh?):
                    let fields = Set(old.fieldChanges.map(\.field) + fresh.fieldChanges.map(\.field)).sorted().filter { field in
                        old.fieldChanges.first { $0.field == field } != fresh.fieldChanges.first { $0.field == field }
                    }
                    edits.append("\(name): \(id) differs" + (fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")))"))
                }
            }
            if old.changes.count != oldChanges.count { edits.append("\(name): a change appears twice") }
            if !named { edits.append("\(name): its orphans, counts, notes, findings or error differ") }
        }
        return edits
    }

    /// 0 nothing to do, 2 changes or drift worth a look, 1 an error, 3 refused.
    public var exitCode: Int32 {
        if hasErrors { return 1 }
        if !refusals.isEmpty { return 3 }
        let reported = integrations.contains { ($0.drift != .observe && ($0.driftCount > 0 || !$0.findings.isEmpty)) || $0.duplicates.contains { !$0.retired } }
        return changeCount > 0 || reported ? 2 : 0
    }
}

/// The per-integration safety rules: too large a share of the managed resources changed or
/// deleted at once is refused unless `--force`, and so is an empty config for a provider
/// that has managed resources.
public enum SafetyCheck {
    public static func refusal(for plan: IntegrationPlan, safety: Organization.Safety) -> String? {
        // Retiring a duplicate removes nothing the config manages: never counted here.
        let applicable = plan.applicable.filter { $0.duplicateOf == nil }
        let deletes = applicable.filter { $0.action == .delete }.count
        if plan.desired == 0 && plan.managed > 0 && deletes > 0 {
            return
                "the config declares nothing for \(plan.providerName) but SalonOps manages \(plan.managed) resource(s) there; refusing to remove them all (a mistake in the config?)"
        }
        guard plan.managed >= safety.minManagedResources else { return nil }
        let updates = applicable.filter { $0.action == .update || $0.action == .replace }.count
        if updates * 100 > safety.maxUpdatePercent * plan.managed {
            return "\(updates) of \(plan.managed) managed resources would change (\(updates * 100 / plan.managed)%), more than the \(safety.maxUpdatePercent)% threshold"
        }
        if deletes * 100 > safety.maxDeletePercent * plan.managed {
            return "\(deletes) of \(plan.managed) managed resources would be deleted (\(deletes * 100 / plan.managed)%), more than the \(safety.maxDeletePercent)% threshold"
        }
        return nil
    }
}
