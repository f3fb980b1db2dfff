/// Why a recipient or identity string was refused. Never carries any of the text itself.
public enum AgeKeyEncodingProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case mixedCase
    /// Recipients are lower-case ("age1…"), identities upper-case ("AGE-SECRET-KEY-1…").
    case wrongCase
    case invalidCharacter
    case missingSeparator
    case badChecksum
    case wrongPrefix
    case wrongLength
    case badPadding

    public var description: String {
        switch self {
        case .mixedCase: return "it mixes upper- and lower-case letters"
        case .wrongCase: return "it is in the wrong case (recipients are lower-case \"age1…\", identities upper-case \"AGE-SECRET-KEY-1…\")"
        case .invalidCharacter: return "it contains a character that is not valid in bech32"
        case .missingSeparator: return "it has no bech32 separator \"1\" where one is needed (too short or truncated)"
        case .badChecksum: return "its bech32 checksum does not match (a typo, or the text was truncated or altered)"
        case .wrongPrefix: return "it has the wrong prefix (expected \"age1\" for a recipient, \"AGE-SECRET-KEY-1\" for an identity)"
        case .wrongLength: return "its key is not 32 bytes long"
        case .badPadding: return "its bech32 data has invalid padding bits"
        }
    }
}

/// Which rule of the ASCII armor a file broke.
public enum AgeArmorProblem: Sendable, Equatable, CustomStringConvertible {
    case missingBegin
    case lineTooLong(line: Int)
    /// A line shorter than 64 columns must be the last one before the END line.
    case shortLineNotLast(line: Int)
    case invalidBase64(line: Int)
    case missingEnd
    case dataAfterEnd
    case tooMuchWhitespace

    public var description: String {
        switch self {
        case .missingBegin: return "the first line is not \"-----BEGIN AGE ENCRYPTED FILE-----\""
        case .lineTooLong(let line): return "line \(line) is longer than 64 columns"
        case .shortLineNotLast(let line): return "line \(line) is shorter than 64 columns but is not followed by the END line"
        case .invalidBase64(let line): return "line \(line) is not canonical padded base64"
        case .missingEnd: return "the file ends without the \"-----END AGE ENCRYPTED FILE-----\" line"
        case .dataAfterEnd: return "there is data after the END line"
        case .tooMuchWhitespace: return "too much whitespace around the armor (more than 1024 bytes)"
        }
    }
}

/// What can go wrong reading or writing age: one line each, never quoting a key, identity or file key.
public enum AgeError: Error, Equatable, CustomStringConvertible {
    case noIdentityMatched(x25519Stanzas: Int)
    case headerMACMismatch
    case malformedHeader(line: Int, expected: String)
    case unsupportedVersion
    case notAgeFile
    case badArmor(AgeArmorProblem)
    case truncatedPayload
    case lastChunkMissing
    case dataAfterFinalChunk
    case emptyFinalChunk
    case chunkAuthenticationFailed(chunk: Int)
    case badRecipient(AgeKeyEncodingProblem)
    case badIdentity(AgeKeyEncodingProblem)
    case badKeyFileLine(line: Int, problem: AgeKeyEncodingProblem)
    case noIdentitiesInKeyFile
    case noRecipients
    case lowOrderRecipient
    case scryptNotAlone
    case passphraseEncrypted
    case notPassphraseEncrypted
    case wrongPassphrase
    case scryptWorkFactor(logN: Int)
    case crypto(String)

    public var description: String {
        switch self {
        case .noIdentityMatched(let count):
            let stanzas = count == 1 ? "1 X25519 recipient stanza" : "\(count) X25519 recipient stanzas"
            return "age: no identity matched: the file has \(stanzas) and none of them opens with the given identities"
        case .headerMACMismatch:
            return "age: the header MAC does not match (the header was altered)"
        case .malformedHeader(let line, let expected):
            return "age: malformed header at line \(line): expected \(expected)"
        case .unsupportedVersion:
            return "age: unsupported version line (only \"age-encryption.org/v1\" is supported)"
        case .notAgeFile:
            return "age: not an age file (it does not start with \"age-encryption.org/v1\" or an armor BEGIN line)"
        case .badArmor(let problem):
            return "age: bad armor: \(problem)"
        case .truncatedPayload:
            return "age: the payload is truncated (it ends inside the nonce or inside a chunk's tag)"
        case .lastChunkMissing:
            return "age: the payload ends without its final chunk (the file was truncated)"
        case .dataAfterFinalChunk:
            return "age: there is data after the final payload chunk"
        case .emptyFinalChunk:
            return "age: the final payload chunk is empty but is not the only chunk"
        case .chunkAuthenticationFailed(let chunk):
            return "age: payload chunk \(chunk) failed authentication (the file was altered or truncated)"
        case .badRecipient(let problem):
            return "age: invalid recipient: \(problem)"
        case .badIdentity(let problem):
            return "age: invalid identity: \(problem)"
        case .badKeyFileLine(let line, let problem):
            return "age: invalid identity at line \(line) of the key file: \(problem)"
        case .noIdentitiesInKeyFile:
            return "age: the key file holds no identities"
        case .noRecipients:
            return "age: no recipients to encrypt to"
        case .lowOrderRecipient:
            return "age: the recipient's public key is a low-order point (no shared secret is possible)"
        case .scryptNotAlone:
            return "age: an scrypt (passphrase) stanza must be the only stanza in the header"
        case .passphraseEncrypted:
            return "age: the file is passphrase-encrypted, but identities were given"
        case .notPassphraseEncrypted:
            return "age: the file is not passphrase-encrypted (it has no scrypt stanza)"
        case .wrongPassphrase:
            return "age: incorrect passphrase"
        case .scryptWorkFactor(let logN):
            return "age: scrypt work factor 2^\(logN) is outside the accepted range 2^1…2^22"
        case .crypto(let detail):
            return "age: cryptographic operation failed: \(detail)"
        }
    }
}
