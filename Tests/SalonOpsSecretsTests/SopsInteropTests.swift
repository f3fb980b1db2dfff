import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsSecrets

/// sops files both ways against the real sops 3.11 binary: what sops writes, we read exactly as
/// `sops decrypt` prints it; what we write, sops decrypts (so it accepts our MAC), with each key.
@Suite struct SopsInteropTests {
    /// A file exercising the encryption rules: suffixes, regexes, comments, lists, every type.
    static let rulesInput = """
        # owner: Maison Éclat
        api_key: sk_test_51Hcanary
        public_name_unencrypted: Maison Éclat
        nested:
            token_secret: abc123
            label: hello
            # a comment about the port
            port: 8080
            ratio: 0.5
            live: false
        list_unencrypted:
            - a
            - 2
        description: plain text
        when: 2026-01-02
        empty: ""
        nothing: null

        """

    /// sops encryption options, each as the `.sops.yaml` rule that sets it.
    static let ruleOptions: [String] = [
        "",
        "unencrypted_suffix: _unencrypted",
        "encrypted_suffix: _secret",
        "unencrypted_regex: ^(label|description)$",
        "encrypted_regex: ^(api_key|nested)$",
        "encrypted_regex: key\n    mac_only_encrypted: true",
        "unencrypted_comment_regex: owner",
        "encrypted_comment_regex: port",
    ]

    @Test(arguments: ruleOptions)
    func bothWaysForEachRule(_ option: String) throws {
        let peer = try SopsPeer("rules")
        defer { peer.remove() }
        let alice = try peer.ageKeygen("alice.txt"), bob = try peer.ageKeygen("bob.txt")
        try peer.write(
            ".sops.yaml",
            """
            creation_rules:
              - path_regex: \\.yaml$
                age: \(alice.recipient),\(bob.recipient)
                \(option)

            """)
        try peer.write("plain.yaml", Self.rulesInput)
        let sopsMade = try peer.sopsEncrypt("plain.yaml")
        try peer.write("sops-made.yaml", sopsMade)
        let expected = try peer.sopsDecrypt("sops-made.yaml", keyFile: alice.file)
        try #require(expected.status == 0, "sops decrypt: \(expected.stderr)")

        // sops → us, with either key.
        for identity in [alice.identity, bob.identity] {
            let file = try SopsFile.parse(sopsMade)
            let decrypted = try file.decrypt(with: try file.dataKey(using: [identity]))
            #expect(SopsYAMLWriter.render(decrypted.documents) == expected.stdout)
        }

        // us → sops: same rule from the same .sops.yaml, decrypted by sops with each key.
        let rules = try CreationRules.load(path: peer.path(".sops.yaml"))
        let settings = try rules.rule(for: peer.path("plain.yaml")).settings
        let ours = try SopsFile.encrypt(try SopsYAMLReader.parse(Self.rulesInput), settings: settings)
        try peer.write("ours.yaml", ours.render())
        for key in [alice.file, bob.file] {
            let result = try peer.sopsDecrypt("ours.yaml", keyFile: key)
            #expect(result.status == 0, "sops rejected our file: \(result.stderr)")
            #expect(result.stdout == expected.stdout)
        }
        // The same values are encrypted and the same left in plaintext.
        #expect(encryptionShape(ours.render()) == encryptionShape(sopsMade))
    }

    @Test(arguments: SopsYAMLCorpus.cases)
    func corpusBothWays(_ sample: SopsYAMLCorpus.Case) throws {
        let peer = try SopsPeer("corpus")
        defer { peer.remove() }
        let alice = try peer.ageKeygen("alice.txt"), bob = try peer.ageKeygen("bob.txt")
        try peer.write("plain.yaml", sample.input)
        let sopsMade = try peer.sopsEncrypt("plain.yaml", recipients: [alice.recipient, bob.recipient])
        let file = try SopsFile.parse(sopsMade)
        let decrypted = try file.decrypt(with: try file.dataKey(using: [bob.identity]))
        #expect(SopsYAMLWriter.render(decrypted.documents) == sample.sopsOutput)

        let settings = SopsFile.Settings(groups: [[try AgeRecipient(alice.recipient), try AgeRecipient(bob.recipient)]])
        let ours = try SopsFile.encrypt(try SopsYAMLReader.parse(sample.input), settings: settings)
        try peer.write("ours.yaml", ours.render())
        let result = try peer.sopsDecrypt("ours.yaml", keyFile: alice.file)
        #expect(result.status == 0, "sops rejected our file: \(result.stderr)")
        #expect(result.stdout == sample.sopsOutput)
    }

    /// Setting one value changes that value's line and the metadata's date and MAC, nothing else.
    @Test func editingOneValueKeepsEveryOtherCiphertext() throws {
        let peer = try SopsPeer("edit")
        defer { peer.remove() }
        let alice = try peer.ageKeygen("alice.txt")
        try peer.write("plain.yaml", Self.rulesInput)
        try peer.write("secrets.yaml", try peer.sopsEncrypt("plain.yaml", recipients: [alice.recipient]))
        let before = try peer.read("secrets.yaml")
        let context = SecretsContext(
            keys: AgeKeySources(environment: [:], keyFile: alice.file), audit: nil, command: "test",
            now: { Date(timeIntervalSince1970: 1_900_000_000) })
        try SecretsOperations.set(file: peer.path("secrets.yaml"), keyPath: #"["nested"]["token_secret"]"#, value: .string("new-token"), context: context)
        let after = try peer.read("secrets.yaml")
        let changed = zip(before.split(separator: "\n"), after.split(separator: "\n")).filter { $0 != $1 }.map { String($0.1) }
        #expect(before.split(separator: "\n").count == after.split(separator: "\n").count)
        #expect(changed.count == 3, "changed lines: \(changed)")
        #expect(changed.contains { $0.hasPrefix("    token_secret: ENC[") })
        #expect(changed.contains { $0.hasPrefix("    lastmodified: ") })
        #expect(changed.contains { $0.hasPrefix("    mac: ENC[") })
        let result = try peer.sopsDecrypt("secrets.yaml", keyFile: alice.file, extraArguments: ["--extract", #"["nested"]["token_secret"]"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "new-token")
    }

    /// Several key groups: the data key is split with Shamir's scheme, each group holding a share.
    @Test func keyGroupsWithShamirBothWays() throws {
        let peer = try SopsPeer("groups")
        defer { peer.remove() }
        let alice = try peer.ageKeygen("alice.txt"), bob = try peer.ageKeygen("bob.txt"), carol = try peer.ageKeygen("carol.txt")
        try peer.write(
            ".sops.yaml",
            """
            creation_rules:
              - path_regex: .*
                shamir_threshold: 2
                key_groups:
                  - age:
                      - \(alice.recipient)
                  - age:
                      - \(bob.recipient)
                  - age:
                      - \(carol.recipient)

            """)
        try peer.write("plain.yaml", "stripe:\n    secret_key: sk_test_groups\n")
        let sopsMade = try peer.sopsEncrypt("plain.yaml")
        let file = try SopsFile.parse(sopsMade)
        #expect(file.metadata.keyGroups.count == 3)
        // Any two of the three keys open it; one alone does not.
        let decrypted = try file.decrypt(with: try file.dataKey(using: [alice.identity, carol.identity]))
        #expect(SopsYAMLWriter.render(decrypted.documents) == "stripe:\n    secret_key: sk_test_groups\n")
        #expect(throws: SopsError.self) { try file.dataKey(using: [bob.identity]) }

        let rules = try CreationRules.load(path: peer.path(".sops.yaml"))
        let ours = try SopsFile.encrypt(decrypted.documents, settings: try rules.rule(for: peer.path("plain.yaml")).settings)
        try peer.write("ours.yaml", ours.render())
        var environment = SopsPeer.quiet
        environment["SOPS_AGE_KEY"] = try peer.read("bob.txt") + (try peer.read("carol.txt"))
        let result = try CommandRunner.run(SopsPeer.sopsPath, ["decrypt", peer.path("ours.yaml")], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "stripe:\n    secret_key: sk_test_groups\n")
    }

    /// Rotation gives a new data key; updatekeys adds a recipient; revoke removes one and rotates.
    @Test func rotateUpdateKeysAndRevoke() throws {
        let peer = try SopsPeer("revoke")
        defer { peer.remove() }
        let alice = try peer.ageKeygen("alice.txt"), bob = try peer.ageKeygen("bob.txt")
        let context = SecretsContext(keys: AgeKeySources(environment: [:], keyFile: alice.file), audit: nil, command: "test")
        try peer.write(".sops.yaml", "creation_rules:\n  - age: \(alice.recipient)\n")
        try peer.write("secrets/stripe.yaml", "secret_key: sk_test_rotate\nwebhook_secret: whsec_rotate\n")
        let rules = try CreationRules.load(path: peer.path(".sops.yaml"))
        try SecretsOperations.encrypt(file: peer.path("secrets/stripe.yaml"), settings: try rules.rule(for: peer.path("secrets/stripe.yaml")).settings)
        let first = try SopsFile.parse(try peer.read("secrets/stripe.yaml"))

        try SecretsOperations.rotate(file: peer.path("secrets/stripe.yaml"), context: context)
        let rotated = try SopsFile.parse(try peer.read("secrets/stripe.yaml"))
        #expect(rotated.metadata.keyGroups[0].age[0].enc != first.metadata.keyGroups[0].age[0].enc)
        #expect(rotated.documents != first.documents)
        #expect(try peer.sopsDecrypt("secrets/stripe.yaml", keyFile: alice.file).stdout == "secret_key: sk_test_rotate\nwebhook_secret: whsec_rotate\n")

        // updatekeys: bob joins through the rules; the data key stays.
        try peer.write(".sops.yaml", "creation_rules:\n  - age: >-\n      \(alice.recipient),\n      \(bob.recipient)\n")
        let updatedRules = try CreationRules.load(path: peer.path(".sops.yaml"))
        let change = try SecretsOperations.updateKeys(
            file: peer.path("secrets/stripe.yaml"),
            settings: try updatedRules.rule(for: peer.path("secrets/stripe.yaml")).settings, context: context)
        #expect(change.added == [bob.recipient])
        #expect(try peer.sopsDecrypt("secrets/stripe.yaml", keyFile: bob.file).status == 0)
        let withBob = try SopsFile.parse(try peer.read("secrets/stripe.yaml"))
        #expect(withBob.documents == rotated.documents)

        // revoke: bob goes from the file and from .sops.yaml, and the data key changes.
        let rewritten = try RecipientAudit.revoke(
            try AgeRecipient(bob.recipient), files: SecretsOperations.encryptedFiles(under: peer.folder.path),
            rulesPath: peer.path(".sops.yaml"), context: context)
        #expect(rewritten.count == 2)
        #expect(try peer.sopsDecrypt("secrets/stripe.yaml", keyFile: bob.file).status != 0)
        #expect(try peer.sopsDecrypt("secrets/stripe.yaml", keyFile: alice.file).status == 0)
        #expect(!(try peer.read(".sops.yaml")).contains(bob.recipient))
        #expect(try peer.read(".sops.yaml").contains(alice.recipient))
        let revoked = try SopsFile.parse(try peer.read("secrets/stripe.yaml"))
        #expect(revoked.documents != withBob.documents)
        // And check now agrees with the rules.
        let reports = RecipientAudit.check(files: [peer.path("secrets/stripe.yaml")], rulesPath: nil, context: context)
        #expect(reports.map(\.problems) == [[]])
    }

    @Test func tamperingIsCaught() throws {
        let peer = try SopsPeer("tamper")
        defer { peer.remove() }
        let alice = try peer.ageKeygen("alice.txt")
        try peer.write("plain.yaml", "a: one\nb: two\nc: three\n")
        let original = try peer.sopsEncrypt("plain.yaml", recipients: [alice.recipient])
        func open(_ text: String) throws {
            let file = try SopsFile.parse(text)
            _ = try file.decrypt(with: try file.dataKey(using: [alice.identity]))
        }
        try open(original)
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Reordered keys: each value still decrypts under its own path, but the MAC does not match.
        lines.swapAt(0, 1)
        #expect(throws: SopsError.macMismatch) { try open(lines.joined(separator: "\n")) }
        // A value moved to another key no longer authenticates.
        let moved = original.replacingOccurrences(of: "a: ENC", with: "x: ENC")
        #expect(throws: SopsError.valueAuthenticationFailed(path: "x")) { try open(moved) }
        // A deleted value changes the MAC.
        let deleted = original.split(separator: "\n").filter { !$0.hasPrefix("c: ") }.joined(separator: "\n")
        #expect(throws: SopsError.macMismatch) { try open(deleted) }
        // A truncated ciphertext is named as such.
        let truncated = original.replacingOccurrences(of: #",tag:[A-Za-z0-9+/=]{24},type:str\]"#, with: ",tag:AAAA,type:str]", options: .regularExpression)
        #expect(throws: SopsError.self) { try open(truncated) }
        // An unknown future version is refused.
        let future = original.replacingOccurrences(of: "version: 3.11.0", with: "version: 4.0.0")
        #expect(throws: SopsError.unsupportedVersion("4.0.0")) { try open(future) }
        // Someone else's key: the message names the file's recipients.
        let stranger = try AgeIdentity.generate()
        do {
            let file = try SopsFile.parse(original)
            _ = try file.dataKey(using: [stranger])
            Issue.record("a stranger's key opened the file")
        } catch let error as SopsError {
            #expect(error == .noIdentityMatched(recipients: [alice.recipient]))
            #expect(error.description.contains(alice.recipient))
        }
    }

    @Test func malformedSopsConfigNamesLineAndColumn() throws {
        #expect(throws: SopsError.self) { try CreationRules.parse("creation_rules:\n  - path_regex: [\n", path: ".sops.yaml") }
        do {
            _ = try CreationRules.parse("creation_rules:\n  - path_regex: x\n    agee: age1xyz\n", path: ".sops.yaml")
            Issue.record("an unknown field was accepted")
        } catch {
            #expect("\(error)" == ".sops.yaml:3:5: malformed .sops.yaml: unknown field `agee` in a creation rule")
        }
        do {
            _ = try CreationRules.parse("creation_rules:\n  - age: age1notarecipient\n", path: ".sops.yaml")
            Issue.record("a bad recipient was accepted")
        } catch {
            #expect("\(error)".hasPrefix(".sops.yaml:2:10: malformed .sops.yaml: \"age1notareci…\" is not an age recipient"))
        }
    }
}
