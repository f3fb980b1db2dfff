import Foundation
import SalonOpsProviderKit
import SalonOpsSecrets

/// The engine's own record of what it created at providers whose resources have no room for a
/// marker (`identity: .ledger` or `.naturalKey`): (integration, kind, key) → remote id. A create
/// whose outcome is unknown (the run died, the answer was lost) stays pending and blocks that
/// resource until someone checks the provider and resolves it (Crossplane's
/// `external-create-pending`): making it again could make a duplicate.
public final class Ledger: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var remoteID: String?
        /// Set while a create is under way; cleared when its outcome is known.
        public var pendingSince: String?

        public init(remoteID: String?, pendingSince: String?) {
            self.remoteID = remoteID
            self.pendingSince = pendingSince
        }
    }

    public let path: String
    /// Serialises this process's read-modify-writes; the file is read anew each time, so two
    /// processes (an apply and `salonops ledger resolve`) see each other's writes.
    private let lock = NSLock()

    public init(stateDirectory: String, scope: String) {
        path = (stateDirectory as NSString).appendingPathComponent("ledger/\(StableDigest.of(scope)).json")
    }

    private func load() -> [String: [String: Entry]] {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode([String: [String: Entry]].self, from: $0) } ?? [:]
    }

    static func slot(_ ref: ResourceRef) -> String { ref.kind + "/" + ref.key }

    static func usesLedger(_ kind: ResourceKind) -> Bool {
        switch kind.identity {
        case .ledger, .naturalKey: true
        default: false
        }
    }

    public func entry(integration: String, _ ref: ResourceRef) -> Entry? { all(integration: integration)[Self.slot(ref)] }

    public func all(integration: String) -> [String: Entry] { lock.withLock { load()[integration] ?? [:] } }

    /// Marks observed resources the ledger knows as SalonOps' own, under their key.
    func annotate(_ observed: [ObservedResource], integration: String, owner: String, kinds: [ResourceKind]) -> [ObservedResource] {
        let ledgerKinds = Set(kinds.filter(Self.usesLedger).map(\.name))
        guard !ledgerKinds.isEmpty else { return observed }
        var keyOf: [String: String] = [:]
        for (slot, entry) in all(integration: integration) {
            guard let remote = entry.remoteID, let slash = slot.firstIndex(of: "/") else { continue }
            keyOf[String(slot[..<slash]) + "\u{1F}" + remote] = String(slot[slot.index(after: slash)...])
        }
        return observed.map { resource in
            guard ledgerKinds.contains(resource.kind), resource.key == nil, let key = keyOf[resource.kind + "\u{1F}" + resource.remoteID] else { return resource }
            var marked = resource
            marked.key = key
            marked.owner = owner
            return marked
        }
    }

    /// A create still pending for a ledger kind blocks it: not applied, said in a note.
    public func block(_ plan: inout IntegrationPlan, kinds: [ResourceKind]) {
        let ledgerKinds = Set(kinds.filter(Self.usesLedger).map(\.name))
        let pending = all(integration: plan.integration).filter { $0.value.pendingSince != nil }
        guard !pending.isEmpty else { return }
        plan.changes = plan.changes.filter { change in
            guard ledgerKinds.contains(change.kind), let entry = pending[change.kind + "/" + change.key] else { return true }
            plan.notes.append(
                PlanNote(
                    kind: change.kind, key: change.key,
                    "blocked: a create started at \(entry.pendingSince!) did not report its outcome, so it may exist already; check \(plan.providerName), then `salonops ledger resolve \(plan.integration) \(change.kind) \(change.key) --remote-id ID` (or `--absent`)"
                ))
            return false
        }
    }

    public func begin(integration: String, _ ref: ResourceRef) throws {
        try update(integration, ref) { $0 = Entry(remoteID: $0?.remoteID, pendingSince: SopsFile.rfc3339(Date())) }
    }

    /// The create's outcome is known: the remote id, or nil when it certainly made nothing.
    func finish(integration: String, _ ref: ResourceRef, remoteID: String?) throws {
        try update(integration, ref) { entry in
            entry = remoteID.map { Entry(remoteID: $0, pendingSince: nil) } ?? entry.flatMap { $0.remoteID == nil ? nil : Entry(remoteID: $0.remoteID, pendingSince: nil) }
        }
    }

    func remove(integration: String, _ ref: ResourceRef) throws { try update(integration, ref) { $0 = nil } }

    /// `salonops ledger resolve`: what someone found at the provider.
    public func resolve(integration: String, _ ref: ResourceRef, remoteID: String?) throws {
        try update(integration, ref) { $0 = remoteID.map { Entry(remoteID: $0, pendingSince: nil) } }
    }

    private func update(_ integration: String, _ ref: ResourceRef, _ change: (inout Entry?) -> Void) throws {
        try lock.withLock {
            var all = load()
            var entry = all[integration]?[Self.slot(ref)]
            change(&entry)
            all[integration, default: [:]][Self.slot(ref)] = entry
            try StateDirectory.prepare((path as NSString).deletingLastPathComponent)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(String(decoding: try encoder.encode(all), as: UTF8.self), to: path, mode: 0o600)
        }
    }
}
