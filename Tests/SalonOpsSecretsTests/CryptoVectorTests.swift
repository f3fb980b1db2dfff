import Foundation
import Testing
@testable import SalonOpsSecrets

/// Known-answer tests from the published vectors (sources named per test). A vector for the
/// 32-byte-IV AES-GCM that sops uses has no RFC; it was computed with Python `cryptography`.
@Suite struct CryptoVectorTests {
    @Test func sha256AndSha512OfABC() {
        #expect(hex(Crypto.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex(Crypto.sha512(Array("abc".utf8)))
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(hex(Crypto.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// RFC 4231, test case 2.
    @Test func hmacSHA256() {
        #expect(
            hex(Crypto.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// RFC 2202, HMAC-SHA1 test cases 2 (a short key) and 6 (a key longer than the block, hashed first).
    @Test func hmacSHA1() {
        #expect(hex(Crypto.hmacSHA1(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(
            hex(Crypto.hmacSHA1(key: [UInt8](repeating: 0xaa, count: 80), data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    /// RFC 5869, test cases 1 and 3 (3: empty salt and info).
    @Test func hkdfSHA256() throws {
        let okm = try Crypto.hkdfSHA256(
            ikm: [UInt8](repeating: 0x0b, count: 22), salt: bytes("000102030405060708090a0b0c"),
            info: bytes("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(hex(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        let okm3 = try Crypto.hkdfSHA256(ikm: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [], length: 42)
        #expect(hex(okm3) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    /// RFC 7748, section 6.1.
    @Test func x25519() throws {
        let alice = bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bob = bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        let alicePublic = try Crypto.x25519PublicKey(privateKey: alice)
        let bobPublic = try Crypto.x25519PublicKey(privateKey: bob)
        #expect(hex(alicePublic) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(hex(bobPublic) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(hex(try Crypto.x25519(privateKey: alice, publicKey: bobPublic)) == shared)
        #expect(hex(try Crypto.x25519(privateKey: bob, publicKey: alicePublic)) == shared)
    }

    @Test func x25519RefusesLowOrderPoint() {
        // The all-zero point gives an all-zero shared secret, which age must refuse.
        #expect(throws: (any Error).self) { try Crypto.x25519(privateKey: [UInt8](repeating: 7, count: 32), publicKey: [UInt8](repeating: 0, count: 32)) }
    }

    /// The GCM specification (McGrew & Viega), test case 16, and a 32-byte IV as sops uses.
    @Test func aes256GCM() throws {
        let key = bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let plaintext = bytes("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let sealed = try Crypto.aes256GCMSeal(key: key, iv: bytes("cafebabefacedbaddecaf888"), plaintext: plaintext, aad: aad)
        #expect(hex(sealed.ciphertext) == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")
        #expect(hex(sealed.tag) == "76fc6ece0f4e1768cddf8853bb2d551b")
        let opened = try Crypto.aes256GCMOpen(key: key, iv: bytes("cafebabefacedbaddecaf888"), ciphertext: sealed.ciphertext, tag: sealed.tag, aad: aad)
        #expect(opened == plaintext)

        let iv32 = (0..<32).map { UInt8($0) }
        let long = try Crypto.aes256GCMSeal(key: key, iv: iv32, plaintext: Array("sk_test_value".utf8), aad: Array("stripe:secret_key:".utf8))
        #expect(hex(long.ciphertext + long.tag) == "8c8ba5706653e4662be28155eaffe004c43cedcdf891e93959903fa7a7")
    }

    @Test func aes256GCMRejectsAlteredInput() throws {
        let key = [UInt8](repeating: 1, count: 32), iv = [UInt8](repeating: 2, count: 32)
        let sealed = try Crypto.aes256GCMSeal(key: key, iv: iv, plaintext: Array("value".utf8), aad: Array("a:b:".utf8))
        #expect(throws: CryptoError.authenticationFailed) {
            try Crypto.aes256GCMOpen(key: key, iv: iv, ciphertext: sealed.ciphertext, tag: sealed.tag, aad: Array("a:c:".utf8))
        }
        var flipped = sealed.ciphertext
        flipped[0] ^= 1
        #expect(throws: CryptoError.authenticationFailed) {
            try Crypto.aes256GCMOpen(key: key, iv: iv, ciphertext: flipped, tag: sealed.tag, aad: Array("a:b:".utf8))
        }
        // An empty plaintext still carries a tag that verifies.
        let empty = try Crypto.aes256GCMSeal(key: key, iv: iv, plaintext: [], aad: [])
        #expect(try Crypto.aes256GCMOpen(key: key, iv: iv, ciphertext: empty.ciphertext, tag: empty.tag, aad: []) == [])
    }

    /// RFC 8439, section 2.8.2.
    @Test func chaCha20Poly1305() throws {
        let key = (0x80..<0xa0).map { UInt8($0) }
        let nonce = bytes("070000004041424344454647")
        let aad = bytes("50515253c0c1c2c3c4c5c6c7")
        let plaintext = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
        let sealed = try Crypto.chaChaPolySeal(key: key, nonce: nonce, plaintext: plaintext, aad: aad)
        #expect(
            hex(sealed)
                == "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
                + "1ae10b594f09e26a7e902ecbd0600691")
        #expect(try Crypto.chaChaPolyOpen(key: key, nonce: nonce, sealed: sealed, aad: aad) == plaintext)
        var tampered = sealed
        tampered[tampered.count - 1] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) { try Crypto.chaChaPolyOpen(key: key, nonce: nonce, sealed: tampered, aad: aad) }
    }

    /// RFC 7914, section 12 (the second vector: N = 1024, r = 8, p = 16).
    @Test func scrypt() throws {
        let derived = try Crypto.scrypt(password: Array("password".utf8), salt: Array("NaCl".utf8), logN: 10, r: 8, p: 16, length: 64)
        #expect(hex(derived) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
        #expect(throws: (any Error).self) { try Crypto.scrypt(password: [], salt: [], logN: 40, length: 32) }
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return out
}
