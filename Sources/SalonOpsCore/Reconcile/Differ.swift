/// How one integration is reconciled: its ownership marker and the Integration's own choices.
public struct DiffOptions: Sendable {
    /// The `salonops_owner` value of this config (the Organization's name).
    public var owner: String
    public var adopt: Bool
    public var prune: Bool
    /// `kind.field` paths (a prefix of a dotted field name) left out of comparison and apply.
    public var ignore: [String]
    public var drift: DriftMode

    public init(owner: String, adopt: Bool = false, prune: Bool = false, ignore: [String] = [], drift: DriftMode = .warn) {
        self.owner = owner
        self.adopt = adopt
        self.prune = prune
        self.ignore = ignore
        self.drift = drift
    }

    func ignores(kind: String, field: String) -> Bool {
        ignore.contains { rule in
            let path = "\(kind).\(field)"
            return path == rule || path.hasPrefix(rule + ".")
        }
    }
}

/// Desired against observed, for one integration: create, update (field by field), replace
/// (an immutable field changed), delete (only with prune), adopt, orphans kept, no-ops.
public enum Differ {
    public static func diff(integration: String, provider: String, providerName: String, kinds: [ResourceKind],
                            desired: [DesiredResource], observed: [ObservedResource], options: DiffOptions) -> IntegrationPlan {
        let kindsByName = Dictionary(kinds.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let live = observed.filter { !$0.archived }
        let owned = live.filter { $0.owner == options.owner && $0.key != nil }
        var ownedByKey: [String: ObservedResource] = [:]
        for resource in owned { ownedByKey[identity(resource.kind, resource.key!)] = resource }
        var unowned = live.filter { !($0.owner == options.owner && $0.key != nil) }

        // Remote id → SalonOps key, to compare references (a price's product) by identity.
        var keyOfRemote: [String: String] = [:]
        for resource in owned { keyOfRemote[resource.remoteID] = resource.key }

        var plan = IntegrationPlan(integration: integration, provider: provider, providerName: providerName, drift: options.drift,
                                   managed: owned.count, desired: desired.count)
        var matched = Set<String>()
        var changes: [Change] = []

        // Adoption first, so references to adopted resources compare by key.
        var adopted: [String: ObservedResource] = [:]
        if options.adopt {
            for resource in desired where ownedByKey[identity(resource.kind, resource.key)] == nil {
                guard let natural = resource.naturalKey,
                      let index = unowned.firstIndex(where: { $0.kind == resource.kind && $0.naturalKey == natural && $0.owner == nil }) else { continue }
                let candidate = unowned.remove(at: index)
                adopted[identity(resource.kind, resource.key)] = candidate
                keyOfRemote[candidate.remoteID] = resource.key
            }
        }

        for resource in desired {
            let id = identity(resource.kind, resource.key)
            let kind = kindsByName[resource.kind] ?? ResourceKind(name: resource.kind, label: resource.kind)
            if let current = ownedByKey[id] ?? adopted[id] {
                matched.insert(id)
                let isAdoption = adopted[id] != nil
                let fieldChanges = compare(resource, current, kind: kind, keyOfRemote: keyOfRemote, options: options)
                let immutable = fieldChanges.map(\.field).filter { kind.immutableFields.contains($0) }.sorted()
                if fieldChanges.isEmpty && !isAdoption {
                    plan.unchanged += 1
                    continue
                }
                let action: Change.Action = !immutable.isEmpty ? .replace : (isAdoption ? .adopt : .update)
                // The config is what SalonOps last applied, yet the resource differs: drift.
                let drift = !isAdoption && current.appliedDigest == resource.digest
                changes.append(Change(id: changeID(integration, resource.kind, resource.key, action), provider: provider, integration: integration,
                                      kind: resource.kind, key: resource.key, title: resource.title, establishment: resource.establishment,
                                      action: action, remoteID: current.remoteID, fieldChanges: fieldChanges, replaceBecause: immutable,
                                      desired: resource, drift: drift, willApply: !drift || options.drift == .correct, version: current.version))
            } else {
                let fieldChanges = resource.fields.keys.sorted().filter { !options.ignores(kind: resource.kind, field: $0) }.map {
                    FieldChange(field: $0, before: nil, after: display(resource.fields[$0]!, field: $0, kind: kind))
                }
                changes.append(Change(id: changeID(integration, resource.kind, resource.key, .create), provider: provider, integration: integration,
                                      kind: resource.kind, key: resource.key, title: resource.title, establishment: resource.establishment,
                                      action: .create, remoteID: nil, fieldChanges: fieldChanges, replaceBecause: [], desired: resource,
                                      drift: false, willApply: true, version: nil))
            }
        }

        for resource in owned where !matched.contains(identity(resource.kind, resource.key!)) {
            let kind = kindsByName[resource.kind] ?? ResourceKind(name: resource.kind, label: resource.kind)
            if options.prune, kind.removal != .never {
                changes.append(Change(id: changeID(integration, resource.kind, resource.key!, .delete), provider: provider, integration: integration,
                                      kind: resource.kind, key: resource.key!, title: resource.title, establishment: nil, action: .delete,
                                      remoteID: resource.remoteID, fieldChanges: [], replaceBecause: [], desired: nil, drift: false,
                                      willApply: true, version: resource.version))
            } else {
                plan.orphans.append(Orphan(kind: resource.kind, key: resource.key!, remoteID: resource.remoteID, title: resource.title))
            }
        }
        plan.unmanaged = unowned.count
        plan.changes = ordered(changes, kinds: kinds)
        return plan
    }

    static func identity(_ kind: String, _ key: String) -> String { kind + "\u{1F}" + key }

    static func changeID(_ integration: String, _ kind: String, _ key: String, _ action: Change.Action) -> String {
        "\(integration)/\(kind)/\(key)/\(action.rawValue)"
    }

    /// Field by field over what the config sets (a provider's other fields are not ours).
    static func compare(_ desired: DesiredResource, _ observed: ObservedResource, kind: ResourceKind,
                        keyOfRemote: [String: String], options: DiffOptions) -> [FieldChange] {
        var changes: [FieldChange] = []
        for field in desired.fields.keys.sorted() where !kind.writeOnlyFields.contains(field) && !options.ignores(kind: desired.kind, field: field) {
            let want = desired.fields[field]!
            let have = observed.fields[field] ?? .null
            if !want.sameValue(as: have) {
                changes.append(FieldChange(field: field, before: display(have, field: field, kind: kind), after: display(want, field: field, kind: kind)))
            }
        }
        for field in desired.references.keys.sorted() where !options.ignores(kind: desired.kind, field: field) {
            let wantKey = desired.references[field]!
            let haveRemote = observed.references[field]
            let haveKey = haveRemote.flatMap { keyOfRemote[$0] }
            if haveKey != wantKey {
                changes.append(FieldChange(field: field, before: haveRemote.map { .string($0) } ?? .null, after: .string(wantKey)))
            }
        }
        return changes
    }

    /// Sensitive values appear by fingerprint only.
    static func display(_ value: FieldValue, field: String, kind: ResourceKind) -> FieldValue {
        guard kind.sensitiveFields.contains(field) else { return value }
        if case .secret = value { return value }
        return .string("(sensitive)")
    }

    /// Dependencies first for creates and updates (a product before its prices), the reverse
    /// for deletes; by key within a kind, so plans are stable.
    static func ordered(_ changes: [Change], kinds: [ResourceKind]) -> [Change] {
        var rank: [String: Int] = [:]
        var remaining = kinds
        var level = 0
        while !remaining.isEmpty && level < 64 {
            let known = Set(kinds.map(\.name))
            let ready = remaining.filter { kind in kind.dependsOn.allSatisfy { dependency in rank[dependency] != nil || !known.contains(dependency) } }
            let batch = ready.isEmpty ? remaining : ready
            for kind in batch { rank[kind.name] = level }
            remaining.removeAll { kind in batch.contains { $0.name == kind.name } }
            level += 1
        }
        func sortKey(_ change: Change) -> (Int, Int, String) {
            let kindRank = rank[change.kind] ?? level
            return change.action == .delete ? (1, -kindRank, change.key) : (0, kindRank, change.key)
        }
        return changes.sorted { sortKey($0) < sortKey($1) }
    }
}
