import CLibGit2
import Foundation

/// Recognising URLs, and keeping credentials out of anything printed.
enum RemoteLocation {
    static func isURL(_ text: String) -> Bool {
        if text.contains("://") { return true }
        // scp-like `user@host:path` (a local path with ':' before any '/' is rare; git reads it the same way).
        guard let colon = text.firstIndex(of: ":"), let at = text.firstIndex(of: "@"), at < colon else { return false }
        return !text[..<colon].contains("/")
    }

    static func redacted(_ url: String) -> String {
        guard url.contains("://"), var components = URLComponents(string: url),
              components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }

    /// A stable folder name for a URL: its last path component and a hash of the whole URL.
    static func cacheFolderName(_ url: String) -> String {
        let clean = redacted(url)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs, unlike Hasher.
        for byte in clean.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let last = clean.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? "repository"
        let base = last.hasSuffix(".git") ? String(last.dropLast(4)) : last
        let safe = String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" }.prefix(40))
        return "\(safe.isEmpty ? "repository" : safe)-\(String(hash, radix: 16))"
    }
}

/// Credentials handed to libgit2's callback through its payload pointer, with a bound on
/// attempts: libgit2 calls the callback again after each rejected attempt.
final class CredentialPayload {
    let credentials: GitCredentials
    var attempts = 0

    init(_ credentials: GitCredentials) { self.credentials = credentials }
}

private func acquireCredential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?,
                               _ url: UnsafePointer<CChar>?, _ usernameFromURL: UnsafePointer<CChar>?,
                               _ allowedTypes: UInt32, _ payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let payload else { return GIT_PASSTHROUGH.rawValue }
    let box = Unmanaged<CredentialPayload>.fromOpaque(payload).takeUnretainedValue()
    box.attempts += 1
    guard box.attempts <= 3 else { return GIT_EUSER.rawValue }
    let credentials = box.credentials
    let urlUser = usernameFromURL.map { String(cString: $0) }
    if allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
        let user = urlUser ?? credentials.sshUsername ?? "git"
        if let key = credentials.sshKeyPath {
            return git_credential_ssh_key_new(out, user, nil, key, nil)
        }
        return git_credential_ssh_key_from_agent(out, user)
    }
    if allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = credentials.httpsToken {
        return git_credential_userpass_plaintext_new(out, credentials.httpsUsername ?? urlUser ?? "x-access-token", token)
    }
    if allowedTypes & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
        return git_credential_username_new(out, urlUser ?? credentials.sshUsername ?? "git")
    }
    return GIT_PASSTHROUGH.rawValue
}

/// A bare clone per URL in the cache directory, fetched on every read so a moved ref is seen.
enum RemoteCache {
    static let headsRefspec = "+refs/heads/*:refs/heads/*"
    static let tagsRefspec = "+refs/tags/*:refs/tags/*"

    static func update(url: String, cacheDirectory: String, credentials: GitCredentials) throws -> Repository {
        let folder = (cacheDirectory as NSString).appendingPathComponent(RemoteLocation.cacheFolderName(url))
        if FileManager.default.fileExists(atPath: folder) {
            let repository = try Repository.open(folder)
            try fetch(repository, url: url, credentials: credentials)
            return repository
        }
        // First read: build the clone beside its final place and move it in only once complete,
        // so an interrupted or failed first fetch leaves no half-made cache.
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let staging = folder + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: staging)
        do {
            let repository = try Repository.initBare(staging)
            var remote: OpaquePointer?
            var code = git_remote_create_with_fetchspec(&remote, repository.handle, "origin", url, headsRefspec)
            guard code == 0, let remote else { throw LibGit2.failure("configuring the remote", code) }
            git_remote_free(remote)
            code = git_remote_add_fetch(repository.handle, "origin", tagsRefspec)
            guard code == 0 else { throw LibGit2.failure("configuring the remote", code) }
            try fetch(repository, url: url, credentials: credentials)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        do {
            try FileManager.default.moveItem(atPath: staging, toPath: folder)
        } catch {
            // Another process finished the same clone first: use theirs.
            try? FileManager.default.removeItem(atPath: staging)
            guard FileManager.default.fileExists(atPath: folder) else { throw error }
        }
        return try Repository.open(folder)
    }

    static func fetch(_ repository: Repository, url: String, credentials: GitCredentials) throws {
        var remoteHandle: OpaquePointer?
        let lookup = git_remote_lookup(&remoteHandle, repository.handle, "origin")
        guard lookup == 0, let remoteHandle else { throw LibGit2.failure("opening the cached remote", lookup) }
        let remote = Remote(handle: remoteHandle)

        let payload = CredentialPayload(credentials)
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        options.callbacks.credentials = acquireCredential
        options.callbacks.payload = Unmanaged.passUnretained(payload).toOpaque()
        let code = withExtendedLifetime(payload) {
            git_remote_fetch(remote.handle, nil, &options, "salonops fetch")
        }
        guard code == 0 else {
            let error = LibGit2.lastError()
            let redacted = RemoteLocation.redacted(url)
            // When our callback gives up, libgit2 sets no error of its own: say what happened.
            let reason = payload.attempts > 3 || code == GIT_EAUTH.rawValue
                ? "the server refused the credentials (\(payload.credentials.httpsToken == nil ? "no token given" : "SALONOPS_GIT_TOKEN was rejected"))"
                : error.message.replacingOccurrences(of: url, with: redacted)
            if LibGit2.isCorruption(klass: error.klass) { throw GitSourceError.corruptObject(id: "(fetched pack)", reason: reason) }
            throw GitSourceError.unreachableRemote(url: redacted, reason: reason)
        }
        // Follow the remote's default branch, so reading without --ref means what a clone means.
        var buffer = git_buf()
        if git_remote_default_branch(&buffer, remote.handle) == 0, let pointer = buffer.ptr {
            let branch = String(cString: pointer)
            git_buf_dispose(&buffer)
            _ = git_repository_set_head(repository.handle, branch)
        } else {
            git_buf_dispose(&buffer)
        }
    }
}
