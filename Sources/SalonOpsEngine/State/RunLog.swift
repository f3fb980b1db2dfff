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
        /// What a plan or an apply counted (`changes`, `drift`, `duplicates`, `applied`, `failed`,
        /// `skipped`, `retries`): numbers only, never a value.
        public let counts: [String: Int]?
    }

    public func append(command: String, repository: String, commit: String, ref: String?, worktree: Bool, outcome: String, counts: [String: Int]? = nil) throws {
        try StateDirectory.prepare(directory)
        let entry = Entry(
            time: ISO8601DateFormatter().string(from: Date()), command: command, repository: RunLog.redactURL(repository),
            commit: commit, ref: ref, worktree: worktree, outcome: outcome, counts: counts)
        try JSONLines.append(entry, to: (directory as NSString).appendingPathComponent("runs.jsonl"))
    }

    public func entries() -> [Entry] { JSONLines.read(Entry.self, from: (directory as NSString).appendingPathComponent("runs.jsonl")) }

    /// Drops any `user:password@` from a URL before it is written anywhere.
    public static func redactURL(_ text: String) -> String {
        guard text.contains("://"), var components = URLComponents(string: text), components.user != nil || components.password != nil else { return text }
        components.user = nil
        components.password = nil
        return components.string ?? text
    }
}

/// The state directory holds the lock, the ledger, encrypted provider secrets and reports:
/// every folder SalonOps makes there is its owner's alone (0700). A folder that exists is left
/// as it is (`--state-dir` may name one a person chose).
public enum StateDirectory {
    public static func prepare(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try prepare(parent) }
        // Each level made here gets 0700 (createDirectory's attributes reach the last level only).
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        chmod(path, 0o700)
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
