import Foundation

/// Why a config repository could not be read. Each description is one line saying what failed
/// and what to do; none carries a credential (URLs lose their user-info).
public enum GitSourceError: Error, CustomStringConvertible, Equatable, Sendable {
    case notARepository(path: String)
    /// `suggestions`: close names among branches and tags, best first, at most 3.
    case unknownRef(ref: String, suggestions: [String])
    case unreachableRemote(url: String, reason: String)
    case corruptObject(id: String, reason: String)
    case pathNotFound(path: String, commit: String)
    /// The ref names a tree or a blob (`kind`), which has no commit to read.
    case notACommit(ref: String, kind: String)
    /// --worktree with a bare repository, a URL, or a --ref.
    case worktreeUnavailable(reason: String)
    case libgit2(operation: String, code: Int32, message: String)

    public var description: String {
        let line: String
        switch self {
        case .notARepository(let path):
            line = "'\(path)' is not a git repository: give the root of a work tree, its .git folder, a bare repository, or a URL (check --repo)"
        case let .unknownRef(ref, suggestions) where suggestions.isEmpty && ref == "HEAD":
            line = "HEAD does not point to a commit (empty repository or unborn branch): commit first, or pass --ref"
        case let .unknownRef(ref, suggestions):
            let navigates = ref.contains { "~^@:".contains($0) }
            let hint =
                !suggestions.isEmpty
                ? "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
                : navigates
                    ? "it names no commit (check the name, and that the history goes back that far)"
                    : "no branch, tag or commit has that name"
            line = "unknown ref '\(ref)': \(hint) (list refs with `git show-ref`)"
        case let .unreachableRemote(url, reason):
            line = "cannot fetch \(url): \(reason) (check the URL and the network; https tokens come from SALONOPS_GIT_TOKEN, ssh keys from the agent or SALONOPS_SSH_KEY)"
        case let .corruptObject(id, reason):
            line = "object \(id) is corrupt or missing: \(reason) (run `git fsck` in the repository; for a URL, delete its folder in the cache directory to clone it again)"
        case let .pathNotFound(path, commit):
            line = "no folder '\(path)' at commit \(commit.prefix(12)): check --path (a folder relative to the repository root) and --ref"
        case let .notACommit(ref, kind):
            line = "'\(ref)' is a \(kind), not a commit; pass a branch, tag or commit (e.g. main, v1.0, HEAD~1) to --ref, and a folder to --path"
        case .worktreeUnavailable(let reason):
            line = "--worktree cannot be used: \(reason)"
        case let .libgit2(operation, code, message):
            line = "\(operation) failed: \(message) (libgit2 error \(code))"
        }
        return Redaction.oneLine(Redaction.strippingUserinfo(line))
    }
}

/// Keeping secrets and line breaks out of messages.
enum Redaction {
    /// `https://user:token@host/x` → `https://host/x`, wherever a URL appears in `text`.
    static func strippingUserinfo(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // The authority ends at the first '/', whitespace or quote; user-info ends at its last '@'.
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "'" || $0 == "\"" || $0.isWhitespace } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                rest = rest[rest.index(after: at)...]
            }
        }
        return result + rest
    }

    /// Removes every occurrence of the given secrets (tokens) from a message.
    static func removing(_ secrets: [String], from text: String) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
