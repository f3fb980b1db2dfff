import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsSecrets

/// age v1 against the real Debian `age` / `age-keygen` 1.1.1 at /usr/bin: both directions, both
/// encodings, one and three recipients, sizes around the 64 KiB chunk boundary, and scrypt.
@Suite(
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/age")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/age-keygen")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs age, age-keygen and script"))
struct AgeInteropTests {
    /// (armor, number of recipients)
    static let modes: [(Bool, Int)] = [(false, 1), (true, 1), (false, 3), (true, 3)]

    /// `age-keygen -o` files parse here; our derived recipient equals the `# public key:` line and
    /// `age-keygen -y`; `encoded` gives back the exact secret line.
    @Test func ageKeygenFilesParse() throws {
        let dir = try Paths.temporaryDirectory("age-keygen")
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in 0..<3 {
            try AgeTest.sh("age-keygen -o key\(n).txt 2>/dev/null", in: dir)
            let text = try String(contentsOf: dir.appendingPathComponent("key\(n).txt"), encoding: .utf8)
            let identities = try AgeKeyFile.parse(text)
            #expect(identities.count == 1)
            let lines = text.split(separator: "\n").map(String.init)
            let publicLine = try #require(lines.first { $0.hasPrefix("# public key: ") })
            #expect(identities[0].recipient.description == String(publicLine.dropFirst("# public key: ".count)))
            #expect(identities[0].recipient == (try AgeRecipient(String(publicLine.dropFirst("# public key: ".count)))))
            let derived = try AgeTest.sh("age-keygen -y key\(n).txt", in: dir).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(identities[0].recipient.description == derived)
            #expect(lines.last == identities[0].encoded)
        }
    }

    /// What `AgeKeyFile.render` writes is a key file the real age reads (age-keygen -y gives our recipient).
    @Test func renderedKeyFileReadsWithAgeKeygen() throws {
        let dir = try Paths.temporaryDirectory("age-render")
        defer { try? FileManager.default.removeItem(at: dir) }
        let identity = try AgeIdentity.generate()
        let text = AgeKeyFile.render(identity, created: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(text.hasPrefix("# created: 2023-11-14T22:13:20Z\n# public key: \(identity.recipient)\nAGE-SECRET-KEY-1"))
        try text.write(to: dir.appendingPathComponent("key.txt"), atomically: true, encoding: .utf8)
        let derived = try AgeTest.sh("age-keygen -y key.txt", in: dir).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(derived == identity.recipient.description)
        #expect(try AgeKeyFile.parse(text).map(\.recipient) == [identity.recipient])
    }

    /// Our encryption, binary and armored, to one and three recipients, decrypts byte-exact with `age -d -i`.
    @Test(arguments: AgeTest.sizes, modes)
    func ourEncryptionDecryptsWithAge(size: Int, mode: (Bool, Int)) throws {
        let (armor, count) = mode
        let dir = try Paths.temporaryDirectory("age-ours")
        defer { try? FileManager.default.removeItem(at: dir) }
        let identities = try (0..<count).map { _ in try AgeIdentity.generate() }
        let plaintext = AgeTest.bytes(size, seed: UInt64(size * 10 + count))
        let file = try Age.encrypt(plaintext, to: identities.map(\.recipient), armor: armor)
        if armor { #expect(file.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----\n".utf8))) }
        try AgeTest.write(file, to: dir.appendingPathComponent("in.age"))
        // Every recipient can open it: each identity alone in its own key file.
        for (n, identity) in identities.enumerated() {
            try AgeKeyFile.render(identity, created: Date()).write(to: dir.appendingPathComponent("key\(n).txt"), atomically: true, encoding: .utf8)
            try AgeTest.sh("age -d -i key\(n).txt in.age > out\(n)", in: dir)
            #expect(try AgeTest.read(dir.appendingPathComponent("out\(n)")) == plaintext)
        }
    }

    /// `age -e -r … [-a]` output decrypts here, with any one of the identities, and a stranger's
    /// identity is refused naming the number of X25519 stanzas.
    @Test(arguments: AgeTest.sizes, modes)
    func ageEncryptionDecryptsHere(size: Int, mode: (Bool, Int)) throws {
        let (armor, count) = mode
        let dir = try Paths.temporaryDirectory("age-theirs")
        defer { try? FileManager.default.removeItem(at: dir) }
        var identities: [AgeIdentity] = []
        for n in 0..<count {
            try AgeTest.sh("age-keygen -o key\(n).txt 2>/dev/null", in: dir)
            identities += try AgeKeyFile.parse(String(contentsOf: dir.appendingPathComponent("key\(n).txt"), encoding: .utf8))
        }
        let plaintext = AgeTest.bytes(size, seed: UInt64(size * 10 + count + 5))
        try AgeTest.write(plaintext, to: dir.appendingPathComponent("plain"))
        let recipients = identities.map { "-r \($0.recipient)" }.joined(separator: " ")
        try AgeTest.sh("age -e \(recipients) \(armor ? "-a" : "") -o out.age plain", in: dir)
        let file = try AgeTest.read(dir.appendingPathComponent("out.age"))
        #expect(AgeArmor.looksArmored(file) == armor)
        for identity in identities {
            #expect(try Age.decrypt(file, identities: [identity]) == plaintext)
        }
        let stranger = try AgeIdentity.generate()
        #expect(try Age.decrypt(file, identities: [stranger, identities[count - 1]]) == plaintext)
        #expect(throws: AgeError.noIdentityMatched(x25519Stanzas: count)) { try Age.decrypt(file, identities: [stranger]) }
    }

    /// A passphrase file made by the real `age -p` (driven through a pty with util-linux `script`)
    /// decrypts here; a wrong passphrase is refused. And our scrypt output decrypts with `age -d`.
    @Test(arguments: [0, 65536, 100_000])
    func scryptWithRealAge(size: Int) throws {
        let dir = try Paths.temporaryDirectory("age-scrypt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let passphrase = "correct horse battery \(size)"
        let plaintext = AgeTest.bytes(size, seed: UInt64(size + 99))
        try AgeTest.write(plaintext, to: dir.appendingPathComponent("plain"))
        try AgeTest.sh(
            "printf '%s\\n%s\\n' \(AgeTest.quote(passphrase)) \(AgeTest.quote(passphrase)) | script -qec 'age -p -o out.age plain' /dev/null >/dev/null",
            in: dir)
        let file = try AgeTest.read(dir.appendingPathComponent("out.age"))
        let header = try AgeHeader.parse(file)
        #expect(header.stanzas.map(\.type) == ["scrypt"])
        #expect(try Age.decrypt(file, passphrase: Array(passphrase.utf8)) == plaintext)
        #expect(throws: AgeError.wrongPassphrase) { try Age.decrypt(file, passphrase: Array("wrong".utf8)) }
        #expect(throws: AgeError.passphraseEncrypted) { try Age.decrypt(file, identities: [try AgeIdentity.generate()]) }

        let ours = try Age.encrypt(plaintext, passphrase: Array(passphrase.utf8), logN: 10)
        try AgeTest.write(ours, to: dir.appendingPathComponent("ours.age"))
        try AgeTest.sh("printf '%s\\n' \(AgeTest.quote(passphrase)) | script -qec 'age -d ours.age > ours.out' /dev/null", in: dir)
        #expect(try AgeTest.read(dir.appendingPathComponent("ours.out")) == plaintext)
    }

    /// The real age agrees with our strictness: the crafted files we refuse, it refuses too; a file
    /// with grease and unknown stanzas that we accept, it accepts.
    @Test func realAgeAgreesOnCraftedFiles() throws {
        let dir = try Paths.temporaryDirectory("age-crafted")
        defer { try? FileManager.default.removeItem(at: dir) }
        let identity = try AgeIdentity.generate()
        try AgeKeyFile.render(identity, created: Date()).write(to: dir.appendingPathComponent("key.txt"), atomically: true, encoding: .utf8)
        let fileKey = AgeTest.bytes(16, seed: 77)
        let big = try AgeTest.sealed(AgeTest.bytes(200_000, seed: 78), to: [identity.recipient], fileKey: fileKey)
        let full = try AgeTest.sealed(AgeTest.bytes(65536, seed: 79), to: [identity.recipient], fileKey: fileKey)
        let offset = try AgeTest.payloadOffset(big)
        var macFlipped = big
        macFlipped[offset - 10] = macFlipped[offset - 10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        var chunkFlipped = big
        chunkFlipped[offset + 16 + 70_000] ^= 1
        let armored = try AgeTest.sealed(AgeTest.bytes(1000, seed: 80), to: [identity.recipient], fileKey: fileKey, armor: true)
        let armorText = String(decoding: armored, as: UTF8.self).split(separator: "\n").map(String.init)
        let longLines = ([armorText[0], armorText[1] + armorText[2]] + armorText.dropFirst(3)).joined(separator: "\n") + "\n"
        let crafted: [(String, [UInt8], AgeError)] = [
            ("mac", macFlipped, .headerMACMismatch),
            ("chunk", chunkFlipped, .chunkAuthenticationFailed(chunk: 1)),
            ("cut-at-boundary", Array(big.prefix(offset + 16 + 2 * 65552)), .lastChunkMissing),
            ("cut-in-tag", Array(big.prefix(offset + 16 + 3 * 65552 + 8)), .truncatedPayload),
            ("appended", full + [0, 1, 2], .dataAfterFinalChunk),
            ("long-armor-line", Array(longLines.utf8), .badArmor(.lineTooLong(line: 2))),
            ("armor-no-end", Array(armorText.dropLast().joined(separator: "\n").utf8), .badArmor(.missingEnd)),
        ]
        for (name, bytes, expected) in crafted {
            #expect(throws: expected) { try Age.decrypt(bytes, identities: [identity]) }
            try AgeTest.write(bytes, to: dir.appendingPathComponent(name))
            let result = try CommandRunner.run("/usr/bin/age", ["-d", "-i", "key.txt", "-o", "/dev/null", name], in: dir, timeout: 60)
            #expect(result.status != 0, "real age accepted \(name)")
        }
        let extra = [
            AgeStanza(type: "x-grease", arguments: ["a", "b"], body: AgeTest.bytes(60, seed: 81)),
            AgeStanza(type: "ssh-rsa", arguments: ["c"], body: AgeTest.bytes(48, seed: 82)),
        ]
        let other = try AgeIdentity.generate()
        let greased = try AgeTest.sealed(Array("grease".utf8), to: [other.recipient, identity.recipient], fileKey: fileKey, extra: extra)
        #expect(try Age.decrypt(greased, identities: [identity]) == Array("grease".utf8))
        try AgeTest.write(greased, to: dir.appendingPathComponent("greased"))
        #expect(try AgeTest.sh("age -d -i key.txt greased", in: dir).stdout == "grease")
    }
}
