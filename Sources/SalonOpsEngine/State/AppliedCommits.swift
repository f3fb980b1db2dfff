import Foundation
import SalonOpsCore
import SalonOpsSecrets

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
        try StateDirectory.prepare((path as NSString).deletingLastPathComponent)
        try AtomicFile.write(String(decoding: try JSONEncoder().encode(map), as: UTF8.self), to: path, mode: 0o600)
    }
}
