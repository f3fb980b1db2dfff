import Foundation

/// What to read: a repository (path or URL), a ref, a sub-folder, and how.
public struct GitSourceOptions: Sendable {
    /// A local path (the root of a work tree, its `.git`, or a bare repository; not a sub-folder)
    /// or a URL (`file://`, `https://`, `http://`, `ssh://`, or scp-like `git@host:path`).
    public var repository: String
    /// Any revparse spec: branch, tag, full or short SHA, `HEAD~n`. Nil: HEAD for a local
    /// repository, the remote's default branch for a URL.
    public var ref: String?
    /// Sub-folder of the tree used as the config root; nil or "" for the whole tree.
    public var path: String?
    /// Read the files on disk (uncommitted changes included) instead of a commit. Local,
    /// non-bare repositories only.
    public var worktree: Bool
    /// Where URL repositories are cloned (bare) once, then fetched on each read.
    public var cacheDirectory: String
    public var credentials: GitCredentials
    /// Which files to read, by path relative to the config root ('/' separated).
    public var include: @Sendable (String) -> Bool
    /// Files larger than this are listed with their size, not read (a config file is a few
    /// kilobytes; a commit could carry gigabytes).
    public var maxFileBytes: Int = 8 << 20

    /// The default filter: YAML files.
    public static let yamlFiles: @Sendable (String) -> Bool = { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }

    public init(
        repository: String, ref: String? = nil, path: String? = nil, worktree: Bool = false,
        cacheDirectory: String, credentials: GitCredentials = GitCredentials(),
        include: @escaping @Sendable (String) -> Bool = GitSourceOptions.yamlFiles
    ) {
        self.repository = repository
        self.ref = ref
        self.path = path
        self.worktree = worktree
        self.cacheDirectory = cacheDirectory
        self.credentials = credentials
        self.include = include
    }
}

/// How to authenticate to remotes. Printing or dumping it never shows the token.
public struct GitCredentials: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// https: sent as the password of a user/password pair (what git hosts accept for tokens).
    public var httpsToken: String?
    /// https: the user name sent with the token; nil means the URL's user, else "x-access-token".
    public var httpsUsername: String?
    /// ssh: a private key file; without one, the ssh agent is asked.
    public var sshKeyPath: String?
    /// ssh: nil means the user in the URL, else "git".
    public var sshUsername: String?
    /// ssh: the known_hosts file (OpenSSH format, plain host names) that decides which host keys
    /// are trusted, instead of `~/.ssh/known_hosts` (as ssh's `UserKnownHostsFile`). Nil: libgit2
    /// checks `~/.ssh/known_hosts`. Either way an unknown or changed host key is refused.
    public var sshKnownHostsPath: String?

    public init(
        httpsToken: String? = nil, httpsUsername: String? = nil, sshKeyPath: String? = nil, sshUsername: String? = nil,
        sshKnownHostsPath: String? = nil
    ) {
        self.httpsToken = httpsToken
        self.httpsUsername = httpsUsername
        self.sshKeyPath = sshKeyPath
        self.sshUsername = sshUsername
        self.sshKnownHostsPath = sshKnownHostsPath
    }

    /// `SALONOPS_GIT_TOKEN`, `SALONOPS_GIT_USERNAME`, `SALONOPS_SSH_KEY` (and
    /// `SALONOPS_SSH_USERNAME`, `SALONOPS_SSH_KNOWN_HOSTS`); empty values count as unset.
    public static func fromEnvironment(_ environment: [String: String]) -> GitCredentials {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return GitCredentials(
            httpsToken: value("SALONOPS_GIT_TOKEN"), httpsUsername: value("SALONOPS_GIT_USERNAME"),
            sshKeyPath: value("SALONOPS_SSH_KEY"), sshUsername: value("SALONOPS_SSH_USERNAME"),
            sshKnownHostsPath: value("SALONOPS_SSH_KNOWN_HOSTS"))
    }

    public var description: String {
        "GitCredentials(httpsToken: \(httpsToken == nil ? "none" : "<redacted>"), httpsUsername: \(httpsUsername ?? "default"), "
            + "sshKey: \(sshKeyPath ?? "agent"), sshUsername: \(sshUsername ?? "default"), "
            + "sshKnownHosts: \(sshKnownHostsPath ?? "~/.ssh/known_hosts"))"
    }

    // `dump()` and debuggers walk stored properties unless told otherwise.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "httpsToken": httpsToken == nil ? "none" : "<redacted>", "httpsUsername": httpsUsername as Any,
                "sshKeyPath": sshKeyPath as Any, "sshUsername": sshUsername as Any,
                "sshKnownHostsPath": sshKnownHostsPath as Any,
            ])
    }
}

/// The files of one commit (or of the work tree), in memory.
public struct ConfigSnapshot: Sendable, Equatable {
    /// `--repo` as given (a URL may carry credentials: redact before printing).
    public let repository: String
    /// Full 40-hex SHA of the commit read (HEAD's in work-tree mode; zeros for an unborn HEAD).
    public let commit: String
    /// The ref the spec named (`refs/heads/main`, `refs/tags/v1`); nil for a SHA, `HEAD~n` or a
    /// detached HEAD. In work-tree mode, the branch HEAD is on.
    public let refName: String?
    /// The config root used ("" for the whole tree).
    public let root: String
    public let fromWorktree: Bool
    /// Sorted by path.
    public let files: [SnapshotFile]
    /// The commit's signature and the bytes it signs, read with the tree; nil when it is not
    /// signed, and in work-tree mode (files on disk carry no signature).
    public let signature: CommitSignature?
    /// The committer's timestamp (part of the signed bytes), to check a signing key's validity
    /// window against, as git does; nil in work-tree mode.
    public let committerTime: Date?

    public init(
        repository: String, commit: String, refName: String?, root: String, fromWorktree: Bool, files: [SnapshotFile],
        signature: CommitSignature? = nil, committerTime: Date? = nil
    ) {
        self.repository = repository
        self.commit = commit
        self.refName = refName
        self.root = root
        self.fromWorktree = fromWorktree
        self.files = files
        self.signature = signature
        self.committerTime = committerTime
    }
}

public struct SnapshotFile: Sendable, Hashable {
    /// Relative to the config root, '/' separated.
    public let path: String
    /// Relative to the repository root, '/' separated.
    public let repositoryPath: String
    public let contents: [UInt8]
    /// Set when the entry was not read as a file: a symbolic link, or a file over the size
    /// bound (`contents` is then empty).
    public let special: Special?

    public enum Special: Sendable, Hashable {
        case symbolicLink(target: String)
        case tooLarge(bytes: Int)
    }

    public init(path: String, repositoryPath: String, contents: [UInt8], special: Special? = nil) {
        self.path = path
        self.repositoryPath = repositoryPath
        self.contents = contents
        self.special = special
    }
}
