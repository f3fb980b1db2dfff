import Foundation
import SalonOpsTestSupport
import Testing

/// `--require-signed-by` as a user runs it: the real binary over a repository of examples/,
/// keys from the real ssh-keygen, commits signed by the real git, a sandbox that counts requests.
@Suite struct TrustCommandTests {
    @Test func anUnsignedCommitIsRefusedBeforeAnyRequestAndASignedOneIsRead() async throws {
        let setup = try await ReconcileCommandTests.Setup.make(small: true)
        defer { Task { await setup.cleanUp() } }
        // The trust file lives outside the config repository.
        let keys = try TempFolder("trust-keys")
        let alice = try await SSHKeygen.makeKey("alice", in: keys.url)
        let allowed = keys.url.appendingPathComponent("allowed_signers")
        try Data((alice.allowedSignersLine("alice@salonops.invalid", options: "namespaces=\"git\"") + "\n").utf8).write(to: allowed)
        let trust = ["--require-signed-by", allowed.path]

        func validate(_ extra: [String]) async throws -> CommandResult {
            try await CommandRunner.run(
                Paths.salonops, ["validate", "--repo", setup.repo.path, "--path", "examples/salon-chain", "--state-dir", setup.state.path] + extra,
                environment: setup.environment, timeout: 60)
        }

        let unsigned = String(try await CommandRunner.git(["rev-parse", "HEAD"], in: setup.repo).prefix(12))
        let refused = try await validate(trust)
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("refused: trust: commit \(unsigned) is not signed"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty, "nothing of the commit is loaded")
        #expect(try await validate([]).status == 0, "without the option the same commit is valid")

        for command in [["plan"], ["apply", "--auto-approve"], ["reconcile"]] {
            let run = try await setup.salonops(command, extra: trust)
            #expect(run.status == 3, "\(command): \(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("refused: trust: commit \(unsigned) is not signed") && run.stderr.contains("nothing was sent to any provider"))
        }
        #expect(try await setup.stats()["total"] as? Int == 0, "no request reached any provider")

        // A bad trust file is bad input, located; with --worktree the option cannot hold.
        let broken = keys.url.appendingPathComponent("broken")
        try Data("# team\nalice@salonops.invalid namespace=\"git\" \(alice.publicLine)\n".utf8).write(to: broken)
        let bad = try await validate(["--require-signed-by", broken.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("error: --require-signed-by: \(broken.path):2:24: unknown option 'namespace'"), "\(bad.stderr)")
        let worktree = try await validate(trust + ["--worktree"])
        #expect(worktree.status == 1 && worktree.stderr.contains("--worktree reads uncommitted files"), "\(worktree.stderr)")

        try await CommandRunner.git(
            ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(alice.privateKey.path)", "commit", "-q", "--allow-empty", "-S", "-m", "signed"], in: setup.repo)
        let accepted = try await validate(trust + ["--verbose"])
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        #expect(accepted.stderr.contains(alice.fingerprint), "the debug log names the signer")
        let plan = try await setup.salonops(["plan"], extra: trust)
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        #expect(try await setup.stats()["total"] as? Int ?? 0 > 0)
        #expect(try await setup.stats()["writes"] as? Int == 0)
    }
}
