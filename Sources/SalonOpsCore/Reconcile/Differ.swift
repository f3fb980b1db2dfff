/// How one integration is reconciled: its ownership marker and the Integration's own choices.
public struct DiffOptions: Sendable {
    /// The `salonops_owner` value of this config (the Organization's name).
    public var owner: String
    public var adopt: Bool
    public var prune: Bool
    /// `kind.field` paths (a prefix of a dotted field name) left out of comparison and apply.
    public var ignore: [String]
    public var drift: DriftMode
    /// Retire duplicates even without `prune` (`--retire-duplicates`).
    public var retireDuplicates: Bool

    public init(owner: String, adopt: Bool = false, prune: Bool = false, ignore: [String] = [], drift: DriftMode = .warn, retireDuplicates: Bool = false) {
        self.owner = owner
        self.adopt = adopt
        self.prune = prune
        self.ignore = ignore
        self.drift = drift
        self.retireDuplicates = retireDuplicates
    }

    func ignores(kind: String, field: String) -> Bool {
        ignore.contains { rule in
            let path = "\(kind).\(field)"
            return path == rule || path.hasPrefix(rule + ".")
        }
    }
}

/// Desired against observed, for one integration: create, update (field by field), replace
/// (an immutable field changed), delete (only with prune), adopt, restore of an archived
/// resource, orphans kept, no-ops; and findings for what SalonOps may not correct itself.
public enum Differ {
    public static func diff(
        integration: String, provider: String, providerName: String, kinds: [ResourceKind],
        desired: [DesiredResource], observed: [ObservedResource], options: DiffOptions
    ) -> IntegrationPlan {
        let kindsByName = Dictionary(kinds.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func kind(_ name: String) -> ResourceKind { kindsByName[name] ?? ResourceKind(name: name, label: name) }
        let isOwned = { (resource: ObservedResource) in resource.owner == options.owner && resource.key != nil }
        let live = observed.filter { !$0.archived }
        let (owned, duplicateGroups) = keepOnePerKey(live.filter(isOwned), kinds: kinds)
        var ownedByRef: [ResourceRef: ObservedResource] = [:]
        for resource in owned { ownedByRef[ResourceRef(resource.kind, resource.key!)] = resource }
        // Archived resources are history, except one SalonOps owns under a key the config wants
        // again while nothing live has it: that one is restored rather than made anew.
        var archivedByRef: [ResourceRef: ObservedResource] = [:]
        for resource in observed where resource.archived && isOwned(resource) {
            archivedByRef[ResourceRef(resource.kind, resource.key!)] = resource
        }
        let liveByRemoteID = Dictionary(live.map { ($0.kind + "\u{1F}" + $0.remoteID, $0) }, uniquingKeysWith: { a, _ in a })
        var unowned = live.filter { !isOwned($0) }

        // Remote id → SalonOps identity, to compare references (a price's product) by identity.
        var refOfRemote: [String: ResourceRef] = [:]
        for resource in owned { refOfRemote[resource.remoteID] = ResourceRef(resource.kind, resource.key!) }

        var plan = IntegrationPlan(
            integration: integration, provider: provider, providerName: providerName, drift: options.drift,
            managed: owned.count, desired: desired.count)
        var matched = Set<ResourceRef>()
        var changes: [Change] = []

        // Bound resources (by an id in settings) and adoption first, so references to them
        // compare by identity.
        var bound: [ResourceRef: ObservedResource] = [:]
        for resource in desired where ownedByRef[resource.ref] == nil {
            if case .configured = kind(resource.kind).identity {
                guard let id = resource.remoteID, let candidate = liveByRemoteID[resource.kind + "\u{1F}" + id] else { continue }
                bound[resource.ref] = candidate
                unowned.removeAll { $0.kind == candidate.kind && $0.remoteID == candidate.remoteID }
                refOfRemote[candidate.remoteID] = resource.ref
            }
        }
        var adopted: [ResourceRef: ObservedResource] = [:]
        for resource in desired where ownedByRef[resource.ref] == nil && bound[resource.ref] == nil {
            let management = kind(resource.kind).management
            guard options.adopt || management == .adoptOnly, let natural = resource.naturalKey,
                let index = unowned.firstIndex(where: { $0.kind == resource.kind && $0.naturalKey == natural && $0.owner == nil })
            else { continue }
            let candidate = unowned.remove(at: index)
            adopted[resource.ref] = candidate
            refOfRemote[candidate.remoteID] = resource.ref
        }

        for resource in desired {
            let ref = resource.ref
            let kind = kind(resource.kind)
            let restoring = ownedByRef[ref] == nil && bound[ref] == nil && adopted[ref] == nil ? archivedByRef[ref] : nil
            if let current = ownedByRef[ref] ?? bound[ref] ?? adopted[ref] ?? restoring {
                matched.insert(ref)
                let isAdoption = adopted[ref] != nil
                let fieldChanges = compare(resource, current, kind: kind, refOfRemote: refOfRemote, options: options)
                let immutable = fieldChanges.map(\.field).filter { kind.immutableFields.contains($0) }.sorted()
                if fieldChanges.isEmpty && !isAdoption {
                    plan.unchanged += 1
                    continue
                }
                if kind.management == .observeOnly || (kind.management == .updateOnly && !immutable.isEmpty) {
                    plan.findings.append(
                        Finding(
                            kind: resource.kind, key: resource.key, title: resource.title, establishment: resource.establishment,
                            remoteID: current.remoteID, problem: .differs, fieldChanges: fieldChanges))
                    continue
                }
                let action: Change.Action = !immutable.isEmpty ? .replace : (isAdoption ? .adopt : .update)
                // The config is what SalonOps last applied, yet the resource differs: drift.
                let drift = !isAdoption && restoring == nil && current.appliedDigest == resource.digest
                changes.append(
                    Change(
                        id: changeID(integration, resource.kind, resource.key, action), provider: provider, integration: integration,
                        kind: resource.kind, key: resource.key, title: resource.title, establishment: resource.establishment,
                        action: action, remoteID: current.remoteID, fieldChanges: fieldChanges, replaceBecause: immutable,
                        desired: resource, drift: drift, willApply: !drift || options.drift == .correct, version: current.version))
            } else {
                let fieldChanges = resource.fields.keys.sorted().filter { !options.ignores(kind: resource.kind, field: $0) }.map {
                    FieldChange(field: $0, before: nil, after: display(resource.fields[$0]!, field: $0, kind: kind))
                }
                if kind.management != .full {
                    plan.findings.append(
                        Finding(
                            kind: resource.kind, key: resource.key, title: resource.title, establishment: resource.establishment,
                            remoteID: resource.remoteID, problem: .missing, fieldChanges: fieldChanges))
                    continue
                }
                changes.append(
                    Change(
                        id: changeID(integration, resource.kind, resource.key, .create), provider: provider, integration: integration,
                        kind: resource.kind, key: resource.key, title: resource.title, establishment: resource.establishment,
                        action: .create, remoteID: nil, fieldChanges: fieldChanges, replaceBecause: [], desired: resource,
                        drift: false, willApply: true, version: nil))
            }
        }

        for resource in owned where !matched.contains(ResourceRef(resource.kind, resource.key!)) {
            let kind = kind(resource.kind)
            if options.prune, kind.removal != .never, kind.management == .full {
                changes.append(
                    Change(
                        id: changeID(integration, resource.kind, resource.key!, .delete), provider: provider, integration: integration,
                        kind: resource.kind, key: resource.key!, title: resource.title, establishment: nil, action: .delete,
                        remoteID: resource.remoteID, fieldChanges: [], replaceBecause: [], desired: nil, drift: false,
                        willApply: true, version: resource.version))
            } else {
                plan.orphans.append(Orphan(kind: resource.kind, key: resource.key!, remoteID: resource.remoteID, title: resource.title))
            }
        }
        for group in duplicateGroups {
            let kind = kind(group.kept.kind)
            let retire = (options.prune || options.retireDuplicates) && kind.removal != .never && kind.management == .full
            plan.duplicates.append(
                Duplicate(
                    kind: group.kept.kind, key: group.kept.key!, title: group.kept.title, kept: group.kept.remoteID, extra: group.extra.map(\.remoteID),
                    retired: retire))
            guard retire else { continue }
            for extra in group.extra {
                changes.append(
                    Change(
                        id: changeID(integration, extra.kind, extra.key!, .delete) + "/duplicate/" + extra.remoteID, provider: provider, integration: integration,
                        kind: extra.kind, key: extra.key!, title: extra.title, establishment: nil, action: .delete, remoteID: extra.remoteID, fieldChanges: [],
                        replaceBecause: [], desired: nil, drift: false, willApply: true, version: extra.version, duplicateOf: group.kept.remoteID))
            }
        }
        plan.unmanaged = unowned.count
        plan.changes = ordered(changes, kinds: kinds)
        return plan
    }

    /// Resources found more than once under one key, and the one kept of each.
    struct DuplicateGroup {
        let kept: ObservedResource
        let extra: [ObservedResource]
    }

    /// One resource per ownership key; the others are duplicates. The one kept is the same
    /// whatever order the provider listed them in, and in every process (two runs at once pick
    /// the same), and the one whose retirement would disturb least: the one most referenced by
    /// other owned resources (the product its prices point at), then, kinds in dependency order,
    /// a child whose references point at kept parents rather than retired ones, then the
    /// smallest remote id. (Kinds owned through the ledger never get here twice: only the id the
    /// ledger names carries their key.) No creation time is compared: not every provider
    /// reports one (a Google calendar has none).
    static func keepOnePerKey(_ listed: [ObservedResource], kinds: [ResourceKind]) -> ([ObservedResource], [DuplicateGroup]) {
        // One resource read twice (a listing that moved between its pages) is one resource.
        var seen = Set<String>()
        let owned = listed.filter { seen.insert($0.kind + "\u{1F}" + $0.remoteID).inserted }
        let grouped = Dictionary(grouping: owned) { ResourceRef($0.kind, $0.key!) }
        guard grouped.values.contains(where: { $0.count > 1 }) else { return (owned, []) }
        let rank = ranks(kinds)
        var referencedBy: [String: Int] = [:]
        for resource in owned { for remote in resource.references.values { referencedBy[remote, default: 0] += 1 } }
        var retired = Set<String>()
        var kept: [ObservedResource] = []
        var groups: [DuplicateGroup] = []
        for ref in grouped.keys.sorted(by: { (rank[$0.kind] ?? Int.max, $0.kind, $0.key) < (rank[$1.kind] ?? Int.max, $1.kind, $1.key) }) {
            let candidates = grouped[ref]!.sorted { a, b in
                let aRetired = a.references.values.filter(retired.contains).count, bRetired = b.references.values.filter(retired.contains).count
                return (-(referencedBy[a.remoteID] ?? 0), aRetired, a.remoteID) < (-(referencedBy[b.remoteID] ?? 0), bRetired, b.remoteID)
            }
            kept.append(candidates[0])
            guard candidates.count > 1 else { continue }
            let extra = Array(candidates.dropFirst())
            for resource in extra { retired.insert(resource.remoteID) }
            groups.append(DuplicateGroup(kept: candidates[0], extra: extra))
        }
        return (kept, groups)
    }

    /// Dependency level of each kind: 0 for a kind that depends on no other.
    static func ranks(_ kinds: [ResourceKind]) -> [String: Int] {
        var rank: [String: Int] = [:]
        var remaining = kinds
        var level = 0
        let known = Set(kinds.map(\.name))
        while !remaining.isEmpty && level < 64 {
            let ready = remaining.filter { kind in kind.dependsOn.allSatisfy { dependency in rank[dependency] != nil || !known.contains(dependency) } }
            let batch = ready.isEmpty ? remaining : ready
            for kind in batch { rank[kind.name] = level }
            remaining.removeAll { kind in batch.contains { $0.name == kind.name } }
            level += 1
        }
        return rank
    }

    static func identity(_ kind: String, _ key: String) -> String { kind + "\u{1F}" + key }

    static func changeID(_ integration: String, _ kind: String, _ key: String, _ action: Change.Action) -> String {
        "\(integration)/\(kind)/\(key)/\(action.rawValue)"
    }

    /// Field by field over what the config sets (a provider's other fields are not ours).
    static func compare(
        _ desired: DesiredResource, _ observed: ObservedResource, kind: ResourceKind,
        refOfRemote: [String: ResourceRef], options: DiffOptions
    ) -> [FieldChange] {
        var changes: [FieldChange] = []
        for field in desired.fields.keys.sorted() where !kind.writeOnlyFields.contains(field) && !options.ignores(kind: desired.kind, field: field) {
            let want = desired.fields[field]!
            let have = observed.fields[field] ?? .null
            if !want.sameValue(as: have) {
                changes.append(FieldChange(field: field, before: display(have, field: field, kind: kind), after: display(want, field: field, kind: kind)))
            }
        }
        for field in desired.references.keys.sorted() where !options.ignores(kind: desired.kind, field: field) {
            let want = desired.references[field]!
            let haveRemote = observed.references[field]
            let have = haveRemote.flatMap { refOfRemote[$0] }
            if have != want {
                changes.append(FieldChange(field: field, before: haveRemote.map { .string($0) } ?? .null, after: .string(want.key)))
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
        let rank = ranks(kinds)
        let level = (rank.values.max() ?? 0) + 1
        func sortKey(_ change: Change) -> (Int, Int, String, String) {
            let kindRank = rank[change.kind] ?? level
            return change.action == .delete ? (1, -kindRank, change.key, change.id) : (0, kindRank, change.key, change.id)
        }
        return changes.sorted { sortKey($0) < sortKey($1) }
    }
}

extension Differ {
    /// The field changes of one resource against what the provider has (markers aside): for
    /// the engine's rules that read a resource again after a conflict or an already-exists.
    public static func fieldChanges(_ desired: DesiredResource, _ observed: ObservedResource, kind: ResourceKind, options: DiffOptions) -> [FieldChange] {
        // References compare by remote id here: the caller resolved them for this resource.
        var plain = desired
        plain.references = [:]
        return compare(plain, observed, kind: kind, refOfRemote: [:], options: options)
    }
}
