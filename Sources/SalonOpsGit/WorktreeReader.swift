import CLibGit2
import Foundation

/// `--worktree`: the files as they are on disk under the config root, tracked or not, minus what
/// git ignores; for pre-commit hooks, where the commit does not exist yet. Like git, a tracked
/// file counts even when an ignore rule matches it, and nested repositories are left out.
struct WorktreeReader {
    let repository: Repository
    let options: GitSourceOptions
    let root: ConfigRoot

    func read() throws -> ConfigSnapshot {
        guard options.spec == nil else {
            throw GitSourceError.worktreeUnavailable(reason: "it reads the files on disk, so --ref does not apply: drop one of them")
        }
        guard !repository.isBare, let workdir = repository.workdir else {
            throw GitSourceError.worktreeUnavailable(reason: "'\(options.repository)' is a bare repository and has no work tree")
        }
        let (commit, refName) = head()
        let base = root.path.isEmpty ? workdir : (workdir as NSString).appendingPathComponent(root.path)
        // A real folder inside the work tree: `..` or a symlinked root would read files from elsewhere.
        guard !root.escapes, Self.kind(of: base) == .directory else {
            throw GitSourceError.pathNotFound(path: root.path.isEmpty || root.escapes ? root.given : root.path, commit: commit)
        }
        var indexHandle: OpaquePointer?
        let index = git_repository_index(&indexHandle, repository.handle) == 0 ? indexHandle.map(Index.init) : nil

        var files: [SnapshotFile] = []
        try walk(base, prefix: "", index: index, into: &files)
        files.sort { $0.path < $1.path }
        return ConfigSnapshot(
            repository: options.repository, commit: commit, refName: refName, root: root.path,
            fromWorktree: true, files: files)
    }

    /// HEAD's commit and branch without reading any object; zeros for an unborn branch, no
    /// branch name when HEAD is detached.
    private func head() -> (commit: String, refName: String?) {
        var id = git_oid()
        let commit =
            git_reference_name_to_id(&id, repository.handle, "HEAD") == 0
            ? LibGit2.hex(&id) : String(repeating: "0", count: Int(GIT_OID_HEXSZ))
        var headHandle: OpaquePointer?
        guard git_reference_lookup(&headHandle, repository.handle, "HEAD") == 0, let headHandle else { return (commit, nil) }
        let head = Reference(headHandle)
        return (commit, LibGit2.string(git_reference_symbolic_target(head.handle)))
    }

    private func walk(_ directory: String, prefix: String, index: Index?, into files: inout [SnapshotFile]) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw GitSourceError.libgit2(operation: "listing '\(directory)'", code: -1, message: error.localizedDescription)
        }
        for name in names where name != ".git" {
            let path = prefix.isEmpty ? name : "\(prefix)/\(name)"
            let repositoryPath = root.repositoryPath(path)
            let absolute = (directory as NSString).appendingPathComponent(name)
            switch Self.kind(of: absolute) {
            case .directory:
                // A nested repository or submodule: its files are not this tree's.
                if FileManager.default.fileExists(atPath: (absolute as NSString).appendingPathComponent(".git")) { continue }
                if isIgnored(repositoryPath + "/") && !tracksAnything(under: repositoryPath + "/", in: index) { continue }
                try walk(absolute, prefix: path, index: index, into: &files)
            case .file(let size):
                guard options.include(path) else { continue }
                if isIgnored(repositoryPath) && !isTracked(repositoryPath, in: index) { continue }
                if size > options.maxFileBytes {
                    files.append(SnapshotFile(path: path, repositoryPath: repositoryPath, contents: [], special: .tooLarge(bytes: size)))
                    continue
                }
                guard let data = FileManager.default.contents(atPath: absolute) else {
                    throw GitSourceError.libgit2(operation: "reading '\(repositoryPath)' from the work tree", code: -1, message: "the file cannot be read")
                }
                files.append(SnapshotFile(path: path, repositoryPath: repositoryPath, contents: Array(data)))
            case .symbolicLink:
                if isIgnored(repositoryPath) && !isTracked(repositoryPath, in: index) { continue }
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: absolute)) ?? "?"
                files.append(SnapshotFile(path: path, repositoryPath: repositoryPath, contents: [], special: .symbolicLink(target: target)))
            case .other:
                continue  // sockets, fifos
            }
        }
    }

    private func isIgnored(_ repositoryPath: String) -> Bool {
        var ignored: Int32 = 0
        return git_ignore_path_is_ignored(&ignored, repository.handle, repositoryPath) == 0 && ignored == 1
    }

    private func isTracked(_ repositoryPath: String, in index: Index?) -> Bool {
        guard let index else { return false }
        return git_index_get_bypath(index.handle, repositoryPath, 0) != nil
    }

    private func tracksAnything(under folder: String, in index: Index?) -> Bool {
        guard let index else { return false }
        var position = 0
        return git_index_find_prefix(&position, index.handle, folder) == 0
    }

    enum Kind: Equatable { case directory, file(size: Int), symbolicLink, other }

    /// What is at `path` itself, not following a symlink.
    static func kind(of path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .other }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file(size: Int(info.st_size))
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }
}
