import Foundation
import SalonOpsCore

/// One apply at a time per (config repository, target): a lock file in the state directory
/// recording who holds it, for how long. An expired lock, or one held by a process of this host
/// that is gone, is taken over; otherwise apply is refused (exit 3).
///
/// The file appears whole or not at all: the holder is written to a private temporary file,
/// flushed, then linked into place (`link` fails when the lock exists, as `O_EXCL` does), so a
/// reader never sees a half-written holder. Taking over a stale lock (read, judge, remove,
/// link) happens under an `flock` on a guard file, which the kernel releases if the process
/// dies: two takers cannot both remove and take it.
public struct RunLock: Sendable {
    public struct Holder: Codable, Sendable, Equatable {
        public let host: String
        public let pid: Int32
        public let started: String
        public let expires: String
        public let command: String
        public let target: String
    }

    /// Whether the holder is still there, as far as this host can tell.
    public enum Liveness: Sendable, Equatable {
        case alive
        /// Its process is gone from this host: the next apply takes the lock over.
        case dead
        /// Past its expiry time: the next apply takes the lock over.
        case expired
        /// Held from another host: its process cannot be checked from here.
        case unknown
    }

    public let path: String
    public let target: String
    public let ttl: TimeInterval

    public init(stateDirectory: String, repository: String, target: String, ttl: TimeInterval = 3600) {
        self.target = target
        self.ttl = ttl
        path = (stateDirectory as NSString).appendingPathComponent("locks/\(StableDigest.of(repository + "\n" + target)).lock")
    }

    public enum Refusal: Error, CustomStringConvertible {
        case held(Holder)
        /// A lock file that does not read as a holder (written by something else, or damaged).
        case unreadable(path: String)

        public var description: String {
            switch self {
            case .held(let holder):
                "the lock for \(holder.target) is held by pid \(holder.pid) on \(holder.host) since \(holder.started) (`\(holder.command)`, expires \(holder.expires)); wait, or run `salonops lock break` if that run is gone"
            case .unreadable(let path):
                "the lock file \(path) does not name a holder (damaged?); if no apply is running, remove it with `salonops lock break`"
            }
        }
    }

    public func holder() -> Holder? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: data)
    }

    public static func liveness(of holder: Holder, now: Date = Date()) -> Liveness {
        if let expires = ISO8601DateFormatter().date(from: holder.expires), expires < now { return .expired }
        guard holder.host == ProcessInfo.processInfo.hostName else { return .unknown }
        return kill(holder.pid, 0) != 0 && errno == ESRCH ? .dead : .alive
    }

    /// Takes the lock or throws a `Refusal`.
    public func acquire(command: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try StateDirectory.prepare(directory)
        let formatter = ISO8601DateFormatter()
        let now = Date()
        let me = Holder(
            host: ProcessInfo.processInfo.hostName, pid: getpid(), started: formatter.string(from: now),
            expires: formatter.string(from: now.addingTimeInterval(ttl)), command: command, target: target)
        let temporary = try writeTemporary(try JSONEncoder().encode(me), in: directory)
        defer { unlink(temporary) }
        if link(temporary, path) == 0 { return }
        guard errno == EEXIST else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        // Held: judge it, and take it over only if stale, under the guard.
        try withGuard {
            guard let current = holder() else {
                if FileManager.default.fileExists(atPath: path) { throw Refusal.unreadable(path: path) }
                // Released meanwhile.
                guard link(temporary, path) == 0 else { throw Refusal.held(holder() ?? me) }
                return
            }
            guard Self.liveness(of: current, now: now) == .expired || Self.liveness(of: current, now: now) == .dead else { throw Refusal.held(current) }
            unlink(path)
            guard link(temporary, path) == 0 else { throw Refusal.held(holder() ?? current) }
        }
    }

    /// Releases the lock if this process holds it.
    public func release() {
        try? withGuard {
            if let current = holder(), current.pid == getpid(), current.host == ProcessInfo.processInfo.hostName { unlink(path) }
        }
    }

    /// `salonops lock break`: removes whoever holds it.
    public func breakLock() -> Holder? {
        let current = holder()
        _ = try? withGuard { unlink(path) }
        return current
    }

    /// The holder, flushed, in a private file next to the lock (same file system, for `link`).
    private func writeTemporary(_ data: Data, in directory: String) throws -> String {
        var template = Array((directory + "/.lock-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: directory]) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let flushed = fchmod(descriptor, 0o600) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, flushed else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        return temporary
    }

    /// Runs `body` holding an exclusive `flock` on the lock's guard file. The sections it guards
    /// are a few file operations long, so waiting for it is short.
    private func withGuard<T>(_ body: () throws -> T) throws -> T {
        let descriptor = open(path + ".guard", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path + ".guard"]) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw CocoaError(.fileLocking, userInfo: [NSFilePathErrorKey: path + ".guard"]) }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
