import Foundation
import Testing
@testable import SalonOpsSecrets

/// age v1 encodings, in process: bech32 keys, key files, header and STREAM layout, armor, and
/// every AgeError case from a crafted input.
@Suite struct AgeFormatTests {
    /// BIP 173's valid vectors decode (any HRP, no 90-character limit needed) and invalid ones fail for the right reason.
    @Test func bech32Vectors() throws {
        for valid in [
            "A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
            "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl",
        ] {
            _ = try Bech32.decode(valid)
        }
        #expect(throws: AgeKeyEncodingProblem.mixedCase) { try Bech32.decode("A12uEL5L") }
        #expect(throws: AgeKeyEncodingProblem.missingSeparator) { try Bech32.decode("pzry9x0s0muk") }
        #expect(throws: AgeKeyEncodingProblem.missingSeparator) { try Bech32.decode("1pzry9x0s0muk") }
        #expect(throws: AgeKeyEncodingProblem.invalidCharacter) { try Bech32.decode("x1b4n0q5v") }
        #expect(throws: AgeKeyEncodingProblem.badChecksum) { try Bech32.decode("a12uel5m") }
        // Round trip at the sizes age uses.
        let data = AgeTest.bytes(32, seed: 1)
        let text = Bech32.encode(hrp: "age", data: data)
        #expect(try Bech32.decode(text).data == data)
    }

    /// A fixed key pair (age's own test identity from its documentation / testkit): derivation and both encodings.
    @Test func knownKeyPair() throws {
        let identity = try AgeIdentity("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(identity.recipient.description == "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")
        #expect(identity.encoded == "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(identity.recipient.publicKey.count == 32)
        #expect(try AgeRecipient(identity.recipient.description) == identity.recipient)
    }

    @Test func recipientEncodingErrors() throws {
        let good = try AgeIdentity.generate().recipient.description
        var mixed = Array(good)
        let letter = try #require(mixed.indices.dropFirst(4).first { mixed[$0].isLetter })
        mixed[letter] = Character(mixed[letter].uppercased())
        #expect(throws: AgeError.badRecipient(.mixedCase)) { try AgeRecipient(String(mixed)) }
        #expect(throws: AgeError.badRecipient(.wrongCase)) { try AgeRecipient(good.uppercased()) }
        var typo = Array(good)
        typo[20] = typo[20] == "q" ? "p" : "q"
        #expect(throws: AgeError.badRecipient(.badChecksum)) { try AgeRecipient(String(typo)) }
        #expect(throws: AgeError.badRecipient(.badChecksum)) { try AgeRecipient(String(good.dropLast())) }
        #expect(throws: AgeError.badRecipient(.wrongPrefix)) { try AgeRecipient(Bech32.encode(hrp: "agf", data: AgeTest.bytes(32, seed: 2))) }
        #expect(throws: AgeError.badRecipient(.wrongLength)) { try AgeRecipient(Bech32.encode(hrp: "age", data: AgeTest.bytes(31, seed: 2))) }
        #expect(throws: AgeError.badRecipient(.wrongLength)) { try AgeRecipient(Bech32.encode(hrp: "age", data: AgeTest.bytes(33, seed: 2))) }
        #expect(throws: AgeError.badRecipient(.invalidCharacter)) { try AgeRecipient(good + " ") }
        #expect(throws: AgeError.badRecipient(.missingSeparator)) { try AgeRecipient("") }
        #expect(throws: AgeError.badRecipient(.wrongCase)) { try AgeRecipient(try AgeIdentity.generate().encoded) }
    }

    @Test func identityEncodingErrorsNeverEchoTheKey() throws {
        let identity = try AgeIdentity.generate()
        let text = identity.encoded
        let cases: [(String, AgeError)] = [
            (text.lowercased(), .badIdentity(.wrongCase)),
            (String(text.prefix(20)) + text.dropFirst(20).lowercased(), .badIdentity(.mixedCase)),
            (String(text.dropLast()) + (text.last == "Q" ? "P" : "Q"), .badIdentity(.badChecksum)),
            (identity.recipient.description, .badIdentity(.wrongCase)),
            (Bech32.encode(hrp: "AGE-PLUGIN-X-", data: AgeTest.bytes(32, seed: 3)).uppercased(), .badIdentity(.wrongPrefix)),
            (Bech32.encode(hrp: "AGE-SECRET-KEY-", data: AgeTest.bytes(16, seed: 3)).uppercased(), .badIdentity(.wrongLength)),
        ]
        for (input, expected) in cases {
            let error = AgeTest.error { try AgeIdentity(input) }
            #expect(error == expected)
            let shown = error.map { "\($0)" } ?? ""
            #expect(!shown.contains(input))
            #expect(!shown.contains(String(text.dropFirst(16).prefix(20))))
        }
    }

    /// description, debugDescription, interpolation and dump() show only the recipient.
    @Test func identityIsRedacted() throws {
        let identity = try AgeIdentity.generate()
        let secret = String(identity.encoded.dropFirst("AGE-SECRET-KEY-1".count).prefix(40))
        var dumped = ""
        dump(identity, to: &dumped)
        for shown in [identity.description, String(reflecting: identity), "\(identity)", dumped, "\([identity])"] {
            #expect(!shown.uppercased().contains(secret))
            #expect(!shown.contains(hex(identity.secretKey)))
        }
        #expect(identity.description == "AgeIdentity(\(identity.recipient))")
    }

    @Test func keyFileParsing() throws {
        let a = try AgeIdentity.generate(), b = try AgeIdentity.generate()
        let text = "# created: 2024-01-01T00:00:00Z\r\n# public key: \(a.recipient)\r\n\(a.encoded)\r\n\r\n  \n\t# another\n\(b.encoded)"
        #expect(try AgeKeyFile.parse(text).map(\.recipient) == [a.recipient, b.recipient])
        let rendered = AgeKeyFile.render(a, created: Date(timeIntervalSince1970: 0))
        #expect(rendered == "# created: 1970-01-01T00:00:00Z\n# public key: \(a.recipient)\n\(a.encoded)\n")
        #expect(try AgeKeyFile.parse(rendered + rendered).count == 2)
        #expect(throws: AgeError.noIdentitiesInKeyFile) { try AgeKeyFile.parse("# only a comment\n\n") }
        #expect(throws: AgeError.noIdentitiesInKeyFile) { try AgeKeyFile.parse("") }

        // A corrupted key on line 4: the error names the line, never its text.
        let broken = String(b.encoded.dropLast()) + (b.encoded.last == "Q" ? "P" : "Q")
        let file = "# c\n\(a.encoded)\n\n\(broken)\n"
        let error = AgeTest.error { try AgeKeyFile.parse(file) }
        #expect(error == .badKeyFileLine(line: 4, problem: .badChecksum))
        let shown = error.map { "\($0)" } ?? ""
        #expect(!shown.contains(String(broken.dropFirst(16).prefix(12))))
        #expect(AgeTest.error { try AgeKeyFile.parse("\(a.encoded)\n\(a.recipient)\n") } == .badKeyFileLine(line: 2, problem: .wrongCase))
    }

    /// The header and payload layout the spec fixes: stanza body lines, the empty last line rule,
    /// the MAC line, and STREAM framing (empty plaintext = one empty final chunk; no empty chunk after a full one).
    @Test func layout() throws {
        let identity = try AgeIdentity.generate()
        for (size, chunks) in [(0, 1), (1, 1), (65535, 1), (65536, 1), (65537, 2), (200_000, 4)] {
            let file = try Age.encrypt(AgeTest.bytes(size, seed: 4), to: [identity.recipient], armor: false)
            let header = try AgeHeader.parse(file)
            #expect(file.count - header.payloadOffset == 16 + size + 16 * chunks)
            let text = String(decoding: file[..<header.payloadOffset], as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines[0] == "age-encryption.org/v1")
            #expect(lines[1].hasPrefix("-> X25519 ") && lines[1].count == 10 + 43)
            #expect(lines[2].count == 43)  // 32-byte body: one 43-column line
            #expect(lines[3].hasPrefix("--- ") && lines[3].count == 4 + 43)
        }
        // A 48-byte body fills one full line and so needs an empty line after it; 96 bytes, two full lines.
        for (bodySize, expectedLines) in [
            (0, [""]), (48, [String(repeating: "A", count: 64), ""]),
            (96, [String(repeating: "A", count: 64), String(repeating: "A", count: 64), ""]),
            (50, [String(repeating: "A", count: 64), "AAA"]),
        ] {
            let header = AgeHeader.serializeWithoutMAC([AgeStanza(type: "t", arguments: [], body: Array(repeating: 0, count: bodySize))])
            let lines = String(decoding: header, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(Array(lines[2..<(lines.count - 1)]) == expectedLines)
            #expect(try AgeHeader.parse(header + Array(" \(AgeBase64.encodeString(Array(repeating: 1, count: 32)))\n".utf8)).stanzas[0].body.count == bodySize)
        }
        #expect(Age.chunkNonce(0x0102, last: true) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1])
    }

    /// Armor: BEGIN, 64-column padded base64, END; whitespace around it and CRLF tolerated.
    @Test func armorRoundTripAndTolerance() throws {
        let identity = try AgeIdentity.generate()
        for size in [0, 1, 47, 48, 1000] {
            let plaintext = AgeTest.bytes(size, seed: UInt64(size))
            let armored = try Age.encrypt(plaintext, to: [identity.recipient], armor: true)
            let lines = String(decoding: armored, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first == "-----BEGIN AGE ENCRYPTED FILE-----")
            #expect(lines.dropLast().last == "-----END AGE ENCRYPTED FILE-----" && lines.last == "")
            #expect(lines.dropFirst().dropLast(2).allSatisfy { $0.count <= 64 && $0.count % 4 == 0 && !$0.isEmpty })
            #expect(lines.dropFirst().dropLast(3).allSatisfy { $0.count == 64 })
            #expect(try Age.decrypt(armored, identities: [identity]) == plaintext)
            let padded = Array("\n  \n\t\n".utf8) + armored + Array("\n \n\n".utf8)
            #expect(try Age.decrypt(padded, identities: [identity]) == plaintext)
            let crlf = Array(String(decoding: armored, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
            #expect(try Age.decrypt(crlf, identities: [identity]) == plaintext)
        }
    }

    /// Unknown stanza types (other recipients, grease) are skipped; only X25519 stanzas are counted.
    @Test func unknownAndGreaseStanzasAreSkipped() throws {
        let identity = try AgeIdentity.generate(), other = try AgeIdentity.generate()
        let fileKey = AgeTest.bytes(16, seed: 5)
        let extra = [
            AgeStanza(type: "j\"9-grease", arguments: ["x", "$&^"], body: AgeTest.bytes(70, seed: 6)),
            AgeStanza(type: "ssh-ed25519", arguments: ["abc", AgeBase64.encodeString(AgeTest.bytes(32, seed: 7))], body: AgeTest.bytes(32, seed: 8)),
            AgeStanza(type: "empty-grease", arguments: [], body: []),
        ]
        let file = try AgeTest.sealed(Array("hello".utf8), to: [other.recipient, identity.recipient], fileKey: fileKey, extra: extra)
        #expect(try Age.decrypt(file, identities: [identity]) == Array("hello".utf8))
        #expect(throws: AgeError.noIdentityMatched(x25519Stanzas: 2)) { try Age.decrypt(file, identities: [try AgeIdentity.generate()]) }
        let onlyGrease = try Age.seal([1, 2, 3], fileKey: fileKey, stanzas: extra, nonce: AgeTest.bytes(16, seed: 9), armor: true)
        #expect(throws: AgeError.noIdentityMatched(x25519Stanzas: 0)) { try Age.decrypt(onlyGrease, identities: [identity]) }
    }

    @Test func scryptRoundTripAndRules() throws {
        let plaintext = AgeTest.bytes(70000, seed: 10)
        let file = try Age.encrypt(plaintext, passphrase: Array("pass".utf8), logN: 4)
        #expect(try Age.decrypt(file, passphrase: Array("pass".utf8)) == plaintext)
        #expect(throws: AgeError.wrongPassphrase) { try Age.decrypt(file, passphrase: Array("Pass".utf8)) }
        #expect(throws: AgeError.scryptWorkFactor(logN: 23)) { try Age.encrypt([], passphrase: [1], logN: 23) }
        #expect(throws: AgeError.scryptWorkFactor(logN: 0)) { try Age.encrypt([], passphrase: [1], logN: 0) }
    }
}
