import Foundation
import SalonOpsGit
import SalonOpsProviders
import Testing
@testable import SalonOpsEngine

/// The lock (and the ledger, pending creates, applied commits) is keyed on the repository and
/// target as they are, not as they were spelled: two applies of one repository spelled two ways
/// contend for one lock.
@Suite struct StateScopeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func spellingsOfOneLocalRepositoryAreOneScope() throws {
        let base = Self.root.path
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("scope-link-\(UUID().uuidString)").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: base)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let spellings = [base, base + "/", base + "/.git", base + "/./", link, link + "/.git/"]
        let scopes = Set(spellings.map { StateScope.of(repository: $0, root: "examples/salon-chain") })
        #expect(scopes.count == 1, "\(scopes)")
        #expect(StateScope.of(repository: base, root: "examples/salon-chain/") == StateScope.of(repository: base, root: "examples/salon-chain"))
    }

    @Test func spellingsOfOneRemoteAreOneScope() {
        let spellings = [
            "https://Git.Example.com/salon/config.git", "https://git.example.com/salon/config", "https://git.example.com:443/salon/config/",
            "https://token@git.example.com/salon/config.git",
        ]
        #expect(Set(spellings.map(StateScope.canonicalRepository)).count == 1)
        #expect(StateScope.canonicalURL("http://localhost:12111/") == StateScope.canonicalURL("http://127.0.0.1:12111"))
        #expect(StateScope.canonicalRepository("git@github.com:salon/config.git") == StateScope.canonicalRepository("ssh://git@github.com/salon/config"))
        #expect(StateScope.canonicalURL("https://a.example/x") != StateScope.canonicalURL("https://b.example/x"))
    }

    @Test func theLockOfOneRepositorySpelledTwoWaysIsOneFile() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("scope-\(UUID().uuidString)").path
        func lock(_ repository: String, _ endpoint: String) async throws -> String {
            let git = GitSourceOptions(repository: repository, path: "examples/salon-chain", cacheDirectory: state + "/cache")
            let configuration = EngineConfiguration(
                source: git, stateDirectory: state, endpoints: Endpoints(sandbox: endpoint),
                providers: Registry.providers, command: "test")
            return try await Engine.lock(configuration).path
        }
        let a = try await lock(Self.root.path, "http://127.0.0.1:8080")
        let b = try await lock(Self.root.path + "/.git", "http://localhost:8080/")
        #expect(a == b)
        let c = try await lock(Self.root.path, "http://127.0.0.1:9090")
        #expect(a != c, "another target is another lock")
    }
}
