import Foundation

/// An X25519 age recipient: "age1…" (bech32, lower-case only).
public struct AgeRecipient: Hashable, Sendable, CustomStringConvertible {
    public let publicKey: [UInt8]

    public init(_ text: String) throws {
        let decoded: (hrp: String, data: [UInt8])
        do { decoded = try Bech32.decode(text) } catch { throw AgeError.badRecipient(error) }
        guard !text.utf8.contains(where: { (0x41...0x5a).contains($0) }) else { throw AgeError.badRecipient(.wrongCase) }
        guard decoded.hrp == "age" else { throw AgeError.badRecipient(.wrongPrefix) }
        guard decoded.data.count == 32 else { throw AgeError.badRecipient(.wrongLength) }
        publicKey = decoded.data
    }

    init(publicKey: [UInt8]) {
        precondition(publicKey.count == 32)
        self.publicKey = publicKey
    }

    public var description: String { Bech32.encode(hrp: "age", data: publicKey) }
}

/// An X25519 age identity. Its secret leaves only through `encoded`: `description`, `debugDescription`
/// and reflection (`dump`) show the recipient only.
public struct AgeIdentity: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let secretKey: [UInt8]
    public let recipient: AgeRecipient

    public init(_ text: String) throws {
        let key = try Self.decode(text, problem: AgeError.badIdentity)
        try self.init(secretKey: key)
    }

    init(secretKey: [UInt8]) throws {
        precondition(secretKey.count == 32)
        self.secretKey = secretKey
        do {
            recipient = AgeRecipient(publicKey: try Crypto.x25519PublicKey(privateKey: secretKey))
        } catch {
            throw AgeError.crypto("deriving the public key of an identity")
        }
    }

    /// Decodes "AGE-SECRET-KEY-1…" to the 32-byte secret, reporting a problem through `problem`.
    static func decode(_ text: String, problem: (AgeKeyEncodingProblem) -> AgeError) throws -> [UInt8] {
        let decoded: (hrp: String, data: [UInt8])
        do { decoded = try Bech32.decode(text) } catch { throw problem(error) }
        guard !text.utf8.contains(where: { (0x61...0x7a).contains($0) }) else { throw problem(.wrongCase) }
        guard decoded.hrp == "AGE-SECRET-KEY-" else { throw problem(.wrongPrefix) }
        guard decoded.data.count == 32 else { throw problem(.wrongLength) }
        return decoded.data
    }

    public static func generate() throws -> AgeIdentity {
        do {
            return try AgeIdentity(secretKey: try Crypto.x25519NewPrivateKey())
        } catch let error as AgeError {
            throw error
        } catch {
            throw AgeError.crypto("generating an X25519 key")
        }
    }

    /// The secret key text, "AGE-SECRET-KEY-1…". The only way to get the secret out.
    public var encoded: String { Bech32.encode(hrp: "AGE-SECRET-KEY-", data: secretKey).uppercased() }

    public var description: String { "AgeIdentity(\(recipient))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["recipient": recipient], displayStyle: .struct) }
}

/// age-keygen style key files (also the content of SOPS_AGE_KEY).
public enum AgeKeyFile {
    /// Identities from the text of an age-keygen style file: one per line, `#` comment lines and
    /// blank lines ignored, CRLF tolerated. Errors name the line number but never quote the line.
    public static func parse(_ text: String) throws -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        var lineNumber = 0
        // Split on LF bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        for rawLine in text.utf8.split(separator: 0x0a, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == 0x0d { line = line.dropLast() }
            while let first = line.first, first == 0x20 || first == 0x09 { line = line.dropFirst() }
            while let last = line.last, last == 0x20 || last == 0x09 || last == 0x0d { line = line.dropLast() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            let trimmed = String(decoding: line, as: UTF8.self)
            let number = lineNumber
            let key = try AgeIdentity.decode(trimmed) { AgeError.badKeyFileLine(line: number, problem: $0) }
            identities.append(try AgeIdentity(secretKey: key))
        }
        guard !identities.isEmpty else { throw AgeError.noIdentitiesInKeyFile }
        return identities
    }

    /// The file text age-keygen writes: "# created: <RFC3339>\n# public key: age1…\nAGE-SECRET-KEY-1…\n".
    public static func render(_ identity: AgeIdentity, created: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "# created: \(formatter.string(from: created))\n# public key: \(identity.recipient)\n\(identity.encoded)\n"
    }
}
