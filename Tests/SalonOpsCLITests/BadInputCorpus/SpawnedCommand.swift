import Foundation
import SalonOpsTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the corpus's ~800 commands with posix_spawn instead of Foundation's `Process`, whose
/// `run()` crashed (memcpy, bad pointer) about once in a thousand launches on Linux even one at a
/// time (CommandRunner's launch lock). Output goes to files; the wait is a blocking `waitpid` on
/// a thread of its own (never the cooperative pool), bounded by a SIGKILL at the deadline.
enum SpawnedCommand {
    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Double) async throws -> Result {
        let scratch = try TempFolder("corpus-run")
        let out = scratch.url.appendingPathComponent("out").path, err = scratch.url.appendingPathComponent("err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw SpawnFailed(executable: executable, code: spawned) }

        let status = try await wait(pid, within: timeout, what: ([executable] + arguments).joined(separator: " "))
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Result(status: status, stdout: read(out), stderr: read(err))
    }

    /// The exit status (128 + signal for a killed program); `TimedOut` after a SIGKILL at the deadline.
    static func wait(_ pid: pid_t, within seconds: Double, what: String) async throws -> Int32 {
        let state = WaitState()
        return try await withCheckedThrowingContinuation { continuation in
            let once = ResumeOnce(continuation)
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
                // Mark it reaped under the lock, so the deadline never signals a recycled pid.
                let timedOut = state.finish()
                if timedOut { return once.resume(.failure(TimedOut(what: what))) }
                let signal = raw & 0x7F
                once.resume(.success(signal == 0 ? (raw >> 8) & 0xFF : 128 + signal))
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                state.expire { _ = kill(pid, SIGKILL) }
            }
        }
    }

    final class WaitState: @unchecked Sendable {
        // @unchecked: both flags are only touched under `lock`.
        private let lock = NSLock()
        private var reaped = false
        private var expired = false

        /// Called once the child is reaped; true when the deadline had already killed it.
        func finish() -> Bool {
            lock.withLock {
                reaped = true; return expired
            }
        }

        func expire(_ kill: () -> Void) {
            lock.withLock {
                guard !reaped else { return }
                expired = true
                kill()
            }
        }
    }

    struct SpawnFailed: Error, CustomStringConvertible {
        let executable: String
        let code: Int32
        var description: String { "posix_spawn \(executable) failed: \(String(cString: strerror(code)))" }
    }
}
