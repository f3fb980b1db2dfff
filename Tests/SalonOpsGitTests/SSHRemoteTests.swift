import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsGit

/// ssh remotes end to end: a real OpenSSH server on loopback (its own config, host key and
/// authorized_keys, all throwaway), serving a bare repository as the current user, read through
/// libgit2's ssh transport (libssh2) with the credentials and host-key callbacks of RemoteCache.
@Suite(.enabled(if: SSHPeer.isAvailable, "needs /usr/sbin/sshd and ssh-keygen (apt openssh-server)"))
struct SSHRemoteTests {
    /// A served repository with one commit, and a work clone to push more from.
    struct Served {
        let remote: GitFixture
        let work: GitFixture
        let head: String
    }

    static func served(_ name: String) async throws -> Served {
        let remote = try await GitFixture.make("\(name)-served", bare: true)
        let work = try await GitFixture.make("\(name)-work")
        try work.write("config.yaml", "over: ssh\n")
        let head = try await work.commitAll("one")
        try await work.git("push", "-q", remote.path, "main")
        return Served(remote: remote, work: work, head: head)
    }

    @Test func anAuthorisedKeyClonesAndTheNextReadFetchesANewCommit() async throws {
        let keys = try TempFolder("ssh-keys")
        let key = try await SSHKey.make(in: keys, "client")
        let peer = try await SSHPeer.start(authorizing: [key])
        defer { peer.kill() }
        let served = try await Self.served("ssh-fetch")
        let cache = try TempFolder("cache-ssh")

        // As the CLI builds them: from the environment.
        let environment = ["SALONOPS_SSH_KEY": key.privateKey, "SALONOPS_SSH_KNOWN_HOSTS": peer.knownHosts]
        let url = peer.url(served.remote.path)
        let first = try await read(url, cache: cache, credentials: .fromEnvironment(environment))
        #expect(first.commit == served.head)
        #expect(first.refName == "refs/heads/main")
        #expect(text(first, "config.yaml") == "over: ssh\n")
        #expect(try cache.entries().count == 1)

        // A new commit on the server: the next read fetches it into the same cache clone. This
        // URL names no user: SALONOPS_SSH_USERNAME gives it.
        try served.work.write("config.yaml", "over: ssh\nagain: true\n")
        let second = try await served.work.commitAll("two")
        try await served.work.git("push", "-q", served.remote.path, "main")
        let userless = "ssh://127.0.0.1:\(peer.port)\(served.remote.path)"
        let credentials = GitCredentials.fromEnvironment(environment.merging(["SALONOPS_SSH_USERNAME": peer.user]) { $1 })
        let fetched = try await read(userless, cache: cache, credentials: credentials)
        #expect(fetched.commit == second)
        #expect(text(fetched, "config.yaml") == "over: ssh\nagain: true\n")
        #expect(try cache.entries().count == 1)
        #expect(try await read(url, ref: served.head, cache: cache, credentials: credentials).commit == served.head)

        try await peer.stop()
    }

    /// No key file named: the ssh agent's keys are offered (through the real binary, so the
    /// agent's socket is in that process's environment only).
    @Test func theSSHAgentIsUsedWhenNoKeyFileIsNamed() async throws {
        let keys = try TempFolder("ssh-agent")
        let key = try await SSHKey.make(in: keys, "agent-key")
        let peer = try await SSHPeer.start(authorizing: [key])
        defer { peer.kill() }
        let served = try await Self.served("ssh-agent")
        let socket = keys.url.appendingPathComponent("agent.sock").path
        let agent = try Daemon("/usr/bin/ssh-agent", ["-D", "-a", socket], log: keys.url.appendingPathComponent("agent.log").path)
        defer { agent.kill() }
        try await waitUntil("ssh-agent listening", within: 10) { FileManager.default.fileExists(atPath: socket) }
        let added = try await CommandRunner.run("/usr/bin/ssh-add", [key.privateKey], environment: ["SSH_AUTH_SOCK": socket], timeout: 30)
        #expect(added.status == 0, "\(added.stderr)")
        let state = try TempFolder("ssh-agent-state"), cache = try TempFolder("ssh-agent-cache")
        let result = try await CommandRunner.run(
            Paths.salonops,
            [
                "validate", "--repo", peer.url(served.remote.path),
                "--cache-dir", cache.path, "--state-dir", state.path,
            ],
            environment: ["SSH_AUTH_SOCK": socket, "SALONOPS_SSH_KEY": "", "SALONOPS_SSH_KNOWN_HOSTS": peer.knownHosts],
            timeout: 60)
        // The repository is not a salon config (exit 1), but it was fetched over ssh with the agent's key.
        #expect(!result.stderr.contains("error: fetch"), "\(result.stderr)")
        #expect(result.stdout.contains("commit \(served.head.prefix(12))"), "\(result.stdout)\(result.stderr)")
        try await peer.stop()
    }

    @Test func keysTheServerDoesNotAcceptFailClearlyAndQuickly() async throws {
        let keys = try TempFolder("ssh-keys-refused")
        let authorised = try await SSHKey.make(in: keys, "authorised")
        let stranger = try await SSHKey.make(in: keys, "stranger")
        let locked = try await SSHKey.make(in: keys, "locked", passphrase: "correct horse battery staple")
        let peer = try await SSHPeer.start(authorizing: [authorised, locked])
        defer { peer.kill() }
        let served = try await Self.served("ssh-refused")
        let cache = try TempFolder("cache-ssh-refused")
        let url = peer.url(served.remote.path)
        let started = ContinuousClock.now

        // A key that is not in authorized_keys: refused, and said so.
        let refused = await failure {
            _ = try await read(url, cache: cache, credentials: GitCredentials(sshKeyPath: stranger.privateKey, sshKnownHostsPath: peer.knownHosts))
        }
        let refusedReason = try #require(reason(refused))
        #expect(refusedReason.contains("refused the credentials"), "\(refusedReason)")
        #expect(refusedReason.contains(stranger.privateKey), "\(refusedReason)")

        // A key with a passphrase: SalonOps has no way to give one; the error says what to do.
        let encrypted = await failure {
            _ = try await read(url, cache: cache, credentials: GitCredentials(sshKeyPath: locked.privateKey, sshKnownHostsPath: peer.knownHosts))
        }
        let encryptedReason = try #require(reason(encrypted))
        #expect(encryptedReason.contains("no passphrase") && encryptedReason.contains("agent"), "\(encryptedReason)")

        // SALONOPS_SSH_KEY naming no file.
        let absent = keys.url.appendingPathComponent("no-such-key").path
        let missingFile = await failure {
            _ = try await read(url, cache: cache, credentials: GitCredentials(sshKeyPath: absent, sshKnownHostsPath: peer.knownHosts))
        }
        let missingReason = try #require(reason(missingFile))
        #expect(missingReason.contains("SALONOPS_SSH_KEY names no readable file"), "\(missingReason)")

        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try cache.entries().isEmpty)  // no partial clone left behind
        try await peer.stop()
    }

    @Test func noKeyAndNoAgentSaysWhatToSetWithoutHanging() async throws {
        let peer = try await SSHPeer.start(authorizing: [])
        defer { peer.kill() }
        let served = try await Self.served("ssh-nokey")
        let cache = try TempFolder("cache-ssh-nokey")
        let started = ContinuousClock.now
        let error = await failure {
            _ = try await read(peer.url(served.remote.path), cache: cache, credentials: GitCredentials(sshKnownHostsPath: peer.knownHosts))
        }
        let message = try #require(reason(error))
        #expect(message.contains("SALONOPS_SSH_KEY"), "\(message)")
        // The environment is the process's: only without an agent is the message this precise.
        if ProcessInfo.processInfo.environment["SSH_AUTH_SOCK", default: ""].isEmpty {
            #expect(message.contains("SSH_AUTH_SOCK is not set"), "\(message)")
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try cache.entries().isEmpty)
        try await peer.stop()
    }

    @Test func anUnknownChangedOrRevokedHostKeyIsRefused() async throws {
        let keys = try TempFolder("ssh-keys-hosts")
        let key = try await SSHKey.make(in: keys, "client")
        let impostor = try await SSHKey.make(in: keys, "impostor-host")
        let peer = try await SSHPeer.start(authorizing: [key])
        defer { peer.kill() }
        let served = try await Self.served("ssh-hosts")
        let cache = try TempFolder("cache-ssh-hosts")
        let url = peer.url(served.remote.path)
        let entry = "[127.0.0.1]:\(peer.port)"

        func attempt(knownHostsFile file: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
            let error = await failure(sourceLocation: sourceLocation) {
                _ = try await read(url, cache: cache, credentials: GitCredentials(sshKeyPath: key.privateKey, sshKnownHostsPath: file))
            }
            return try #require(reason(error, sourceLocation: sourceLocation), sourceLocation: sourceLocation)
        }
        func attempt(knownHosts lines: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
            let file = keys.url.appendingPathComponent("known_hosts-\(UUID().uuidString)").path
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            return try await attempt(knownHostsFile: file, sourceLocation: sourceLocation)
        }

        // Without SALONOPS_SSH_KNOWN_HOSTS libgit2 checks ~/.ssh/known_hosts, where this
        // throwaway server (on a port picked just now) is not.
        let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".ssh/known_hosts")
        if !((try? String(contentsOf: home, encoding: .utf8))?.contains(entry) ?? false) {
            let unknown = try await attempt(knownHostsFile: nil)
            #expect(unknown.contains("not in ~/.ssh/known_hosts") && unknown.contains("SALONOPS_SSH_KNOWN_HOSTS"), "\(unknown)")
        }
        // Another key for this host and port: a changed key, or another server answering.
        let changed = try await attempt(knownHosts: ["\(entry) \(impostor.publicKey)"])
        #expect(changed.contains("does not match"), "\(changed)")
        // The right key, but listed for port 22 only: ssh keys hosts by port.
        let otherPort = try await attempt(knownHosts: ["# comment", "127.0.0.1 \(peer.hostPublicKey)", "other.example,\(entry)x \(peer.hostPublicKey)"])
        #expect(otherPort.contains("\(entry) is not in"), "\(otherPort)")
        // Listed, and revoked.
        let revoked = try await attempt(knownHosts: ["\(entry) \(peer.hostPublicKey)", "@revoked \(entry) \(peer.hostPublicKey)"])
        #expect(revoked.contains("revoked"), "\(revoked)")
        // A file that is not there trusts nothing.
        let absent = try await attempt(knownHostsFile: keys.url.appendingPathComponent("absent").path)
        #expect(absent.contains("cannot be read"), "\(absent)")
        #expect(try cache.entries().isEmpty)

        // The right key among others, in a comma list: trusted.
        let good = keys.url.appendingPathComponent("known_hosts-good").path
        try Data("other.example \(impostor.publicKey)\nhost.example,\(entry) \(peer.hostPublicKey)\n".utf8).write(to: URL(fileURLWithPath: good))
        let snapshot = try await read(url, cache: cache, credentials: GitCredentials(sshKeyPath: key.privateKey, sshKnownHostsPath: good))
        #expect(snapshot.commit == served.head)
        try await peer.stop()
    }

    private func reason(_ error: GitSourceError?, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard case .unreachableRemote(_, let reason)? = error else {
            Issue.record("expected unreachableRemote, got \(String(describing: error))", sourceLocation: sourceLocation)
            return nil
        }
        return reason
    }
}

/// A throwaway ssh key pair made by ssh-keygen.
struct SSHKey {
    let privateKey: String
    /// `ssh-ed25519 AAAA… comment`: an authorized_keys or known_hosts line without the host part.
    let publicKey: String

    static func make(in folder: TempFolder, _ name: String, passphrase: String = "") async throws -> SSHKey {
        let path = folder.url.appendingPathComponent(name).path
        let result = try await CommandRunner.run(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", "salonops-test-\(name)", "-f", path],
            timeout: 30)
        guard result.status == 0 else { throw SSHPeer.Failed(what: "ssh-keygen: \(result.stderr)") }
        let publicKey = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return SSHKey(privateKey: path, publicKey: publicKey)
    }
}

/// OpenSSH's sshd on 127.0.0.1 with a private config: its own host key, authorized_keys and pid
/// file in a temp folder, public-key authentication only, logging to a file. `kill()` (or
/// dropping it) ends the server and every process it started.
final class SSHPeer: @unchecked Sendable {
    // @unchecked: immutable after start.
    struct Failed: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }

    static let sshd = "/usr/sbin/sshd"
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: sshd) && FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")
    }

    let port: Int
    let user: String
    /// A known_hosts file listing this server's key as `[127.0.0.1]:port`.
    let knownHosts: String
    /// `ssh-ed25519 AAAA…` of the server's host key.
    let hostPublicKey: String
    private let folder: TempFolder
    private let process: Daemon

    private init(port: Int, user: String, knownHosts: String, hostPublicKey: String, folder: TempFolder, process: Daemon) {
        self.port = port
        self.user = user
        self.knownHosts = knownHosts
        self.hostPublicKey = hostPublicKey
        self.folder = folder
        self.process = process
    }

    deinit { kill() }

    func url(_ absolutePath: String) -> String { "ssh://\(user)@127.0.0.1:\(port)\(absolutePath)" }

    static func start(authorizing keys: [SSHKey]) async throws -> SSHPeer {
        let folder = try TempFolder("sshd")
        let hostKey = folder.url.appendingPathComponent("host_key").path
        let made = try await CommandRunner.run(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "salonops-test-host", "-f", hostKey],
            timeout: 30)
        guard made.status == 0 else { throw Failed(what: "ssh-keygen (host key): \(made.stderr)") }
        let hostPublicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        let authorized = folder.url.appendingPathComponent("authorized_keys")
        try Data(keys.map { $0.publicKey + "\n" }.joined().utf8).write(to: authorized)
        let config = folder.url.appendingPathComponent("sshd_config")
        try Data(
            """
            HostKey \(hostKey)
            AuthorizedKeysFile \(authorized.path)
            PidFile \(folder.url.appendingPathComponent("sshd.pid").path)
            StrictModes no
            UsePAM no
            AuthenticationMethods publickey
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            LoginGraceTime 20
            LogLevel VERBOSE

            """.utf8
        ).write(to: config)
        // sshd refuses to start as root without its privilege-separation folder, which only the
        // service's start-up makes; an image that installed the package may not have it yet.
        if geteuid() == 0 && !FileManager.default.fileExists(atPath: "/run/sshd") {
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }

        // sshd cannot listen on port 0: take a free port from the kernel, let it go, and start
        // sshd on it. Another process may take it in between; then sshd exits, and we try again.
        var lastError = ""
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let process = try Daemon(
                sshd, ["-D", "-e", "-p", "\(port)", "-o", "ListenAddress=127.0.0.1", "-f", config.path],
                log: folder.url.appendingPathComponent("sshd.log").path)
            do {
                try await waitUntil("sshd listening on 127.0.0.1:\(port)", within: 15) {
                    process.hasExited || canConnect(port: port)
                }
            } catch {
                killTree(of: process)
                throw Failed(what: "\(error): \(process.log)")
            }
            if process.hasExited {
                lastError = process.log
                continue
            }
            let knownHosts = folder.url.appendingPathComponent("known_hosts").path
            try Data("[127.0.0.1]:\(port) \(hostPublicKey)\n".utf8).write(to: URL(fileURLWithPath: knownHosts))
            return SSHPeer(port: port, user: try currentUser(), knownHosts: knownHosts, hostPublicKey: hostPublicKey, folder: folder, process: process)
        }
        throw Failed(what: "sshd did not start: \(lastError)")
    }

    /// SIGKILL to sshd and everything it started (per-connection sshd processes start a session
    /// of their own, so a process group would not reach them).
    func kill() { Self.killTree(of: process) }

    /// Kills, and waits (bounded) until sshd itself is gone.
    func stop() async throws {
        kill()
        try await waitUntil("sshd (pid \(process.pid)) to exit", within: 10) { process.hasExited }
    }

    /// What sshd logged (for a failing test's message; it holds no secret).
    var log: String { process.log }

    private static func killTree(of process: Daemon) {
        guard process.pid > 0 else { return }
        let descendants = Self.descendants(of: process.pid)
        process.kill()
        for pid in descendants { _ = Foundation.kill(pid, SIGKILL) }
    }

    /// Every process below `root`, from /proc (Linux).
    private static func descendants(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        var found: [Int32] = []
        var queue = [root]
        while let next = queue.popLast() {
            let below = children[next] ?? []
            found += below
            queue += below
        }
        return found
    }

    private static func currentUser() throws -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { throw Failed(what: "no user name for uid \(geteuid())") }
        return String(cString: name)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A port the kernel says is free on 127.0.0.1 right now.
    private static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(what: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failed(what: "bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failed(what: "getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on 127.0.0.1:port (a loopback connect answers at once).
    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// A server started with posix_spawn, not Foundation's `Process`. On Linux, `Process` learns that
/// a child exited when a socket the child inherits gets closed, then calls a *blocking* waitpid
/// on its one manager thread. sshd closes every inherited descriptor at start-up, so `Process`
/// would take it for exited and block in waitpid until sshd ends, and with it the termination
/// of every other program the tests run (seen: the whole suite timing out, children left as
/// zombies). Output goes to one log file; this owner reaps the child itself, without blocking.
final class Daemon: @unchecked Sendable {
    // @unchecked: `exited` is only touched under `lock`; the rest is immutable.
    let pid: pid_t
    private let logPath: String
    private let lock = NSLock()
    private var exited = false

    init(_ executable: String, _ arguments: [String], log: String) throws {
        logPath = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A child of a dispatch thread would inherit its blocked signals and its handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard code == 0 else { throw SSHPeer.Failed(what: "posix_spawn \(executable): error \(code)") }
        pid = child
    }

    deinit {
        kill()
        // SIGKILL cannot be refused: reap it, waiting a bounded time.
        let deadline = Date().addingTimeInterval(5)
        while !hasExited && Date() < deadline { usleep(10_000) }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Whether it has exited (and then reaps it: its pid is never reused under us).
    var hasExited: Bool {
        lock.withLock {
            if !exited {
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                exited = reaped == pid || (reaped < 0 && errno == ECHILD)
            }
            return exited
        }
    }

    func kill() {
        lock.withLock { if !exited { _ = Foundation.kill(pid, SIGKILL) } }
    }
}
