import COpenSSL

/// The primitives that sops and age are built from, as pure functions over bytes, all through
/// OpenSSL's EVP interface. Known-answer tests: Tests/SalonOpsSecretsTests/CryptoVectorTests.swift.
public enum Crypto {
    public static func randomBytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { try check(RAND_bytes(&out, Int32(count)), "RAND_bytes") }
        return out
    }

    public static func sha256(_ data: [UInt8]) -> [UInt8] { digest(data, EVP_sha256(), 32) }
    public static func sha512(_ data: [UInt8]) -> [UInt8] { digest(data, EVP_sha512(), 64) }

    private static func digest(_ data: [UInt8], _ md: OpaquePointer?, _ size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        // A one-shot digest over memory cannot fail short of memory exhaustion, where trapping is right.
        let ok = withBytes(data) { EVP_Digest($0, $1, &out, &length, md, nil) }
        precondition(ok == 1 && Int(length) == size, "\(CryptoError.drain("EVP_Digest"))")
        return out
    }

    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        let result = withBytes(key) { keyPointer, keyLength in
            withBytes(data) { dataPointer, dataLength in
                EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, keyPointer, keyLength, dataPointer, dataLength, &out, 32, &length)
            }
        }
        precondition(result != nil && length == 32, "\(CryptoError.drain("HMAC-SHA256"))")
        return out
    }

    /// HMAC-SHA1 (RFC 2104): only for a peer whose signature scheme names it (Groupon's
    /// server-to-server requests); SalonOps' own signatures use SHA-256.
    public static func hmacSHA1(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        var length = 0
        let result = withBytes(key) { keyPointer, keyLength in
            withBytes(data) { dataPointer, dataLength in
                EVP_Q_mac(nil, "HMAC", nil, "SHA1", nil, keyPointer, keyLength, dataPointer, dataLength, &out, 20, &length)
            }
        }
        precondition(result != nil && length == 20, "\(CryptoError.drain("HMAC-SHA1"))")
        return out
    }

    /// HKDF-SHA256 (RFC 5869), extract then expand. An empty salt means "not provided".
    public static func hkdfSHA256(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws -> [UInt8] {
        let context = try PKeyContext(algorithm: EVP_PKEY_HKDF)
        try check(EVP_PKEY_derive_init(context.handle), "HKDF init")
        try check(EVP_PKEY_CTX_set_hkdf_md(context.handle, EVP_sha256()), "HKDF digest")
        if !salt.isEmpty {
            try check(withBytes(salt) { EVP_PKEY_CTX_set1_hkdf_salt(context.handle, $0, Int32($1)) }, "HKDF salt")
        }
        try check(withBytes(ikm) { EVP_PKEY_CTX_set1_hkdf_key(context.handle, $0, Int32($1)) }, "HKDF key")
        if !info.isEmpty {
            try check(withBytes(info) { EVP_PKEY_CTX_add1_hkdf_info(context.handle, $0, Int32($1)) }, "HKDF info")
        }
        return try context.derive(length: length)
    }

    // MARK: X25519

    /// A new random X25519 private key (clamping is applied by the scalar multiplication).
    public static func x25519NewPrivateKey() throws -> [UInt8] { try randomBytes(32) }

    public static func x25519PublicKey(privateKey: [UInt8]) throws -> [UInt8] {
        try PKey(rawPrivateX25519: privateKey).rawPublicKey()
    }

    /// The shared secret; refuses an all-zero result (a low-order peer point), as age requires.
    public static func x25519(privateKey: [UInt8], publicKey: [UInt8]) throws -> [UInt8] {
        let own = try PKey(rawPrivateX25519: privateKey)
        let peer = try PKey(rawPublicX25519: publicKey)
        let context = try PKeyContext(key: own)
        try check(EVP_PKEY_derive_init(context.handle), "X25519 init")
        try check(EVP_PKEY_derive_set_peer(context.handle, peer.handle), "X25519 peer key")
        let shared = try context.derive(length: 32)
        guard shared.count == 32, shared.contains(where: { $0 != 0 }) else {
            throw CryptoError.invalidInput("X25519 gave an all-zero shared secret (low-order public key)")
        }
        return shared
    }

    // MARK: AEADs

    /// AES-256-GCM with an IV of any length (sops uses 32 bytes); the tag is 16 bytes.
    public static func aes256GCMSeal(key: [UInt8], iv: [UInt8], plaintext: [UInt8], aad: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        try aeadSeal(cipher: EVP_aes_256_gcm(), name: "AES-256-GCM", key: key, nonce: iv, plaintext: plaintext, aad: aad)
    }

    public static func aes256GCMOpen(key: [UInt8], iv: [UInt8], ciphertext: [UInt8], tag: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        try aeadOpen(cipher: EVP_aes_256_gcm(), name: "AES-256-GCM", key: key, nonce: iv, ciphertext: ciphertext, tag: tag, aad: aad)
    }

    /// ChaCha20-Poly1305 (RFC 8439): 12-byte nonce; returns ciphertext ‖ 16-byte tag.
    public static func chaChaPolySeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        guard nonce.count == 12 else { throw CryptoError.invalidInput("a ChaCha20-Poly1305 nonce is 12 bytes") }
        let sealed = try aeadSeal(cipher: EVP_chacha20_poly1305(), name: "ChaCha20-Poly1305", key: key, nonce: nonce, plaintext: plaintext, aad: aad)
        return sealed.ciphertext + sealed.tag
    }

    public static func chaChaPolyOpen(key: [UInt8], nonce: [UInt8], sealed: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        guard nonce.count == 12 else { throw CryptoError.invalidInput("a ChaCha20-Poly1305 nonce is 12 bytes") }
        guard sealed.count >= 16 else { throw CryptoError.authenticationFailed }
        return try aeadOpen(
            cipher: EVP_chacha20_poly1305(), name: "ChaCha20-Poly1305", key: key, nonce: nonce,
            ciphertext: Array(sealed.dropLast(16)), tag: Array(sealed.suffix(16)), aad: aad)
    }

    private static func aeadSeal(cipher: OpaquePointer?, name: String, key: [UInt8], nonce: [UInt8], plaintext: [UInt8], aad: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8])
    {
        guard key.count == 32 else { throw CryptoError.invalidInput("a \(name) key is 32 bytes") }
        guard !nonce.isEmpty else { throw CryptoError.invalidInput("a \(name) nonce cannot be empty") }
        let context = try CipherContext()
        // The cipher first, then the IV length, then key and IV: the order OpenSSL needs for non-12-byte IVs.
        try check(EVP_EncryptInit_ex(context.handle, cipher, nil, nil, nil), "\(name) init")
        try check(EVP_CIPHER_CTX_ctrl(context.handle, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonce.count), nil), "\(name) IV length")
        try check(withBytes(key) { k, _ in withBytes(nonce) { n, _ in EVP_EncryptInit_ex(context.handle, nil, nil, k, n) } }, "\(name) key")
        var length: Int32 = 0
        if !aad.isEmpty {
            try check(withBytes(aad) { EVP_EncryptUpdate(context.handle, nil, &length, $0, Int32($1)) }, "\(name) AAD")
        }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var total = 0
        if !plaintext.isEmpty {
            try check(withBytes(plaintext) { EVP_EncryptUpdate(context.handle, &out, &length, $0, Int32($1)) }, "\(name) encrypt")
            total = Int(length)
        }
        try out.withUnsafeMutableBufferPointer { buffer in
            try check(EVP_EncryptFinal_ex(context.handle, buffer.baseAddress! + total, &length), "\(name) final")
        }
        total += Int(length)
        var tag = [UInt8](repeating: 0, count: 16)
        try check(EVP_CIPHER_CTX_ctrl(context.handle, EVP_CTRL_AEAD_GET_TAG, 16, &tag), "\(name) tag")
        return (Array(out.prefix(total)), tag)
    }

    private static func aeadOpen(cipher: OpaquePointer?, name: String, key: [UInt8], nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        guard key.count == 32 else { throw CryptoError.invalidInput("a \(name) key is 32 bytes") }
        guard !nonce.isEmpty else { throw CryptoError.invalidInput("a \(name) nonce cannot be empty") }
        guard tag.count == 16 else { throw CryptoError.authenticationFailed }
        let context = try CipherContext()
        try check(EVP_DecryptInit_ex(context.handle, cipher, nil, nil, nil), "\(name) init")
        try check(EVP_CIPHER_CTX_ctrl(context.handle, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonce.count), nil), "\(name) IV length")
        try check(withBytes(key) { k, _ in withBytes(nonce) { n, _ in EVP_DecryptInit_ex(context.handle, nil, nil, k, n) } }, "\(name) key")
        var length: Int32 = 0
        if !aad.isEmpty {
            try check(withBytes(aad) { EVP_DecryptUpdate(context.handle, nil, &length, $0, Int32($1)) }, "\(name) AAD")
        }
        var out = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var total = 0
        if !ciphertext.isEmpty {
            try check(withBytes(ciphertext) { EVP_DecryptUpdate(context.handle, &out, &length, $0, Int32($1)) }, "\(name) decrypt")
            total = Int(length)
        }
        var tagCopy = tag
        try check(EVP_CIPHER_CTX_ctrl(context.handle, EVP_CTRL_AEAD_SET_TAG, 16, &tagCopy), "\(name) set tag")
        let verified = out.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context.handle, buffer.baseAddress! + total, &length)
        }
        guard verified == 1 else {
            ERR_clear_error()
            throw CryptoError.authenticationFailed
        }
        total += Int(length)
        return Array(out.prefix(total))
    }

    // MARK: scrypt

    /// scrypt (RFC 7914). `logN` is capped at 22 (age's own default limit for reading): 4 GiB of
    /// work memory beyond that would let a hostile file exhaust the machine.
    public static func scrypt(password: [UInt8], salt: [UInt8], logN: Int, r: Int = 8, p: Int = 1, length: Int) throws -> [UInt8] {
        guard (1...22).contains(logN) else { throw CryptoError.invalidInput("scrypt work factor \(logN) is outside 1…22") }
        let n = UInt64(1) << UInt64(logN)
        let maxMemory = 128 * UInt64(r) * n + 128 * UInt64(r) * UInt64(p) + (1 << 20)
        var out = [UInt8](repeating: 0, count: length)
        try check(
            withBytes(password) { pw, pwLength in
                withBytes(salt) { s, sLength in
                    pw.withMemoryRebound(to: CChar.self, capacity: max(pwLength, 1)) { pwChars in
                        EVP_PBE_scrypt(pwChars, pwLength, s, sLength, n, UInt64(r), UInt64(p), maxMemory, &out, length)
                    }
                }
            }, "scrypt")
        return out
    }

    /// Compares in time independent of where the bytes differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return withBytes(a) { pa, count in withBytes(b) { pb, _ in CRYPTO_memcmp(pa, pb, count) == 0 } }
    }
}
