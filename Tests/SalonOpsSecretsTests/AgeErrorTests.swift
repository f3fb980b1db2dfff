import Foundation
import Testing
@testable import SalonOpsSecrets

/// Every AgeError case from a crafted input, and a canary: no error description ever contains the
/// identity's secret text or the file key.
@Suite struct AgeErrorTests {
    let identity: AgeIdentity
    let fileKey: [UInt8]

    init() throws {
        identity = try AgeIdentity.generate()
        fileKey = AgeTest.bytes(16, seed: 42)
    }

    // MARK: Crafting

    private func file(_ size: Int, armor: Bool = false, extra: [AgeStanza] = []) throws -> [UInt8] {
        try AgeTest.sealed(AgeTest.bytes(size, seed: UInt64(size)), to: [identity.recipient], fileKey: fileKey, extra: extra, armor: armor)
    }

    private func decrypt(_ file: [UInt8]) -> AgeError? {
        AgeTest.error { try Age.decrypt(file, identities: [identity]) }
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Replaces header line `index` (0-based) of a binary file, keeping the payload.
    private func replacingHeaderLine(_ file: [UInt8], _ index: Int, with replacement: String?) throws -> [UInt8] {
        let offset = try AgeTest.payloadOffset(file)
        var lines = text(Array(file[..<offset])).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let replacement { lines[index] = replacement } else { lines.remove(at: index) }
        return Array(lines.joined(separator: "\n").utf8) + file[offset...]
    }

    private func payloadKey() throws -> [UInt8] {
        try Crypto.hkdfSHA256(ikm: fileKey, salt: Array(repeating: 7, count: 16), info: Array("payload".utf8), length: 32)
    }

    /// A header whose MAC is right for `fileKey`, built from the given stanzas' text (for the malformed-header cases).
    private func rawHeader(_ stanzaLines: [String]) -> [UInt8] {
        Array((["age-encryption.org/v1"] + stanzaLines + ["--- " + AgeBase64.encodeString(Array(repeating: 0, count: 32))]).joined(separator: "\n").utf8) + [0x0a]
    }

    // MARK: Header

    @Test func headerMACMismatch() throws {
        let original = try file(100)
        let header = try AgeHeader.parse(original)
        for position in [0, 17, 31] {
            var mac = header.mac
            mac[position] ^= 0x01
            let tampered = try replacingHeaderLine(original, 3, with: "--- " + AgeBase64.encodeString(mac))
            #expect(decrypt(tampered) == .headerMACMismatch)
        }
        // Changing a grease stanza's argument is caught by the MAC too.
        let greased = try file(10, extra: [AgeStanza(type: "x-grease", arguments: ["a"], body: [1, 2, 3])])
        #expect(decrypt(try replacingHeaderLine(greased, 3, with: "-> x-grease b")) == .headerMACMismatch)
    }

    @Test func malformedHeaders() throws {
        let good = try file(100)
        let share = AgeBase64.encodeString(AgeTest.bytes(32, seed: 1))
        let body43 = AgeBase64.encodeString(AgeTest.bytes(32, seed: 2))
        let cases: [([UInt8], Int)] = [
            (try replacingHeaderLine(good, 1, with: "->  X25519 \(share)"), 2),  // empty argument
            (try replacingHeaderLine(good, 1, with: "-> X25519\t\(share)"), 2),  // non-printable in argument
            (try replacingHeaderLine(good, 1, with: "-> "), 2),  // no type
            (try replacingHeaderLine(good, 1, with: "=> X25519 \(share)"), 2),  // wrong prefix
            (try replacingHeaderLine(good, 2, with: String(body43.dropLast()) + "B"), 3),  // non-zero unused bits
            (try replacingHeaderLine(good, 2, with: body43 + "="), 3),  // padding
            (try replacingHeaderLine(good, 2, with: String(repeating: "A", count: 65)), 3),  // body line too long
            (try replacingHeaderLine(good, 3, with: "---"), 4),  // MAC missing
            (try replacingHeaderLine(good, 3, with: "--- AAAA"), 4),  // MAC too short
            (try replacingHeaderLine(good, 3, with: "---  " + body43), 4),  // two spaces
            (Array(text(try AgeHeader.parse(good).macInput).replacingOccurrences(of: "\n", with: "\r\n").utf8), 1),  // CRLF
            (rawHeader(["-> X25519 \(share)", String(repeating: "A", count: 64)]), 4),  // 48-byte body without its empty last line
            (Array(good.prefix(40)), 2),  // header cut inside a stanza
            (Array(good.prefix(try AgeTest.payloadOffset(good) - 10)), 4),  // header cut inside the MAC line
            (rawHeader(["-> X25519 \(share) extra", body43]), 2),  // X25519 with two arguments
            (rawHeader(["-> X25519 \(String(share.dropLast(2)))", body43]), 2),  // share of 31 bytes
            (rawHeader(["-> X25519 \(share)", AgeBase64.encodeString(AgeTest.bytes(31, seed: 3))]), 2),  // body of 31 bytes
            (rawHeader(["-> X25519 \(AgeBase64.encodeString(Array(repeating: 0, count: 32)))", body43]), 2),  // low-order share
        ]
        for (index, (crafted, line)) in cases.enumerated() {
            let error = decrypt(crafted)
            guard case .malformedHeader(let reported, _) = error else {
                Issue.record("case \(index): expected malformedHeader, got \(String(describing: error))")
                continue
            }
            #expect(reported == line, "case \(index)")
        }
        // 44 characters decode to 33 bytes: well-formed base64, but an X25519 body must be 32 bytes.
        #expect(decrypt(try replacingHeaderLine(good, 2, with: body43 + "A")) == .malformedHeader(line: 2, expected: "an X25519 stanza body of 32 bytes"))
        // A scrypt work factor with a leading zero.
        let scrypt = rawHeader(["-> scrypt \(AgeBase64.encodeString(AgeTest.bytes(16, seed: 4))) 018", body43])
        guard case .malformedHeader(line: 2, _) = AgeTest.error({ try Age.decrypt(scrypt, passphrase: [1]) }) else {
            Issue.record("leading-zero work factor was accepted")
            return
        }
    }

    @Test func versionAndNotAgeFile() throws {
        let good = try file(10)
        #expect(decrypt(try replacingHeaderLine(good, 0, with: "age-encryption.org/v2")) == .unsupportedVersion)
        #expect(decrypt(try replacingHeaderLine(good, 0, with: "age-encryption.org/v1 ")) == .unsupportedVersion)
        #expect(decrypt(AgeTest.bytes(500, seed: 5)) == .notAgeFile)
        #expect(decrypt([]) == .notAgeFile)
        #expect(decrypt(Array("-----BEGIN PGP MESSAGE-----\nabcd\n".utf8)) == .badArmor(.missingBegin))
    }

    // MARK: Armor

    @Test func badArmor() throws {
        let armored = try file(1000, armor: true)
        let lines = text(armored).split(separator: "\n").map(String.init)  // BEGIN, data…, END
        let data = lines.dropFirst().dropLast().joined()
        func rewrap(_ width: Int) -> [UInt8] {
            var out = [lines[0]]
            var rest = Substring(data)
            while !rest.isEmpty { out.append(String(rest.prefix(width))); rest = rest.dropFirst(width) }
            return Array((out + [lines.last!, ""]).joined(separator: "\n").utf8)
        }
        #expect(try Age.decrypt(rewrap(64), identities: [identity]) == AgeTest.bytes(1000, seed: 1000))
        #expect(decrypt(rewrap(76)) == .badArmor(.lineTooLong(line: 2)))
        #expect(decrypt(rewrap(60)) == .badArmor(.shortLineNotLast(line: 2)))
        var broken = lines
        broken[3] = "!" + broken[3].dropFirst()
        #expect(decrypt(Array(broken.joined(separator: "\n").utf8)) == .badArmor(.invalidBase64(line: 4)))
        broken = lines
        broken[3] = String(broken[3].dropLast(4)) + "QR=="  // padding inside the data and non-zero unused bits
        #expect(decrypt(Array(broken.joined(separator: "\n").utf8)) == .badArmor(.invalidBase64(line: 4)))
        broken = lines
        broken[2] = String(broken[2].dropLast(2)) + " A"  // a space inside a line
        #expect(decrypt(Array(broken.joined(separator: "\n").utf8)) == .badArmor(.invalidBase64(line: 3)))
        #expect(decrypt(Array(lines.dropLast().joined(separator: "\n").utf8)) == .badArmor(.missingEnd))
        #expect(decrypt(Array(lines.dropLast().joined(separator: "\n").utf8) + [0x0a]) == .badArmor(.missingEnd))
        #expect(decrypt(armored + Array("junk\n".utf8)) == .badArmor(.dataAfterEnd))
        #expect(decrypt(Array(repeating: 0x0a, count: 2000) + armored) == .badArmor(.tooMuchWhitespace))
        #expect(decrypt(armored + Array(repeating: 0x20, count: 2000)) == .badArmor(.tooMuchWhitespace))
        #expect(decrypt(Array("  ".utf8) + armored) == .badArmor(.missingBegin))  // BEGIN must start its line
    }

    // MARK: Payload

    @Test func truncatedPayload() throws {
        let original = try file(200_000)
        let offset = try AgeTest.payloadOffset(original)
        for cut in [offset, offset + 1, offset + 15, offset + 16, offset + 16 + 15, offset + 16 + 3 * 65552 + 10] {
            #expect(decrypt(Array(original.prefix(cut))) == .truncatedPayload, "cut at \(cut - offset)")
        }
        // Cut inside a chunk's ciphertext: indistinguishable from tampering, reported as that chunk failing.
        for (cut, chunk) in [(offset + 16 + 100, 0), (offset + 16 + 65552 + 30_000, 1), (offset + 16 + 3 * 65552 + 3000, 3)] {
            #expect(decrypt(Array(original.prefix(cut))) == .chunkAuthenticationFailed(chunk: chunk), "cut at \(cut - offset)")
        }
    }

    @Test func lastChunkMissing() throws {
        let original = try file(200_000)  // 3 full chunks + a 3392-byte final one
        let offset = try AgeTest.payloadOffset(original)
        for chunks in [1, 2, 3] {
            #expect(decrypt(Array(original.prefix(offset + 16 + chunks * 65552))) == .lastChunkMissing)
        }
        #expect(decrypt(Array(try file(65537).dropLast(17))) == .lastChunkMissing)
    }

    @Test func dataAfterFinalChunk() throws {
        let full = try file(65536)  // one full final chunk
        for extra in [[UInt8(0)], AgeTest.bytes(100, seed: 6), AgeTest.bytes(65552, seed: 7)] {
            #expect(decrypt(full + extra) == .dataAfterFinalChunk)
        }
        // After a short final chunk, extra bytes make that chunk fail (as in age).
        #expect(decrypt(try file(100) + [1]) == .chunkAuthenticationFailed(chunk: 0))
    }

    @Test func emptyFinalChunkAfterAFullOne() throws {
        let empty = try file(0)
        let offset = try AgeTest.payloadOffset(empty)
        let key = try payloadKey()
        let chunk0 = try Crypto.chaChaPolySeal(key: key, nonce: Age.chunkNonce(0, last: false), plaintext: AgeTest.bytes(65536, seed: 8))
        let chunk1 = try Crypto.chaChaPolySeal(key: key, nonce: Age.chunkNonce(1, last: true), plaintext: [])
        #expect(decrypt(Array(empty.prefix(offset + 16)) + chunk0 + chunk1) == .emptyFinalChunk)
        // The same layout with a non-empty final chunk is fine (sanity check of the crafting).
        let chunk1b = try Crypto.chaChaPolySeal(key: key, nonce: Age.chunkNonce(1, last: true), plaintext: [9])
        #expect(try Age.decrypt(Array(empty.prefix(offset + 16)) + chunk0 + chunk1b, identities: [identity]).count == 65537)
        // And an empty only-chunk is the empty file.
        #expect(try Age.decrypt(empty, identities: [identity]) == [])
    }

    @Test func chunkAuthenticationFailed() throws {
        let original = try file(200_000)
        let offset = try AgeTest.payloadOffset(original)
        for (position, chunk) in [(offset + 16, 0), (offset + 16 + 65552 + 5, 1), (original.count - 1, 3)] {
            var tampered = original
            tampered[position] ^= 0x80
            #expect(decrypt(tampered) == .chunkAuthenticationFailed(chunk: chunk))
        }
        var nonce = original
        nonce[offset] ^= 1  // the payload nonce: every chunk key changes
        #expect(decrypt(nonce) == .chunkAuthenticationFailed(chunk: 0))
        // Reordered chunks fail (the counter is in the nonce).
        let c0 = original[(offset + 16)..<(offset + 16 + 65552)], c1 = original[(offset + 16 + 65552)..<(offset + 16 + 2 * 65552)]
        let swapped = Array(original.prefix(offset + 16)) + c1 + c0 + original[(offset + 16 + 2 * 65552)...]
        #expect(decrypt(swapped) == .chunkAuthenticationFailed(chunk: 0))
    }

    // MARK: Recipients, identities, scrypt

    @Test func recipientAndStanzaRules() throws {
        let good = try file(10)
        #expect(decrypt(good) == nil)
        #expect(AgeTest.error { try Age.decrypt(good, identities: [try AgeIdentity.generate()]) } == .noIdentityMatched(x25519Stanzas: 1))
        #expect(AgeTest.error { try Age.decrypt(good, identities: []) } == .noIdentityMatched(x25519Stanzas: 1))
        #expect(AgeTest.error { try Age.encrypt([1], to: [], armor: false) } == .noRecipients)
        let lowOrder = try AgeRecipient(Bech32.encode(hrp: "age", data: Array(repeating: 0, count: 32)))
        #expect(AgeTest.error { try Age.encrypt([1], to: [lowOrder], armor: true) } == .lowOrderRecipient)

        let scryptFile = try Age.encrypt([1, 2, 3], passphrase: Array("pw".utf8), logN: 2)
        let scryptStanza = try AgeHeader.parse(scryptFile).stanzas[0]
        let mixed = try file(10, extra: [scryptStanza])
        #expect(decrypt(mixed) == .scryptNotAlone)
        #expect(AgeTest.error { try Age.decrypt(mixed, passphrase: Array("pw".utf8)) } == .scryptNotAlone)
        #expect(decrypt(scryptFile) == .passphraseEncrypted)
        #expect(AgeTest.error { try Age.decrypt(good, passphrase: Array("pw".utf8)) } == .notPassphraseEncrypted)
        #expect(AgeTest.error { try Age.decrypt(scryptFile, passphrase: Array("pW".utf8)) } == .wrongPassphrase)
        var heavy = scryptStanza
        heavy.arguments[1] = "23"
        let tooHeavy = try Age.seal([1], fileKey: fileKey, stanzas: [heavy], nonce: AgeTest.bytes(16, seed: 9), armor: false)
        #expect(AgeTest.error { try Age.decrypt(tooHeavy, passphrase: Array("pw".utf8)) } == .scryptWorkFactor(logN: 23))
    }

    // MARK: Canary

    /// Builds one identity, makes every error case happen, and checks that no description (nor the
    /// identity's own description) contains the identity text, its secret bytes or the file key.
    @Test func canaryNoSecretInAnyError() throws {
        let secretText = identity.encoded
        let secretBody = String(secretText.dropFirst("AGE-SECRET-KEY-1".count).dropLast(6))
        let forbidden = [
            secretText, secretText.lowercased(), secretBody, secretBody.lowercased(),
            hex(identity.secretKey), AgeBase64.encodeString(identity.secretKey),
            Data(identity.secretKey).base64EncodedString(),
            hex(fileKey), AgeBase64.encodeString(fileKey), Data(fileKey).base64EncodedString(),
        ]
        let good = try file(200_000)
        let offset = try AgeTest.payloadOffset(good)
        let header = try AgeHeader.parse(good)
        var mac = header.mac
        mac[0] ^= 1
        let armored = try file(100, armor: true)
        let scryptFile = try Age.encrypt([1], passphrase: Array(secretText.utf8), logN: 2)
        var heavy = try AgeHeader.parse(scryptFile).stanzas[0]
        heavy.arguments[1] = "30"
        let empty = try file(0)
        let key = try payloadKey()
        let emptyAfterFull =
            Array(empty.prefix(try AgeTest.payloadOffset(empty) + 16))
            + (try Crypto.chaChaPolySeal(key: key, nonce: Age.chunkNonce(0, last: false), plaintext: AgeTest.bytes(65536, seed: 8)))
            + (try Crypto.chaChaPolySeal(key: key, nonce: Age.chunkNonce(1, last: true), plaintext: []))
        let corrupted = String(secretText.dropLast()) + (secretText.last == "Q" ? "P" : "Q")
        var flipped = good
        flipped[offset + 100] ^= 1

        let attempts: [() throws -> Any] = [
            { try Age.decrypt(good, identities: [try AgeIdentity.generate()]) },
            { try Age.decrypt(try replacingHeaderLine(good, 3, with: "--- " + AgeBase64.encodeString(mac)), identities: [identity]) },
            { try Age.decrypt(try replacingHeaderLine(good, 1, with: "-> "), identities: [identity]) },
            { try Age.decrypt(try replacingHeaderLine(good, 0, with: "age-encryption.org/v9"), identities: [identity]) },
            { try Age.decrypt(Array(secretText.utf8), identities: [identity]) },
            { try Age.decrypt(Array(armored.dropLast(40)), identities: [identity]) },
            { try Age.decrypt(Array(good.prefix(offset + 5)), identities: [identity]) },
            { try Age.decrypt(Array(good.prefix(offset + 16 + 65552)), identities: [identity]) },
            { try Age.decrypt(try file(65536) + [0], identities: [identity]) },
            { try Age.decrypt(emptyAfterFull, identities: [identity]) },
            { try Age.decrypt(flipped, identities: [identity]) },
            { try AgeRecipient(secretText) },
            { try AgeRecipient(String(secretText.dropLast()).lowercased()) },
            { try AgeIdentity(corrupted) },
            { try AgeIdentity(secretText.lowercased()) },
            { try AgeIdentity(String(secretText.prefix(30)) + secretText.dropFirst(30).lowercased()) },
            { try AgeKeyFile.parse("# x\n\(corrupted)\n") },
            { try AgeKeyFile.parse("# \(secretText)\n") },
            { try Age.encrypt([1], to: [], armor: false) },
            { try Age.encrypt([1], to: [try AgeRecipient(Bech32.encode(hrp: "age", data: Array(repeating: 0, count: 32)))], armor: false) },
            { try Age.decrypt(try file(10, extra: try AgeHeader.parse(scryptFile).stanzas), identities: [identity]) },
            { try Age.decrypt(scryptFile, identities: [identity]) },
            { try Age.decrypt(good, passphrase: Array(secretText.utf8)) },
            { try Age.decrypt(scryptFile, passphrase: Array(secretText.dropLast().utf8)) },
            { try Age.decrypt(try Age.seal([1], fileKey: fileKey, stanzas: [heavy], nonce: AgeTest.bytes(16, seed: 9), armor: false), passphrase: [1]) },
        ]
        var seen = Set<String>()
        for (index, attempt) in attempts.enumerated() {
            guard let error = AgeTest.error(attempt) else {
                Issue.record("attempt \(index) did not fail")
                continue
            }
            seen.insert(Self.caseName(error))
            let shown = ["\(error)", String(reflecting: error), error.localizedDescription]
            for text in shown {
                #expect(!text.contains("\n"), "attempt \(index): more than one line")
                for secret in forbidden {
                    #expect(!text.contains(secret), "attempt \(index) leaks a secret: \(Self.caseName(error))")
                }
            }
        }
        let all: Set<String> = [
            "noIdentityMatched", "headerMACMismatch", "malformedHeader", "unsupportedVersion", "notAgeFile",
            "badArmor", "truncatedPayload", "lastChunkMissing", "dataAfterFinalChunk", "emptyFinalChunk",
            "chunkAuthenticationFailed", "badRecipient", "badIdentity", "badKeyFileLine", "noIdentitiesInKeyFile",
            "noRecipients", "lowOrderRecipient", "scryptNotAlone", "passphraseEncrypted", "notPassphraseEncrypted",
            "wrongPassphrase", "scryptWorkFactor",
        ]
        #expect(all.subtracting(seen).isEmpty, "not triggered: \(all.subtracting(seen).sorted())")
        for shown in [identity.description, String(reflecting: identity), "\(identity.recipient)"] {
            for secret in forbidden { #expect(!shown.contains(secret)) }
        }
    }

    /// Exhaustive on purpose: a new AgeError case must be added to the canary.
    static func caseName(_ error: AgeError) -> String {
        switch error {
        case .noIdentityMatched: return "noIdentityMatched"
        case .headerMACMismatch: return "headerMACMismatch"
        case .malformedHeader: return "malformedHeader"
        case .unsupportedVersion: return "unsupportedVersion"
        case .notAgeFile: return "notAgeFile"
        case .badArmor: return "badArmor"
        case .truncatedPayload: return "truncatedPayload"
        case .lastChunkMissing: return "lastChunkMissing"
        case .dataAfterFinalChunk: return "dataAfterFinalChunk"
        case .emptyFinalChunk: return "emptyFinalChunk"
        case .chunkAuthenticationFailed: return "chunkAuthenticationFailed"
        case .badRecipient: return "badRecipient"
        case .badIdentity: return "badIdentity"
        case .badKeyFileLine: return "badKeyFileLine"
        case .noIdentitiesInKeyFile: return "noIdentitiesInKeyFile"
        case .noRecipients: return "noRecipients"
        case .lowOrderRecipient: return "lowOrderRecipient"
        case .scryptNotAlone: return "scryptNotAlone"
        case .passphraseEncrypted: return "passphraseEncrypted"
        case .notPassphraseEncrypted: return "notPassphraseEncrypted"
        case .wrongPassphrase: return "wrongPassphrase"
        case .scryptWorkFactor: return "scryptWorkFactor"
        case .crypto: return "crypto"
        }
    }
}
