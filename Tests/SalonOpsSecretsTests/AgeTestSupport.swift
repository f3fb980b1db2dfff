import Foundation
import SalonOpsTestSupport
@testable import SalonOpsSecrets

/// SplitMix64: deterministic bytes for plaintexts, so a failure reproduces.
struct AgeSeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

enum AgeTest {
    static let sizes = [0, 1, 65535, 65536, 65537, 200_000]

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = AgeSeededGenerator(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            withUnsafeBytes(of: generator.next().littleEndian) { out += $0 }
        }
        return Array(out.prefix(count))
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a shell line with a bounded wait; throws with stderr when it fails.
    @discardableResult
    static func sh(_ line: String, in directory: URL, timeout: Double = 60) throws -> CommandResult {
        let result = try CommandRunner.run("/bin/sh", ["-c", line], in: directory, timeout: timeout)
        guard result.status == 0 else { throw Failed(line: line, status: result.status, stderr: result.stderr) }
        return result
    }

    struct Failed: Error, CustomStringConvertible {
        let line: String, status: Int32, stderr: String
        var description: String { "`\(line)` exited \(status): \(stderr)" }
    }

    static func write(_ bytes: [UInt8], to url: URL) throws { try Data(bytes).write(to: url) }
    static func read(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// A file with a known file key (for tests that tamper with it or check the key never leaks).
    static func sealed(
        _ plaintext: [UInt8], to recipients: [AgeRecipient], fileKey: [UInt8], extra: [AgeStanza] = [],
        armor: Bool = false
    ) throws -> [UInt8] {
        let stanzas = try recipients.map { try Age.wrapX25519(fileKey: fileKey, to: $0) } + extra
        return try Age.seal(plaintext, fileKey: fileKey, stanzas: stanzas, nonce: Array(repeating: 7, count: 16), armor: armor)
    }

    /// Where the payload (after "--- mac\n") begins.
    static func payloadOffset(_ file: [UInt8]) throws -> Int { try AgeHeader.parse(file).payloadOffset }

    static func error(_ body: () throws -> Any) -> AgeError? {
        do { _ = try body(); return nil } catch let error as AgeError { return error } catch { return .crypto("unexpected \(error)") }
    }
}
