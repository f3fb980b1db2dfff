import CLibGit2
import Foundation

extension GitSource {
    /// The paths (from the repository root, '/' separated) whose blobs differ between two
    /// commits' trees: libgit2's tree-to-tree diff, no checkout. Both commits must already be in
    /// the repository (for a URL, its cache clone as the last `read` fetched it); nothing is
    /// fetched. A rename lists both paths. Throws only `GitSourceError`.
    public static func changedPaths(_ options: GitSourceOptions, from old: String, to new: String) async throws -> [String] {
        try await LibGit2.runBlocking { try changedPathsBlocking(options, from: old, to: new) }
    }

    static func changedPathsBlocking(_ options: GitSourceOptions, from old: String, to new: String) throws -> [String] {
        let location =
            RemoteLocation.isURL(options.repository)
            ? (options.cacheDirectory as NSString).appendingPathComponent(RemoteLocation.cacheFolderName(options.repository))
            : options.repository
        let repository = try Repository.open(location)
        let oldTree = try repository.tree(ofCommit: old)
        let newTree = try repository.tree(ofCommit: new)
        var handle: OpaquePointer?
        let code = git_diff_tree_to_tree(&handle, repository.handle, oldTree.handle, newTree.handle, nil)
        guard code == 0, let handle else {
            throw LastError.read(code: code, repository: repository).error("diffing \(old.prefix(12))..\(new.prefix(12))")
        }
        let diff = Diff(handle)
        var paths = Set<String>()
        for index in 0..<git_diff_num_deltas(diff.handle) {
            guard let delta = git_diff_get_delta(diff.handle, index) else { continue }
            if let path = LibGit2.string(delta.pointee.old_file.path) { paths.insert(path) }
            if let path = LibGit2.string(delta.pointee.new_file.path) { paths.insert(path) }
        }
        return paths.sorted()
    }
}

extension Repository {
    /// The tree of the commit a full or abbreviated SHA (or any revparse spec) names.
    func tree(ofCommit spec: String) throws -> Tree {
        var objectHandle: OpaquePointer?
        let code = git_revparse_single(&objectHandle, handle, spec)
        guard code == 0, let objectHandle else {
            let error = LastError.read(code: code, repository: self)
            if error.is(GIT_ENOTFOUND) { throw GitSourceError.unknownRef(ref: spec, suggestions: []) }
            throw error.error("resolving '\(spec)'")
        }
        let object = GitObject(objectHandle)
        var peeled: OpaquePointer?
        let peelCode = git_object_peel(&peeled, object.handle, GIT_OBJECT_TREE)
        guard peelCode == 0, let peeled else {
            throw LastError.read(code: peelCode, repository: self).error("reading the tree of '\(spec)'")
        }
        return Tree(peeled)
    }
}

/// Owner of a `git_diff`.
final class Diff {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_diff_free(handle) }
}
