import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// Running programs from tests: every wait is bounded, a program that overstays gets SIGKILL (a
// SIGTERM may be blocked in a child spawned from a dispatch thread), and output goes through
// files, so a chatty program can never fill a pipe nobody reads. Async code waits through a
// continuation, never by blocking a thread of Swift's cooperative pool (`waitUntilExit` or a
// semaphore there starves the pool, and a suite once hung on that).

public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out: \(what)" }
}

/// Resumes a continuation at most once, from whichever of several threads gets there first.
public final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    // @unchecked: `continuation` is only touched under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?

    public init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = continuation }

    public func resume(_ result: Result<T, any Error>) {
        let taken: CheckedContinuation<T, any Error>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        taken?.resume(with: result)
    }
}

/// Runs `body`, failing with `TimedOut` after `seconds` even if `body` never returns (a hung C
/// call cannot be cancelled; the test must still end).
public func withDeadline<T: Sendable>(
    _ seconds: Double, _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        let task = Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            once.resume(.failure(TimedOut(what: what)))
            task.cancel()
        }
    }
}

/// A started program whose output goes to files. Killed (SIGKILL) by `kill()`, or at the latest
/// when the last reference goes; a thread of its own reaps it.
///
/// Started with posix_spawn, not Foundation's `Process`: `Process.run()` crashed (memcpy, a bad
/// pointer) about once in a thousand launches on Linux, even one launch at a time, which took the
/// whole test run down once enough tests started programs (git, ssh-keygen, openssl).
public final class RunningProcess: @unchecked Sendable {
    // @unchecked: `status` and `waiters` are only touched under `lock`; the rest is immutable.
    public let command: String
    /// 0 until started.
    public let pid: Int32
    private let scratch: URL
    private let lock = NSLock()
    private var status: Int32?
    private var waiters: [ResumeOnce<Int32>] = []
    private let exited = DispatchSemaphore(value: 0)

    public init(
        _ executable: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:], standardInput: URL? = nil
    ) throws {
        command = ([executable] + arguments).joined(separator: " ")
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("out").path, err = scratch.appendingPathComponent("err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, standardInput?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else of this process reaches the child. Files the tests write (Foundation opens
        // them without O_CLOEXEC) would otherwise stay open for writing in every program started
        // meanwhile, and a script written that way could not be executed ("text file busy"; a
        // shell then runs the next one on PATH).
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        // The child starts with no signal blocked and every signal at its default: a program
        // spawned from a thread that blocks SIGTERM (a dispatch thread) must still die of it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        // A working directory through coreutils' `env -C` (posix_spawn's addchdir is not in
        // Swift's Glibc module); env execs the program, so the pid stays the program's.
        let program = directory == nil ? executable : "/usr/bin/env"
        let words = directory.map { ["/usr/bin/env", "-C", $0.path, executable] } ?? [executable]
        let argv = (words + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, program, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            try? FileManager.default.removeItem(at: scratch)
            throw SpawnFailed(executable: executable, code: spawned)
        }
        pid = child
        // Reaped on a thread of its own (a blocking waitpid, never on the cooperative pool). Weak:
        // the thread must not keep this owner, whose deinit kills.
        Thread.detachNewThread { [weak self, child] in
            var raw: Int32 = 0
            while waitpid(child, &raw, 0) == -1 && errno == EINTR {}
            let signal = raw & 0x7F
            self?.finish(signal == 0 ? (raw >> 8) & 0xFF : 128 + signal)
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
    /// module does not declare.
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    public struct SpawnFailed: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "posix_spawn \(executable) failed: \(String(cString: strerror(code)))" }
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: scratch)
    }

    public var hasExited: Bool { lock.withLock { status != nil } }
    public var stdout: String { (try? String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: scratch.appendingPathComponent("err"), encoding: .utf8)) ?? "" }

    /// SIGKILL, unless it has already been reaped (its pid may then belong to another process).
    /// Under the lock, so that the reaper cannot free the pid between the check and the signal.
    public func kill() {
        lock.withLock {
            guard pid > 0, status == nil else { return }
            _ = Glibc.kill(pid, SIGKILL)
        }
    }

    /// Sends `signal` (SIGTERM, SIGINT), unless it has already been reaped.
    public func signal(_ signal: Int32) {
        lock.withLock {
            guard pid > 0, status == nil else { return }
            _ = Glibc.kill(pid, signal)
        }
    }

    private func finish(_ code: Int32) {
        let waiting: [ResumeOnce<Int32>] = lock.withLock {
            status = code
            defer { waiters = [] }
            return waiters
        }
        exited.signal()
        waiting.forEach { $0.resume(.success(code)) }
    }

    /// The exit status, waiting at most `seconds` without blocking a thread; then `TimedOut`
    /// (the process is left running: `kill()` it).
    public func exitStatus(within seconds: Double) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            let once = ResumeOnce(continuation)
            let known: Int32? = lock.withLock {
                if status == nil { waiters.append(once) }
                return status
            }
            if let known { return once.resume(.success(known)) }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [command] in
                once.resume(.failure(TimedOut(what: command)))
            }
        }
    }

    /// The same for synchronous code, blocking the calling thread; never from async code.
    @available(*, noasync, message: "blocks the thread: use exitStatus(within:) from async code")
    public func waitForExitStatus(within seconds: Double) throws -> Int32 {
        guard exited.wait(timeout: .now() + seconds) == .success else { throw TimedOut(what: command) }
        exited.signal()  // for any later waiter
        return lock.withLock { status ?? -1 }
    }

    /// Kills it and waits (bounded) until it is gone.
    public func stop(within seconds: Double = 10) async throws {
        kill()
        _ = try await exitStatus(within: seconds)
    }

    fileprivate var result: CommandResult {
        CommandResult(status: lock.withLock { status ?? -1 }, stdout: stdout, stderr: stderr)
    }
}

public enum CommandRunner {
    /// Runs a program to completion, waiting at most `timeout` seconds (then SIGKILL and `TimedOut`).
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:], standardInput: URL? = nil,
        timeout: Double = 120
    ) async throws -> CommandResult {
        let running = try RunningProcess(executable, arguments, in: directory, environment: environment, standardInput: standardInput)
        do {
            _ = try await running.exitStatus(within: timeout)
        } catch {
            running.kill()
            throw error
        }
        return running.result
    }

    /// The same for synchronous tests (it blocks the calling thread, so async code gets the async one).
    @available(*, noasync, message: "blocks the thread: call the async run from async code")
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:], standardInput: URL? = nil,
        timeout: Double = 120
    ) throws -> CommandResult {
        let running = try RunningProcess(executable, arguments, in: directory, environment: environment, standardInput: standardInput)
        do {
            _ = try running.waitForExitStatus(within: timeout)
        } catch {
            running.kill()
            throw error
        }
        return running.result
    }

    /// `git` with a fixed identity and no dependence on the machine's config.
    @discardableResult
    public static func git(_ arguments: [String], in directory: URL, standardInput: URL? = nil) async throws -> String {
        try checked(
            arguments,
            try await run(
                "/usr/bin/env", gitArguments(arguments), in: directory,
                environment: gitEnvironment, standardInput: standardInput))
    }

    @discardableResult
    @available(*, noasync, message: "blocks the thread: call the async git from async code")
    public static func git(_ arguments: [String], in directory: URL) throws -> String {
        try checked(arguments, try run("/usr/bin/env", gitArguments(arguments), in: directory, environment: gitEnvironment))
    }

    private static func gitArguments(_ arguments: [String]) -> [String] {
        [
            "git", "-c", "user.name=SalonOps Test", "-c", "user.email=test@salonops.invalid", "-c", "init.defaultBranch=main",
            "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "protocol.file.allow=always",
        ] + arguments
    }

    private static let gitEnvironment = ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0"]

    private static func checked(_ arguments: [String], _ result: CommandResult) throws -> String {
        guard result.status == 0 else { throw GitFailed(arguments: arguments, stderr: result.stderr) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct GitFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let stderr: String
        public var description: String { "git \(arguments.joined(separator: " ")) failed: \(stderr)" }
    }
}

public enum Paths {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `salonops` binary built beside this test bundle (or SALONOPS_BIN).
    public static var salonops: String {
        if let explicit = ProcessInfo.processInfo.environment["SALONOPS_BIN"] { return explicit }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")] {
            let path = candidate.appendingPathComponent("salonops").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/debug/salonops").path
    }

    public static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A uniquely named temp folder, removed when the last reference goes.
public final class TempFolder: @unchecked Sendable {
    // @unchecked: immutable after init; only its path is shared.
    public let url: URL
    public var path: String { url.path }

    public init(_ name: String) throws { url = try Paths.temporaryDirectory(name) }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path) }
}

/// A throwaway git repository built with the real git CLI, removed when the test is done.
public final class GitFixture: @unchecked Sendable {
    // @unchecked: each test uses its own; it only holds a folder.
    public let folder: TempFolder
    public var url: URL { folder.url }
    public var path: String { folder.path }
    public var fileURL: String { "file://\(path)" }

    private init(folder: TempFolder) { self.folder = folder }

    public static func make(_ name: String, bare: Bool = false, branch: String = "main") async throws -> GitFixture {
        let repo = GitFixture(folder: try TempFolder(name))
        try await CommandRunner.git(["init", "-q", "-b", branch] + (bare ? ["--bare"] : []), in: repo.url)
        return repo
    }

    public func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    @discardableResult
    public func git(_ arguments: String...) async throws -> String { try await CommandRunner.git(arguments, in: url) }

    /// Stages everything and commits; returns the new commit's SHA.
    @discardableResult
    public func commitAll(_ message: String) async throws -> String {
        try await git("add", "-A")
        try await git("commit", "-q", "--allow-empty", "-m", message)
        return try await git("rev-parse", "HEAD")
    }

    /// The loose file of an object (`git` writes new objects loose until it packs them).
    public func looseObject(_ id: String) -> URL {
        url.appendingPathComponent(".git/objects/\(id.prefix(2))/\(id.dropFirst(2))")
    }
}

/// Checks `condition` every `interval` seconds until it holds, for at most `seconds` (then
/// `TimedOut`). For a server's readiness, whose only sign is an open port or a line in a file.
/// Sleeps suspend the task; no thread is blocked.
public func waitUntil(
    _ what: String, within seconds: Double, interval: Double = 0.05,
    _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
    }
}
