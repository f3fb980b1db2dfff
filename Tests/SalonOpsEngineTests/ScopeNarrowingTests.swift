import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsProviders
import SalonOpsTestSupport
import Testing

/// A change-scoped run narrowed by what the change moves in each provider's projection, and
/// the bound on what such a run may delete.
@Suite struct ScopeNarrowingTests {
    /// examples/salon-chain, with one file's text edited.
    static func examples(editing file: String? = nil, _ edit: (String) -> String = { $0 }) throws -> DesiredState {
        let base = Paths.packageRoot.appendingPathComponent("examples/salon-chain")
        var files: [ConfigFile] = []
        let enumerator = try #require(FileManager.default.enumerator(atPath: base.path))
        while let path = enumerator.nextObject() as? String {
            guard ConfigFile.isRelevant(path), enumerator.fileAttributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            var text = try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8)
            if path == file {
                let edited = edit(text)
                try #require(edited != text, "the edit of \(path) changed nothing")
                text = edited
            }
            files.append(ConfigFile(path: path, repositoryPath: "examples/salon-chain/\(path)", contents: Array(text.utf8)))
        }
        let result = ConfigLoader.load(files, catalog: Registry.catalog)
        let valid = !result.hasErrors
        try #require(valid, "\(result.diagnostics.map(\.headline))")
        return result.state
    }

    /// What a push to lyon-2's file runs once narrowed, given the state before and after.
    static func narrowed(_ old: DesiredState, _ new: DesiredState, _ change: ChangeSet = ChangeSet(establishments: ["lyon-2"])) async throws -> [String: Set<String>] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        // No request is sent: narrowing compares projections only.
        let reconciler = await EngineFixtures.reconciler(new, endpoints: Endpoints(), client: client, credentials: [:], previous: old)
        let scope = reconciler.narrowed(RunScope.of(change, old: old, new: new, providers: Registry.providers))
        try await client.shutdown()
        guard case .only(let scopes) = scope else {
            Issue.record("narrowing made a full run")
            return [:]
        }
        for (name, part) in scopes { #expect(part.establishments == ["lyon-2"], "\(name) keeps its establishments") }
        return scopes.mapValues { $0.kinds ?? [] }
    }

    @Test func hoursReachOnlyTheProvidersThatPublishThem() async throws {
        let old = try Self.examples()
        let new = try Self.examples(editing: "establishments/lyon-2.yaml") { $0.replacingOccurrences(of: "saturday: [\"09:30-18:00\"]", with: "saturday: [\"09:30-17:00\"]") }
        let scopes = try await Self.narrowed(old, new)
        // Stripe and Google Calendar hold no hours: not even observed.
        #expect(scopes == ["google-business-profile": ["location"], "planity": ["venue"], "treatwell": ["venue"]])
    }

    @Test func aStaffMemberRenamedReachesCalendarsAndTheVenuesStaffWithWhatDependsOnIt() async throws {
        let old = try Self.examples()
        let new = try Self.examples(editing: "establishments/lyon-2.yaml") { $0.replacingOccurrences(of: "displayName: Manon Girard", with: "displayName: Manon Girard-Petit") }
        let scopes = try await Self.narrowed(old, new)
        #expect(scopes["stripe"] == nil && scopes["google-business-profile"] == nil)
        // The calendar is the parent of its ACL and closure events; a venue's services name its staff and rooms.
        #expect(scopes["google-calendar"] == ["calendar", "acl", "closure"])
        #expect(scopes["planity"] == ["staff", "service", "room"])
        #expect(scopes["treatwell"] == ["staff", "service", "room"])
    }

    @Test func aProductNoLongerSoldReachesOnlyStripesCatalogue() async throws {
        let old = try Self.examples()
        let new = try Self.examples(editing: "establishments/lyon-2.yaml") { $0.replacingOccurrences(of: ", huile-cuticules-10ml]", with: "]") }
        let scopes = try await Self.narrowed(old, new)
        // Retail products are sold through Stripe only; plans, like prices, hang on a product.
        #expect(scopes == ["stripe": ["price", "product", "plan"]])
    }

    @Test func nothingMovedIsNothingToRunAndAWholeScopeStaysWhole() async throws {
        let state = try Self.examples()
        #expect(try await Self.narrowed(state, state).isEmpty)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let reconciler = await EngineFixtures.reconciler(state, endpoints: Endpoints(), client: client, credentials: [:], previous: state)
        #expect(reconciler.narrowed(.only(["stripe": .all])) == .only(["stripe": .all]), "an Integration's own document moved: all of it")
        #expect(reconciler.narrowed(.all) == .all)
        let unnarrowed = await EngineFixtures.reconciler(state, endpoints: Endpoints(), client: client, credentials: [:])
        let scoped = RunScope.only(["stripe": Scope(establishments: ["lyon-2"])])
        #expect(unnarrowed.narrowed(scoped) == scoped, "without the last applied state there is nothing to compare")
        try await client.shutdown()
    }

    /// Stripe reads its whole catalogue whatever the scope: a scoped run there sees every
    /// orphan, and must still delete only what its own change removed.
    @Test func aScopedRunDeletesOnlyWhatTheChangeRemoved() async throws {
        let integration = EngineFixtures.integration(prune: true)
        let with = try EngineFixtures.state(EngineFixtures.files(integration: integration))
        let without = try EngineFixtures.state(
            EngineFixtures.files(
                services: [
                    EngineFixtures.service("soin-visage", "Soin visage 60 min", price: "65.00 EUR"),
                    EngineFixtures.service("epilation-jambes", "Épilation jambes", price: "30.00 EUR"),
                ], integration: integration))
        try await withSandbox { sandbox in
            let endpoints = Endpoints(sandbox: sandbox.server.baseURL)
            let credentials = ["stripe": ["secretKey": Sandbox.apiKey]]
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("narrow-\(UUID().uuidString)").path
            let setup = await EngineFixtures.reconciler(with, endpoints: endpoints, client: sandbox.client, credentials: credentials, stateDirectory: scratch)
            let (plan, observation) = await setup.plan(id: "setup")
            try #require(!plan.hasErrors, "\(plan.integrations.compactMap(\.error))")
            let applied = await setup.apply(plan, observation: observation, pending: PendingLog(stateDirectory: scratch, scope: "t"), store: nil)
            try #require(applied.count(.failed) == 0)

            func deletes(previous: DesiredState?, scope: RunScope) async -> (deletes: [String], orphans: Int) {
                let engine = await EngineFixtures.reconciler(
                    without, endpoints: endpoints, client: sandbox.client, credentials: credentials, stateDirectory: scratch, previous: previous)
                let (plan, _) = await engine.plan(id: "p", scope: scope)
                let stripe = plan.integrations.first { $0.integration == "stripe" }
                return ((stripe?.changes ?? []).filter { $0.action == .delete }.map { "\($0.kind) \($0.key)" }.sorted(), stripe?.orphans.count ?? 0)
            }
            let lyon = RunScope.only(["stripe": Scope(establishments: ["lyon-2"])])
            let full = await deletes(previous: nil, scope: .all)
            #expect(full.deletes.contains("price service:massage@lyon-2") && full.deletes.contains("product service:massage"), "\(full.deletes)")
            // The massage went before the last applied commit: this run's change did not remove it.
            let unrelated = await deletes(previous: without, scope: lyon)
            #expect(unrelated.deletes.isEmpty && unrelated.orphans == 0, "\(unrelated)")
            // This run's change removed it: the scoped run deletes what the full one would.
            let removed = await deletes(previous: with, scope: lyon)
            #expect(removed.deletes == full.deletes)
        }
    }
}
