import Foundation

/// Append-only JSON Lines files (audit log, run log, pending records): one line per value,
/// written with O_APPEND in a single write, so concurrent runs never interleave lines.
public enum JSONLines {
    public static func append(_ value: some Encodable, to path: String, sync: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(value)
        line.append(UInt8(ascii: "\n"))
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw JSONLinesError.cannotAppend(path: path, errno: errno) }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw JSONLinesError.cannotAppend(path: path, errno: errno) }
        if sync { fsync(descriptor) }
    }

    /// Every line decoded; an unreadable line is skipped (a run killed mid-write).
    public static func read<T: Decodable>(_ type: T.Type, from path: String) -> [T] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(T.self, from: Data($0)) }
    }
}

public enum JSONLinesError: Error, CustomStringConvertible {
    case cannotAppend(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotAppend(let path, let code): "cannot append to \(path): \(String(cString: strerror(code)))"
        }
    }
}
