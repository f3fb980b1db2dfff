import Foundation
import Testing
import SalonOpsTestSupport

/// `salonops secrets …` and `validate --credentials` as a user runs them: the real binary, real
/// files, keys from the environment; the real sops reads what we write. A canary secret is
/// planted and looked for in every output and in the audit log.
@Suite struct SecretsCommandTests {
    static let canary = "sk_test_CANARY_7f3a9c1e5b"

    struct Workspace {
        let folder: URL
        let state: URL
        let recipient: String
        let keyFile: String

        init() throws {
            folder = try Paths.temporaryDirectory("secrets-cli")
            state = folder.appendingPathComponent("state")
            keyFile = folder.appendingPathComponent("keys/me.txt").path
            let keygen = try CommandRunner.run(Paths.salonops, ["secrets", "keygen", "-o", keyFile])
            guard keygen.status == 0 else { throw PeerError(keygen.stderr) }
            recipient = keygen.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try "creation_rules:\n  - path_regex: secrets/.*\\.sops\\.yaml$\n    age: \(recipient)\n"
                .write(to: folder.appendingPathComponent(".sops.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("secrets"), withIntermediateDirectories: true)
        }

        func path(_ relative: String) -> String { folder.appendingPathComponent(relative).path }

        /// Runs salonops through the shell (for stdin and $EDITOR), with only our key at hand.
        func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
            var env = ["SOPS_AGE_KEY_FILE": keyFile, "SOPS_AGE_KEY": "", "HOME": folder.path, "XDG_CONFIG_HOME": folder.appendingPathComponent("config").path]
            for (k, v) in environment { env[k] = v }
            guard let stdin else {
                return try CommandRunner.run(Paths.salonops, arguments + ["--state-dir", state.path], in: folder, environment: env)
            }
            env["SALONOPS_TEST_STDIN"] = stdin
            let quoted = (arguments + ["--state-dir", state.path]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            return try CommandRunner.run("/bin/sh", ["-c", "printf %s \"$SALONOPS_TEST_STDIN\" | '\(Paths.salonops)' \(quoted)"], in: folder, environment: env)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    struct PeerError: Error { let message: String; init(_ m: String) { message = m } }

    static func expectNoCanary(_ results: [CommandResult], _ workspace: Workspace, sourceLocation: SourceLocation = #_sourceLocation) {
        for result in results {
            #expect(!result.stdout.contains(canary), "stdout: \(result.stdout)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains(canary), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        }
        let audit = (try? String(contentsOf: workspace.state.appendingPathComponent("audit.jsonl"), encoding: .utf8)) ?? ""
        #expect(!audit.contains(canary), sourceLocation: sourceLocation)
    }

    @Test func keygenWritesAPrivateIdentityAndPrintsItsRecipient() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        #expect(workspace.recipient.hasPrefix("age1") && workspace.recipient.count == 62)
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // age-keygen reads it back to the same recipient.
        let ageKeygen = try CommandRunner.run("/usr/bin/age-keygen", ["-y", workspace.keyFile])
        #expect(ageKeygen.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == workspace.recipient)
        // Never overwritten.
        let again = try CommandRunner.run(Paths.salonops, ["secrets", "keygen", "-o", workspace.keyFile])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
    }

    @Test func encryptSetDecryptExtractEditCheckThroughTheBinary() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = "secrets/stripe.sops.yaml"
        try "stripe:\n    secret_key: placeholder\n    account_unencrypted: acct_123\n".write(toFile: workspace.path(file), atomically: true, encoding: .utf8)
        let encrypt = try workspace.run(["secrets", "encrypt", file])
        #expect(encrypt.status == 0, "\(encrypt.stderr)")
        #expect(try String(contentsOfFile: workspace.path(file), encoding: .utf8).contains("secret_key: ENC[AES256_GCM,"))

        // The value comes from stdin, never argv.
        let set = try workspace.run(["secrets", "set", file, #"["stripe"]["secret_key"]"#], stdin: Self.canary + "\n")
        #expect(set.status == 0, "\(set.stderr)")
        let extract = try workspace.run(["secrets", "decrypt", "--extract", #"["stripe"]["secret_key"]"#, file])
        #expect(extract.status == 0, "\(extract.stderr)")
        #expect(extract.stdout == Self.canary)
        // The real sops agrees.
        var environment = ["SOPS_AGE_KEY_FILE": workspace.keyFile, "SOPS_AGE_KEY": "", "HOME": "/nonexistent"]
        environment["XDG_CONFIG_HOME"] = "/nonexistent"
        let sops = try CommandRunner.run(Self.sopsPath, ["decrypt", "--extract", #"["stripe"]["secret_key"]"#, workspace.path(file)], environment: environment)
        #expect(sops.status == 0, "\(sops.stderr)")
        #expect(sops.stdout == Self.canary)

        // edit: $EDITOR changes the unencrypted account; the secret's ciphertext stays as it was.
        let before = try String(contentsOfFile: workspace.path(file), encoding: .utf8)
        let edit = try workspace.run(["secrets", "edit", file], environment: ["EDITOR": "sed -i s/acct_123/acct_456/"])
        #expect(edit.status == 0, "\(edit.stderr)")
        let after = try String(contentsOfFile: workspace.path(file), encoding: .utf8)
        let secretLine = { (text: String) in text.split(separator: "\n").first { $0.contains("secret_key:") } }
        #expect(secretLine(before) == secretLine(after))
        #expect(after.contains("account_unencrypted: acct_456"))
        // No plaintext was left behind in the temporary folder.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        #expect(
            !leftovers.contains {
                $0.hasPrefix("salonops-edit-")
                    && (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.appendingPathComponent($0).path))?.isEmpty == false
            })

        let check = try workspace.run(["secrets", "check", "--root", "."])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("1 encrypted file(s), 0 with problems"))

        // Every decryption is in the audit log, with key paths and never a value.
        let audit = try String(contentsOf: workspace.state.appendingPathComponent("audit.jsonl"), encoding: .utf8)
        let lines = audit.split(separator: "\n")
        #expect(lines.count >= 4)
        #expect(lines.contains { $0.contains(#""command":"secrets decrypt""#) && $0.contains(#""keyPaths":["stripe.secret_key"]"#) && $0.contains(workspace.recipient) })
        Self.expectNoCanary([encrypt, set, edit, check], workspace)
    }

    @Test func errorsAreOneLineExitOneAndNeverQuoteTheSecret() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = "secrets/stripe.sops.yaml"
        try "stripe:\n    secret_key: \(Self.canary)\n    webhook_secret: whsec_test\n".write(toFile: workspace.path(file), atomically: true, encoding: .utf8)
        #expect(try workspace.run(["secrets", "encrypt", file]).status == 0)
        let original = try String(contentsOfFile: workspace.path(file), encoding: .utf8)

        // Somebody else's key.
        let other = try CommandRunner.run(Paths.salonops, ["secrets", "keygen", "-o", workspace.path("keys/other.txt")])
        #expect(other.status == 0)
        let wrongKey = try workspace.run(["secrets", "decrypt", file], environment: ["SOPS_AGE_KEY_FILE": workspace.path("keys/other.txt")])
        #expect(wrongKey.status == 1)
        #expect(
            wrongKey.stderr
                == "error: \(file): no age identity at hand matches this file's recipients (\(workspace.recipient)); set SOPS_AGE_KEY_FILE or --age-key-file to one of their keys\n"
        )

        // Reordered values: the MAC names the problem, and a failed set changes nothing.
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false)
        lines.swapAt(1, 2)
        let tampered = lines.joined(separator: "\n")
        try tampered.write(toFile: workspace.path(file), atomically: true, encoding: .utf8)
        let mac = try workspace.run(["secrets", "set", file, "stripe.secret_key"], stdin: "new")
        #expect(mac.status == 1)
        #expect(mac.stderr.hasPrefix("error: \(file): MAC mismatch"))
        #expect(try String(contentsOfFile: workspace.path(file), encoding: .utf8) == tampered)
        // A plaintext value where the rules say encrypted.
        try original.replacingOccurrences(of: "stripe:\n", with: "stripe:\n    other: x\n").write(toFile: workspace.path(file), atomically: true, encoding: .utf8)
        let plaintext = try workspace.run(["secrets", "decrypt", file])
        #expect(plaintext.status == 1)
        #expect(plaintext.stderr == "error: \(file): malformed encrypted value at stripe.other: expected ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]\n")

        // A missing key file named in the environment is an error, not "no key".
        let missing = try workspace.run(["secrets", "decrypt", file], environment: ["SOPS_AGE_KEY_FILE": "/nonexistent/keys.txt"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read age identities from SOPS_AGE_KEY_FILE /nonexistent/keys.txt"))

        // A malformed .sops.yaml, with its line and column.
        try "creation_rules:\n  - path_regex: x\n    agee: \(workspace.recipient)\n".write(toFile: workspace.path(".sops.yaml"), atomically: true, encoding: .utf8)
        try "a: b\n".write(toFile: workspace.path("secrets/new.sops.yaml"), atomically: true, encoding: .utf8)
        let rules = try workspace.run(["secrets", "encrypt", "secrets/new.sops.yaml"])
        #expect(rules.status == 1)
        #expect(rules.stderr.contains(".sops.yaml:3:5: malformed .sops.yaml: unknown field `agee`"))
        #expect(try String(contentsOfFile: workspace.path("secrets/new.sops.yaml"), encoding: .utf8) == "a: b\n")

        // check reports the bad file and fails.
        let check = try workspace.run(["secrets", "check", "--root", "."])
        #expect(check.status == 1)
        Self.expectNoCanary([wrongKey, mac, plaintext, missing, rules, check], workspace)
    }

    /// The committed examples decrypt in memory from a git commit with the demo key; values never print.
    @Test func validateCredentialsDecryptsTheExamplesWithTheDemoKey() throws {
        let repo = try Paths.temporaryDirectory("credentials-repo")
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: repo.appendingPathComponent("examples"))
        try CommandRunner.git(["init", "-q"], in: repo)
        try CommandRunner.git(["add", "-A"], in: repo)
        try CommandRunner.git(["commit", "-q", "-m", "examples"], in: repo)
        let head = try CommandRunner.git(["rev-parse", "HEAD"], in: repo)
        let state = repo.appendingPathComponent(".state")
        let environment = [
            "SOPS_AGE_KEY_FILE": Paths.packageRoot.appendingPathComponent("examples/demo-keys/ci-demo.txt").path, "SOPS_AGE_KEY": "",
            "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent",
        ]
        let result = try CommandRunner.run(
            Paths.salonops,
            [
                "validate", "--repo", repo.path, "--path", "examples/salon-chain", "--credentials",
                "--state-dir", state.path,
            ], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("28 of 28 credentials decrypted"))
        #expect(result.stdout.contains(#/ok    stripe · secretKey  secrets/stripe.sops.yaml#stripe.secret_key  [0-9a-f]{8}\n/#))
        // No demo value reaches the output; the audit log names the commit.
        #expect(!result.stdout.contains("sk_test_demo") && !result.stdout.contains("demo-twilio"))
        let audit = try String(contentsOf: state.appendingPathComponent("audit.jsonl"), encoding: .utf8)
        #expect(audit.split(separator: "\n").count == 19)
        #expect(audit.contains(#""commit":"\#(head)""#))
        #expect(!audit.contains("sk_test_demo"))

        // Without a key: exit 1, each credential says why.
        let noKey = try CommandRunner.run(
            Paths.salonops,
            [
                "validate", "--repo", repo.path, "--path", "examples/salon-chain", "--credentials",
                "--state-dir", state.path,
            ],
            environment: [
                "SOPS_AGE_KEY_FILE": "", "SOPS_AGE_KEY": "",
                "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent",
            ])
        #expect(noKey.status == 1)
        #expect(noKey.stdout.contains("0 of 28 credentials decrypted"))
    }

    /// `validate --credentials` gives the same verdict and exit code in text and JSON, for each
    /// way a credential can fail: no key at hand, a stranger's key, a MAC that fails, a value
    /// that was edited (its ciphertext no longer authenticates).
    @Test(arguments: ["no key", "stranger's key", "MAC", "tampered value", "bad key file"])
    func credentialFailuresGiveTheSameVerdictInBothFormats(_ failure: String) throws {
        let repo = try Paths.temporaryDirectory("credentials-verdict")
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: repo.appendingPathComponent("examples"))
        let stripe = repo.appendingPathComponent("examples/salon-chain/secrets/stripe.sops.yaml")
        var keyFile = Paths.packageRoot.appendingPathComponent("examples/demo-keys/ci-demo.txt").path
        switch failure {
        case "stranger's key":
            // Outside the repository: an identity is never committed.
            let stranger = FileManager.default.temporaryDirectory.appendingPathComponent("stranger-\(UUID().uuidString).txt")
            let made = try CommandRunner.run("/usr/bin/age-keygen", ["-o", stranger.path])
            try #require(made.status == 0, "\(made.stderr)")
            keyFile = stranger.path
        case "bad key file":
            let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-key-\(UUID().uuidString).txt")
            try "not an age identity\n".write(to: bad, atomically: true, encoding: .utf8)
            keyFile = bad.path
        case "MAC":
            var text = try String(contentsOf: stripe, encoding: .utf8)
            let mac = try #require(text.range(of: #"mac: ENC\[AES256_GCM,data:[A-Za-z0-9+/=]{4}"#, options: .regularExpression))
            text.replaceSubrange(mac, with: "mac: ENC[AES256_GCM,data:AAAA")
            try text.write(to: stripe, atomically: true, encoding: .utf8)
        case "tampered value":
            var text = try String(contentsOf: stripe, encoding: .utf8)
            let value = try #require(text.range(of: #"secret_key: ENC\[AES256_GCM,data:[A-Za-z0-9+/=]{4}"#, options: .regularExpression))
            text.replaceSubrange(value, with: "secret_key: ENC[AES256_GCM,data:AAAA")
            try text.write(to: stripe, atomically: true, encoding: .utf8)
        default:
            keyFile = ""
        }
        try CommandRunner.git(["init", "-q"], in: repo)
        try CommandRunner.git(["add", "-A"], in: repo)
        try CommandRunner.git(["commit", "-q", "-m", "examples"], in: repo)
        let environment = ["SOPS_AGE_KEY_FILE": keyFile, "SOPS_AGE_KEY": "", "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"]
        func validate(_ format: String) throws -> CommandResult {
            try CommandRunner.run(
                Paths.salonops,
                [
                    "validate", "--repo", repo.path, "--path", "examples/salon-chain", "--credentials",
                    "--format", format, "--state-dir", repo.appendingPathComponent(".state").path,
                ],
                environment: environment)
        }
        let text = try validate("text"), json = try validate("json")
        #expect(text.status == 1, "\(text.stdout)")
        #expect(json.status == 1, "\(json.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        let checks = try #require(object["credentials"] as? [[String: Any]])
        let failed = checks.filter { $0["decrypted"] as? Bool == false }
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { ($0["error"] as? String)?.isEmpty == false && $0["fingerprint"] is NSNull })
        #expect(text.stdout.contains("FAIL  stripe · secretKey") || failure == "no key" || failure == "stranger's key")
        for output in [text.stdout, text.stderr, json.stdout, json.stderr] {
            #expect(!output.contains("sk_test_demo"))
        }
        if failure == "bad key file" {
            // Said once, with the remedy, not once per credential.
            #expect(text.stdout.components(separatedBy: "cannot read age identities").count == 2, "\(text.stdout)")
            #expect(text.stdout.contains("all 28 failed: cannot read age identities from SOPS_AGE_KEY_FILE"))
            #expect(text.stdout.contains("point it at a file made by age-keygen"))
        }
    }

    static var sopsPath: String {
        let venv = Paths.packageRoot.appendingPathComponent(".venv/bin/sops").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/local/bin/sops"
    }
}
