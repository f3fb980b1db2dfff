/// What to read: a repository (path or URL), a ref, a sub-folder, and how.
public struct GitSourceOptions: Sendable {
    /// A local path (work tree root, its `.git`, or a bare repository) or a URL
    /// (`file://`, `https://`, `ssh://`, or scp-like `git@host:path`).
    public var repository: String
    /// Any revparse spec: branch, tag, full or short SHA, `HEAD~n`. Nil: HEAD for a local
    /// repository, the remote's default branch for a URL.
    public var ref: String?
    /// Sub-folder of the tree used as the config root; nil or "" for the whole tree.
    public var path: String?
    /// Read the files on disk (uncommitted changes included) instead of the commit.
    public var worktree: Bool
    /// Where URL repositories are cloned (bare) and then fetched on each read.
    public var cacheDirectory: String
    public var credentials: GitCredentials
    /// Which files to read, by path relative to the config root.
    public var include: @Sendable (String) -> Bool

    public init(repository: String, ref: String? = nil, path: String? = nil, worktree: Bool = false,
                cacheDirectory: String, credentials: GitCredentials = GitCredentials(),
                include: @escaping @Sendable (String) -> Bool = { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }) {
        self.repository = repository
        self.ref = ref
        self.path = path
        self.worktree = worktree
        self.cacheDirectory = cacheDirectory
        self.credentials = credentials
        self.include = include
    }

    /// The config root without leading/trailing slashes or `./`.
    var normalizedPath: String {
        let parts = (path ?? "").split(separator: "/").filter { $0 != "." && !$0.isEmpty }
        return parts.joined(separator: "/")
    }
}

/// How to authenticate to remotes. Never printed: see `description`.
public struct GitCredentials: Sendable, CustomStringConvertible {
    /// https: used as the password of a user/password pair (what git hosts accept for tokens).
    public var httpsToken: String?
    public var httpsUsername: String?
    /// ssh: a private key file; without one, the ssh agent is asked.
    public var sshKeyPath: String?
    public var sshUsername: String?

    public init(httpsToken: String? = nil, httpsUsername: String? = nil, sshKeyPath: String? = nil, sshUsername: String? = nil) {
        self.httpsToken = httpsToken
        self.httpsUsername = httpsUsername
        self.sshKeyPath = sshKeyPath
        self.sshUsername = sshUsername
    }

    /// `SALONOPS_GIT_TOKEN`, `SALONOPS_GIT_USERNAME`, `SALONOPS_SSH_KEY`.
    public static func fromEnvironment(_ environment: [String: String]) -> GitCredentials {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return GitCredentials(httpsToken: value("SALONOPS_GIT_TOKEN"), httpsUsername: value("SALONOPS_GIT_USERNAME"),
                              sshKeyPath: value("SALONOPS_SSH_KEY"), sshUsername: value("SALONOPS_SSH_USERNAME"))
    }

    public var description: String {
        "GitCredentials(token: \(httpsToken == nil ? "none" : "set"), sshKey: \(sshKeyPath ?? "agent"))"
    }
}

/// The files of one commit (or of the work tree), in memory.
public struct ConfigSnapshot: Sendable {
    /// `--repo` as given.
    public let repository: String
    /// Full 40-hex SHA of the commit read (HEAD's in work-tree mode; zeros for an unborn HEAD).
    public let commit: String
    /// The ref the spec resolved through (`refs/heads/main`), nil for a bare SHA or `HEAD~n`.
    public let refName: String?
    /// The config root used ("" for the whole tree).
    public let root: String
    public let fromWorktree: Bool
    /// Sorted by path.
    public let files: [SnapshotFile]
}

public struct SnapshotFile: Sendable, Hashable {
    /// Relative to the config root, '/'-separated.
    public let path: String
    /// Relative to the repository root.
    public let repositoryPath: String
    public let contents: [UInt8]

    public init(path: String, repositoryPath: String, contents: [UInt8]) {
        self.path = path
        self.repositoryPath = repositoryPath
        self.contents = contents
    }
}
