/// A decrypted value that cannot reach a message by accident: every textual form of it is
/// redacted. The only way out is `reveal()`, called where the value is sent to a provider.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let bytes: [UInt8]
    /// HMAC-SHA256 of the value under a key derived from its file's data key, 8 hex characters:
    /// tells that a secret changed without telling what it is.
    public let fingerprint: String

    public init(_ value: [UInt8], fingerprintKey: [UInt8]) {
        bytes = value
        fingerprint = Secret.fingerprint(of: value, key: fingerprintKey)
    }

    public func reveal() -> String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { "<secret \(fingerprint)>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["fingerprint": fingerprint]) }

    /// The fingerprint key for a file: HKDF-SHA256 of its data key, so fingerprints from different
    /// files (or after a rotation) cannot be compared, and the data key is never used directly.
    public static func fingerprintKey(dataKey: [UInt8]) throws -> [UInt8] {
        try Crypto.hkdfSHA256(ikm: dataKey, salt: [], info: Array("salonops secret fingerprint v1".utf8), length: 32)
    }

    public static func fingerprint(of value: [UInt8], key: [UInt8]) -> String {
        Crypto.hmacSHA256(key: key, data: value).prefix(4).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}
