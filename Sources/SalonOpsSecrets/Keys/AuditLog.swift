import Foundation

/// Every decryption appends one JSON line to `<state-dir>/audit.jsonl`: when, which file, which
/// key paths, whose identity, which command and commit. Never a value.
public struct AuditLog: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("audit.jsonl")
    }

    public struct Entry: Codable, Equatable, Sendable {
        public var time: String
        public var file: String
        public var keyPaths: [String]
        /// The recipient (public key) of the identity that opened the data key.
        public var identity: String
        public var command: String
        public var commit: String?

        public init(time: Date = Date(), file: String, keyPaths: [String], identity: String, command: String, commit: String? = nil) {
            self.time = SopsFile.rfc3339(time)
            self.file = file
            self.keyPaths = keyPaths
            self.identity = identity
            self.command = command
            self.commit = commit
        }
    }

    public func append(_ entry: Entry) throws {
        try JSONLines.append(entry, to: path)
    }

    public func entries() -> [Entry] {
        JSONLines.read(Entry.self, from: path)
    }
}
