import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviderKit
import Testing

/// A running peer of a provider (its emulator in the sandbox, or a public fake), as the contract
/// suite needs it: where the engine sends requests, and how to act behind the tool's back.
public protocol ContractPeer: Sendable {
    var endpoints: Endpoints { get }
    var client: HTTPClient { get }
    func stop() async
}

/// What one provider gives the shared contract suite.
public protocol ContractFixture: Sendable {
    associatedtype Peer: ContractPeer
    /// The provider id.
    var provider: String { get }
    /// The Integration's name in the fixture's config.
    var integration: String { get }
    var credentials: [String: [String: String]] { get }
    /// Engine-level connect options for a variant (a small page size to page cheaply).
    func options(_ variant: ContractVariant) -> [String: [String: String]]
    /// Whether a changed config has something the provider cannot change in place.
    var replaces: Bool { get }
    /// A small config; `variant` asks for one the suite needs.
    func files(_ variant: ContractVariant) -> [String: String]
    /// A peer; `faults` in the sandbox's text form, drawn from `seed` (the fixture's own when nil),
    /// with `Retry-After: 0` so that a storm costs no wall time.
    func start(faults: String?, seed: UInt64?) async throws -> Peer
    /// Changes one managed resource at the provider through its own API (someone in a
    /// dashboard) and says which (kind, key) and field moved.
    func drift(_ peer: Peer) async throws -> (kind: String, key: String, field: String)
    /// How many resources SalonOps owns there, by kind, read through the provider's API.
    func owned(_ peer: Peer) async throws -> [String: Int]
    /// The config file holding the Integration (the suite adds safety overrides to it).
    var integrationFile: String { get }
    /// Makes, through the provider's API, an unmarked resource the base config wants (as
    /// someone did by hand before SalonOps), and says which.
    func makeUnmarked(_ peer: Peer) async throws -> (kind: String, key: String)
    /// Makes, through the provider's API, a second resource carrying the ownership markers of
    /// one the base config manages (what two applies at once left), and says which and its id.
    func makeDuplicate(_ peer: Peer) async throws -> (kind: String, key: String, remoteID: String)
    /// Kinds bound to what already exists at the provider (`.updateOnly`, a GBP location): the
    /// first apply updates them instead of creating them, and they are never orphaned, pruned,
    /// adopted or duplicated, so the suite's flows for those do not apply to such a provider.
    var boundKinds: Set<String> { get }
}

extension ContractFixture {
    public var boundKinds: Set<String> { [] }

    public func makeUnmarked(_ peer: Peer) async throws -> (kind: String, key: String) {
        throw EngineFixtures.FixtureError(message: "\(provider) makes nothing unmarked by hand: its kinds are bound (\(boundKinds.sorted()))")
    }

    public func makeDuplicate(_ peer: Peer) async throws -> (kind: String, key: String, remoteID: String) {
        throw EngineFixtures.FixtureError(message: "\(provider) has no duplicates: its kinds are bound (\(boundKinds.sorted()))")
    }
}

public enum ContractVariant: Sendable, Hashable {
    /// The base config.
    case base
    /// Titles changed (updates) and something whose change means replace.
    case changed
    /// Part of the base config removed (orphans), with `prune` as given.
    case smaller(prune: Bool)
    /// Enough resources that every collection needs at least three pages.
    case large
    /// The base config with this drift mode.
    case drift(String)
    /// The base config with `adopt: true`.
    case adopting
}

/// The flows every provider runs against each of its peers: create then a no-op plan; update
/// and replace; drift made behind the tool's back found under observe, warn and correct;
/// orphans kept then pruned; faults that converge with no duplicate; paging over three pages.
public struct ContractSuite<Fixture: ContractFixture>: Sendable {
    public let fixture: Fixture

    public init(_ fixture: Fixture) { self.fixture = fixture }

    /// `previous`: the state of the last applied commit, for a change-scoped run.
    func engine(
        _ peer: Fixture.Peer, _ variant: ContractVariant, state: String, retireDuplicates: Bool = false, previous: DesiredState? = nil
    ) async throws -> Reconciler {
        await EngineFixtures.reconciler(
            try EngineFixtures.state(fixture.files(variant)), endpoints: peer.endpoints, client: peer.client,
            credentials: fixture.credentials, options: fixture.options(variant), stateDirectory: state, retireDuplicates: retireDuplicates,
            previous: previous)
    }

    func apply(_ reconciler: Reconciler, state: String, force: Bool = false) async throws -> (Plan, ApplyResult) {
        let (plan, observation) = await reconciler.plan(id: UUID().uuidString, force: force)
        try #require(!plan.hasErrors, "\(plan.integrations.compactMap(\.error))")
        let result = await reconciler.apply(plan, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil, force: force)
        #expect(result.count(.failed) == 0, "\(result.items.filter { $0.outcome != .applied }.map { "\($0.kind) \($0.key): \($0.reason ?? "")" })")
        return (plan, result)
    }

    func withPeer(faults: String? = nil, seed: UInt64? = nil, _ body: (Fixture.Peer, String) async throws -> Void) async throws {
        let peer = try await fixture.start(faults: faults, seed: seed)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)").path
        do {
            try await body(peer, state)
            await peer.stop()
        } catch {
            await peer.stop()
            throw error
        }
        try? FileManager.default.removeItem(atPath: state)
    }

    func plan(_ plan: Plan) throws -> IntegrationPlan {
        try #require(plan.integrations.first { $0.integration == fixture.integration })
    }

    /// Everything created (bound kinds updated), what the provider holds carries the markers,
    /// and a second plan is empty.
    public func createThenNothingToDo() async throws {
        try await withPeer { peer, state in
            let reconciler = try await engine(peer, .base, state: state)
            let (first, result) = try await apply(reconciler, state: state)
            let creates = try plan(first).changes
            #expect(!creates.isEmpty && creates.allSatisfy { $0.action == (fixture.boundKinds.contains($0.kind) ? .update : .create) })
            #expect(result.count(.applied) == creates.count)
            let (again, _) = await reconciler.plan(id: "again")
            let second = try plan(again)
            #expect(second.changes.isEmpty, "\(second.changes.map { "\($0.id) \($0.fieldChanges)" })")
            #expect(second.unchanged == creates.count)
            #expect(again.exitCode == 0)
            let owned = try await fixture.owned(peer)
            let expected = Dictionary(grouping: creates, by: \.kind).mapValues(\.count)
            #expect(owned == expected)
        }
    }

    /// A changed config updates in place, replaces what cannot change, and settles.
    public func updateAndReplace() async throws {
        try await withPeer { peer, state in
            _ = try await apply(try await engine(peer, .base, state: state), state: state)
            let reconciler = try await engine(peer, .changed, state: state)
            let (changed, _) = try await apply(reconciler, state: state, force: true)
            let actions = Set(try plan(changed).changes.map(\.action))
            #expect(actions.contains(.update))
            if fixture.replaces { #expect(actions.contains(.replace)) }
            let (settled, _) = await reconciler.plan(id: "settled")
            let after = try plan(settled)
            #expect(after.changes.isEmpty, "\(after.changes.map { "\($0.id) \($0.fieldChanges)" })")
        }
    }

    /// A change made at the provider while the config stayed the same: reported under observe
    /// and warn (exit 0 and 2), corrected under correct.
    public func driftIsFoundAndCorrected() async throws {
        try await withPeer { peer, state in
            _ = try await apply(try await engine(peer, .base, state: state), state: state)
            let moved = try await fixture.drift(peer)
            for (mode, applies) in [("warn", false), ("observe", false), ("correct", true)] {
                let (found, _) = await (try await engine(peer, .drift(mode), state: state)).plan(id: "drift-\(mode)")
                let changes = try plan(found).changes
                let drift = changes.filter(\.drift)
                #expect(drift.map(\.key) == [moved.key], "\(mode): \(changes.map(\.id))")
                #expect(drift.first?.fieldChanges.map(\.field).contains(moved.field) == true)
                #expect(drift.first?.willApply == applies)
                #expect(found.exitCode == (mode == "observe" ? 0 : 2))
            }
            let reconciler = try await engine(peer, .drift("correct"), state: state)
            let (_, result) = try await apply(reconciler, state: state)
            #expect(result.count(.applied) == 1)
            let (after, _) = await reconciler.plan(id: "after")
            let settled = try plan(after)
            #expect(settled.changes.isEmpty)
        }
    }

    /// Resources no longer in the config are kept (orphans) unless the Integration prunes.
    public func orphansAreKeptThenPruned() async throws {
        try await withPeer { peer, state in
            _ = try await apply(try await engine(peer, .base, state: state), state: state)
            let before = try await fixture.owned(peer)
            let (kept, _) = await (try await engine(peer, .smaller(prune: false), state: state)).plan(id: "kept")
            let keptPlan = try plan(kept)
            let orphans = keptPlan.orphans
            #expect(!orphans.isEmpty)
            #expect(!keptPlan.changes.contains { $0.action == .delete })
            let (pruned, _) = try await apply(try await engine(peer, .smaller(prune: true), state: state), state: state, force: true)
            let deletes = try plan(pruned).changes.filter { $0.action == .delete }
            #expect(Set(deletes.map(\.key)) == Set(orphans.map(\.key)))
            let after = try await fixture.owned(peer)
            #expect(after.values.reduce(0, +) < before.values.reduce(0, +))
            let (settled, _) = await (try await engine(peer, .smaller(prune: true), state: state)).plan(id: "settled")
            let settledPlan = try plan(settled)
            #expect(settledPlan.changes.isEmpty && settledPlan.orphans.isEmpty)
        }
    }

    /// An unmarked resource made by hand is never touched, then taken over (adopted, not
    /// duplicated) when the Integration says `adopt: true`.
    public func adoptsOnlyWhenAsked() async throws {
        try await withPeer { peer, state in
            let handMade = try await fixture.makeUnmarked(peer)
            let (plain, _) = await (try await engine(peer, .base, state: state)).plan(id: "plain")
            let plainPlan = try plan(plain)
            #expect(plainPlan.unmanaged >= 1)
            #expect(plainPlan.changes.contains { $0.kind == handMade.kind && $0.key == handMade.key && $0.action == .create })
            let (adopting, result) = try await apply(try await engine(peer, .adopting, state: state), state: state)
            let adoptingChanges = try plan(adopting).changes
            let adoption = adoptingChanges.filter { $0.action == .adopt }
            #expect(adoption.map(\.key) == [handMade.key], "\(adoptingChanges.map(\.id))")
            #expect(result.count(.failed) == 0)
            let (settled, _) = await (try await engine(peer, .base, state: state)).plan(id: "settled")
            let settledPlan = try plan(settled)
            #expect(settledPlan.changes.isEmpty, "\(settledPlan.changes.map(\.id))")
            let owned = try await fixture.owned(peer)
            let wanted = plainPlan.changes.filter { $0.kind == handMade.kind && $0.action == .create }.count
            #expect(owned[handMade.kind] == wanted, "adopted, not made twice")
        }
    }

    /// Past the Integration's safety thresholds a plan is refused (exit 3, nothing applied)
    /// unless forced.
    public func safetyThresholdsRefuseUnlessForced() async throws {
        try await withPeer { peer, state in
            _ = try await apply(try await engine(peer, .base, state: state), state: state)
            var files = fixture.files(.changed)
            files[fixture.integrationFile, default: ""] += "\n  safety: {maxUpdatePercent: 0, maxDeletePercent: 0, minManagedResources: 1}\n"
            let strict = await EngineFixtures.reconciler(
                try EngineFixtures.state(files), endpoints: peer.endpoints, client: peer.client,
                credentials: fixture.credentials, options: fixture.options(.changed), stateDirectory: state)
            let (refused, observation) = await strict.plan(id: "refused")
            let refusedPlan = try plan(refused)
            #expect(refusedPlan.refusal != nil)
            #expect(refused.exitCode == 3)
            let skipped = await strict.apply(refused, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil)
            #expect(skipped.count(.applied) == 0 && skipped.count(.skipped) == refused.changeCount)
            let (forced, forcedResult) = try await apply(strict, state: state, force: true)
            let forcedPlan = try plan(forced)
            #expect(forcedPlan.refusal == nil)
            #expect(forcedResult.count(.applied) == forced.changeCount)
        }
    }

    /// With the provider throttling and failing some requests, apply still converges and makes
    /// nothing twice.
    public func faultsConvergeWithoutDuplicates(_ faults: String) async throws {
        try await withPeer(faults: faults) { peer, state in
            let reconciler = try await engine(peer, .base, state: state)
            let (first, _) = try await apply(reconciler, state: state)
            let expected = Dictionary(grouping: try plan(first).changes, by: \.kind).mapValues(\.count)
            let (again, _) = await reconciler.plan(id: "again")
            let second = try plan(again)
            #expect(second.changes.isEmpty, "\(second.changes.map(\.id))")
            let owned = try await fixture.owned(peer)
            #expect(owned == expected)
        }
    }

    /// A second resource under one ownership key: reported as a duplicate (no drift, no
    /// refusal, nothing applied), the one the config's other resources point at kept; retired
    /// with `--retire-duplicates`, after which the plan is empty and the provider holds what it
    /// held before the copy.
    public func duplicatesAreReportedThenRetired() async throws {
        try await withPeer { peer, state in
            _ = try await apply(try await engine(peer, .base, state: state), state: state)
            let before = try await fixture.owned(peer)
            let copy = try await fixture.makeDuplicate(peer)
            let (found, observation) = await (try await engine(peer, .base, state: state)).plan(id: "duplicates")
            let reported = try plan(found)
            #expect(reported.changes.isEmpty, "no false drift update: \(reported.changes.map(\.id))")
            #expect(reported.driftCount == 0 && reported.refusal == nil)
            #expect(reported.duplicates.count == 1)
            let duplicate = try #require(reported.duplicates.first)
            #expect(duplicate.kind == copy.kind && duplicate.key == copy.key)
            // Which one is kept depends on what points at it (a partial peer may hold no children).
            #expect(Set([duplicate.kept] + duplicate.extra).contains(copy.remoteID) && duplicate.extra.count == 1)
            #expect(!duplicate.retired)
            #expect(found.exitCode == 2)
            let untouched = await (try await engine(peer, .base, state: state)).apply(
                found, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil)
            #expect(untouched.items.isEmpty, "without prune or the flag nothing is retired")

            let retiring = try await engine(peer, .base, state: state, retireDuplicates: true)
            let (retired, result) = try await apply(retiring, state: state)
            let retirements = try plan(retired).changes
            #expect(retirements.map(\.remoteID) == duplicate.extra)
            #expect(retirements.first?.duplicateOf == duplicate.kept)
            #expect(result.count(.applied) == 1)
            let (settled, _) = await retiring.plan(id: "settled")
            let after = try plan(settled)
            #expect(after.changes.isEmpty && after.duplicates.isEmpty && after.orphans.isEmpty, "\(after.changes.map(\.id))")
            #expect(try await fixture.owned(peer) == before)
        }
    }

    /// Each seed: the base config applied through a storm of faults (listings changing between
    /// their pages included, with `churn`) converges in ONE run (no
    /// change fails), the next plan is empty, nothing is duplicated or orphaned. Returns, by
    /// seed, the retries each run sent and those it took from the provider's budget. Seeds run
    /// `parallel` at a time (each its own peer and limiter): the provider's pacing, not the
    /// machine, is what takes the time.
    public func convergesInOneRunUnderAStorm(_ faults: String, seeds: [UInt64], parallel: Int = 5) async throws -> [UInt64: StatusReport.Retries] {
        var retries: [UInt64: StatusReport.Retries] = [:]
        var remaining = seeds[...]
        while !remaining.isEmpty {
            let batch = remaining.prefix(parallel)
            remaining = remaining.dropFirst(batch.count)
            try await withThrowingTaskGroup(of: (UInt64, StatusReport.Retries).self) { group in
                for seed in batch { group.addTask { (seed, try await self.stormRun(faults, seed: seed)) } }
                for try await (seed, count) in group { retries[seed] = count }
            }
        }
        return retries
    }

    func stormRun(_ faults: String, seed: UInt64) async throws -> StatusReport.Retries {
        var retries = StatusReport.Retries(sent: 0, fromBudget: 0, budget: 0)
        try await withPeer(faults: faults, seed: seed) { peer, state in
            // The base config listed in pages of two (the `.large` options), so that a listing
            // the `churn` fault changes is read over several pages.
            let reconciler = await EngineFixtures.reconciler(
                try EngineFixtures.state(fixture.files(.base)), endpoints: peer.endpoints, client: peer.client,
                credentials: fixture.credentials, options: fixture.options(.large), stateDirectory: state)
            let (first, observation) = await reconciler.plan(id: "storm-\(seed)")
            try #require(!first.hasErrors, "seed \(seed): \(first.integrations.compactMap(\.error))")
            let result = await reconciler.apply(first, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil)
            #expect(
                result.count(.failed) == 0 && result.count(.skipped) == 0,
                "seed \(seed): \(result.items.filter { $0.outcome != .applied }.map { "\($0.kind) \($0.key): \($0.reason ?? "")" })")
            let expected = Dictionary(grouping: try plan(first).changes, by: \.kind).mapValues(\.count)
            let (again, _) = await reconciler.plan(id: "again-\(seed)")
            let second = try plan(again)
            #expect(second.error == nil, "seed \(seed): \(String(describing: second.error))")
            #expect(second.changes.isEmpty, "seed \(seed): \(second.changes.map(\.id))")
            #expect(second.duplicates.isEmpty && second.orphans.isEmpty, "seed \(seed)")
            #expect(try await fixture.owned(peer) == expected, "seed \(seed)")
            retries = await reconciler.retries()[fixture.integration] ?? retries
        }
        return retries
    }

    /// Every collection over at least three pages, read back whole.
    public func pagesThroughLargeCollections() async throws {
        try await withPeer { peer, state in
            let reconciler = try await engine(peer, .large, state: state)
            let (first, _) = try await apply(reconciler, state: state, force: true)
            let (again, _) = await reconciler.plan(id: "again")
            let second = try plan(again), created = try plan(first).changes.count
            #expect(second.changes.isEmpty)
            #expect(second.unchanged == created)
        }
    }

    /// A change-scoped run over one establishment (as the daemon makes after a push, the config
    /// unchanged) reads no resource of SalonOps' outside what it projects there, plans nothing
    /// and orphans nothing, and costs no more requests than a full scan.
    public func aScopedRunReadsOnlyItsEstablishment() async throws {
        try await withPeer { peer, state in
            let base = try EngineFixtures.state(fixture.files(.base))
            _ = try await apply(try await engine(peer, .base, state: state), state: state)
            let integration = try #require(base.integrations.first { $0.metadata.name == fixture.integration })
            let establishment = try #require(base.establishments(of: integration).first?.metadata.name)
            let scope = Scope(establishments: [establishment])
            let reconciler = try await engine(peer, .base, state: state, previous: base)
            let (full, fullObservation) = await reconciler.plan(id: "full")
            let (scoped, observation) = await reconciler.plan(id: "scoped", scope: .only([fixture.integration: scope]))
            let scopedPlan = try plan(scoped)
            #expect(scopedPlan.error == nil && scopedPlan.changes.isEmpty && scopedPlan.orphans.isEmpty, "\(scopedPlan.changes.map(\.id))")
            let projected = Set(try #require(reconciler.projection(of: fixture.integration, scope: scope)).map(\.ref))
            let owner = reconciler.owner
            let outside = (observation.resources[fixture.integration] ?? []).filter { resource in
                resource.owner == owner && resource.key.map { !projected.contains(ResourceRef(resource.kind, $0)) } == true
            }
            #expect(outside.isEmpty, "read outside \(establishment): \(outside.map { "\($0.kind) \($0.key ?? "")" })")
            let requests = observation.requests[fixture.integration] ?? 0, fullRequests = fullObservation.requests[fixture.integration] ?? 0
            #expect(requests <= fullRequests, "scoped \(requests) requests, full \(fullRequests)")
            #expect(try plan(full).changes.isEmpty)
        }
    }
}
