import Foundation
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsSecrets

/// What apply did, change by change.
public struct ApplyResult: Sendable, Codable {
    public enum Outcome: String, Sendable, Codable { case applied, failed, skipped }

    public struct Item: Sendable, Codable {
        public let change: String
        public let integration: String
        public let kind: String
        public let key: String
        public let title: String
        public let action: Change.Action
        public let outcome: Outcome
        public let remoteID: String?
        /// Why it failed or was skipped (never a value).
        public let reason: String?
        /// Fingerprints of write-only values the provider returned (stored encrypted).
        public let secrets: [String: String]
        /// Whether trying again may succeed (a failure of throttling or a transient outage).
        public let retryable: Bool
    }

    public var items: [Item] = []
    public var requests: [String: Int] = [:]

    public init() {}

    public func count(_ outcome: Outcome, integration: String? = nil) -> Int {
        items.filter { $0.outcome == outcome && (integration == nil || $0.integration == integration) }.count
    }
}

extension Reconciler {
    /// Applies what the plan says will apply, integrations at once (each provider paced by its
    /// own limits): dependency order within one, bounded concurrency within a level, a pending
    /// record before each create, independent changes going on when one fails, dependents of a
    /// failed change skipped. The shared rules of every provider live here: a delete that finds
    /// nothing succeeded, a create that finds its resource already there takes it, a conflict
    /// (stale version) is read again and applied once more.
    public func apply(_ plan: Plan, observation: Observation, pending: PendingLog, store: WriteOnlyStore?, force: Bool = false) async -> ApplyResult {
        let byName = Dictionary(plan.integrations.map { ($0.integration, $0) }, uniquingKeysWith: { a, _ in a })
        let outcomes = await eachIntegration { integration -> ([ApplyResult.Item], Int?) in
            guard let integrationPlan = byName[integration.metadata.name] else { return ([], nil) }
            return await self.applyOne(
                integrationPlan, integration: integration, plan: plan, observation: observation, pending: pending,
                store: store, force: force)
        }
        var result = ApplyResult()
        for (integration, (items, requests)) in outcomes {
            result.items += items
            if let requests { result.requests[integration.metadata.name] = requests }
        }
        return result
    }

    func applyOne(
        _ integrationPlan: IntegrationPlan, integration: Integration, plan: Plan, observation: Observation, pending: PendingLog,
        store: WriteOnlyStore?, force: Bool
    ) async -> ([ApplyResult.Item], Int?) {
        var items: [ApplyResult.Item] = []
        guard integrationPlan.error == nil else { return ([], nil) }
        if integrationPlan.refusal != nil && !force {
            return (integrationPlan.applicable.map { item($0, .skipped, reason: "refused by the safety check: \(integrationPlan.refusal!)") }, nil)
        }
        guard case .success(let target) = target(integration) else { return ([], nil) }
        let name = integration.metadata.name
        let before = await target.session.transport.counter.total
        let kinds = Dictionary(target.adapter.kinds.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let observed = observation.resources[name] ?? []
        var remoteIDs: [ResourceRef: String] = [:]
        var observedByRemote: [String: ObservedResource] = [:]
        for resource in observed {
            observedByRemote[resource.kind + "\u{1F}" + resource.remoteID] = resource
            if !resource.archived, resource.owner == owner, let key = resource.key { remoteIDs[ResourceRef(resource.kind, key)] = resource.remoteID }
        }
        // Of duplicates, the one kept is what references point at.
        for duplicate in integrationPlan.duplicates { remoteIDs[ResourceRef(duplicate.kind, duplicate.key)] = duplicate.kept }
        for change in integrationPlan.changes where change.action == .adopt || (change.action == .update && remoteIDs[ResourceRef(change.kind, change.key)] == nil) {
            if let remote = change.remoteID { remoteIDs[ResourceRef(change.kind, change.key)] = remote }
        }
        var failed = Set<ResourceRef>()
        for wave in Self.waves(integrationPlan.applicable) {
            let ready = wave.filter { change in
                let missing = (change.desired?.references.values).map { $0.filter { failed.contains($0) } } ?? []
                if !missing.isEmpty {
                    items.append(item(change, .skipped, reason: "depends on \(missing.sorted().map(\.description).joined(separator: ", ")), which failed"))
                    failed.insert(ResourceRef(change.kind, change.key))
                    return false
                }
                return true
            }
            let ids = remoteIDs
            let outcomes = await withTaskGroup(of: (Change, Result<ApplyOutcome, Error>).self) { group in
                var outcomes: [(Change, Result<ApplyOutcome, Error>)] = []
                var iterator = ready.makeIterator()
                func launch() {
                    guard let change = iterator.next() else { return }
                    let current = change.remoteID.flatMap { observedByRemote[change.kind + "\u{1F}" + $0] }
                    let context = ApplyContext(remoteIDs: ids, observed: current, idempotencyKey: plan.id + "/" + change.id)
                    let kind = kinds[change.kind] ?? ResourceKind(name: change.kind, label: change.kind)
                    group.addTask {
                        (change, await self.applyChange(change, kind: kind, context, target: target, plan: plan, pending: pending))
                    }
                }
                for _ in 0..<max(limits.applyConcurrency, 1) { launch() }
                while let next = await group.next() {
                    outcomes.append(next)
                    launch()
                }
                return outcomes
            }
            for (change, outcome) in outcomes.sorted(by: { $0.0.id < $1.0.id }) {
                switch outcome {
                case .success(let applied):
                    // A retired duplicate leaves the one kept as the key's resource.
                    if change.duplicateOf == nil { remoteIDs[ResourceRef(change.kind, change.key)] = applied.remoteID }
                    var fingerprints: [String: String] = [:]
                    var reason: String?
                    for (field, value) in applied.writeOnly {
                        do {
                            fingerprints[field] = try store?.store(value, integration: name, key: change.key, field: field) ?? "not stored"
                        } catch {
                            reason = "applied, but the \(field) it returned could not be stored: \(error)"
                        }
                    }
                    items.append(item(change, reason == nil ? .applied : .failed, remoteID: applied.remoteID, reason: reason, secrets: fingerprints))
                case .failure(let error):
                    if change.duplicateOf == nil { failed.insert(ResourceRef(change.kind, change.key)) }
                    items.append(item(change, .failed, reason: "\(error)", retryable: (error as? ProviderError)?.retryable ?? false))
                }
            }
        }
        return (items, await target.session.transport.counter.total - before)
    }

    /// One change, with the shared rules and the ledger.
    func applyChange(
        _ change: Change, kind: ResourceKind, _ context: ApplyContext, target: IntegrationTarget, plan: Plan,
        pending: PendingLog
    ) async -> Result<ApplyOutcome, Error> {
        let name = target.integration.metadata.name
        let ref = ResourceRef(change.kind, change.key)
        let creates = change.action == .create || change.action == .replace
        let ledgered = Ledger.usesLedger(kind)
        if creates { pending.write(plan.id, change.id, .started) }
        do {
            if creates && ledgered { try ledger.begin(integration: name, ref) }
            let outcome = try await applyWithRules(change, kind: kind, context, target: target)
            if creates { pending.write(plan.id, change.id, .done) }
            if ledgered && change.duplicateOf == nil {
                if change.action == .delete { try ledger.remove(integration: name, ref) } else { try ledger.finish(integration: name, ref, remoteID: outcome.remoteID) }
            }
            return .success(outcome)
        } catch {
            if creates {
                pending.write(plan.id, change.id, .failed)
                // A refusal certainly made nothing; a lost answer may have: that stays pending.
                if ledgered, let providerError = error as? ProviderError, !providerError.retryable {
                    try? ledger.finish(integration: name, ref, remoteID: nil)
                }
            }
            return .failure(error)
        }
    }

    func applyWithRules(_ change: Change, kind: ResourceKind, _ context: ApplyContext, target: IntegrationTarget) async throws -> ApplyOutcome {
        let ref = ResourceRef(change.kind, change.key)
        var tries = 0
        while true {
            tries += 1
            do {
                return try await applyOnceWithRules(change, kind: kind, context, target: target)
            } catch let error as ProviderError where change.action == .create && error.retryable && tries < target.session.transport.traits.maxAttempts {
                // A create the transport may not send twice (no idempotency key) failed in a way
                // that may pass: whether it was carried out is read back by its marker. Found, it
                // is taken; not found, it is sent again.
                guard let found = try await target.adapter.read(ref, remoteID: nil, target.session) else { continue }
                return try await reapply(change, kind: kind, found: found, context, target: target) ?? ApplyOutcome(remoteID: found.remoteID, version: found.version)
            }
        }
    }

    func applyOnceWithRules(_ change: Change, kind: ResourceKind, _ context: ApplyContext, target: IntegrationTarget) async throws -> ApplyOutcome {
        let ref = ResourceRef(change.kind, change.key)
        do {
            return try await target.adapter.apply(change, context, target.session)
        } catch let error as ProviderError {
            switch (error.kind, change.action) {
            case (.notFound, .delete):
                // Already gone: a retried delete, or someone removed it.
                return ApplyOutcome(remoteID: change.remoteID ?? "")
            case (.alreadyExists, .create):
                // A deterministic id already taken: a crashed run made it. Take it, and bring it
                // to the config if it differs.
                guard let found = try await target.adapter.read(ref, remoteID: nil, target.session) else { throw error }
                return try await reapply(change, kind: kind, found: found, context, target: target) ?? ApplyOutcome(remoteID: found.remoteID, version: found.version)
            case (.conflict, _):
                // The resource moved since it was observed: read it again, diff again, apply once
                // more with the new version; a second conflict is reported.
                guard let found = try await target.adapter.read(ref, remoteID: change.remoteID, target.session) else {
                    throw ProviderError(.conflict, status: error.status, message: "\(error.message); and it is gone now: plan again")
                }
                return try await reapply(change, kind: kind, found: found, context, target: target) ?? ApplyOutcome(remoteID: found.remoteID, version: found.version)
            default:
                throw error
            }
        }
    }

    /// The change again against what the provider has now; nil when nothing is left to do.
    func reapply(_ change: Change, kind: ResourceKind, found: ObservedResource, _ context: ApplyContext, target: IntegrationTarget) async throws -> ApplyOutcome? {
        guard let desired = change.desired else { return nil }
        let fieldChanges = Differ.fieldChanges(desired, found, kind: kind, options: target.options)
        let differs = !fieldChanges.isEmpty || found.owner != owner || found.key != desired.key
        guard differs else { return nil }
        let retried = Change(
            id: change.id, provider: change.provider, integration: change.integration, kind: change.kind, key: change.key,
            title: change.title, establishment: change.establishment, action: .update, remoteID: found.remoteID,
            fieldChanges: fieldChanges, replaceBecause: [], desired: desired, drift: false, willApply: true, version: found.version)
        var again = context
        again.observed = found
        return try await target.adapter.apply(retried, again, target.session)
    }

    private func item(
        _ change: Change, _ outcome: ApplyResult.Outcome, remoteID: String? = nil, reason: String? = nil, secrets: [String: String] = [:],
        retryable: Bool = false
    ) -> ApplyResult.Item {
        ApplyResult.Item(
            change: change.id, integration: change.integration, kind: change.kind, key: change.key, title: change.title,
            action: change.action, outcome: outcome, remoteID: remoteID ?? change.remoteID, reason: reason, secrets: secrets,
            retryable: retryable)
    }

    /// Consecutive changes of one dependency level (creates and updates first, deletes after in
    /// reverse order): the plan is already in that order.
    static func waves(_ changes: [Change]) -> [[Change]] {
        var waves: [[Change]] = []
        var currentKind: String?
        var currentDelete = false
        for change in changes {
            let isDelete = change.action == .delete
            if change.kind == currentKind && isDelete == currentDelete, !waves.isEmpty {
                waves[waves.count - 1].append(change)
            } else {
                waves.append([change])
                currentKind = change.kind
                currentDelete = isDelete
            }
        }
        return waves
    }
}
