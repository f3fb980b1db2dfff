import COpenSSL

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256", RFC 7518 §3.3) over OpenSSL's EVP_DigestSign and
/// EVP_DigestVerify. The scheme is deterministic: one key and one message give one signature, the
/// same bytes as `openssl dgst -sha256 -sign`. Errors name the problem, never the key's bytes.
public enum RSASignature {
    /// Smaller RSA keys are refused: Google issues 2048-bit keys, and NIST retired 1024-bit ones.
    public static let minimumBits = 2048

    /// An RSA private key from PEM: PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY").
    public final class PrivateKey: @unchecked Sendable {
        // @unchecked: the EVP_PKEY is never changed after loading, and OpenSSL 3 allows an unchanged
        // key to be used from several threads at once (each operation has its own EVP_MD_CTX).
        let key: PKey
        public var bits: Int { key.bits }

        public init(pem: String) throws {
            if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED") {
                throw RSAKeyError.encrypted
            }
            do {
                key = try PKey(privateKeyPEM: pem)
            } catch {
                throw RSAKeyError.malformedPEM(
                    expected: "-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----",
                    detail: "\(error)")
            }
            try RSASignature.requireRSA(key)
        }

        /// The RS256 signature of `message`, as many bytes as the modulus.
        public func sign(_ message: [UInt8]) throws -> [UInt8] {
            let context = try DigestContext()
            var keyContext: OpaquePointer?
            try check(EVP_DigestSignInit(context.handle, &keyContext, EVP_sha256(), nil, key.handle), "RS256 sign init")
            try check(EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING), "RS256 padding")
            var length = Int(EVP_PKEY_get_size(key.handle))
            var signature = [UInt8](repeating: 0, count: length)
            try check(withBytes(message) { EVP_DigestSign(context.handle, &signature, &length, $0, $1) }, "RS256 sign")
            return Array(signature.prefix(length))
        }

        /// The public half as PEM ("BEGIN PUBLIC KEY"), byte for byte what `openssl pkey -pubout` writes.
        public func publicKeyPEM() throws -> String { try key.publicKeyPEM() }
    }

    /// An RSA public key from PEM (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY").
    public final class PublicKey: @unchecked Sendable {
        // @unchecked: as for PrivateKey.
        let key: PKey
        public var bits: Int { key.bits }

        public init(pem: String) throws {
            do {
                key = try PKey(publicKeyPEM: pem)
            } catch {
                throw RSAKeyError.malformedPEM(expected: "-----BEGIN PUBLIC KEY-----", detail: "\(error)")
            }
            try RSASignature.requireRSA(key)
        }

        /// Whether `signature` is this key's RS256 signature of `message`.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) throws -> Bool {
            let context = try DigestContext()
            var keyContext: OpaquePointer?
            try check(EVP_DigestVerifyInit(context.handle, &keyContext, EVP_sha256(), nil, key.handle), "RS256 verify init")
            try check(EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING), "RS256 padding")
            return context.verify(signature, message)
        }
    }

    /// Refuses anything but an RSA key (RSA-PSS keys too: they forbid PKCS#1 v1.5 padding) of at least 2048 bits.
    static func requireRSA(_ key: PKey) throws {
        guard EVP_PKEY_is_a(key.handle, "RSA") == 1 else { throw RSAKeyError.notRSA(type: key.typeName) }
        guard key.bits >= minimumBits else { throw RSAKeyError.tooShort(bits: key.bits) }
    }
}

public enum RSAKeyError: Error, Equatable, CustomStringConvertible {
    /// Not PEM of the expected kind; `detail` is OpenSSL's reason (error codes, never input bytes).
    case malformedPEM(expected: String, detail: String)
    /// A passphrase-protected key: decrypt it first (`openssl pkey -in key.pem -out plain.pem`).
    case encrypted
    case notRSA(type: String)
    case tooShort(bits: Int)

    public var description: String {
        switch self {
        case .malformedPEM(let expected, let detail): return "not a PEM key of the expected kind (\(expected)): \(detail)"
        case .encrypted: return "the private key is encrypted with a passphrase; give it unencrypted (openssl pkey -in KEY -out PLAIN)"
        case .notRSA(let type): return "RS256 needs an RSA key; this key's type is \(type)"
        case .tooShort(let bits): return "the RSA key has \(bits) bits; RS256 here needs at least \(RSASignature.minimumBits)"
        }
    }
}
