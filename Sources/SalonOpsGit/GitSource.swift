import CLibGit2
import Foundation

/// Reads a config repository at a commit (or its work tree) through libgit2: no checkout, no
/// `git` process. Blocking work runs on a thread of its own; the result is plain Swift data.
public enum GitSource {
    /// Throws only `GitSourceError`. Safe to call concurrently, also for one URL (the cache
    /// clone is fetched by one read at a time).
    public static func read(_ options: GitSourceOptions) async throws -> ConfigSnapshot {
        try await LibGit2.runBlocking { try readBlocking(options) }
    }

    /// The whole read, on one thread.
    static func readBlocking(_ options: GitSourceOptions) throws -> ConfigSnapshot {
        let root = ConfigRoot(options.path)
        if RemoteLocation.isURL(options.repository) {
            guard !options.worktree else {
                throw GitSourceError.worktreeUnavailable(
                    reason: "\(RemoteLocation.redacted(options.repository)) is a URL; it works on a local, non-bare clone (point --repo at it)")
            }
            let repository = try RemoteCache.update(url: options.repository, cacheDirectory: options.cacheDirectory, credentials: options.credentials)
            return try CommitReader(repository: repository, options: options, root: root).read(options.spec ?? "HEAD")
        }
        let repository = try Repository.open(options.repository)
        if options.worktree {
            return try WorktreeReader(repository: repository, options: options, root: root).read()
        }
        return try CommitReader(repository: repository, options: options, root: root).read(options.spec ?? "HEAD")
    }
}

extension GitSourceOptions {
    /// `ref`, with "" meaning unset (as `--ref ""` would give).
    var spec: String? { ref.flatMap { $0.isEmpty ? nil : $0 } }
}

/// `--path`, normalised: no leading, trailing or doubled '/', no `.`; `..` is refused (it would
/// leave the tree, or the work tree).
struct ConfigRoot {
    let given: String
    let path: String
    let escapes: Bool

    init(_ given: String?) {
        self.given = given ?? ""
        let parts = self.given.split(separator: "/").filter { $0 != "." }
        path = parts.joined(separator: "/")
        escapes = parts.contains("..")
    }

    /// `relative` (under the root) as a path from the repository root.
    func repositoryPath(_ relative: String) -> String { path.isEmpty ? relative : "\(path)/\(relative)" }
}

/// revparse → peel to a commit → its tree → the sub-tree at the root → blobs.
struct CommitReader {
    let repository: Repository
    let options: GitSourceOptions
    let root: ConfigRoot

    func read(_ spec: String) throws -> ConfigSnapshot {
        let (commit, refName) = try resolve(spec)
        let tree = try rootTree(of: commit)
        var files: [SnapshotFile] = []
        var odbHandle: OpaquePointer?
        let objects = git_repository_odb(&odbHandle, repository.handle) == 0 ? odbHandle.map(ObjectDatabase.init) : nil
        try collect(tree, prefix: "", objects: objects, into: &files)
        files.sort { $0.path < $1.path }
        return ConfigSnapshot(
            repository: options.repository, commit: commit.id, refName: refName, root: root.path,
            fromWorktree: false, files: files, signature: try signature(of: commit),
            committerTime: Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit.handle))))
    }

    /// The commit a spec names, and the ref it names when it names one (`refs/heads/main`;
    /// nil for a SHA, `HEAD~2`, or a detached HEAD).
    func resolve(_ spec: String) throws -> (Commit, String?) {
        var objectHandle: OpaquePointer?
        var referenceHandle: OpaquePointer?
        let code = git_revparse_ext(&objectHandle, &referenceHandle, repository.handle, spec)
        let reference = referenceHandle.map(Reference.init)
        guard code == 0, let objectHandle else {
            throw resolveFailure(spec, LastError.read(code: code, repository: repository))
        }
        let object = GitObject(objectHandle)

        var peeled: OpaquePointer?
        let peelCode = git_object_peel(&peeled, object.handle, GIT_OBJECT_COMMIT)
        guard peelCode == 0, let peeled else {
            let error = LastError.read(code: peelCode, repository: repository)
            // A tree or a blob (`main:config`, `HEAD^{tree}`, a tag of one) is a mistake in the ref,
            // not damage: say so instead of libgit2's "can not be successfully peeled".
            if let kind = Self.nonCommitKind(object) { throw GitSourceError.notACommit(ref: spec, kind: kind) }
            let kind = LibGit2.string(git_object_type2string(object.type)) ?? "object"
            throw error.error("reading '\(spec)' (a \(kind) \(object.id.prefix(12)), not a commit) as a commit")
        }
        let refName = reference?.name.flatMap { $0 == "HEAD" ? nil : $0 }
        return (Commit(peeled), refName)
    }

    /// "tree" or "blob" when `object` is one, or a tag that ends at one.
    static func nonCommitKind(_ object: GitObject) -> String? {
        var target = object
        if object.type == GIT_OBJECT_TAG {
            var peeled: OpaquePointer?
            guard git_object_peel(&peeled, object.handle, GIT_OBJECT_ANY) == 0, let peeled else { return nil }
            target = GitObject(peeled)
        }
        switch target.type {
        case GIT_OBJECT_TREE: return "tree"
        case GIT_OBJECT_BLOB: return "blob"
        default: return nil
        }
    }

    private func resolveFailure(_ spec: String, _ error: LastError) -> GitSourceError {
        if error.isCorruption { return error.error("resolving '\(spec)'") }
        if error.is(GIT_EAMBIGUOUS) {
            return error.error("resolving '\(spec)' (an abbreviated SHA that matches several objects: give more digits)")
        }
        guard error.is(GIT_ENOTFOUND) || error.is(GIT_EINVALIDSPEC) || error.is(GIT_EUNBORNBRANCH) else {
            return error.error("resolving '\(spec)'")
        }
        // Suggest names only when the name itself is unknown, not when `main~40` runs past the root.
        let base = spec.split(maxSplits: 1, whereSeparator: { "~^@:".contains($0) }).first.map(String.init) ?? ""
        let suggestions = base.isEmpty || repository.resolves(base) ? [] : RefSuggestions.closest(to: base, among: repository.referenceShortNames())
        return .unknownRef(ref: spec, suggestions: suggestions)
    }

    private func rootTree(of commit: Commit) throws -> Tree {
        var treeHandle: OpaquePointer?
        let code = git_commit_tree(&treeHandle, commit.handle)
        guard code == 0, let treeHandle else {
            let error = LastError.read(code: code, repository: repository)
            throw error.error("reading the tree of commit \(commit.id)", objectId: LibGit2.hex(git_commit_tree_id(commit.handle)))
        }
        let tree = Tree(treeHandle)
        guard !root.path.isEmpty else { return tree }
        guard !root.escapes else { throw GitSourceError.pathNotFound(path: root.given, commit: commit.id) }

        var entryHandle: OpaquePointer?
        let entryCode = git_tree_entry_bypath(&entryHandle, tree.handle, root.path)
        guard entryCode == 0, let entryHandle else {
            let error = LastError.read(code: entryCode, repository: repository)
            if error.is(GIT_ENOTFOUND) { throw GitSourceError.pathNotFound(path: root.path, commit: commit.id) }
            throw error.error("looking up '\(root.path)' in commit \(commit.id)")
        }
        let entry = TreeEntry(entryHandle)
        guard git_tree_entry_type(entry.handle) == GIT_OBJECT_TREE else {
            throw GitSourceError.pathNotFound(path: root.path, commit: commit.id)
        }
        return try lookupTree(git_tree_entry_id(entry.handle), path: root.path)
    }

    private func lookupTree(_ id: UnsafePointer<git_oid>?, path: String) throws -> Tree {
        var handle: OpaquePointer?
        let code = git_tree_lookup(&handle, repository.handle, id)
        guard code == 0, let handle else { throw objectFailure(code, id: id, kind: "tree", path: path) }
        return Tree(handle)
    }

    /// An object a tree lists cannot be read: damaged, or missing from the object database.
    private func objectFailure(_ code: Int32, id: UnsafePointer<git_oid>?, kind: String, path: String) -> GitSourceError {
        let error = LastError.read(code: code, repository: repository)
        let hex = LibGit2.hex(id)
        if error.is(GIT_ENOTFOUND) {
            return .corruptObject(id: hex, reason: "the \(kind) of '\(path)' is missing from the object database")
        }
        if error.isCorruption, error.rejectedObject == nil {
            return .corruptObject(id: hex, reason: "the \(kind) of '\(path)': \(error.message)")
        }
        return error.error("reading the \(kind) of '\(path)'", objectId: hex)
    }

    /// Depth-first over the tree, reading the blobs `include` accepts (those over the size bound
    /// are listed, not read). Symlinks are listed with their target, never followed; submodules
    /// (commit entries) are skipped: they have no content in this commit.
    private func collect(_ tree: Tree, prefix: String, objects: ObjectDatabase?, into files: inout [SnapshotFile]) throws {
        for index in 0..<git_tree_entrycount(tree.handle) {
            // Entries by index belong to the tree, which outlives this loop.
            guard let entry = git_tree_entry_byindex(tree.handle, index), let name = LibGit2.string(git_tree_entry_name(entry)) else { continue }
            let path = prefix.isEmpty ? name : "\(prefix)/\(name)"
            let id = git_tree_entry_id(entry)
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                try collect(try lookupTree(id, path: root.repositoryPath(path)), prefix: path, objects: objects, into: &files)
            case GIT_OBJECT_BLOB:
                let link = git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK
                // Links are listed whatever their name: the loader says what it does not follow.
                guard link || options.include(path) else { continue }
                if !link, let size = objects?.size(of: id), size > options.maxFileBytes {
                    files.append(SnapshotFile(path: path, repositoryPath: root.repositoryPath(path), contents: [], special: .tooLarge(bytes: size)))
                    continue
                }
                var blobHandle: OpaquePointer?
                let code = git_blob_lookup(&blobHandle, repository.handle, id)
                guard code == 0, let blobHandle else { throw objectFailure(code, id: id, kind: "blob", path: root.repositoryPath(path)) }
                let blob = Blob(blobHandle)
                if link {
                    // A link's blob is its target path.
                    let target = String(decoding: blob.bytes.prefix(4096), as: UTF8.self)
                    files.append(SnapshotFile(path: path, repositoryPath: root.repositoryPath(path), contents: [], special: .symbolicLink(target: target)))
                } else {
                    files.append(SnapshotFile(path: path, repositoryPath: root.repositoryPath(path), contents: blob.bytes))
                }
            default:
                continue
            }
        }
    }
}

/// "Did you mean": close names among the repository's refs, best first.
enum RefSuggestions {
    static func closest(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let wanted = name.lowercased()
        let threshold = max(2, wanted.count / 3)
        let scored = Set(candidates).compactMap { candidate -> (name: String, score: Int)? in
            let lowered = candidate.lowercased()
            let distance = levenshtein(wanted, lowered)
            if distance <= threshold { return (candidate, distance) }
            // `origin/main` typed for a mirrored `main`; or the start of a longer name.
            if wanted.hasSuffix("/" + lowered) { return (candidate, threshold + 1) }
            if wanted.count >= 3 && lowered.hasPrefix(wanted) { return (candidate, threshold + 2) }
            return nil
        }
        return scored.sorted { ($0.score, $0.name) < ($1.score, $1.name) }.prefix(limit).map(\.name)
    }

    static func levenshtein(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
