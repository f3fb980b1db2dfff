/// Why a config repository could not be read; each says what failed and what to do, on one line.
public enum GitSourceError: Error, CustomStringConvertible, Equatable, Sendable {
    case notARepository(path: String)
    case unknownRef(ref: String, repository: String, suggestions: [String])
    case unreachableRemote(url: String, reason: String)
    case corruptObject(id: String, reason: String)
    case pathNotFound(path: String, commit: String)
    case worktreeUnavailable(reason: String)
    case libgit2(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .notARepository(let path):
            return "'\(path)' is not a git repository: give the root of a work tree, its .git folder, a bare repository or a URL"
        case let .unknownRef(ref, repository, suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "unknown ref '\(ref)' in \(repository)\(hint) (list refs with `git show-ref`)"
        case let .unreachableRemote(url, reason):
            return "cannot fetch \(url): \(reason) (check the URL and network; https tokens come from SALONOPS_GIT_TOKEN, ssh keys from the agent or SALONOPS_SSH_KEY)"
        case let .corruptObject(id, reason):
            return "object \(id) is corrupt or missing: \(reason) (run `git fsck` in that repository; for a URL, delete its folder in the cache directory to clone it again)"
        case let .pathNotFound(path, commit):
            return "path '\(path)' does not exist at commit \(commit.prefix(12)): check --path and --ref"
        case .worktreeUnavailable(let reason):
            return "--worktree cannot be used here: \(reason)"
        case let .libgit2(operation, code, message):
            return "\(operation) failed: \(message) (libgit2 error \(code))"
        }
    }
}
