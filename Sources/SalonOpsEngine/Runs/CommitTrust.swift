import Foundation
import SalonOpsGit
import SalonOpsSecrets

/// `--require-signed-by`: a commit is read only when it carries an SSH signature, in the `git`
/// namespace, by a key of the allowed_signers file (whose namespaces include `git` and whose
/// window holds the committer time), that verifies over the commit's bytes. Checked right after
/// the fetch, before anything of the commit is parsed or decrypted (docs/trust.md).
public struct CommitTrustPolicy: Sendable {
    public static let namespace = "git"
    public let allowedSigners: AllowedSigners

    public init(allowedSigners: AllowedSigners) { self.allowedSigners = allowedSigners }

    /// Reads the file (never from the config repository: a commit cannot vouch for itself).
    public init(allowedSignersFile path: String) throws(AllowedSignersError) {
        allowedSigners = try AllowedSigners(contentsOf: path)
    }

    /// The signer's key when the snapshot's commit is trusted; else why not.
    @discardableResult
    public func check(_ snapshot: ConfigSnapshot) throws(CommitTrustError) -> SSHPublicKey {
        let commit = String(snapshot.commit.prefix(12))
        let file = allowedSigners.path
        guard !snapshot.fromWorktree else { throw .worktree(file: file) }
        guard let stored = snapshot.signature else { throw .unsigned(commit: commit, file: file) }
        let signature: SSHSignature
        do { signature = try SSHSignature(armored: stored.armored) } catch {
            if case .notSSH(let kind) = error { throw .notSSH(commit: commit, kind: kind, file: file) }
            throw .malformed(commit: commit, reason: "\(error)")
        }
        let key = signature.publicKey
        guard signature.namespace == Self.namespace else { throw .wrongNamespace(commit: commit, namespace: signature.namespace) }
        let listed = allowedSigners.entries(for: key)
        guard !listed.isEmpty else { throw .unknownKey(commit: commit, key: key, file: file) }
        let forGit = listed.filter { $0.allows(namespace: Self.namespace) }
        guard let first = forGit.first else { throw .keyNotForGit(commit: commit, key: key, file: file, line: listed[0].line, namespaces: listed[0].namespaces ?? "") }
        let time = snapshot.committerTime ?? Date(timeIntervalSince1970: 0)
        guard forGit.contains(where: { $0.isValid(at: time) }) else {
            throw .outsideValidity(commit: commit, key: key, file: file, line: first.line, committed: time, after: first.validAfter, before: first.validBefore)
        }
        let verified: Bool
        do { verified = try signature.verifies(stored.signedPayload) } catch {
            if case .unsupportedKeyType(let type) = error { throw .unsupportedKeyType(commit: commit, type: type, key: key) }
            throw .malformed(commit: commit, reason: "\(error)")
        }
        guard verified else { throw .doesNotVerify(commit: commit, key: key) }
        return key
    }
}

/// Why a commit is not trusted. Each description names the commit, why, and what to do; none
/// carries more of a key than its fingerprint. Exit 3 (refused), like the other refusals.
public enum CommitTrustError: Error, CustomStringConvertible, Equatable, Sendable {
    case worktree(file: String)
    case unsigned(commit: String, file: String)
    /// An OpenPGP or X.509 signature: `kind` says which.
    case notSSH(commit: String, kind: String, file: String)
    case malformed(commit: String, reason: String)
    case wrongNamespace(commit: String, namespace: String)
    case unknownKey(commit: String, key: SSHPublicKey, file: String)
    case keyNotForGit(commit: String, key: SSHPublicKey, file: String, line: Int, namespaces: String)
    case outsideValidity(commit: String, key: SSHPublicKey, file: String, line: Int, committed: Date, after: Date?, before: Date?)
    case unsupportedKeyType(commit: String, type: String, key: SSHPublicKey)
    case doesNotVerify(commit: String, key: SSHPublicKey)

    public var description: String {
        switch self {
        case .worktree(let file):
            "--worktree reads uncommitted files, which carry no signature, so --require-signed-by \(file) cannot trust them: drop one of the two"
        case let .unsigned(commit, file):
            "commit \(commit) is not signed; --require-signed-by \(file) accepts only commits signed by a key it lists (sign with `git -c gpg.format=ssh -c user.signingkey=KEY commit -S`, or `git commit --amend -S` for the last commit)"
        case let .notSSH(commit, kind, file):
            "commit \(commit) carries \(kind); only SSH signatures are checked (sign with gpg.format=ssh and a key listed in \(file))"
        case let .malformed(commit, reason):
            "commit \(commit)'s signature cannot be read: \(reason) (sign the commit again with `git commit --amend -S`)"
        case let .wrongNamespace(commit, namespace):
            "commit \(commit) is signed for the namespace '\(namespace)', not 'git': the signature was not made by git for a commit (sign it again with `git commit --amend -S`)"
        case let .unknownKey(commit, key, file):
            "commit \(commit) is signed by \(key.algorithmName) key \(key.fingerprint), which is not in \(file) (have a listed key sign it, or add that key's line if you trust it)"
        case let .keyNotForGit(commit, key, file, line, namespaces):
            "commit \(commit) is signed by \(key.fingerprint), but \(file):\(line) allows that key only for namespaces=\"\(namespaces)\", not git (add git to its namespaces if it should sign commits)"
        case let .outsideValidity(commit, key, file, line, committed, after, before):
            "commit \(commit) was committed at \(Self.format(committed)), outside the validity of key \(key.fingerprint) (\(file):\(line): \(Self.window(after, before))): have a currently valid key sign it, or renew the key's dates"
        case let .unsupportedKeyType(commit, type, key):
            "commit \(commit) is signed by a \(type) key (\(key.fingerprint)); only ssh-ed25519 signatures are verified (sign with an ed25519 key: `ssh-keygen -t ed25519`)"
        case let .doesNotVerify(commit, key):
            "commit \(commit)'s signature by \(key.fingerprint) does not verify: the commit was changed after it was signed (tampered with, or rewritten without signing again); do not deploy it, and check where it came from"
        }
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func window(_ after: Date?, _ before: Date?) -> String {
        [after.map { "valid-after \(format($0))" }, before.map { "valid-before \(format($0))" }].compactMap { $0 }.joined(separator: ", ")
    }
}
