import Foundation
import SalonOpsCore

/// One apply at a time per (config repository, target): a lock file in the state directory
/// created with O_EXCL, recording who holds it, for how long. An expired lock, or one held by a
/// process of this host that is gone, is taken over; otherwise apply is refused (exit 3).
public struct RunLock: Sendable {
    public struct Holder: Codable, Sendable, Equatable {
        public let host: String
        public let pid: Int32
        public let started: String
        public let expires: String
        public let command: String
        public let target: String
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

        public var description: String {
            switch self {
            case .held(let holder):
                "the lock for \(holder.target) is held by pid \(holder.pid) on \(holder.host) since \(holder.started) (`\(holder.command)`, expires \(holder.expires)); wait, or run `salonops lock break` if that run is gone"
            }
        }
    }

    public func holder() -> Holder? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: data)
    }

    /// Takes the lock or throws `Refusal.held`.
    public func acquire(command: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let formatter = ISO8601DateFormatter()
        let now = Date()
        let me = Holder(
            host: ProcessInfo.processInfo.hostName, pid: getpid(), started: formatter.string(from: now),
            expires: formatter.string(from: now.addingTimeInterval(ttl)), command: command, target: target)
        let data = try JSONEncoder().encode(me)
        for _ in 0..<3 {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                _ = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                fsync(descriptor)
                close(descriptor)
                return
            }
            guard errno == EEXIST else { throw CocoaError(.fileWriteUnknown) }
            guard let current = holder() else {
                // Being written right now by another process, or unreadable: treat as held.
                throw Refusal.held(Holder(host: "?", pid: 0, started: "?", expires: "?", command: "?", target: target))
            }
            let expired = formatter.date(from: current.expires).map { $0 < now } ?? true
            let gone = current.host == me.host && kill(current.pid, 0) != 0 && errno == ESRCH
            guard expired || gone else { throw Refusal.held(current) }
            // Stale: remove it and try again (O_EXCL decides between two takers).
            unlink(path)
        }
        throw Refusal.held(holder() ?? me)
    }

    /// Releases the lock if this process holds it.
    public func release() {
        if let current = holder(), current.pid == getpid(), current.host == ProcessInfo.processInfo.hostName { unlink(path) }
    }

    /// `salonops lock break`: removes whoever holds it.
    public func breakLock() -> Holder? {
        let current = holder()
        unlink(path)
        return current
    }
}
