import Foundation
import SalonOpsCore

/// The commit last applied without failure, per integration (`<state-dir>/applied.json`).
public struct AppliedCommits: Sendable {
    public let path: String

    public init(stateDirectory: String, scope: String) {
        path = (stateDirectory as NSString).appendingPathComponent("applied/\(StableDigest.of(scope)).json")
    }

    public func read() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
            let map = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return map
    }

    public func record(_ commit: String, integrations: [String]) throws {
        var map = read()
        for integration in integrations { map[integration] = commit }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONEncoder().encode(map).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
