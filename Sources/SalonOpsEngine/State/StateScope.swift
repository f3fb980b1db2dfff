import Foundation

/// What a repository's state (lock, ledger, pending creates, applied commits) is keyed on: the
/// repository as it is, not as it was spelled. `--repo repo`, `repo/`, `./repo` and `repo/.git`
/// are one repository (the real path of its git directory); `https://Host/x.git` and
/// `https://host/x` are one remote; `localhost` is `127.0.0.1` in a target.
public enum StateScope {
    public static func of(repository: String, root: String) -> String {
        canonicalRepository(repository) + "#" + root.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    public static func canonicalRepository(_ repository: String) -> String {
        if repository.contains("://") { return canonicalURL(repository) }
        // scp-like `user@host:path`: a remote too.
        if let colon = repository.firstIndex(of: ":"), !repository[..<colon].contains("/") {
            return canonicalURL("ssh://" + repository.replacingCharacters(in: colon...colon, with: "/"))
        }
        var path = URL(fileURLWithPath: repository).standardizedFileURL.resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        // `worktree/.git` is a file in a linked worktree (and a submodule): the work tree is meant.
        if (path as NSString).lastPathComponent == ".git", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            path = (path as NSString).deletingLastPathComponent
        }
        let dotGit = (path as NSString).appendingPathComponent(".git")
        if FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return URL(fileURLWithPath: dotGit).resolvingSymlinksInPath().path }
            // `gitdir: PATH` (relative to the work tree, or absolute): that git directory.
            if let text = try? String(contentsOfFile: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") {
                let target = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
                let absolute = target.hasPrefix("/") ? target : (path as NSString).appendingPathComponent(target)
                return URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
            }
        }
        return path
    }

    /// Scheme and host lowercased, the default port, `localhost`, a trailing `/` and `.git` folded.
    public static func canonicalURL(_ text: String) -> String {
        guard var parts = URLComponents(string: text) else { return text }
        parts.scheme = parts.scheme?.lowercased()
        parts.host = parts.host.map { $0.lowercased() == "localhost" ? "127.0.0.1" : $0.lowercased() }
        if (parts.scheme == "https" && parts.port == 443) || (parts.scheme == "http" && parts.port == 80) || (parts.scheme == "ssh" && parts.port == 22) {
            parts.port = nil
        }
        parts.user = nil
        parts.password = nil
        var path = parts.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix(".git") { path.removeLast(4) }
        parts.path = path
        return parts.string ?? text
    }
}
