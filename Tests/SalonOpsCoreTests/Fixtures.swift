import Foundation
@testable import SalonOpsCore
import SalonOpsProviders

/// Helpers to build config files in memory and read the repository's own examples.
enum Fixtures {
    /// The package root, from this file's location (Tests/SalonOpsCoreTests/Fixtures.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let organization = """
        apiVersion: salonops.io/v1
        kind: Organization
        metadata:
          name: test-salon
        spec:
          displayName: Test Salon
        """

    static func file(_ path: String, _ text: String) -> ConfigFile {
        ConfigFile(path: path, repositoryPath: path, contents: Array(text.utf8))
    }

    static func load(_ files: [String: String]) -> LoadResult {
        ConfigLoader.load(files.map { file($0.key, $0.value) }, catalog: Registry.catalog)
    }

    /// Every file under `relative` (a folder of the package), with repository paths as git would give them.
    static func filesOnDisk(_ relative: String) throws -> [ConfigFile] {
        let base = packageRoot.appendingPathComponent(relative)
        var files: [ConfigFile] = []
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return [] }
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue, ConfigFile.isRelevant(path) else { continue }
            let data = try Data(contentsOf: base.appendingPathComponent(path))
            files.append(ConfigFile(path: path, repositoryPath: "\(relative)/\(path)", contents: Array(data)))
        }
        return files
    }

    static func lines(_ result: LoadResult) -> [String] {
        result.diagnostics.map { "\($0.headline) [\($0.code.rawValue)]" }
    }
}
