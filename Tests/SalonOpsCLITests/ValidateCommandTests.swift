import Foundation
import Testing
import SalonOpsTestSupport

/// `salonops validate` as a user runs it: the real binary, reading a git repository that the
/// test builds with the real git CLI from this package's examples/.
@Suite(.serialized) struct ValidateCommandTests {
    /// A committed copy of examples/ in a fresh repository, shared by the tests of this suite.
    static let fixture: Result<(repo: URL, head: String, state: URL), any Error> = Result {
        let repo = try Paths.temporaryDirectory("examples-repo")
        try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: repo.appendingPathComponent("examples"))
        try CommandRunner.git(["init", "-q"], in: repo)
        try CommandRunner.git(["add", "-A"], in: repo)
        try CommandRunner.git(["commit", "-q", "-m", "examples"], in: repo)
        let head = try CommandRunner.git(["rev-parse", "HEAD"], in: repo)
        return (repo, head, try Paths.temporaryDirectory("state"))
    }

    static let invalidCases: [String] = {
        let base = Paths.packageRoot.appendingPathComponent("examples/invalid")
        return ((try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: base.appendingPathComponent("\($0)/expected.txt").path) }.sorted()
    }()

    func validate(_ arguments: [String]) throws -> CommandResult {
        let fixture = try Self.fixture.get()
        return try CommandRunner.run(Paths.salonops, ["validate", "--repo", fixture.repo.path, "--state-dir", fixture.state.path] + arguments)
    }

    @Test(arguments: invalidCases)
    func invalidCasePrintsItsExpectedErrorWithItsLocation(name: String) throws {
        let expected = try String(contentsOf: Paths.packageRoot.appendingPathComponent("examples/invalid/\(name)/expected.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let result = try validate(["--path", "examples/invalid/\(name)"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let printed = result.stdout.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") || $0.contains(": warning: ") }
        #expect(printed == expected)
    }

    @Test func theSalonChainIsValidAndTheCommitIsPrintedAndRecorded() throws {
        let fixture = try Self.fixture.get()
        let result = try validate(["--path", "examples/salon-chain"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("commit \(fixture.head.prefix(12)) (refs/heads/main)"), "\(result.stdout)")
        #expect(result.stdout.contains("valid: 0 errors"))
        let log = try String(contentsOf: fixture.state.appendingPathComponent("runs.jsonl"), encoding: .utf8)
        #expect(log.contains("\"commit\":\"\(fixture.head)\""))
    }

    @Test func jsonOutputFollowsItsSchema() throws {
        let fixture = try Self.fixture.get()
        let result = try validate(["--path", "examples/invalid/hours-overlap", "--format", "json"])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "salonops.validate/v1")
        #expect(object["valid"] as? Bool == false)
        let source = try #require(object["source"] as? [String: Any])
        #expect(source["commit"] as? String == fixture.head)
        #expect(source["root"] as? String == "examples/invalid/hours-overlap")
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["code"] as? String == "hours-overlap")
        #expect(diagnostics.first?["file"] as? String == "examples/invalid/hours-overlap/establishment.yaml")
        #expect(diagnostics.first?["line"] as? Int == 13)
        #expect(diagnostics.first?["column"] as? Int == 32)
        #expect(diagnostics.first?["hint"] is String)
    }

    @Test func anUnknownRefFailsWithCloseMatches() throws {
        let result = try validate(["--ref", "mian", "--path", "examples/salon-chain"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("mian"))
        #expect(result.stderr.contains("main"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func notARepositoryFailsClearly() throws {
        let empty = try Paths.temporaryDirectory("not-a-repo")
        defer { try? FileManager.default.removeItem(at: empty) }
        let result = try CommandRunner.run(Paths.salonops, ["validate", "--repo", empty.path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: fetch: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func worktreeModeSeesUncommittedChangesAndSaysSo() throws {
        let repo = try Paths.temporaryDirectory("worktree")
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples/invalid/unknown-field"), to: repo.appendingPathComponent("config"))
        // Commit a valid version, then break it in the work tree only.
        let services = repo.appendingPathComponent("config/services.yaml")
        let broken = try String(contentsOf: services, encoding: .utf8)
        try broken.replacingOccurrences(of: "prise:", with: "price:").write(to: services, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: repo.appendingPathComponent("config/expected.txt"))
        try CommandRunner.git(["init", "-q"], in: repo)
        try CommandRunner.git(["add", "-A"], in: repo)
        try CommandRunner.git(["commit", "-q", "-m", "valid"], in: repo)
        try broken.write(to: services, atomically: true, encoding: .utf8)

        let committed = try CommandRunner.run(Paths.salonops, ["validate", "--repo", repo.path, "--path", "config"])
        #expect(committed.status == 0, "\(committed.stdout)\(committed.stderr)")
        let worktree = try CommandRunner.run(Paths.salonops, ["validate", "--repo", repo.path, "--path", "config", "--worktree"])
        #expect(worktree.status == 1)
        #expect(worktree.stdout.contains("config/services.yaml:9:3: error: unknown field 'prise'"))
        #expect(worktree.stdout.contains("uncommitted changes"))
    }

    @Test func aPlantedCanarySecretNeverReachesOutputOrState() throws {
        let canary = "sk_live_CANARYc4n4ryC4N4RYcanary9999"
        let repo = try Paths.temporaryDirectory("canary")
        let state = try Paths.temporaryDirectory("canary-state")
        defer { try? FileManager.default.removeItem(at: repo); try? FileManager.default.removeItem(at: state) }
        let config = """
            apiVersion: salonops.io/v1
            kind: Organization
            metadata: {name: canary}
            spec: {displayName: \(canary)}
            ---
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: stripe}
            spec:
              provider: stripe
              enabled: \(canary)
              credentials: {secretKey: \(canary)}
              settings: {webhook: {url: \(canary)}}
            """
        try config.write(to: repo.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        try CommandRunner.git(["init", "-q"], in: repo)
        try CommandRunner.git(["add", "-A"], in: repo)
        try CommandRunner.git(["commit", "-q", "-m", "oops"], in: repo)
        for format in ["text", "json"] {
            let result = try CommandRunner.run(Paths.salonops, ["validate", "--repo", repo.path, "--format", format, "--state-dir", state.path, "--verbose"])
            #expect(result.status == 1)
            #expect(result.stdout.contains("secret-in-plaintext"))
            #expect(!result.stdout.contains(canary) && !result.stderr.contains(canary))
        }
        let log = try String(contentsOf: state.appendingPathComponent("runs.jsonl"), encoding: .utf8)
        #expect(!log.contains(canary))
    }
}
