import CLibGit2
import Foundation

/// Reads a config repository at a commit through libgit2: no checkout, no `git` process.
public enum GitSource {
    public static func read(_ options: GitSourceOptions) async throws -> ConfigSnapshot {
        try await LibGit2.runBlocking { try readBlocking(options) }
    }

    /// The whole read, on one thread (libgit2 handles and errors are per thread).
    static func readBlocking(_ options: GitSourceOptions) throws -> ConfigSnapshot {
        let repository: Repository
        let displayName: String
        if RemoteLocation.isURL(options.repository) {
            guard !options.worktree else {
                throw GitSourceError.worktreeUnavailable(reason: "\(RemoteLocation.redacted(options.repository)) is a URL; use a local work tree")
            }
            repository = try RemoteCache.update(url: options.repository, cacheDirectory: options.cacheDirectory, credentials: options.credentials)
            displayName = RemoteLocation.redacted(options.repository)
        } else {
            repository = try Repository.open(options.repository)
            displayName = options.repository
        }
        if options.worktree {
            return try WorktreeReader.read(repository, options: options)
        }
        let spec = options.ref ?? "HEAD"
        let (commit, refName) = try resolveCommit(spec, in: repository, displayName: displayName)
        let root = options.normalizedPath
        let tree = try commitTree(commit, root: root, in: repository)
        var files: [SnapshotFile] = []
        try collect(tree, prefix: "", root: root, repository: repository, include: options.include, into: &files)
        files.sort { $0.path < $1.path }
        return ConfigSnapshot(repository: options.repository, commit: commit.id, refName: refName, root: root, fromWorktree: false, files: files)
    }

    /// revparse → peel to a commit; the ref name when the spec names one.
    static func resolveCommit(_ spec: String, in repository: Repository, displayName: String) throws -> (GitObject, String?) {
        var objectHandle: OpaquePointer?
        var referenceHandle: OpaquePointer?
        let code = git_revparse_ext(&objectHandle, &referenceHandle, repository.handle, spec)
        let reference = referenceHandle.map(Reference.init)
        guard code == 0, let objectHandle else {
            let error = LibGit2.lastError()
            if LibGit2.isCorruption(klass: error.klass), code != GIT_ENOTFOUND.rawValue {
                throw GitSourceError.corruptObject(id: spec, reason: error.message)
            }
            if code == GIT_ENOTFOUND.rawValue || code == GIT_EAMBIGUOUS.rawValue || code == GIT_EINVALIDSPEC.rawValue {
                if spec == "HEAD" && referenceNamesAreEmpty(repository) {
                    throw GitSourceError.unknownRef(ref: spec, repository: displayName, suggestions: [])
                }
                let base = spec.split(whereSeparator: { "~^@:".contains($0) }).first.map(String.init) ?? spec
                throw GitSourceError.unknownRef(ref: spec, repository: displayName,
                                                suggestions: closestNames(to: base, among: repository.referenceNames()))
            }
            throw GitSourceError.libgit2(operation: "resolving '\(spec)'", code: code, message: error.message)
        }
        let object = GitObject(handle: objectHandle)
        var peeled: OpaquePointer?
        let peelCode = git_object_peel(&peeled, object.handle, GIT_OBJECT_COMMIT)
        guard peelCode == 0, let peeled else {
            let error = LibGit2.lastError()
            if LibGit2.isCorruption(klass: error.klass) { throw GitSourceError.corruptObject(id: object.id, reason: error.message) }
            throw GitSourceError.libgit2(operation: "'\(spec)' does not name a commit; peeling it", code: peelCode, message: error.message)
        }
        return (GitObject(handle: peeled), reference?.resolvedName)
    }

    static func referenceNamesAreEmpty(_ repository: Repository) -> Bool {
        repository.referenceNames().isEmpty
    }

    /// The commit's tree, or the sub-tree at `root`.
    static func commitTree(_ commit: GitObject, root: String, in repository: Repository) throws -> Tree {
        var treeHandle: OpaquePointer?
        let code = git_commit_tree(&treeHandle, commit.handle)
        guard code == 0, let treeHandle else {
            let error = LibGit2.lastError()
            throw GitSourceError.corruptObject(id: commit.id, reason: "its tree cannot be read: \(error.message)")
        }
        let tree = Tree(handle: treeHandle)
        guard !root.isEmpty else { return tree }
        var entryHandle: OpaquePointer?
        let entryCode = git_tree_entry_bypath(&entryHandle, tree.handle, root)
        guard entryCode == 0, let entryHandle else {
            let error = LibGit2.lastError()
            if entryCode == GIT_ENOTFOUND.rawValue { throw GitSourceError.pathNotFound(path: root, commit: commit.id) }
            throw GitSourceError.libgit2(operation: "looking up '\(root)'", code: entryCode, message: error.message)
        }
        let entry = TreeEntry(handle: entryHandle)
        guard git_tree_entry_type(entry.handle) == GIT_OBJECT_TREE else {
            throw GitSourceError.pathNotFound(path: root + " (a file, not a folder)", commit: commit.id)
        }
        return try lookupTree(git_tree_entry_id(entry.handle), in: repository)
    }

    static func lookupTree(_ id: UnsafePointer<git_oid>, in repository: Repository) throws -> Tree {
        var handle: OpaquePointer?
        let code = git_tree_lookup(&handle, repository.handle, id)
        guard code == 0, let handle else {
            let error = LibGit2.lastError()
            throw GitSourceError.corruptObject(id: LibGit2.hex(id), reason: error.message)
        }
        return Tree(handle: handle)
    }

    /// Depth-first walk of a tree, reading the blobs `include` accepts. Symlinks and submodules
    /// are skipped: they have no content of their own in this commit.
    static func collect(_ tree: Tree, prefix: String, root: String, repository: Repository,
                        include: (String) -> Bool, into files: inout [SnapshotFile]) throws {
        let count = git_tree_entrycount(tree.handle)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree.handle, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            let path = prefix.isEmpty ? name : "\(prefix)/\(name)"
            let id = git_tree_entry_id(entry)!
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                try collect(try lookupTree(id, in: repository), prefix: path, root: root, repository: repository, include: include, into: &files)
            case GIT_OBJECT_BLOB:
                guard git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK, include(path) else { continue }
                var blobHandle: OpaquePointer?
                let code = git_blob_lookup(&blobHandle, repository.handle, id)
                guard code == 0, let blobHandle else {
                    let error = LibGit2.lastError()
                    throw GitSourceError.corruptObject(id: LibGit2.hex(id), reason: "\(path): \(error.message)")
                }
                let blob = Blob(handle: blobHandle)
                files.append(SnapshotFile(path: path, repositoryPath: root.isEmpty ? path : "\(root)/\(path)", contents: blob.bytes))
            default:
                continue
            }
        }
    }

    /// Close matches for a misspelt ref name, best first.
    static func closestNames(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
            if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
            var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
            for i in 1...a.count {
                current[0] = i
                for j in 1...b.count {
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                swap(&previous, &current)
            }
            return previous[b.count]
        }
        let threshold = max(2, name.count / 3)
        let scored = Set(candidates).compactMap { candidate -> (String, Int)? in
            let d = distance(name.lowercased(), candidate.lowercased())
            let prefix = candidate.hasPrefix(name) && name.count >= 3
            return d <= threshold || prefix ? (candidate, d) : nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }
}
