import Foundation
import SalonOpsCore
import SalonOpsProviders

/// The repository's own example configs (`examples/<name>`), read from disk the way the core
/// tests read them, loaded against the registry's catalogue.
public enum ExampleConfig {
    /// The package root, from this file's place (Tests/SalonOpsProviderTesting/ExampleConfig.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every YAML file under `relative`, with repository paths as git would give them.
    public static func files(_ relative: String) throws -> [ConfigFile] {
        let base = packageRoot.appendingPathComponent(relative)
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else {
            throw HarnessError("\(base.path) cannot be read")
        }
        var files: [ConfigFile] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue, ConfigFile.isRelevant(path) else { continue }
            let data = try Data(contentsOf: base.appendingPathComponent(path))
            files.append(ConfigFile(path: path, repositoryPath: "\(relative)/\(path)", contents: Array(data)))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The example's desired state; an error diagnostic fails the load, with its headline.
    public static func state(_ relative: String = "examples/salon-chain") throws -> DesiredState {
        let result = ConfigLoader.load(try files(relative), catalog: Registry.catalog)
        let errors = result.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw HarnessError(errors.map(\.headline).joined(separator: "\n")) }
        return result.state
    }
}
