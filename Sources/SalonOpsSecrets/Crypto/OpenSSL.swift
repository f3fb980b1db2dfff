import COpenSSL

/// A failure inside OpenSSL, with OpenSSL's error queue drained into the message (the queue is per
/// thread, so it is read in the same synchronous call that failed).
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    /// An AEAD tag did not verify: wrong key, or the bytes were changed.
    case authenticationFailed
    case invalidInput(String)
    case openssl(operation: String, detail: String)

    public var description: String {
        switch self {
        case .authenticationFailed: return "authentication failed (wrong key, or the data was altered)"
        case .invalidInput(let why): return why
        case .openssl(let operation, let detail): return "OpenSSL: \(operation) failed: \(detail)"
        }
    }

    /// Builds the error for a failed call and empties the thread's OpenSSL error queue, so a
    /// stale entry never explains a later failure.
    static func drain(_ operation: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.withUnsafeBytes { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if reasons.count < 4 { reasons.append(text) }
        }
        return .openssl(operation: operation, detail: reasons.isEmpty ? "no detail from OpenSSL" : reasons.joined(separator: "; "))
    }
}

/// Calls `body` with a pointer to the bytes, never nil (OpenSSL treats a null input pointer as
/// "no data" in some calls and as a different operation in others, e.g. AAD for AEAD updates).
@inline(__always)
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
    if bytes.isEmpty {
        var one: UInt8 = 0
        return try withUnsafePointer(to: &one) { try body($0, 0) }
    }
    return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!, $0.count) }
}

@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
    guard result == 1 else { throw CryptoError.drain(operation()) }
}

/// Owns one `EVP_CIPHER_CTX`.
final class CipherContext {
    let handle: OpaquePointer

    init() throws {
        guard let handle = EVP_CIPHER_CTX_new() else { throw CryptoError.drain("EVP_CIPHER_CTX_new") }
        self.handle = handle
    }

    deinit { EVP_CIPHER_CTX_free(handle) }
}

/// Owns one `EVP_PKEY`.
final class PKey {
    let handle: OpaquePointer

    init(rawPrivateX25519 key: [UInt8]) throws {
        guard key.count == 32 else { throw CryptoError.invalidInput("an X25519 private key is 32 bytes") }
        guard let handle = withBytes(key, { EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, $0, $1) }) else {
            throw CryptoError.drain("loading an X25519 private key")
        }
        self.handle = handle
    }

    init(rawPublicX25519 key: [UInt8]) throws {
        guard key.count == 32 else { throw CryptoError.invalidInput("an X25519 public key is 32 bytes") }
        guard let handle = withBytes(key, { EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, $0, $1) }) else {
            throw CryptoError.drain("loading an X25519 public key")
        }
        self.handle = handle
    }

    init(rawPublicEd25519 key: [UInt8]) throws {
        guard key.count == 32 else { throw CryptoError.invalidInput("an Ed25519 public key is 32 bytes") }
        guard let handle = withBytes(key, { EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0, $1) }) else {
            throw CryptoError.drain("loading an Ed25519 public key")
        }
        self.handle = handle
    }

    /// A private key from PEM, in any form OpenSSL reads (PKCS#8, or an algorithm's traditional one).
    /// The passphrase callback refuses, so an encrypted key fails here instead of prompting on a terminal.
    init(privateKeyPEM pem: String) throws {
        let bio = try MemoryBIO(copying: pem)
        guard let handle = PEM_read_bio_PrivateKey(bio.handle, nil, { _, _, _, _ in 0 }, nil) else {
            throw CryptoError.drain("reading a PEM private key")
        }
        self.handle = handle
    }

    /// A public key from PEM (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY").
    init(publicKeyPEM pem: String) throws {
        let bio = try MemoryBIO(copying: pem)
        guard let handle = PEM_read_bio_PUBKEY(bio.handle, nil, { _, _, _, _ in 0 }, nil) else {
            throw CryptoError.drain("reading a PEM public key")
        }
        self.handle = handle
    }

    /// The public half as PEM (SubjectPublicKeyInfo), as `openssl pkey -pubout` writes it.
    func publicKeyPEM() throws -> String {
        let bio = try MemoryBIO()
        try check(PEM_write_bio_PUBKEY(bio.handle, handle), "writing a PEM public key")
        return String(decoding: bio.contents(), as: UTF8.self)
    }

    /// OpenSSL's name for the key type ("RSA", "EC", "ED25519", …).
    var typeName: String { EVP_PKEY_get0_type_name(handle).map { String(cString: $0) } ?? "unknown" }
    var bits: Int { Int(EVP_PKEY_get_bits(handle)) }

    func rawPublicKey() throws -> [UInt8] {
        var length = 32
        var out = [UInt8](repeating: 0, count: length)
        try check(EVP_PKEY_get_raw_public_key(handle, &out, &length), "reading an X25519 public key")
        return Array(out.prefix(length))
    }

    deinit { EVP_PKEY_free(handle) }
}

/// Owns one `EVP_MD_CTX`.
final class DigestContext {
    let handle: OpaquePointer

    init() throws {
        guard let handle = EVP_MD_CTX_new() else { throw CryptoError.drain("EVP_MD_CTX_new") }
        self.handle = handle
    }

    deinit { EVP_MD_CTX_free(handle) }

    /// `EVP_DigestVerify` on a context set up by `EVP_DigestVerifyInit`: true only for a
    /// signature that verifies. 0 (it does not) and OpenSSL's errors (a wrong-length signature)
    /// both mean "not valid"; the error queue is emptied for the next call.
    func verify(_ signature: [UInt8], _ message: [UInt8]) -> Bool {
        let result = withBytes(signature) { s, sLength in
            withBytes(message) { m, mLength in EVP_DigestVerify(handle, s, sLength, m, mLength) }
        }
        guard result == 1 else {
            ERR_clear_error()
            return false
        }
        return true
    }
}

/// Owns one memory `BIO`.
final class MemoryBIO {
    let handle: OpaquePointer

    /// An empty BIO to write into.
    init() throws {
        guard let handle = BIO_new(BIO_s_mem()) else { throw CryptoError.drain("BIO_new") }
        self.handle = handle
    }

    /// A BIO holding a copy of `text` (key material): OpenSSL's secure-memory variant, which clears
    /// its buffer when freed.
    init(copying text: String) throws {
        guard let handle = BIO_new(BIO_s_secmem()) else { throw CryptoError.drain("BIO_new") }
        self.handle = handle
        var text = text  // withUTF8 is mutating; a native string is written from its own storage, not copied
        let (written, count) = text.withUTF8 { ($0.isEmpty ? 0 : BIO_write(handle, $0.baseAddress, Int32($0.count)), $0.count) }
        guard Int(written) == count else { throw CryptoError.drain("BIO_write") }
    }

    /// Everything not yet read.
    func contents() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(handle)))
        let read = out.isEmpty ? 0 : BIO_read(handle, &out, Int32(out.count))
        return Array(out.prefix(Int(max(read, 0))))
    }

    deinit { BIO_free(handle) }
}

/// Owns one `EVP_PKEY_CTX`.
final class PKeyContext {
    let handle: OpaquePointer

    init(key: PKey) throws {
        guard let handle = EVP_PKEY_CTX_new(key.handle, nil) else { throw CryptoError.drain("EVP_PKEY_CTX_new") }
        self.handle = handle
    }

    init(algorithm: Int32) throws {
        guard let handle = EVP_PKEY_CTX_new_id(algorithm, nil) else { throw CryptoError.drain("EVP_PKEY_CTX_new_id") }
        self.handle = handle
    }

    func derive(length: Int) throws -> [UInt8] {
        var outLength = length
        var out = [UInt8](repeating: 0, count: length)
        try check(EVP_PKEY_derive(handle, &out, &outLength), "EVP_PKEY_derive")
        return Array(out.prefix(outLength))
    }

    deinit { EVP_PKEY_CTX_free(handle) }
}
