import COpenSSL
import Foundation

/// An SSH signature (OpenSSH's PROTOCOL.sshsig), as `ssh-keygen -Y sign` writes it and git
/// stores it in a commit's `gpgsig` header. Only ed25519 signatures are verified (through
/// OpenSSL's EVP); the others parse, so that a refusal can name their key.
public struct SSHSignature: Sendable, Equatable {
    public static let armorBegin = "-----BEGIN SSH SIGNATURE-----"
    public static let armorEnd = "-----END SSH SIGNATURE-----"
    static let magic = Array("SSHSIG".utf8)

    public let publicKey: SSHPublicKey
    /// What the signature is for: `git` for commits, `file` for `ssh-keygen -Y sign -n file`.
    public let namespace: String
    let reserved: [UInt8]
    /// The hash of the message that was signed: `sha512` or `sha256`.
    public let hashAlgorithm: String
    /// The signature's own algorithm (`ssh-ed25519`, `rsa-sha2-512`, …) and its bytes.
    public let signatureAlgorithm: String
    let signatureBytes: [UInt8]

    /// Parses the armored text (surrounding blank lines allowed).
    public init(armored text: String) throws(SSHSignatureError) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.first == Self.armorBegin else { throw .notSSH(kind: Self.armorKind(lines.first ?? "")) }
        guard lines.count >= 2, lines.last == Self.armorEnd else { throw .malformed("the armor has no \(Self.armorEnd) line") }
        guard let blob = Data(base64Encoded: lines.dropFirst().dropLast().joined()) else { throw .malformed("the armor is not base64") }
        try self.init(blob: Array(blob))
    }

    init(blob: [UInt8]) throws(SSHSignatureError) {
        var reader = SSHWireReader(blob)
        guard try reader.fixed(6, "the SSHSIG preamble") == Self.magic else { throw .malformed("it does not start with SSHSIG") }
        let version = try reader.uint32("the version")
        guard version == 1 else { throw .malformed("version \(version) (only 1 exists)") }
        publicKey = try SSHPublicKey(blob: try reader.string("the public key"))
        namespace = try reader.text("the namespace")
        reserved = try reader.string("the reserved field")
        hashAlgorithm = try reader.text("the hash algorithm")
        var signature = SSHWireReader(try reader.string("the signature"))
        guard reader.isAtEnd else { throw .malformed("bytes follow the signature") }
        signatureAlgorithm = try signature.text("the signature algorithm")
        signatureBytes = try signature.string("the signature bytes")
        // An ed25519 signature is exactly its 64 bytes; security keys (sk-…) append flags and a counter.
        guard signature.isAtEnd || signatureAlgorithm.hasPrefix("sk-") else { throw .malformed("bytes follow the signature bytes") }
    }

    /// Whether this signs `payload` with its own public key, for its own namespace. Throws
    /// only for what cannot be checked (an unsupported key type or hash), never for a
    /// signature that is simply wrong.
    public func verifies(_ payload: [UInt8]) throws(SSHSignatureError) -> Bool {
        guard publicKey.type == "ssh-ed25519", let rawKey = publicKey.ed25519Bytes else { throw .unsupportedKeyType(publicKey.type) }
        // The key and the signature must agree on the algorithm, or a signature could be replayed
        // under another scheme.
        guard signatureAlgorithm == "ssh-ed25519" else { return false }
        guard signatureBytes.count == 64 else { return false }
        return try Self.ed25519Verify(signatureBytes, message: try signedMessage(payload), publicKey: rawKey)
    }

    /// `"SSHSIG" || string(namespace) || string(reserved) || string(hash_algorithm) || string(H(payload))`.
    func signedMessage(_ payload: [UInt8]) throws(SSHSignatureError) -> [UInt8] {
        let digest: [UInt8]
        switch hashAlgorithm {
        case "sha512": digest = Crypto.sha512(payload)
        case "sha256": digest = Crypto.sha256(payload)
        default: throw .unsupportedHash(hashAlgorithm)
        }
        return Self.magic + SSHWire.string(namespace) + SSHWire.string(reserved) + SSHWire.string(hashAlgorithm) + SSHWire.string(digest)
    }

    /// Ed25519 (RFC 8032, pure: no pre-hash, so EVP's digest is NULL) through EVP_DigestVerify.
    static func ed25519Verify(_ signature: [UInt8], message: [UInt8], publicKey: [UInt8]) throws(SSHSignatureError) -> Bool {
        do {
            let key = try PKey(rawPublicEd25519: publicKey)
            let context = try DigestContext()
            try check(EVP_DigestVerifyInit(context.handle, nil, nil, nil, key.handle), "Ed25519 verify init")
            return context.verify(signature, message)
        } catch {
            throw .openssl("\(error)")
        }
    }

    /// What a non-SSH armor is, for the refusal.
    static func armorKind(_ firstLine: String) -> String {
        switch firstLine {
        case "-----BEGIN PGP SIGNATURE-----": "an OpenPGP signature"
        case "-----BEGIN SIGNED MESSAGE-----": "an X.509 (gpgsm) signature"
        default: "not an SSH signature"
        }
    }
}

public enum SSHSignatureError: Error, Equatable, CustomStringConvertible {
    /// Another kind of signature (OpenPGP, X.509): `kind` says which.
    case notSSH(kind: String)
    case malformed(String)
    case unsupportedKeyType(String)
    case unsupportedHash(String)
    case openssl(String)

    public var description: String {
        switch self {
        case .notSSH(let kind): "\(kind), not an SSH signature"
        case .malformed(let why): "not a valid SSH signature: \(why)"
        case .unsupportedKeyType(let type): "\(type) signatures are not supported (only ssh-ed25519)"
        case .unsupportedHash(let name): "hash algorithm '\(name)' is not supported (sha512 or sha256)"
        case .openssl(let detail): detail
        }
    }
}
