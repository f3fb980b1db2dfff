import CLibGit2
import Foundation

/// `--worktree`: the files as they are on disk under the config root, tracked or not, minus
/// what .gitignore excludes; for pre-commit hooks, where the commit does not exist yet.
enum WorktreeReader {
    static func read(_ repository: Repository, options: GitSourceOptions) throws -> ConfigSnapshot {
        guard options.ref == nil else {
            throw GitSourceError.worktreeUnavailable(reason: "it reads the files on disk, so --ref does not apply; drop one of them")
        }
        guard !repository.isBare, let workdir = repository.workdir else {
            throw GitSourceError.worktreeUnavailable(reason: "\(options.repository) is a bare repository and has no work tree")
        }
        // HEAD's commit names what the changes sit on; an unborn HEAD has none yet.
        var commit = String(repeating: "0", count: 40)
        var refName: String?
        var objectHandle: OpaquePointer?
        var referenceHandle: OpaquePointer?
        if git_revparse_ext(&objectHandle, &referenceHandle, repository.handle, "HEAD") == 0, let objectHandle {
            let object = GitObject(handle: objectHandle)
            commit = object.id
            refName = referenceHandle.map(Reference.init)?.resolvedName
        } else if let referenceHandle {
            git_reference_free(referenceHandle)
        }

        let root = options.normalizedPath
        let base = URL(fileURLWithPath: workdir).appendingPathComponent(root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GitSourceError.pathNotFound(path: root, commit: commit)
        }
        var files: [SnapshotFile] = []
        let keys: [URLResourceKey] = [.isDirectoryKey, .isSymbolicLinkKey]
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: keys) else { return snapshot() }
        let workdirPath = URL(fileURLWithPath: workdir).standardizedFileURL.path
        for case let url as URL in enumerator {
            let values = try? url.resourceValues(forKeys: Set(keys))
            let absolute = url.standardizedFileURL.path
            guard absolute.hasPrefix(workdirPath) else { continue }
            let repositoryPath = String(absolute.dropFirst(workdirPath.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if values?.isDirectory == true {
                if url.lastPathComponent == ".git" || repository.isIgnored(repositoryPath + "/") { enumerator.skipDescendants() }
                continue
            }
            if values?.isSymbolicLink == true || repository.isIgnored(repositoryPath) { continue }
            let path = root.isEmpty ? repositoryPath : String(repositoryPath.dropFirst(root.count + 1))
            guard options.include(path) else { continue }
            let data = try Data(contentsOf: url)
            files.append(SnapshotFile(path: path, repositoryPath: repositoryPath, contents: Array(data)))
        }
        files.sort { $0.path < $1.path }
        return snapshot()

        func snapshot() -> ConfigSnapshot {
            ConfigSnapshot(repository: options.repository, commit: commit, refName: refName, root: root, fromWorktree: true, files: files)
        }
    }
}
