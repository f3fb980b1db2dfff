import Foundation

// The real OpenSSH `ssh-keygen` and `git` as the peers of commit trust: keys made by
// `ssh-keygen -t ed25519`, commits signed by `git commit -S` (which runs `ssh-keygen -Y sign`),
// verdicts cross-checked with `ssh-keygen -Y verify`. Every run is bounded.

/// A key pair `ssh-keygen` made in a test folder (no passphrase).
public struct SSHTestKey: Sendable {
    public let privateKey: URL
    public let publicKey: URL
    /// `ssh-ed25519 AAAA… comment`, the .pub file's line.
    public let publicLine: String
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    public let fingerprint: String

    /// `principal [options] keytype base64`: the key's allowed_signers line.
    public func allowedSignersLine(_ principal: String, options: String? = nil) -> String {
        let fields = publicLine.split(separator: " ").prefix(2).joined(separator: " ")
        return [principal, options, fields].compactMap { $0 }.joined(separator: " ")
    }
}

public enum SSHKeygen {
    public static let path = "/usr/bin/ssh-keygen"

    public static func makeKey(_ name: String, in folder: URL, type: String = "ed25519") async throws -> SSHTestKey {
        let key = folder.appendingPathComponent(name)
        try await checked(["-q", "-t", type, "-N", "", "-C", "\(name)@salonops.invalid", "-f", key.path])
        let publicKey = folder.appendingPathComponent(name + ".pub")
        let line = try String(contentsOf: publicKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await checked(["-l", "-E", "sha256", "-f", publicKey.path])
        let fingerprint = listed.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        return SSHTestKey(privateKey: key, publicKey: publicKey, publicLine: line, fingerprint: fingerprint)
    }

    /// `ssh-keygen -Y sign`: the armored signature of `payload` for `namespace`.
    public static func sign(_ payload: [UInt8], key: SSHTestKey, namespace: String, in folder: URL, extra: [String] = []) async throws -> String {
        let file = folder.appendingPathComponent("payload-\(UUID().uuidString)")
        try Data(payload).write(to: file)
        try await checked(["-Y", "sign", "-f", key.privateKey.path, "-n", namespace] + extra + [file.path])
        return try String(contentsOf: URL(fileURLWithPath: file.path + ".sig"), encoding: .utf8)
    }

    /// `ssh-keygen -Y verify`'s verdict on `signature` over `payload`: whether it exited 0.
    /// `time`: the `verify-time` git passes (the committer time), as YYYYMMDDHHMMSSZ.
    public static func verifies(
        _ payload: [UInt8], signature: String, allowedSigners: URL, principal: String, namespace: String = "git", time: Date? = nil, in folder: URL
    ) async throws -> Bool {
        let id = UUID().uuidString
        let payloadFile = folder.appendingPathComponent("verify-\(id)"), signatureFile = folder.appendingPathComponent("verify-\(id).sig")
        try Data(payload).write(to: payloadFile)
        try Data(signature.utf8).write(to: signatureFile)
        var arguments = ["-Y", "verify", "-f", allowedSigners.path, "-I", principal, "-n", namespace, "-s", signatureFile.path]
        if let time { arguments += ["-O", "verify-time=\(utcStamp(time))"] }
        let result = try await CommandRunner.run(path, arguments, standardInput: payloadFile, timeout: 30)
        return result.status == 0
    }

    public static func utcStamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.string(from: date)
    }

    @discardableResult
    static func checked(_ arguments: [String]) async throws -> String {
        let result = try await CommandRunner.run(path, arguments, timeout: 30)
        guard result.status == 0 else { throw Failed(arguments: arguments, stderr: result.stderr) }
        return result.stdout
    }

    public struct Failed: Error, CustomStringConvertible {
        let arguments: [String]
        let stderr: String
        public var description: String { "ssh-keygen \(arguments.joined(separator: " ")) failed: \(stderr)" }
    }
}

extension GitFixture {
    /// Stages everything and commits, signed by `key` through git's own SSH signing.
    @discardableResult
    public func commitSigned(_ message: String, key: SSHTestKey) async throws -> String {
        try await git("add", "-A")
        try await git("-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.privateKey.path)", "commit", "-q", "--allow-empty", "-S", "-m", message)
        return try await git("rev-parse", "HEAD")
    }

    /// Writes `text` as a commit object (`git hash-object -t commit -w`), unchecked by git's
    /// signing, and points `branch` at it: how a tampered or spliced commit is made.
    @discardableResult
    public func writeCommitObject(_ text: String, branch: String) async throws -> String {
        let file = url.appendingPathComponent(".git/salonops-object-\(UUID().uuidString)")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let id = try await CommandRunner.git(["hash-object", "-t", "commit", "-w", "--stdin"], in: url, standardInput: file)
        try await git("update-ref", "refs/heads/\(branch)", id)
        return id
    }

    /// The raw commit object, as `git cat-file commit` prints it.
    public func rawCommit(_ ref: String) async throws -> String {
        // `git` trims the output's last newline; a commit object ends with its message's.
        try await git("cat-file", "commit", ref) + "\n"
    }
}

extension String {
    /// A commit object's text with a `gpgsig` header (continuation lines indented by one space)
    /// inserted after its last header line, as git writes one.
    public func withSignatureHeader(_ armored: String) -> String {
        let lines = armored.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n")
        let header = "gpgsig " + lines.joined(separator: "\n ")
        guard let end = range(of: "\n\n") else { return self + header + "\n" }
        return String(self[..<end.lowerBound]) + "\n" + header + String(self[end.lowerBound...])
    }
}
