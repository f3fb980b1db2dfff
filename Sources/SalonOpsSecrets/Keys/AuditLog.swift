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

    /// Appends with O_APPEND in one write, so concurrent runs do not interleave lines.
    public func append(_ entry: Entry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(entry)
        line.append(UInt8(ascii: "\n"))
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AuditLogError.cannotWrite(path: path, errno: errno) }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw AuditLogError.cannotWrite(path: path, errno: errno) }
    }

    public func entries() throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Entry.self, from: Data($0)) }
    }
}

public enum AuditLogError: Error, CustomStringConvertible {
    case cannotWrite(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let code): "cannot append to the audit log \(path): \(String(cString: strerror(code)))"
        }
    }
}
