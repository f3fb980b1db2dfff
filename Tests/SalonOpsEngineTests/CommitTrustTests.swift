import Foundation
import Logging
import SalonOpsGit
import SalonOpsProviders
import SalonOpsSecrets
import SalonOpsTestSupport
import Testing
@testable import SalonOpsEngine

/// `--require-signed-by` over commits the real git signed with keys the real ssh-keygen made;
/// each verdict is cross-checked with `ssh-keygen -Y verify` on the same signature and bytes,
/// at the committer time (as git asks it).
@Suite struct CommitTrustTests {
    static let principal = "alice@salonops.invalid"

    /// One repository: `main` signed by alice (listed), and a branch per way to get it wrong.
    struct Scenario {
        let repo: GitFixture
        let keys: URL
        let alice: SSHTestKey
        let mallory: SSHTestKey
        let allowed: URL

        static func make() async throws -> Scenario {
            let repo = try await GitFixture.make("trust")
            let keys = repo.url.appendingPathComponent(".git/test-keys")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            let alice = try await SSHKeygen.makeKey("alice", in: keys)
            let mallory = try await SSHKeygen.makeKey("mallory", in: keys)
            let allowed = try Self.allowedSigners(alice.allowedSignersLine(principal), in: keys)

            try repo.write("config.yaml", "a: 1\n")
            try await repo.commitSigned("reviewed", key: alice)
            try await repo.git("branch", "base")
            // Each other branch starts from main.
            try await repo.git("checkout", "-q", "-b", "unsigned")
            try repo.write("config.yaml", "a: 2\n")
            try await repo.commitAll("unsigned")
            try await repo.git("checkout", "-q", "-b", "stranger", "base")
            try repo.write("config.yaml", "a: 3\n")
            try await repo.commitSigned("by a stranger", key: mallory)
            try await repo.git("checkout", "-q", "main")

            let signed = try await repo.rawCommit("main")
            try await repo.writeCommitObject(signed.replacingOccurrences(of: "reviewed", with: "rewritten"), branch: "tampered")
            // A signature ssh-keygen made for the namespace `file`, over the exact bytes git signs.
            let unsigned = try await repo.rawCommit("unsigned")
            let forFiles = try await SSHKeygen.sign(Array(unsigned.utf8), key: alice, namespace: "file", in: keys)
            try await repo.writeCommitObject(unsigned.withSignatureHeader(forFiles), branch: "namespace")
            return Scenario(repo: repo, keys: keys, alice: alice, mallory: mallory, allowed: allowed)
        }

        static func allowedSigners(_ lines: String..., in folder: URL) throws -> URL {
            let file = folder.appendingPathComponent("allowed_signers-\(UUID().uuidString)")
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
            return file
        }

        func snapshot(_ ref: String) async throws -> ConfigSnapshot {
            let options = GitSourceOptions(repository: repo.path, ref: ref, cacheDirectory: repo.path + "/.git/no-cache")
            return try await withDeadline(60, "reading \(ref)") { try await GitSource.read(options) }
        }

        /// Our verdict on `ref` under `allowed`, after checking ssh-keygen reaches the same.
        func verdict(_ ref: String, allowed file: URL? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> CommitTrustError? {
            let file = file ?? allowed
            let snapshot = try await snapshot(ref)
            let policy = try CommitTrustPolicy(allowedSignersFile: file.path)
            var refusal: CommitTrustError?
            do { try policy.check(snapshot) } catch { refusal = error }
            if let signature = snapshot.signature {
                let peer = try await SSHKeygen.verifies(
                    signature.signedPayload, signature: signature.armored, allowedSigners: file, principal: principal, time: snapshot.committerTime, in: keys)
                #expect(peer == (refusal == nil), "ssh-keygen -Y verify says \(peer) for \(ref); we say \(refusal.map { "\($0)" } ?? "trusted")", sourceLocation: sourceLocation)
            }
            return refusal
        }
    }

    @Test func onlyACommitSignedByAnAllowedKeyIsTrusted() async throws {
        let scenario = try await Scenario.make()
        #expect(try await scenario.verdict("main") == nil)
        let commit = { (ref: String) async throws in String(try await scenario.repo.git("rev-parse", ref).prefix(12)) }

        let unsigned = try await scenario.verdict("unsigned")
        #expect(unsigned == .unsigned(commit: try await commit("unsigned"), file: scenario.allowed.path))
        #expect("\(unsigned!)".contains("is not signed") && "\(unsigned!)".contains("commit -S"))

        let stranger = try #require(try await scenario.verdict("stranger"))
        guard case .unknownKey(let id, let key, _) = stranger else { throw Unexpected(stranger) }
        #expect(id == (try await commit("stranger")) && key.fingerprint == scenario.mallory.fingerprint)
        #expect("\(stranger)".contains(scenario.mallory.fingerprint) && "\(stranger)".contains("not in \(scenario.allowed.path)"))

        let tampered = try #require(try await scenario.verdict("tampered"))
        #expect(tampered == .doesNotVerify(commit: try await commit("tampered"), key: try SSHPublicKey(blob: keyBlob(scenario.alice))))
        #expect("\(tampered)".contains("does not verify"))

        let namespace = try #require(try await scenario.verdict("namespace"))
        #expect(namespace == .wrongNamespace(commit: try await commit("namespace"), namespace: "file"))
    }

    @Test func aKeysNamespacesAndValidityWindowAreHonoured() async throws {
        let scenario = try await Scenario.make()
        let alice = scenario.alice
        let expired = try Scenario.allowedSigners(alice.allowedSignersLine(Self.principal, options: "namespaces=\"git\",valid-before=\"20200101Z\""), in: scenario.keys)
        let refusal = try #require(try await scenario.verdict("main", allowed: expired))
        guard case .outsideValidity(_, let key, _, let line, _, nil, .some) = refusal else { throw Unexpected(refusal) }
        #expect(key.fingerprint == alice.fingerprint && line == 1)
        #expect("\(refusal)".contains("valid-before 2020-01-01T00:00:00Z"))

        let notYet = try Scenario.allowedSigners(alice.allowedSignersLine(Self.principal, options: "valid-after=\"29990101\""), in: scenario.keys)
        #expect(try await scenario.verdict("main", allowed: notYet) != nil)

        let filesOnly = try Scenario.allowedSigners(
            "# alice signs files only here", alice.allowedSignersLine(Self.principal, options: "namespaces=\"file\""), in: scenario.keys)
        let forFiles = try #require(try await scenario.verdict("main", allowed: filesOnly))
        guard case .keyNotForGit(_, _, _, 2, "file") = forFiles else { throw Unexpected(forFiles) }

        // Any one of a key's lines may allow it.
        let current = try Scenario.allowedSigners(
            alice.allowedSignersLine(Self.principal, options: "namespaces=\"file\""),
            alice.allowedSignersLine(Self.principal, options: "namespaces=\"git\",valid-after=\"20200101\",valid-before=\"29990101\""), in: scenario.keys)
        #expect(try await scenario.verdict("main", allowed: current) == nil)
    }

    @Test func theEngineRefusesBeforeLoadingAndAWorktreeIsNeverTrusted() async throws {
        let scenario = try await Scenario.make()
        let policy = try CommitTrustPolicy(allowedSignersFile: scenario.allowed.path)
        let state = try TempFolder("trust-state")
        var source = GitSourceOptions(repository: scenario.repo.path, ref: "unsigned", cacheDirectory: state.path + "/cache")
        let configuration = EngineConfiguration(source: source, trust: policy, stateDirectory: state.path, providers: Registry.providers, command: "test")
        do {
            _ = try await Engine.start(configuration)
            Issue.record("an unsigned commit started a run")
        } catch let error as EngineStartError {
            guard case .untrusted(.unsigned) = error else { throw Unexpected(error) }
            #expect("\(error)".hasPrefix("trust: commit ") && "\(error)".hasSuffix("nothing was sent to any provider"))
        }
        #expect(!FileManager.default.fileExists(atPath: state.path + "/cache"))

        source.ref = nil
        source.worktree = true
        await #expect(throws: CommitTrustError.worktree(file: scenario.allowed.path)) {
            _ = try await DesiredStateSource.load(source, catalog: Registry.catalog, trust: policy, logger: Logger(label: "test"))
        }
    }

    @Test func otherKindsOfSignatureAreRefusedNamingWhatTheyAre() async throws {
        let scenario = try await Scenario.make()
        // ssh-keygen verifies an RSA signature; this verifier refuses the key type, saying so.
        let rsa = try await SSHKeygen.makeKey("rsa", in: scenario.keys, type: "rsa")
        try await scenario.repo.git("checkout", "-q", "-b", "rsa", "base")
        try await scenario.repo.commitSigned("by an RSA key", key: rsa)
        let allowed = try Scenario.allowedSigners(rsa.allowedSignersLine(Self.principal), in: scenario.keys)
        let policy = try CommitTrustPolicy(allowedSignersFile: allowed.path)
        let snapshot = try await scenario.snapshot("rsa")
        #expect(throws: CommitTrustError.unsupportedKeyType(commit: String(snapshot.commit.prefix(12)), type: "ssh-rsa", key: try SSHPublicKey(blob: keyBlob(rsa)))) {
            try policy.check(snapshot)
        }

        let pgp = ConfigSnapshot(
            repository: "r", commit: String(repeating: "ab", count: 20), refName: nil, root: "", fromWorktree: false, files: [],
            signature: CommitSignature(armored: "-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n", signedPayload: []),
            committerTime: Date())
        #expect(throws: CommitTrustError.notSSH(commit: "abababababab", kind: "an OpenPGP signature", file: allowed.path)) { try policy.check(pgp) }
        let garbled = ConfigSnapshot(
            repository: "r", commit: pgp.commit, refName: nil, root: "", fromWorktree: false, files: [],
            signature: CommitSignature(armored: "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n", signedPayload: []),
            committerTime: Date())
        let error = #expect(throws: CommitTrustError.self) { try policy.check(garbled) }
        guard case .malformed(commit: "abababababab", let reason) = error, reason.contains("ends inside") else { throw Unexpected(error as Any) }
    }

    func keyBlob(_ key: SSHTestKey) throws -> [UInt8] {
        Array(try #require(Data(base64Encoded: String(key.publicLine.split(separator: " ")[1]))))
    }

    struct Unexpected: Error, CustomStringConvertible {
        let description: String
        init(_ value: Any) { description = "unexpected: \(value)" }
    }
}
