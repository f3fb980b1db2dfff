import Foundation
import SalonOpsCore
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
    }

    public var items: [Item] = []
    public var requests: [String: Int] = [:]

    public init() {}

    public func count(_ outcome: Outcome, integration: String? = nil) -> Int {
        items.filter { $0.outcome == outcome && (integration == nil || $0.integration == integration) }.count
    }
}

/// Records each create before it is sent, so a run that dies mid-apply leaves a trace the next
/// run reports (what it finds again through the ownership markers).
public struct PendingLog: Sendable {
    public let path: String

    public init(stateDirectory: String, scope: String) {
        path = (stateDirectory as NSString).appendingPathComponent("pending/\(StableDigest.of(scope)).jsonl")
    }

    struct Entry: Codable { let time: String; let plan: String; let change: String; let state: String }

    func write(_ plan: String, _ change: String, _ state: String) {
        // Best effort: a record that cannot be written must not stop the apply it describes.
        try? JSONLines.append(Entry(time: SopsFile.rfc3339(Date()), plan: plan, change: change, state: state), to: path, sync: true)
    }

    /// Changes started by an earlier run and never finished.
    public func unfinished() -> [String] {
        let entries = JSONLines.read(Entry.self, from: path)
        let finished = Set(entries.filter { $0.state != "started" }.map(\.change))
        return entries.filter { $0.state == "started" && !finished.contains($0.change) }.map(\.change)
    }

    public func clear() { try? FileManager.default.removeItem(atPath: path) }
}

/// Keeps write-only values (a webhook signing secret) in a sops file in the state directory,
/// encrypted to the age identities at hand, and reports them by fingerprint.
public struct WriteOnlyStore: Sendable {
    public let path: String
    public let context: SecretsContext

    public init(stateDirectory: String, context: SecretsContext) {
        path = (stateDirectory as NSString).appendingPathComponent("secrets/provider-secrets.sops.yaml")
        self.context = context
    }

    /// Stores the value and returns its fingerprint.
    func store(_ value: [UInt8], integration: String, key: String, field: String) throws -> String {
        let identities = try context.keys.identities()
        guard !identities.isEmpty else {
            throw SopsError.badRule("no age identity at hand to encrypt the \(field) Stripe returned; set SOPS_AGE_KEY_FILE (the value is shown once: rotate it at the provider)")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let keyPath = [SopsPathComponent.key(integration), .key(key), .key(field)]
        let text = String(decoding: value, as: UTF8.self)
        if FileManager.default.fileExists(atPath: path) {
            let opened = try SecretsOperations.open(try SecretsOperations.readFile(path), file: path, context: context, keyPaths: [])
            var documents = opened.2.documents
            try documents[0].setValue(.scalar(.string(text)), at: keyPath)
            try SecretsOperations.reencrypt(file: path, original: opened, plaintext: documents, now: Date())
            return Secret(value, fingerprintKey: try Secret.fingerprintKey(dataKey: opened.1.bytes)).fingerprint
        }
        var document = SopsNode.mapping([])
        try document.setValue(.scalar(.string(text)), at: keyPath)
        let settings = SopsFile.Settings(groups: [Array(Set(identities.map(\.recipient))).sorted { $0.description < $1.description }])
        let file = try SopsFile.encrypt([document], settings: settings)
        try AtomicFile.write(file.render(), to: path, mode: 0o600)
        let dataKey = try file.dataKey(using: identities)
        return Secret(value, fingerprintKey: try Secret.fingerprintKey(dataKey: dataKey.bytes)).fingerprint
    }
}

extension Reconciler {
    /// Applies what the plan says will apply: dependency order, bounded concurrency within a
    /// level, a pending record before each create, independent changes going on when one
    /// fails, dependents of a failed change skipped.
    public func apply(_ plan: Plan, observation: Observation, pending: PendingLog, store: WriteOnlyStore?,
                      concurrency: Int = 4, force: Bool = false) async -> ApplyResult {
        var result = ApplyResult()
        for integrationPlan in plan.integrations {
            guard integrationPlan.error == nil, let integration = state.integrations.first(where: { $0.metadata.name == integrationPlan.integration }) else { continue }
            if integrationPlan.refusal != nil && !force {
                for change in integrationPlan.applicable {
                    result.items.append(item(change, .skipped, reason: "refused by the safety check: \(integrationPlan.refusal!)"))
                }
                continue
            }
            guard case .success(let target) = target(integration, scope: plan.id) else { continue }
            var remoteIDs: [String: String] = [:]
            for resource in observation.resources[integration.metadata.name] ?? [] where !resource.archived && resource.owner == owner {
                if let key = resource.key { remoteIDs[key] = resource.remoteID }
            }
            for change in integrationPlan.changes where change.action == .adopt { remoteIDs[change.key] = change.remoteID }
            var failedKeys = Set<String>()
            for wave in Self.waves(integrationPlan.applicable, kinds: target.adapter.kinds) {
                let ready = wave.filter { change in
                    let missing = (change.desired?.references.values).map { $0.filter { failedKeys.contains($0) } } ?? []
                    if !missing.isEmpty {
                        result.items.append(item(change, .skipped, reason: "depends on \(missing.sorted().joined(separator: ", ")), which failed"))
                        failedKeys.insert(change.key)
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
                        group.addTask {
                            let creates = change.action == .create || change.action == .replace
                            if creates { pending.write(plan.id, change.id, "started") }
                            do {
                                let outcome = try await target.adapter.apply(change, remoteIDs: ids, session: target.session)
                                if creates { pending.write(plan.id, change.id, "done") }
                                return (change, .success(outcome))
                            } catch {
                                if creates { pending.write(plan.id, change.id, "failed") }
                                return (change, .failure(error))
                            }
                        }
                    }
                    for _ in 0..<max(concurrency, 1) { launch() }
                    while let next = await group.next() {
                        outcomes.append(next)
                        launch()
                    }
                    return outcomes
                }
                for (change, outcome) in outcomes.sorted(by: { $0.0.id < $1.0.id }) {
                    switch outcome {
                    case .success(let applied):
                        remoteIDs[change.key] = applied.remoteID
                        var fingerprints: [String: String] = [:]
                        var reason: String?
                        for (field, value) in applied.writeOnly {
                            do {
                                fingerprints[field] = try store?.store(value, integration: integration.metadata.name, key: change.key, field: field) ?? "not stored"
                            } catch {
                                reason = "applied, but the \(field) it returned could not be stored: \(error)"
                            }
                        }
                        result.items.append(item(change, reason == nil ? .applied : .failed, remoteID: applied.remoteID, reason: reason, secrets: fingerprints))
                    case .failure(let error):
                        failedKeys.insert(change.key)
                        result.items.append(item(change, .failed, reason: "\(error)"))
                    }
                }
            }
            result.requests[integration.metadata.name] = await target.session.transport.counter.total
        }
        return result
    }

    private func item(_ change: Change, _ outcome: ApplyResult.Outcome, remoteID: String? = nil, reason: String? = nil, secrets: [String: String] = [:]) -> ApplyResult.Item {
        ApplyResult.Item(change: change.id, integration: change.integration, kind: change.kind, key: change.key, title: change.title,
                         action: change.action, outcome: outcome, remoteID: remoteID ?? change.remoteID, reason: reason, secrets: secrets)
    }

    /// Consecutive changes of one dependency level (creates and updates first, deletes after in
    /// reverse order): the plan is already in that order.
    static func waves(_ changes: [Change], kinds: [ResourceKind]) -> [[Change]] {
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
