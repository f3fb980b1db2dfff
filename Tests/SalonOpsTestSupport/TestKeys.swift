import Foundation

/// Test keys made by the real openssl CLI, once per test process (generation is the slow part) and
/// held as PEM text; a test that needs files writes them into its own TempFolder.
public struct OpenSSLTestKeys: Sendable {
    public static let openssl = "/usr/bin/openssl"

    /// RSA-2048, PKCS#8 ("BEGIN PRIVATE KEY"), as Google's service-account files hold it.
    public let rsa: String
    /// The same key as PKCS#1 ("BEGIN RSA PRIVATE KEY").
    public let rsaPKCS1: String
    public let rsaPublic: String
    /// A second RSA-2048 key, for "wrong key" cases.
    public let other: String
    public let otherPublic: String
    public let rsa1024: String
    public let rsa1024Public: String
    public let ec: String
    public let ecPublic: String
    /// `rsa` under a passphrase, PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY") and PKCS#1 ("Proc-Type: 4,ENCRYPTED").
    public let rsaEncrypted: String
    public let rsaPKCS1Encrypted: String

    public static let shared = Task<OpenSSLTestKeys, any Error> { try await make() }

    static func make() async throws -> OpenSSLTestKeys {
        let folder = try TempFolder("openssl-keys")
        func run(_ arguments: [String]) async throws {
            let result = try await CommandRunner.run(openssl, arguments, in: folder.url, timeout: 60)
            guard result.status == 0 else { throw OpenSSLFailed(arguments: arguments, stderr: result.stderr) }
        }
        func read(_ name: String) throws -> String { try String(contentsOf: folder.url.appendingPathComponent(name), encoding: .utf8) }
        for (name, bits) in [("rsa", 2048), ("other", 2048), ("rsa1024", 1024)] {
            try await run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", "\(name).pem"])
            try await run(["pkey", "-in", "\(name).pem", "-pubout", "-out", "\(name).pub.pem"])
        }
        try await run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"])
        try await run(["pkey", "-in", "ec.pem", "-pubout", "-out", "ec.pub.pem"])
        try await run(["pkey", "-in", "rsa.pem", "-traditional", "-out", "rsa1.pem"])
        try await run(["pkey", "-in", "rsa.pem", "-aes256", "-passout", "pass:test-only", "-out", "rsa-enc.pem"])
        try await run(["pkey", "-in", "rsa.pem", "-traditional", "-aes256", "-passout", "pass:test-only", "-out", "rsa1-enc.pem"])
        return OpenSSLTestKeys(
            rsa: try read("rsa.pem"), rsaPKCS1: try read("rsa1.pem"), rsaPublic: try read("rsa.pub.pem"),
            other: try read("other.pem"), otherPublic: try read("other.pub.pem"),
            rsa1024: try read("rsa1024.pem"), rsa1024Public: try read("rsa1024.pub.pem"),
            ec: try read("ec.pem"), ecPublic: try read("ec.pub.pem"),
            rsaEncrypted: try read("rsa-enc.pem"), rsaPKCS1Encrypted: try read("rsa1-enc.pem"))
    }

    public struct OpenSSLFailed: Error, CustomStringConvertible {
        public let arguments: [String]
        public let stderr: String
        public var description: String { "openssl \(arguments.joined(separator: " ")) failed: \(stderr)" }
    }
}

/// SplitMix64: seeded bytes for messages, so a failure reproduces.
public struct SeededBytes {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            withUnsafeBytes(of: (z ^ (z >> 31)).littleEndian) { out += $0 }
        }
        return Array(out.prefix(count))
    }
}
