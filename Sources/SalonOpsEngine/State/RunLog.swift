import Foundation
import SalonOpsSecrets

/// An append-only record of which commit each command read (`<state dir>/runs.jsonl`), so a
/// person can tell afterwards what config a run acted on. Holds no config values.
public struct RunLog: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public struct Entry: Codable, Sendable {
        public let time: String
        public let command: String
        public let repository: String
        public let commit: String
        public let ref: String?
        public let worktree: Bool
        public let outcome: String
    }

    public func append(command: String, repository: String, commit: String, ref: String?, worktree: Bool, outcome: String) throws {
        let entry = Entry(
            time: ISO8601DateFormatter().string(from: Date()), command: command, repository: RunLog.redactURL(repository),
            commit: commit, ref: ref, worktree: worktree, outcome: outcome)
        try JSONLines.append(entry, to: (directory as NSString).appendingPathComponent("runs.jsonl"))
    }

    /// Drops any `user:password@` from a URL before it is written anywhere.
    public static func redactURL(_ text: String) -> String {
        guard text.contains("://"), var components = URLComponents(string: text), components.user != nil || components.password != nil else { return text }
        components.user = nil
        components.password = nil
        return components.string ?? text
    }
}

/// Default locations, following the XDG base directory conventions.
public enum DefaultPaths {
    static var home: String { ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory() }

    public static var cacheDirectory: String {
        let base = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] ?? "\(home)/.cache"
        return "\(base)/salonops"
    }

    public static var stateDirectory: String {
        let base = ProcessInfo.processInfo.environment["XDG_STATE_HOME"] ?? "\(home)/.local/state"
        return "\(base)/salonops"
    }
}
