import CLibGit2
import Foundation

/// Telling URLs from paths, naming cache folders, and keeping credentials out of messages.
enum RemoteLocation {
    static func isURL(_ text: String) -> Bool {
        if text.contains("://") { return true }
        // scp-like `[user@]host:path`, read as git reads it: a ':' before any '/'. An existing
        // local path wins, so a folder named `a:b` still opens.
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, !text[..<colon].contains("/") else { return false }
        return !FileManager.default.fileExists(atPath: text)
    }

    static func redacted(_ url: String) -> String { Redaction.strippingUserinfo(url) }

    /// The password part of a URL's user-info, to scrub from libgit2's messages.
    static func secrets(in url: String) -> [String] {
        guard url.contains("://"), let components = URLComponents(string: url) else { return [] }
        return [components.password, components.percentEncodedPassword].compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// A stable folder name for a URL: its last path component and a short hash of the URL without
    /// user-info (the same repository with other credentials shares the cache).
    static func cacheFolderName(_ url: String) -> String {
        let clean = redacted(url)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs and machines, unlike Hasher
        for byte in clean.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let last = clean.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? ""
        let base = last.hasSuffix(".git") ? String(last.dropLast(4)) : last
        let safe = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "-" }.prefix(40))
        let hex = String(hash, radix: 16)
        let shortHash = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return "\(safe.isEmpty || safe.hasPrefix(".") ? "repository" : safe)-\(shortHash.prefix(12))"
    }
}

/// What the credentials and host-key callbacks need, passed through libgit2's payload pointer,
/// and what they saw (to explain a failure). libgit2 calls the credentials callback again after
/// each refused attempt, so it gives up once a kind of credential has been refused, and after a
/// few calls in any case. Used by one fetch, on the thread that runs it.
final class CredentialState {
    static let maximumCalls = 4
    let credentials: GitCredentials
    /// The URL's ssh port, to find `[host]:port` entries in a known_hosts file.
    let sshPort: Int
    var calls = 0
    var offered: Set<UInt32> = []
    var refused = false
    var missing: String?
    /// Why the ssh host key was not trusted, when our known_hosts check refused it.
    var untrustedHost: String?

    init(_ credentials: GitCredentials, url: String) {
        self.credentials = credentials
        sshPort = url.contains("://") ? URLComponents(string: url)?.port ?? 22 : 22
    }

    var offeredSSHKey: Bool { offered.contains(GIT_CREDENTIAL_SSH_KEY.rawValue) }
}

private func acquireCredential(
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?,
    _ url: UnsafePointer<CChar>?, _ usernameFromURL: UnsafePointer<CChar>?,
    _ allowedTypes: UInt32, _ payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
    let state = Unmanaged<CredentialState>.fromOpaque(payload).takeUnretainedValue()
    let credentials = state.credentials
    let urlUser = LibGit2.string(usernameFromURL).flatMap { $0.isEmpty ? nil : $0 }
    state.calls += 1

    func offer(_ type: git_credential_t, _ make: () -> Int32) -> Int32 {
        // Asked again for what we already gave: the server refused it, and it will not change.
        guard !state.offered.contains(type.rawValue), state.calls <= CredentialState.maximumCalls else {
            state.refused = true
            git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "the server refused the credentials")
            return GIT_EAUTH.rawValue
        }
        state.offered.insert(type.rawValue)
        return make()
    }

    if allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
        let user = credentials.sshUsername ?? urlUser ?? "git"
        if let key = credentials.sshKeyPath {
            guard FileManager.default.isReadableFile(atPath: key) else {
                state.missing = "an ssh key, and SALONOPS_SSH_KEY names no readable file ('\(key)')"
                return GIT_PASSTHROUGH.rawValue
            }
            return offer(GIT_CREDENTIAL_SSH_KEY) { git_credential_ssh_key_new(out, user, nil, key, nil) }
        }
        // libssh2 finds the agent through SSH_AUTH_SOCK; without it there is nothing to ask.
        guard let socket = getenv("SSH_AUTH_SOCK"), socket.pointee != 0 else {
            state.missing = "an ssh key, and none was given (set SALONOPS_SSH_KEY, or run an ssh agent: SSH_AUTH_SOCK is not set)"
            return GIT_PASSTHROUGH.rawValue
        }
        return offer(GIT_CREDENTIAL_SSH_KEY) { git_credential_ssh_key_from_agent(out, user) }
    }
    if allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
        guard let token = credentials.httpsToken else {
            state.missing = "a token, and none was given (set SALONOPS_GIT_TOKEN)"
            return GIT_PASSTHROUGH.rawValue
        }
        let user = credentials.httpsUsername ?? urlUser ?? "x-access-token"
        return offer(GIT_CREDENTIAL_USERPASS_PLAINTEXT) { git_credential_userpass_plaintext_new(out, user, token) }
    }
    if allowedTypes & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
        let user = credentials.sshUsername ?? urlUser ?? "git"
        return offer(GIT_CREDENTIAL_USERNAME) { git_credential_username_new(out, user) }
    }
    state.missing = "a kind of credential SalonOps does not provide (allowed types \(allowedTypes))"
    return GIT_PASSTHROUGH.rawValue
}

/// The ssh host key check. Without `sshKnownHostsPath`, libgit2's own verdict stands (it checks
/// `~/.ssh/known_hosts` and refuses an unknown or changed key). With it, that file decides.
/// TLS certificates are always libgit2's (the system's CA store).
private func checkHostKey(
    _ cert: UnsafeMutablePointer<git_cert>?, _ valid: Int32, _ host: UnsafePointer<CChar>?,
    _ payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let cert, let payload, cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
    let state = Unmanaged<CredentialState>.fromOpaque(payload).takeUnretainedValue()
    guard let file = state.credentials.sshKnownHostsPath else { return GIT_PASSTHROUGH.rawValue }
    let hostKey = UnsafeMutableRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
    let name = KnownHosts.entryName(host: LibGit2.string(host) ?? "", port: state.sshPort)
    guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
        state.untrustedHost = "libssh2 gave no host key for \(name) to check against \(file)"
        git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), state.untrustedHost)
        return GIT_ECERTIFICATE.rawValue
    }
    let key = Array(UnsafeRawBufferPointer(start: raw, count: hostKey.hostkey_len))
    switch KnownHosts.check(key: key, for: name, inFile: file) {
    case .trusted:
        return 0
    case .untrusted(let reason):
        state.untrustedHost = reason
        git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), reason)
        return GIT_ECERTIFICATE.rawValue
    }
}

/// An OpenSSH known_hosts file, read as ssh reads it for one host: lines `names keytype base64`,
/// names comma separated, `[host]:port` for a port other than 22, `@revoked` lines refusing a key.
/// Hashed names (`|1|…`, `ssh-keyscan -H`), wildcards and `@cert-authority` are not supported:
/// such lines never match.
enum KnownHosts {
    enum Verdict: Equatable {
        case trusted
        case untrusted(String)
    }

    static func entryName(host: String, port: Int) -> String { port == 22 ? host : "[\(host)]:\(port)" }

    /// `key`: the host key as the ssh protocol sends it (the blob known_hosts holds in base64).
    static func check(key: [UInt8], for name: String, inFile file: String) -> Verdict {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            return .untrusted("the known_hosts file '\(file)' (SALONOPS_SSH_KNOWN_HOSTS) cannot be read")
        }
        // A revoked key is refused wherever its line stands, so read every line first.
        var listed = false, trusted = false
        for line in text.split(whereSeparator: \.isNewline) {
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            let revoked = first == "@revoked"
            if first.hasPrefix("@") { fields.removeFirst() }
            guard fields.count >= 3, first == "@revoked" || !first.hasPrefix("@"),
                fields[0].split(separator: ",").contains(where: { $0.lowercased() == name.lowercased() })
            else { continue }
            let matches = Data(base64Encoded: fields[2]).map { Array($0) == key } ?? false
            if revoked && matches { return .untrusted("the host key of \(name) is revoked in \(file)") }
            if !revoked { listed = true }
            if !revoked && matches { trusted = true }
        }
        if trusted { return .trusted }
        return .untrusted(
            listed
                ? "the host key of \(name) does not match the one in \(file) (the key changed, or another host answers)"
                : "\(name) is not in \(file) (check the server's fingerprint, then add it: ssh-keyscan -p PORT HOST >> FILE)")
    }
}

/// A lock per cache folder: reads of one URL in one process (the daemon) take turns at cloning
/// and fetching, which would otherwise trip over each other's ref locks.
private final class FolderLocks: @unchecked Sendable {
    // @unchecked: the dictionary is only touched under `lock`.
    private let lock = NSLock()
    private var locks: [String: NSLock] = [:]

    func lock(for folder: String) -> NSLock {
        lock.withLock {
            if let existing = locks[folder] { return existing }
            let created = NSLock()
            locks[folder] = created
            return created
        }
    }
}

private let folderLocks = FolderLocks()
private let fetchers = Fetchers()

/// The repository and remote handles one cache folder is fetched through, kept for the process.
/// libgit2 1.5.1 (Debian bookworm's) leaks about 80 kB for every remote it creates and frees,
/// whatever the transport (a C reproduction is in docs/reliability.md); a daemon fetching every
/// few minutes piled it up. Fetching again through the same remote leaks nothing.
final class Fetcher: @unchecked Sendable {
    // @unchecked: used only by the thread holding its folder's lock (FolderLocks), one at a time.
    let repository: Repository
    let remote: Remote

    init(repository: Repository, remote: Remote) {
        self.repository = repository
        self.remote = remote
    }
}

/// One `Fetcher` per cache folder; the caller holds the folder's lock.
final class Fetchers: @unchecked Sendable {
    // @unchecked: the map is only touched under `lock`.
    private var byFolder: [String: Fetcher] = [:]
    private let lock = NSLock()

    func fetcher(for folder: String, url: String) throws -> Fetcher {
        if let known = lock.withLock({ byFolder[folder] }) { return known }
        let repository = try Repository.open(folder)
        let made = Fetcher(repository: repository, remote: try RemoteCache.origin(of: repository, url: url))
        lock.withLock { byFolder[folder] = made }
        return made
    }

    func drop(_ folder: String) { _ = lock.withLock { byFolder.removeValue(forKey: folder) } }
}

/// One bare clone per URL in the cache directory, fetched on every read so a moved ref is seen.
/// Branches and tags are mirrored (`refs/heads/*`, `refs/tags/*`, pruned), so a ref names the
/// same thing as on the remote, and HEAD follows the remote's default branch.
enum RemoteCache {
    static let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    static func update(url: String, cacheDirectory: String, credentials: GitCredentials) throws -> Repository {
        let folder = (cacheDirectory as NSString).appendingPathComponent(RemoteLocation.cacheFolderName(url))
        let lock = folderLocks.lock(for: folder)
        lock.lock()
        defer { lock.unlock() }

        if FileManager.default.fileExists(atPath: folder) {
            do {
                let fetcher = try fetchers.fetcher(for: folder, url: url)
                do { try fetch(fetcher.remote, into: fetcher.repository, url: url, credentials: credentials) } catch {
                    // Whatever broke, the next fetch starts from handles of its own.
                    fetchers.drop(folder)
                    throw error
                }
                // Read through a handle of its own: the fetcher's stays the fetcher's.
                return try Repository.open(folder)
            } catch GitSourceError.notARepository {
                // Not a repository any more (half deleted, or not ours): clone it again.
                fetchers.drop(folder)
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        try clone(url: url, into: folder, cacheDirectory: cacheDirectory, credentials: credentials)
        return try Repository.open(folder)
    }

    /// The first read: a bare repository with `origin` and one fetch, made beside its final
    /// place and moved in only once complete, so a failed or interrupted clone leaves nothing.
    /// (Not `git_clone`: with mirrored refspecs, libgit2 1.5 finds the default branch already
    /// created by the fetch and leaves HEAD on init.defaultBranch instead of the remote's.)
    private static func clone(url: String, into folder: String, cacheDirectory: String, credentials: GitCredentials) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: cacheDirectory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw GitSourceError.libgit2(operation: "creating the cache directory '\(cacheDirectory)'", code: -1, message: "\(error.localizedDescription)")
        }
        let name = (folder as NSString).lastPathComponent
        let staging = (cacheDirectory as NSString).appendingPathComponent(".\(name).partial-\(UUID().uuidString.prefix(8))")
        do {
            // Scoped, so the handle on the staging path is closed before the folder moves.
            let repository = try Repository.initBare(staging)
            var remoteHandle: OpaquePointer?
            let code = git_remote_create_with_fetchspec(&remoteHandle, repository.handle, "origin", RemoteLocation.redacted(url), refspecs[0])
            guard code == 0, let remoteHandle else { throw LastError.read(code: code).error("configuring the remote of the cache") }
            let remote = Remote(remoteHandle)
            let added = git_remote_add_fetch(repository.handle, "origin", refspecs[1])
            guard added == 0 else { throw LastError.read(code: added).error("configuring the remote of the cache") }
            try fetch(remote, into: repository, url: url, credentials: credentials)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        do {
            try FileManager.default.moveItem(atPath: staging, toPath: folder)
        } catch {
            // Another process finished the same clone first: use theirs.
            try? FileManager.default.removeItem(atPath: staging)
            guard FileManager.default.fileExists(atPath: folder) else {
                throw GitSourceError.libgit2(operation: "moving the new clone into '\(folder)'", code: -1, message: "\(error.localizedDescription)")
            }
        }
    }

    /// The cache's `origin`, looked up (or made again).
    static func origin(of repository: Repository, url: String) throws -> Remote {
        var remoteHandle: OpaquePointer?
        var code = git_remote_lookup(&remoteHandle, repository.handle, "origin")
        if code == GIT_ENOTFOUND.rawValue {
            code = git_remote_create_with_fetchspec(&remoteHandle, repository.handle, "origin", RemoteLocation.redacted(url), refspecs[0])
        }
        guard code == 0, let remoteHandle else { throw LastError.read(code: code, repository: repository).error("opening the cached remote 'origin'") }
        return Remote(remoteHandle)
    }

    /// Fetch, prune, and point HEAD at the remote's default branch: all through one remote
    /// handle, whose connection remembers the remote's HEAD after the fetch.
    private static func fetch(_ remote: Remote, into repository: Repository, url: String, credentials: GitCredentials) throws {
        // The config holds the URL without user-info; a URL's own credentials live only in memory.
        if RemoteLocation.redacted(url) != url {
            let code = git_remote_set_instance_url(remote.handle, url)
            guard code == 0 else { throw unreachable(url, LastError.read(code: code).message, credentials: credentials) }
        }

        let state = CredentialState(credentials, url: url)
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        options.update_fetchhead = 0
        options.callbacks.credentials = acquireCredential
        options.callbacks.certificate_check = checkHostKey
        options.callbacks.payload = Unmanaged.passUnretained(state).toOpaque()

        let specs = refspecs.map { strdup($0) }
        defer { specs.forEach { free($0) } }
        var pointers = specs
        let code = pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return withExtendedLifetime(state) { git_remote_fetch(remote.handle, &array, &options, nil) }
        }
        guard code == 0 else {
            let error = LastError.read(code: code, repository: repository)
            if let rejected = error.rejectedObject { throw GitSourceError.corruptObject(id: rejected.id, reason: rejected.reason) }
            if error.is(GIT_ELOCKED) {
                throw error.error("updating the cache of \(RemoteLocation.redacted(url)) (another process is fetching it: try again)")
            }
            // When the callback gives up, libgit2's own message says little: say what happened.
            let reason: String
            if let untrusted = state.untrustedHost {
                reason = "the ssh host key is not trusted: \(untrusted)"
            } else if error.is(GIT_ECERTIFICATE) && error.klass == GIT_ERROR_SSH.rawValue {
                reason =
                    "the ssh host key is not in ~/.ssh/known_hosts, or does not match it (check the server's fingerprint, "
                    + "then add it with ssh-keyscan, or name a known_hosts file in SALONOPS_SSH_KNOWN_HOSTS)"
            } else if state.offeredSSHKey && (state.refused || error.is(GIT_EAUTH)) {
                // libssh2 often ends the session after one refused key, so the callback is not asked again.
                reason =
                    "the server refused the credentials (the ssh key \(credentials.sshKeyPath.map { "'\($0)'" } ?? "from the agent"): "
                    + "check SALONOPS_SSH_KEY and SALONOPS_SSH_USERNAME, and that its public key is authorised on the server)"
            } else if state.offeredSSHKey, let key = credentials.sshKeyPath, error.message.contains("private key") {
                reason = "the ssh key '\(key)' cannot be used: \(error.message) (SalonOps gives no passphrase: load such a key into the ssh agent)"
            } else if state.refused {
                reason = "the server refused the credentials (check SALONOPS_GIT_TOKEN and SALONOPS_GIT_USERNAME, or the ssh key)"
            } else if let missing = state.missing {
                reason = "the server asks for \(missing)"
            } else {
                reason = error.message
            }
            throw unreachable(url, reason, credentials: credentials)
        }

        // A remote without a default branch (empty, or detached HEAD) leaves HEAD as it was.
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_remote_default_branch(&buffer, remote.handle) == 0, let branch = LibGit2.string(buffer.ptr) else { return }
        var head: OpaquePointer?
        if git_reference_lookup(&head, repository.handle, "HEAD") == 0, let head {
            let current = LibGit2.string(git_reference_symbolic_target(head))
            git_reference_free(head)
            if current == branch { return }
        }
        let set = git_repository_set_head(repository.handle, branch)
        guard set == 0 else { throw LastError.read(code: set, repository: repository).error("pointing the cache's HEAD at \(branch)") }
    }

    private static func unreachable(_ url: String, _ reason: String, credentials: GitCredentials) -> GitSourceError {
        let secrets = RemoteLocation.secrets(in: url) + [credentials.httpsToken].compactMap { $0 }
        let clean = Redaction.removing(secrets, from: Redaction.strippingUserinfo(reason))
        return .unreachableRemote(url: RemoteLocation.redacted(url), reason: clean)
    }
}
