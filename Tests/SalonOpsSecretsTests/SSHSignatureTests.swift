import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsSecrets

/// SSH signatures (PROTOCOL.sshsig) made by the real `ssh-keygen -Y sign`, verified here and
/// by `ssh-keygen -Y verify`: the two must agree.
@Suite struct SSHSignatureTests {
    @Test func signaturesBySshKeygenVerifyAndAnyChangedByteDoesNot() async throws {
        let folder = try TempFolder("sshsig")
        let key = try await SSHKeygen.makeKey("alice", in: folder.url)
        let allowed = folder.url.appendingPathComponent("allowed_signers")
        try Data((key.allowedSignersLine("alice@salonops.invalid") + "\n").utf8).write(to: allowed)

        for (index, size) in [0, 1, 200, 70_000].enumerated() {
            let payload = AgeTest.bytes(size, seed: UInt64(index + 1))
            for hash in ["sha512", "sha256"] {
                let armored = try await SSHKeygen.sign(payload, key: key, namespace: "git", in: folder.url, extra: ["-O", "hashalg=\(hash)"])
                let signature = try SSHSignature(armored: armored)
                #expect(signature.namespace == "git" && signature.hashAlgorithm == hash)
                #expect(signature.publicKey.fingerprint == key.fingerprint)
                #expect(signature.publicKey.algorithmName == "ED25519")
                #expect(try signature.verifies(payload))
                #expect(try await SSHKeygen.verifies(payload, signature: armored, allowedSigners: allowed, principal: "alice@salonops.invalid", in: folder.url))

                let changed = payload.isEmpty ? [0] : [payload[0] ^ 1] + payload.dropFirst()
                #expect(try !signature.verifies(changed))
                #expect(try await !SSHKeygen.verifies(changed, signature: armored, allowedSigners: allowed, principal: "alice@salonops.invalid", in: folder.url))
            }
        }
    }

    @Test func anotherNamespaceIsPartOfWhatIsSigned() async throws {
        let folder = try TempFolder("sshsig-namespace")
        let key = try await SSHKeygen.makeKey("alice", in: folder.url)
        let payload = Array("tree 0000\n".utf8)
        let armored = try await SSHKeygen.sign(payload, key: key, namespace: "file", in: folder.url)
        let signature = try SSHSignature(armored: armored)
        #expect(signature.namespace == "file")
        #expect(try signature.verifies(payload), "valid for its own namespace: the caller refuses it for not being git")
    }

    @Test func rsaAndEcdsaSignaturesParseButAreRefusedAsUnsupported() async throws {
        let folder = try TempFolder("sshsig-rsa")
        for (type, name, algorithm) in [("rsa", "ssh-rsa", "RSA"), ("ecdsa", "ecdsa-sha2-nistp256", "ECDSA")] {
            let key = try await SSHKeygen.makeKey(type, in: folder.url, type: type)
            let armored = try await SSHKeygen.sign([1, 2, 3], key: key, namespace: "git", in: folder.url)
            let signature = try SSHSignature(armored: armored)
            #expect(signature.publicKey.type == name && signature.publicKey.algorithmName == algorithm)
            #expect(signature.publicKey.fingerprint == key.fingerprint)
            #expect(throws: SSHSignatureError.unsupportedKeyType(name)) { try signature.verifies([1, 2, 3]) }
        }
    }

    @Test func malformedArmorsAndBlobsAreRefusedWithAReason() throws {
        #expect(throws: SSHSignatureError.notSSH(kind: "an OpenPGP signature")) {
            try SSHSignature(armored: "-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n")
        }
        #expect(throws: SSHSignatureError.self) { try SSHSignature(armored: "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n") }
        #expect(throws: SSHSignatureError.malformed("the armor is not base64")) {
            try SSHSignature(armored: "-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n")
        }
        // A blob cut anywhere, or claiming a string longer than what remains, is malformed (never a crash).
        let blob =
            Array("SSHSIG".utf8) + SSHWire.uint32(1) + SSHWire.string(SSHWire.string("ssh-ed25519") + SSHWire.string([UInt8](repeating: 7, count: 32)))
            + SSHWire.string("git") + SSHWire.string("") + SSHWire.string("sha512")
            + SSHWire.string(SSHWire.string("ssh-ed25519") + SSHWire.string([UInt8](repeating: 9, count: 64)))
        let whole = try SSHSignature(blob: blob)
        #expect(try !whole.verifies([]), "a well-formed signature of the wrong bytes does not verify")
        for cut in 0..<blob.count {
            #expect(throws: SSHSignatureError.self) { try SSHSignature(blob: Array(blob.prefix(cut))) }
        }
        #expect(throws: SSHSignatureError.malformed("version 2 (only 1 exists)")) {
            try SSHSignature(blob: Array("SSHSIG".utf8) + SSHWire.uint32(2) + Array(blob.dropFirst(10)))
        }
        #expect(throws: SSHSignatureError.self) { try SSHSignature(blob: Array("SSHSIG".utf8) + SSHWire.uint32(1) + SSHWire.uint32(0xFFFF_FFFF)) }
        let md5 = try SSHSignature(blob: blob.replacingSubrange("sha512", with: "md5xyz"))
        #expect(throws: SSHSignatureError.unsupportedHash("md5xyz")) { try md5.verifies([]) }
    }
}

extension [UInt8] {
    /// The bytes with the first occurrence of `text` replaced by `other` (of the same length).
    fileprivate func replacingSubrange(_ text: String, with other: String) -> [UInt8] {
        let needle = Array(text.utf8)
        guard let start = indices.first(where: { self[$0...].starts(with: needle) }) else { return self }
        var copy = self
        copy.replaceSubrange(start..<start + needle.count, with: Array(other.utf8))
        return copy
    }
}
