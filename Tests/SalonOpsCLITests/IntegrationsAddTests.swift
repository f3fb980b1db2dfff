import Foundation
import SalonOpsTestSupport
import Testing

/// `salonops integrations add` as a person runs it, through a pseudo-terminal (Python's pty):
/// the explanation of where the key is, a prompt that does not echo, the files written and
/// encrypted (read back by the real sops), the connection checked against the sandbox.
@Suite struct IntegrationsAddTests {
    /// Runs argv[2:] in a pseudo-terminal, answers each prompt that ends with the text in
    /// argv[1] with the next line of stdin, and prints {"status", "output"} as JSON.
    static let terminal = #"""
        import json, os, pty, select, sys, time
        answers = sys.stdin.read().split("\n")
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(sys.argv[2], sys.argv[2:])
        output, pending, deadline = b"", b"", time.time() + 120
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            pending += chunk
            if sys.argv[1].encode() in pending and answers:
                pending = b""
                os.write(fd, (answers.pop(0) + "\n").encode())
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status), "output": output.decode("utf-8", "replace")}))
        """#

    static var python: String { DaemonCommandTests.python }

    static func typed(_ answers: [String], _ arguments: [String], in setup: ReconcileCommandTests.Setup) async throws -> (Int, String) {
        let input = setup.repo.appendingPathComponent("answers.txt")
        try answers.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run(
            Self.python, ["-c", Self.terminal, "(not shown; @FILE reads a file): ", Paths.salonops] + arguments, environment: setup.environment,
            standardInput: input, timeout: 180)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)\(result.stderr)")
        return (object["status"] as? Int ?? -1, object["output"] as? String ?? "")
    }

    @Test func aPersonAddsStripeAtATerminal() async throws {
        let setup = try await ReconcileCommandTests.Setup.make(small: true)
        defer { Task { await setup.cleanUp() } }
        let config = setup.repo.appendingPathComponent("examples/salon-chain")
        try FileManager.default.removeItem(at: config.appendingPathComponent("integrations/stripe.yaml"))
        try FileManager.default.removeItem(at: config.appendingPathComponent("secrets/stripe.sops.yaml"))
        let key = "sk_test_typedAtTheTerminal4242"
        let (status, output) = try await Self.typed(
            [key],
            [
                "integrations", "add", "stripe", "--repo", setup.repo.path, "--path", "examples/salon-chain", "--state-dir", setup.state.path,
                "--sandbox", setup.sandbox.baseURL,
            ], in: setup)
        #expect(status == 0, "\(output)")
        #expect(output.contains("Stripe Dashboard → Developers → API keys"), "where the key is found: \(output)")
        #expect(!output.contains(key), "the key was echoed or printed: \(output)")
        #expect(output.contains("✅ stripe: Connecté"), "\(output)")
        let document = try String(contentsOf: config.appendingPathComponent("integrations/stripe.yaml"), encoding: .utf8)
        #expect(document.contains("provider: stripe") && document.contains("secret: secrets/stripe.sops.yaml#stripe.secret_key"))
        let encrypted = config.appendingPathComponent("secrets/stripe.sops.yaml")
        #expect(!(try String(contentsOf: encrypted, encoding: .utf8)).contains(key))
        let mode = try FileManager.default.attributesOfItem(atPath: encrypted.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // The real sops opens it with the demo key, as any teammate would.
        let sops = try await CommandRunner.run(
            SecretsCommandTests.sopsPath, ["decrypt", "--extract", #"["stripe"]["secret_key"]"#, encrypted.path], environment: setup.environment)
        #expect(sops.status == 0 && sops.stdout == key, "\(sops.stderr)")
        // Committed, it plans like any other integration.
        try await CommandRunner.git(["add", "-A"], in: setup.repo)
        try await CommandRunner.git(["commit", "-q", "-m", "stripe"], in: setup.repo)
        #expect(try await setup.salonops(["plan"]).status == 2)
    }

    @Test func withoutATerminalEveryValueIsAFlagAndMistakesWriteNothing() async throws {
        let setup = try await ReconcileCommandTests.Setup.make(small: true)
        defer { Task { await setup.cleanUp() } }
        let config = setup.repo.appendingPathComponent("examples/salon-chain")
        func run(_ arguments: [String]) async throws -> CommandResult {
            try await CommandRunner.run(
                Paths.salonops,
                ["integrations", "add"] + arguments + [
                    "--repo", setup.repo.path, "--path", "examples/salon-chain", "--state-dir", setup.state.path, "--sandbox", setup.sandbox.baseURL,
                ],
                environment: setup.environment.merging(["PLANITY_KEY": "pl_test_key"]) { a, _ in a })
        }
        let exists = try await run(["stripe"])
        #expect(exists.status == 1 && exists.stderr.contains("integrations/stripe.yaml is already there"), "\(exists.stderr)")
        let unknown = try await run(["strype"])
        #expect(unknown.status == 1 && unknown.stderr.contains("did you mean 'stripe'"), "\(unknown.stderr)")
        let noTerminal = try await run(["planity", "--name", "planity-bis"])
        #expect(noTerminal.status == 1 && noTerminal.stderr.contains("no terminal to ask for apiKey: give it with --credential apiKey="), "\(noTerminal.stderr)")
        let onTheCommandLine = try await run(["planity", "--name", "planity-bis", "--credential", "apiKey=pl_live_secret"])
        #expect(onTheCommandLine.status == 1 && onTheCommandLine.stderr.contains("write @FILE or env:VAR"), "\(onTheCommandLine.stderr)")
        #expect(!onTheCommandLine.stderr.contains("pl_live_secret"))
        // A setting that does not validate: the error, and no file left behind.
        let invalid = try await run(["planity", "--name", "planity-bis", "--credential", "apiKey=env:PLANITY_KEY", "--set", "venueIds={nowhere: \"1\"}", "--no-check"])
        #expect(invalid.status == 1 && invalid.stderr.contains("does not validate") && invalid.stdout.contains("nowhere"), "\(invalid.stdout)\(invalid.stderr)")
        #expect(!FileManager.default.fileExists(atPath: config.appendingPathComponent("integrations/planity-bis.yaml").path))
        #expect(!FileManager.default.fileExists(atPath: config.appendingPathComponent("secrets/planity-bis.sops.yaml").path))
    }
}
