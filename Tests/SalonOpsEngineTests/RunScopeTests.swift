import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviderKit
import SalonOpsProviders
import SalonOpsTestSupport
import Testing

/// From what moved to which integrations a change-scoped run plans, each narrowed.
@Suite struct RunScopeTests {
    static func examples() throws -> DesiredState {
        let base = Paths.packageRoot.appendingPathComponent("examples/salon-chain")
        var files: [ConfigFile] = []
        let enumerator = try #require(FileManager.default.enumerator(atPath: base.path))
        while let path = enumerator.nextObject() as? String {
            guard ConfigFile.isRelevant(path), enumerator.fileAttributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            files.append(ConfigFile(path: path, repositoryPath: "examples/salon-chain/\(path)", contents: Array(try Data(contentsOf: base.appendingPathComponent(path)))))
        }
        let result = ConfigLoader.load(files, catalog: Registry.catalog)
        let valid = !result.hasErrors
        try #require(valid)
        return result.state
    }

    /// The integrations with an adapter, enabled in examples/.
    static let managed = ["brevo", "google-business-profile", "google-calendar", "planity", "stripe", "treatwell"]

    @Test func oneEstablishmentNarrowsEveryIntegrationThatCoversIt() throws {
        let state = try Self.examples()
        let scope = RunScope.of(ChangeSet(establishments: ["lyon-2"]), old: state, new: state, providers: Registry.providers)
        guard case .only(let scopes) = scope else { Issue.record("a full run: \(scope)"); return }
        #expect(scopes.keys.sorted() == Self.managed, "integrations without an adapter (Twilio, Yelp…) are never planned")
        for (name, narrowed) in scopes { #expect(narrowed.establishments == ["lyon-2"], "\(name)") }
    }

    @Test func anIntegrationWholeTheCatalogueEverywhereTheOrganizationEverything() throws {
        let state = try Self.examples()
        #expect(RunScope.of(ChangeSet(integrations: ["planity"]), old: state, new: state, providers: Registry.providers) == .only(["planity": .all]))
        // A catalogue item nobody sells still reaches the integrations holding catalogue-level resources.
        guard case .only(let catalogue) = RunScope.of(ChangeSet(catalogue: true), old: state, new: state, providers: Registry.providers) else {
            Issue.record("a full run")
            return
        }
        #expect(catalogue.keys.sorted() == Self.managed && catalogue.values.allSatisfy { $0.establishments == [] })
        #expect(RunScope.of(.full, old: state, new: state, providers: Registry.providers) == .all)
        #expect(RunScope.of(ChangeSet(), old: state, new: state, providers: Registry.providers) == .only([:]))
    }

    /// An establishment the Integration no longer covers is still looked at, so what it had is pruned.
    @Test func anEstablishmentLeftOutOfAnIntegrationIsStillLookedAt() throws {
        let old = try Self.examples()
        var new = old
        let index = try #require(new.integrations.firstIndex { $0.metadata.name == "planity" })
        new.integrations[index].establishments = .only([])
        let scope = RunScope.of(ChangeSet(establishments: ["lyon-2"]), old: old, new: new, providers: Registry.providers)
        #expect(scope.scope(for: "planity")?.establishments == ["lyon-2"])
    }
}
