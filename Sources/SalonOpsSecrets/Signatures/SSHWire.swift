import Foundation

/// The SSH wire encoding (RFC 4251 §5) that SSH keys and signatures are made of: big-endian
/// `uint32`, and `string` as a `uint32` length then that many bytes.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func fixed(_ count: Int, _ what: String) throws(SSHSignatureError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else { throw .malformed("it ends inside \(what)") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint32(_ what: String) throws(SSHSignatureError) -> UInt32 {
        try fixed(4, what).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string(_ what: String) throws(SSHSignatureError) -> [UInt8] {
        let length = try uint32("the length of \(what)")
        // A length past the end is refused before any allocation, whatever it claims.
        guard length <= UInt32(bytes.count - offset) else { throw .malformed("\(what) claims \(length) bytes, more than remain") }
        return try fixed(Int(length), what)
    }

    /// A string that must be text (a key type, a namespace, a hash name): ASCII printable only.
    mutating func text(_ what: String) throws(SSHSignatureError) -> String {
        let raw = try string(what)
        guard raw.allSatisfy({ (0x21...0x7e).contains($0) }) || raw.isEmpty else { throw .malformed("\(what) is not printable text") }
        return String(decoding: raw, as: UTF8.self)
    }
}

enum SSHWire {
    static func uint32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    static func string(_ bytes: [UInt8]) -> [UInt8] { uint32(UInt32(bytes.count)) + bytes }
    static func string(_ text: String) -> [UInt8] { string(Array(text.utf8)) }
}

/// An SSH public key as its wire blob (what `authorized_keys` and `allowed_signers` hold in
/// base64), with its type read from the blob itself.
public struct SSHPublicKey: Sendable, Hashable {
    public let type: String
    public let blob: [UInt8]

    public init(blob: [UInt8]) throws(SSHSignatureError) {
        var reader = SSHWireReader(blob)
        type = try reader.text("the key type")
        self.blob = blob
    }

    /// As `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        "SHA256:" + Data(Crypto.sha256(blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// As `ssh-keygen -l` names the algorithm: ED25519, RSA, ECDSA, ED25519-SK…
    public var algorithmName: String {
        switch type {
        case "ssh-ed25519": "ED25519"
        case "ssh-rsa": "RSA"
        case "ssh-dss": "DSA"
        case "sk-ssh-ed25519@openssh.com": "ED25519-SK"
        case "sk-ecdsa-sha2-nistp256@openssh.com": "ECDSA-SK"
        case _ where type.hasPrefix("ecdsa-sha2-"): "ECDSA"
        default: type
        }
    }

    /// The 32 raw bytes of an ed25519 key (`string "ssh-ed25519" || string key`), nil for any other.
    var ed25519Bytes: [UInt8]? {
        var reader = SSHWireReader(blob)
        guard (try? reader.text("the key type")) == "ssh-ed25519", let key = try? reader.string("the ed25519 key"),
            key.count == 32, reader.isAtEnd
        else { return nil }
        return key
    }
}
