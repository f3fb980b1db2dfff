/// age v1 (https://age-encryption.org/v1): X25519 and scrypt recipients, binary and armored.
public enum Age {
    static let fileKeySize = 16
    static let chunkSize = 64 * 1024
    static let tagSize = 16
    static let maxScryptWorkFactor = 22
    private static let x25519Label = Array("age-encryption.org/v1/X25519".utf8)
    private static let scryptLabel = Array("age-encryption.org/v1/scrypt".utf8)

    // MARK: Public API

    public static func encrypt(_ plaintext: [UInt8], to recipients: [AgeRecipient], armor: Bool) throws -> [UInt8] {
        guard !recipients.isEmpty else { throw AgeError.noRecipients }
        let fileKey = try random(fileKeySize)
        let stanzas = try recipients.map { try wrapX25519(fileKey: fileKey, to: $0) }
        return try seal(plaintext, fileKey: fileKey, stanzas: stanzas, nonce: try random(16), armor: armor)
    }

    public static func encrypt(_ plaintext: [UInt8], passphrase: [UInt8], logN: Int) throws -> [UInt8] {
        guard (1...maxScryptWorkFactor).contains(logN) else { throw AgeError.scryptWorkFactor(logN: logN) }
        let fileKey = try random(fileKeySize)
        let salt = try random(16)
        let key = try crypto("scrypt") { try Crypto.scrypt(password: passphrase, salt: scryptLabel + salt, logN: logN, length: 32) }
        let body = try crypto("wrapping the file key") { try Crypto.chaChaPolySeal(key: key, nonce: zeroNonce, plaintext: fileKey) }
        let stanza = AgeStanza(type: "scrypt", arguments: [AgeBase64.encodeString(salt), String(logN)], body: body)
        return try seal(plaintext, fileKey: fileKey, stanzas: [stanza], nonce: try random(16), armor: false)
    }

    /// Decrypts a binary or armored file (detected by itself) with the first identity that opens an X25519 stanza.
    public static func decrypt(_ file: [UInt8], identities: [AgeIdentity]) throws -> [UInt8] {
        let binary = try dearmorIfNeeded(file)
        let header = try AgeHeader.parse(binary)
        try checkScryptAlone(header)
        if header.stanzas.contains(where: { $0.type == "scrypt" }) { throw AgeError.passphraseEncrypted }
        let x25519 = try header.stanzas.filter { $0.type == "X25519" }.map(parseX25519Stanza)
        var fileKey: [UInt8]?
        search: for stanza in x25519 {
            for identity in identities {
                if let key = try unwrapX25519(stanza, identity: identity) {
                    fileKey = key
                    break search
                }
            }
        }
        guard let fileKey else { throw AgeError.noIdentityMatched(x25519Stanzas: x25519.count) }
        return try open(binary, header: header, fileKey: fileKey)
    }

    /// Decrypts a file whose only stanza is scrypt; refuses work factors above 2^22.
    public static func decrypt(_ file: [UInt8], passphrase: [UInt8]) throws -> [UInt8] {
        let binary = try dearmorIfNeeded(file)
        let header = try AgeHeader.parse(binary)
        try checkScryptAlone(header)
        guard let stanza = header.stanzas.first, stanza.type == "scrypt" else { throw AgeError.notPassphraseEncrypted }
        guard stanza.arguments.count == 2, let salt = AgeBase64.decode(stanza.arguments[0].utf8, padded: false), salt.count == 16 else {
            throw AgeError.malformedHeader(line: stanza.line, expected: "an scrypt stanza \"-> scrypt <16-byte salt> <work factor>\"")
        }
        let factor = stanza.arguments[1]
        guard let first = factor.utf8.first, first != UInt8(ascii: "0"), factor.utf8.count <= 3,
            factor.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let logN = Int(factor)
        else {
            throw AgeError.malformedHeader(line: stanza.line, expected: "an scrypt work factor in decimal without leading zeros")
        }
        guard logN <= maxScryptWorkFactor else { throw AgeError.scryptWorkFactor(logN: logN) }
        guard stanza.body.count == fileKeySize + tagSize else {
            throw AgeError.malformedHeader(line: stanza.line, expected: "an scrypt stanza body of 32 bytes")
        }
        let key = try crypto("scrypt") { try Crypto.scrypt(password: passphrase, salt: scryptLabel + salt, logN: logN, length: 32) }
        guard let fileKey = try? Crypto.chaChaPolyOpen(key: key, nonce: zeroNonce, sealed: stanza.body) else {
            throw AgeError.wrongPassphrase
        }
        return try open(binary, header: header, fileKey: fileKey)
    }

    // MARK: Writing

    private static let zeroNonce = [UInt8](repeating: 0, count: 12)

    /// Header (with MAC), nonce, STREAM payload; then armor if asked. Internal so tests can build
    /// files with a known file key and extra (grease) stanzas.
    static func seal(_ plaintext: [UInt8], fileKey: [UInt8], stanzas: [AgeStanza], nonce: [UInt8], armor: Bool) throws -> [UInt8] {
        var out = AgeHeader.serializeWithoutMAC(stanzas)
        let mac = try headerMAC(fileKey: fileKey, macInput: out)
        out += Array(" ".utf8) + AgeBase64.encode(mac, padded: false) + [0x0a]
        out += nonce
        let payloadKey = try crypto("deriving the payload key") {
            try Crypto.hkdfSHA256(ikm: fileKey, salt: nonce, info: Array("payload".utf8), length: 32)
        }
        let chunkCount = max(1, (plaintext.count + chunkSize - 1) / chunkSize)
        out.reserveCapacity(out.count + plaintext.count + chunkCount * tagSize)
        for index in 0..<chunkCount {
            let start = index * chunkSize
            let chunk = Array(plaintext[start..<min(start + chunkSize, plaintext.count)])
            let last = index == chunkCount - 1
            out += try crypto("encrypting a payload chunk") {
                try Crypto.chaChaPolySeal(key: payloadKey, nonce: chunkNonce(index, last: last), plaintext: chunk)
            }
        }
        return armor ? AgeArmor.encode(out) : out
    }

    static func wrapX25519(fileKey: [UInt8], to recipient: AgeRecipient) throws -> AgeStanza {
        let ephemeral = try random(32)
        let share = try crypto("X25519") { try Crypto.x25519PublicKey(privateKey: ephemeral) }
        let shared: [UInt8]
        do { shared = try Crypto.x25519(privateKey: ephemeral, publicKey: recipient.publicKey) } catch { throw AgeError.lowOrderRecipient }
        let wrapKey = try crypto("deriving the wrap key") {
            try Crypto.hkdfSHA256(ikm: shared, salt: share + recipient.publicKey, info: x25519Label, length: 32)
        }
        let body = try crypto("wrapping the file key") { try Crypto.chaChaPolySeal(key: wrapKey, nonce: zeroNonce, plaintext: fileKey) }
        return AgeStanza(type: "X25519", arguments: [AgeBase64.encodeString(share)], body: body)
    }

    // MARK: Reading

    private static func dearmorIfNeeded(_ file: [UInt8]) throws -> [UInt8] {
        AgeArmor.looksArmored(file) ? try AgeArmor.decode(file) : file
    }

    private static func checkScryptAlone(_ header: AgeHeader) throws {
        if header.stanzas.contains(where: { $0.type == "scrypt" }) && header.stanzas.count != 1 { throw AgeError.scryptNotAlone }
    }

    private struct X25519Stanza {
        var share: [UInt8]
        var body: [UInt8]
        var line: Int
    }

    private static func parseX25519Stanza(_ stanza: AgeStanza) throws -> X25519Stanza {
        guard stanza.arguments.count == 1, let share = AgeBase64.decode(stanza.arguments[0].utf8, padded: false), share.count == 32 else {
            throw AgeError.malformedHeader(line: stanza.line, expected: "an X25519 stanza with one argument, a 32-byte share in unpadded base64")
        }
        guard stanza.body.count == fileKeySize + tagSize else {
            throw AgeError.malformedHeader(line: stanza.line, expected: "an X25519 stanza body of 32 bytes")
        }
        return X25519Stanza(share: share, body: stanza.body, line: stanza.line)
    }

    /// The file key, or nil when this identity is not the stanza's recipient.
    private static func unwrapX25519(_ stanza: X25519Stanza, identity: AgeIdentity) throws -> [UInt8]? {
        let shared: [UInt8]
        do { shared = try Crypto.x25519(privateKey: identity.secretKey, publicKey: stanza.share) } catch {
            throw AgeError.malformedHeader(line: stanza.line, expected: "an X25519 share that is not a low-order point")
        }
        let wrapKey = try crypto("deriving the wrap key") {
            try Crypto.hkdfSHA256(ikm: shared, salt: stanza.share + identity.recipient.publicKey, info: x25519Label, length: 32)
        }
        return try? Crypto.chaChaPolyOpen(key: wrapKey, nonce: zeroNonce, sealed: stanza.body)
    }

    private static func headerMAC(fileKey: [UInt8], macInput: [UInt8]) throws -> [UInt8] {
        let key = try crypto("deriving the header key") { try Crypto.hkdfSHA256(ikm: fileKey, salt: [], info: Array("header".utf8), length: 32) }
        return Crypto.hmacSHA256(key: key, data: macInput)
    }

    /// Checks the header MAC, then opens the STREAM payload.
    static func open(_ file: [UInt8], header: AgeHeader, fileKey: [UInt8]) throws -> [UInt8] {
        let mac = try headerMAC(fileKey: fileKey, macInput: header.macInput)
        guard Crypto.constantTimeEqual(mac, header.mac) else { throw AgeError.headerMACMismatch }

        let nonceEnd = header.payloadOffset + 16
        guard file.count >= nonceEnd else { throw AgeError.truncatedPayload }
        let nonce = Array(file[header.payloadOffset..<nonceEnd])
        let payloadKey = try crypto("deriving the payload key") {
            try Crypto.hkdfSHA256(ikm: fileKey, salt: nonce, info: Array("payload".utf8), length: 32)
        }
        let fullChunk = chunkSize + tagSize
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(max(0, file.count - nonceEnd))
        var offset = nonceEnd
        var index = 0
        while true {
            let remaining = file.count - offset
            guard remaining >= tagSize else { throw AgeError.truncatedPayload }
            let length = min(remaining, fullChunk)
            let chunk = Array(file[offset..<offset + length])
            let isLastPiece = length == remaining
            if length < fullChunk {
                // A short chunk can only be the final one; it may be empty only if it is the only one.
                if length == tagSize && index > 0 { throw AgeError.emptyFinalChunk }
                guard let opened = try? Crypto.chaChaPolyOpen(key: payloadKey, nonce: chunkNonce(index, last: true), sealed: chunk) else {
                    throw AgeError.chunkAuthenticationFailed(chunk: index)
                }
                return plaintext + opened
            }
            if let opened = try? Crypto.chaChaPolyOpen(key: payloadKey, nonce: chunkNonce(index, last: false), sealed: chunk) {
                guard !isLastPiece else { throw AgeError.lastChunkMissing }
                plaintext += opened
            } else if let opened = try? Crypto.chaChaPolyOpen(key: payloadKey, nonce: chunkNonce(index, last: true), sealed: chunk) {
                guard isLastPiece else { throw AgeError.dataAfterFinalChunk }
                return plaintext + opened
            } else {
                throw AgeError.chunkAuthenticationFailed(chunk: index)
            }
            offset += length
            index += 1
        }
    }

    /// 11-byte big-endian chunk counter, then the last-chunk flag.
    static func chunkNonce(_ index: Int, last: Bool) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        var counter = UInt64(index)
        for position in stride(from: 10, through: 3, by: -1) {
            nonce[position] = UInt8(counter & 0xff)
            counter >>= 8
        }
        nonce[11] = last ? 1 : 0
        return nonce
    }

    // MARK: Helpers

    private static func random(_ count: Int) throws -> [UInt8] {
        try crypto("random bytes") { try Crypto.randomBytes(count) }
    }

    /// Runs a primitive, turning its error into an AgeError that names the operation (CryptoError
    /// descriptions carry OpenSSL reasons, never key material).
    private static func crypto<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as AgeError { throw error } catch {
            throw AgeError.crypto("\(operation): \(error)")
        }
    }
}
