import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsSecrets

/// allowed_signers files as ssh-keygen documents them, and every line that cannot be read
/// located as file:line:col.
@Suite struct AllowedSignersTests {
    static let key = "AAAAC3NzaC1lZDI1NTE5AAAAIAR3Z2tLZv4j5ixEJFn7cCUmZRzaL+t1wN3781TpbhLX"

    @Test func linesOptionsCommentsAndQuotedPrincipals() throws {
        let text = """
            # Comments allowed at start of line

            alice@example.com ssh-ed25519 \(Self.key) alice's laptop
              "bob@example.com,carol@example.com" namespaces="git,file",valid-after="20240101",valid-before="20300101Z" ssh-ed25519 \(Self.key)
            dave@example.com NAMESPACES="!git,*" ssh-ed25519 \(Self.key)
            erin@example.com valid-after="202401021530Z" ssh-ed25519 \(Self.key)
            """
        let utc = TimeZone(identifier: "UTC")!
        let file = try AllowedSigners(text: text, path: "allowed", timeZone: utc)
        #expect(file.entries.map(\.line) == [3, 4, 5, 6])
        let (alice, bob, dave, erin) = (file.entries[0], file.entries[1], file.entries[2], file.entries[3])
        #expect(alice.principals == "alice@example.com" && alice.namespaces == nil && alice.key.type == "ssh-ed25519")
        #expect(alice.allows(namespace: "git") && alice.allows(namespace: "file"))
        #expect(bob.principals == "bob@example.com,carol@example.com")
        #expect(bob.allows(namespace: "git") && bob.allows(namespace: "file") && !bob.allows(namespace: "gitx"))
        #expect(!dave.allows(namespace: "git") && dave.allows(namespace: "file"), "a negated pattern wins")
        #expect(bob.validAfter == Date(timeIntervalSince1970: 1_704_067_200))
        #expect(bob.validBefore == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(erin.validAfter == Date(timeIntervalSince1970: 1_704_209_400))
        #expect(bob.isValid(at: Date(timeIntervalSince1970: 1_704_067_200)), "both ends are included")
        #expect(!bob.isValid(at: Date(timeIntervalSince1970: 1_704_067_199)))
        #expect(!bob.isValid(at: Date(timeIntervalSince1970: 1_893_456_001)))
        #expect(file.entries(for: alice.key).count == 4)

        // Without a Z, a time is in the given zone (ssh-keygen: the system's).
        let paris = try AllowedSigners(text: "x valid-after=\"20240101\" ssh-ed25519 \(Self.key)", path: "a", timeZone: TimeZone(identifier: "Europe/Paris")!)
        #expect(paris.entries[0].validAfter == Date(timeIntervalSince1970: 1_704_067_200 - 3600))
    }

    @Test(arguments: [
        ("alice@example.com", 1, 18, "the line ends where a key type should be"),
        ("alice@example.com ssh-ed25519", 1, 30, "the line ends where the base64 key should be"),
        ("alice@example.com ssh-ed2551 \(key)", 1, 19, "unknown key type 'ssh-ed2551'"),
        ("alice@example.com namespaces=\"git\" ssh-ed2551 \(key)", 1, 36, "unknown key type 'ssh-ed2551'"),
        ("alice@example.com ssh-ed25519 AAAA!!!", 1, 31, "the key is not base64 of an SSH public key"),
        ("alice@example.com ssh-rsa \(key)", 1, 27, "the key is a ssh-ed25519 key, but the line says ssh-rsa"),
        ("# ok\n*@example.com cert-authority ssh-ed25519 \(key)", 2, 15, "cert-authority lines are not supported"),
        ("a namespaces=\"git\",expires=\"x\" ssh-ed25519 \(key)", 1, 20, "unknown option 'expires'"),
        ("a namespaces=git ssh-ed25519 \(key)", 1, 3, "namespaces needs a quoted value"),
        ("a namespaces=\"git\",namespaces=\"file\" ssh-ed25519 \(key)", 1, 20, "namespaces is given twice"),
        ("a valid-before=\"20240231\" ssh-ed25519 \(key)", 1, 17, "'20240231' is not a time"),
        ("a valid-after=\"2024\" ssh-ed25519 \(key)", 1, 16, "'2024' is not a time"),
        ("a valid-after=\"20250101\",valid-before=\"20240101\" ssh-ed25519 \(key)", 1, 3, "valid-before is not after valid-after"),
        ("a namespaces=\"git ssh-ed25519 \(key)", 1, 3, "a quote is not closed"),
        ("a ssh-ed25519-cert-v01@openssh.com \(key)", 1, 3, "certificate keys are not supported"),
        ("a namespaces=\"git\" sk-ssh-ed25519-cert-v01@openssh.com \(key)", 1, 20, "certificate keys are not supported"),
        ("a x ssh-ed25519 \(key)", 1, 3, "unknown option 'x'"),
        ("# nothing but comments\n\n", 1, 1, "the file lists no key"),
    ])
    func aLineThatCannotBeReadIsLocated(_ text: String, line: Int, column: Int, message: String) {
        do {
            _ = try AllowedSigners(text: text, path: "allowed_signers")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.path == "allowed_signers")
            #expect((error.line, error.column) == (line, column), "\(error)")
            #expect(error.message.hasPrefix(message), "\(error)")
            #expect(error.description.hasPrefix("allowed_signers:\(line):\(column): "))
            #expect(!error.hint.isEmpty)
        }
    }

    @Test func aFileThatCannotBeReadSaysSo() throws {
        #expect(throws: AllowedSignersError.self) { try AllowedSigners(contentsOf: "/nonexistent/allowed_signers") }
        let folder = try TempFolder("allowed-signers")
        let latin1 = folder.url.appendingPathComponent("latin1")
        try Data([0x61, 0xE9, 0x0A]).write(to: latin1)
        #expect(throws: AllowedSignersError.self) { try AllowedSigners(contentsOf: latin1.path) }
    }

    @Test func patternListsFollowSshConfigRules() {
        #expect(PatternList.matches("git", "git"))
        #expect(PatternList.matches("git", "file,g?t"))
        #expect(PatternList.matches("git", "*"))
        #expect(!PatternList.matches("git", "!git,*"))
        #expect(!PatternList.matches("git", "!file"), "a negation alone matches nothing")
        #expect(!PatternList.matches("git", "gi"))
        #expect(PatternList.matches("git", "g*t*"))
        #expect(!PatternList.matches("git", ""))
    }
}
