import Foundation
import Testing

import SalonOpsProviders

@testable import SalonOpsCore

/// What a change-scoped run looks at, from two commits of examples/salon-chain.
@Suite struct ChangeSetTests {
    static let root = "examples/salon-chain"

    static func state(editing path: String? = nil, _ old: String = "", _ new: String = "") throws -> DesiredState {
        var files = try Fixtures.filesOnDisk(root)
        if let path {
            let index = try #require(files.firstIndex { $0.path == path })
            let text = String(decoding: files[index].contents, as: UTF8.self)
            try #require(text.contains(old), "\(path) no longer says \(old)")
            files[index] = ConfigFile(path: path, repositoryPath: files[index].repositoryPath, contents: Array(text.replacingOccurrences(of: old, with: new).utf8))
        }
        let result = ConfigLoader.load(files, catalog: Registry.catalog)
        let valid = !result.hasErrors
        try #require(valid, "\(Fixtures.lines(result))")
        return result.state
    }

    @Test func theSameCommitChangesNothing() throws {
        let base = try Self.state()
        #expect(ChangeSet.between(base, base, changedPaths: [], root: Self.root).isEmpty)
    }

    @Test func anEstablishmentsHoursMoveThatEstablishmentOnly() throws {
        let change = ChangeSet.between(
            try Self.state(), try Self.state(editing: "establishments/lyon-2.yaml", #"saturday: ["09:30-18:00"]"#, #"saturday: ["09:30-17:00"]"#),
            changedPaths: ["\(Self.root)/establishments/lyon-2.yaml"], root: Self.root)
        #expect(change == ChangeSet(establishments: ["lyon-2"], reasons: ["Establishment lyon-2 changed"]))
    }

    /// A changed Service touches every establishment that sells it.
    @Test func aServiceMovesEveryEstablishmentThatSellsIt() throws {
        let change = ChangeSet.between(
            try Self.state(), try Self.state(editing: "catalogue/services/soins-visage.yaml", #"price: "65.00 EUR""#, #"price: "67.00 EUR""#),
            changedPaths: [], root: Self.root)
        #expect(change.catalogue && !change.everything && change.integrations.isEmpty)
        #expect(change.establishments == ["bordeaux-chartrons", "lyon-2", "paris-11"], "\(change)")
        #expect(change.reasons == ["Service soin-visage-hydratant changed"])
    }

    @Test func anIntegrationOrItsCredentialsMoveThatIntegrationWhole() throws {
        let base = try Self.state()
        let edited = try Self.state(editing: "integrations/planity.yaml", "rotateAfter: 90d", "rotateAfter: 60d")
        #expect(ChangeSet.between(base, edited, changedPaths: [], root: Self.root) == ChangeSet(integrations: ["planity"], reasons: ["Integration planity changed"]))
        let rotated = ChangeSet.between(base, base, changedPaths: ["\(Self.root)/secrets/stripe.sops.yaml", "README.md"], root: Self.root)
        #expect(rotated.integrations == ["stripe"] && rotated.establishments.isEmpty, "\(rotated)")
        #expect(rotated.reasons == ["credentials of Integration stripe changed"])
    }

    /// A removed establishment is still looked at (what it had is pruned); the Organization
    /// moves everything.
    @Test func aRemovedEstablishmentAndTheOrganization() throws {
        let base = try Self.state()
        var without = base
        without.establishments.removeAll { $0.metadata.name == "bordeaux-chartrons" }
        let removed = ChangeSet.between(base, without, changedPaths: [], root: Self.root)
        #expect(removed.establishments.contains("bordeaux-chartrons") && removed.reasons.contains("Establishment bordeaux-chartrons removed"), "\(removed)")
        let organization = ChangeSet.between(
            base, try Self.state(editing: "organization.yaml", "displayName: Belle Époque Instituts", "displayName: Belle Époque"), changedPaths: [],
            root: Self.root)
        #expect(organization.everything)
    }
}

/// `suspended:` in an Integration: its location is kept; anything but a boolean is refused.
@Suite struct SuspendedFieldTests {
    @Test func suspendedTrueKeepsWhereItIsWritten() throws {
        let files = try Fixtures.filesOnDisk("examples/salon-chain").map { file -> ConfigFile in
            guard file.path == "integrations/planity.yaml" else { return file }
            let text = String(decoding: file.contents, as: UTF8.self).replacingOccurrences(of: "  enabled: true\n", with: "  enabled: true\n  suspended: true\n")
            return ConfigFile(path: file.path, repositoryPath: file.repositoryPath, contents: Array(text.utf8))
        }
        let result = ConfigLoader.load(files, catalog: Registry.catalog)
        let planity = result.state.integrations.first { $0.metadata.name == "planity" }
        #expect(planity?.suspended?.description == "examples/salon-chain/integrations/planity.yaml:12:14", "\(String(describing: planity?.suspended))")
        #expect(result.state.integrations.first { $0.metadata.name == "stripe" }?.suspended == nil)
    }

    @Test func aSuspendedThatIsNotABooleanIsRefused() throws {
        let files = try Fixtures.filesOnDisk("examples/salon-chain").map { file -> ConfigFile in
            guard file.path == "integrations/planity.yaml" else { return file }
            let text = String(decoding: file.contents, as: UTF8.self).replacingOccurrences(of: "  enabled: true\n", with: "  enabled: true\n  suspended: until friday\n")
            return ConfigFile(path: file.path, repositoryPath: file.repositoryPath, contents: Array(text.utf8))
        }
        let lines = Fixtures.lines(ConfigLoader.load(files, catalog: Registry.catalog))
        #expect(lines.contains { $0.hasPrefix("examples/salon-chain/integrations/planity.yaml:12:14: error:") && $0.contains("suspended") }, "\(lines)")
    }
}
