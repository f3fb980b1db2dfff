import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsSecrets

/// RS256 through OpenSSL's EVP, against the real openssl CLI as the peer (PKCS#1 v1.5 is
/// deterministic, so the signatures must be the same bytes).
@Suite struct RSASignatureTests {
    @Test func signaturesEqualOpenSSLDgstAndVerifyThere() async throws {
        let keys = try await OpenSSLTestKeys.shared.value
        let folder = try TempFolder("rsa-sign")
        try keys.rsa.write(to: folder.url.appendingPathComponent("key.pem"), atomically: true, encoding: .utf8)
        try keys.rsaPublic.write(to: folder.url.appendingPathComponent("pub.pem"), atomically: true, encoding: .utf8)
        let pkcs8 = try RSASignature.PrivateKey(pem: keys.rsa)
        let pkcs1 = try RSASignature.PrivateKey(pem: keys.rsaPKCS1)
        let publicKey = try RSASignature.PublicKey(pem: keys.rsaPublic)
        #expect(pkcs8.bits == 2048 && publicKey.bits == 2048)
        var bytes = SeededBytes(seed: 0x5A10_0525)
        for size in [0, 1, 55, 64, 10_000] {
            let message = bytes.next(size)
            try Data(message).write(to: folder.url.appendingPathComponent("message"))
            let cli = try await openssl(["dgst", "-sha256", "-sign", "key.pem", "-out", "cli.sig", "message"], in: folder)
            #expect(cli.status == 0, "\(cli.stderr)")
            let expected = Array(try Data(contentsOf: folder.url.appendingPathComponent("cli.sig")))
            let ours = try pkcs8.sign(message)
            #expect(ours == expected, "size \(size)")
            #expect(try pkcs1.sign(message) == expected, "PKCS#1 form, size \(size)")
            #expect(try publicKey.isValidSignature(expected, for: message))

            try Data(ours).write(to: folder.url.appendingPathComponent("ours.sig"))
            let verify = try await openssl(["dgst", "-sha256", "-verify", "pub.pem", "-signature", "ours.sig", "message"], in: folder)
            #expect(verify.status == 0 && verify.stdout.contains("Verified OK"), "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test func derivedPublicKeyIsWhatOpenSSLWrites() async throws {
        let keys = try await OpenSSLTestKeys.shared.value
        #expect(try RSASignature.PrivateKey(pem: keys.rsa).publicKeyPEM() == keys.rsaPublic)
        #expect(try RSASignature.PrivateKey(pem: keys.rsaPKCS1).publicKeyPEM() == keys.rsaPublic)
    }

    @Test func alteredMessageSignatureOrKeyDoesNotVerify() async throws {
        let keys = try await OpenSSLTestKeys.shared.value
        let message = Array("the signing input".utf8)
        let signature = try RSASignature.PrivateKey(pem: keys.rsa).sign(message)
        let publicKey = try RSASignature.PublicKey(pem: keys.rsaPublic)
        var flipped = signature
        flipped[100] ^= 0x01
        #expect(try !publicKey.isValidSignature(signature, for: message + [0]))
        #expect(try !publicKey.isValidSignature(flipped, for: message))
        #expect(try !publicKey.isValidSignature(Array(signature.dropLast()), for: message))
        #expect(try !publicKey.isValidSignature([], for: message))
        #expect(try !RSASignature.PublicKey(pem: keys.otherPublic).isValidSignature(signature, for: message))
        // A refused signature leaves no stale OpenSSL error behind for the next call.
        #expect(try publicKey.isValidSignature(signature, for: message))
    }

    @Test func keysOfTheWrongKindAreRefusedByName() async throws {
        let keys = try await OpenSSLTestKeys.shared.value
        #expect(throws: RSAKeyError.notRSA(type: "EC")) { try RSASignature.PrivateKey(pem: keys.ec) }
        #expect(throws: RSAKeyError.notRSA(type: "EC")) { try RSASignature.PublicKey(pem: keys.ecPublic) }
        #expect(throws: RSAKeyError.tooShort(bits: 1024)) { try RSASignature.PrivateKey(pem: keys.rsa1024) }
        #expect(throws: RSAKeyError.tooShort(bits: 1024)) { try RSASignature.PublicKey(pem: keys.rsa1024Public) }
        #expect(throws: RSAKeyError.encrypted) { try RSASignature.PrivateKey(pem: keys.rsaEncrypted) }
        #expect(throws: RSAKeyError.encrypted) { try RSASignature.PrivateKey(pem: keys.rsaPKCS1Encrypted) }
        for (pem, kind) in [("garbage", "private"), (keys.rsaPublic, "private"), ("", "public"), (keys.rsa, "public")] {
            let error =
                kind == "private"
                ? keyError { _ = try RSASignature.PrivateKey(pem: pem) }
                : keyError { _ = try RSASignature.PublicKey(pem: pem) }
            guard case .malformedPEM(let expected, _) = error else {
                Issue.record("\(kind) key from \(pem.prefix(30)): \(String(describing: error))")
                continue
            }
            #expect(expected.contains(kind == "private" ? "BEGIN PRIVATE KEY" : "BEGIN PUBLIC KEY"))
        }
    }

    @Test func noErrorRepeatsKeyMaterial() async throws {
        let keys = try await OpenSSLTestKeys.shared.value
        let canary = "CANARYc4n4ryC4NARY"
        var lines = keys.rsa.split(separator: "\n").map(String.init)
        lines[1] = canary + String(lines[1].dropFirst(canary.count))  // where the ASN.1 structure starts
        let damaged = [
            lines.joined(separator: "\n"),
            "-----BEGIN PRIVATE KEY-----\n\(canary)\n-----END PRIVATE KEY-----\n",
            "-----BEGIN RSA PRIVATE KEY-----\n\(canary)==\n-----END RSA PRIVATE KEY-----\n",
            canary,
            keys.rsaEncrypted.replacingOccurrences(of: "\n-----END", with: canary + "\n-----END"),
        ]
        for pem in damaged {
            for error in [keyError { _ = try RSASignature.PrivateKey(pem: pem) }, keyError { _ = try RSASignature.PublicKey(pem: pem) }] {
                let text = "\(String(describing: error)) \(String(reflecting: error))"
                #expect(error != nil)
                #expect(!text.contains(canary) && !text.contains("MII"), "\(text)")
            }
        }
    }

    private func openssl(_ arguments: [String], in folder: TempFolder) async throws -> CommandResult {
        try await CommandRunner.run(OpenSSLTestKeys.openssl, arguments, in: folder.url, timeout: 30)
    }

    private func keyError(_ body: () throws -> Void) -> RSAKeyError? {
        do { try body() } catch let error as RSAKeyError { return error } catch { Issue.record("not an RSAKeyError: \(error)") }
        return nil
    }
}
