import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsGit

// Helpers for the git source tests. Fixture repositories (`GitFixture`, built by the real `git`
// CLI, an independent peer), temp folders and bounded process runs come from SalonOpsTestSupport.

/// The test process reads no machine git configuration through libgit2: no identity (which
/// proves reading needs none), no `insteadOf` rewrites, no global excludes file. The git CLI
/// fixtures are isolated the same way (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null).
enum TestEnvironment {
    /// A folder that never exists: libgit2 finds no config file there.
    static let noConfigFolder = FileManager.default.temporaryDirectory
        .appendingPathComponent("salonops-no-git-config-\(UUID().uuidString)/absent").path

    private static let setUp: Result<Void, any Error> = Result { try LibGit2.setConfigSearchPath(noConfigFolder) }

    /// Call before the first libgit2 use in every test (a static initializer runs once).
    static func ready() throws { try setUp.get() }
}

/// Reads through the public API, bounded. Local reads get a cache folder that does not exist,
/// which also shows they never create one.
func read(
    _ repository: String, ref: String? = nil, path: String? = nil, worktree: Bool = false, cache: TempFolder? = nil,
    credentials: GitCredentials = GitCredentials(),
    include: @escaping @Sendable (String) -> Bool = GitSourceOptions.yamlFiles
) async throws -> ConfigSnapshot {
    try TestEnvironment.ready()
    let options = GitSourceOptions(
        repository: repository, ref: ref, path: path, worktree: worktree,
        cacheDirectory: cache?.path ?? TestEnvironment.noConfigFolder + "-cache",
        credentials: credentials, include: include)
    // A hang guard, not a speed: a loaded 2-core CI has taken a minute over an ssh clone.
    return try await withDeadline(180, "reading \(repository)") { try await GitSource.read(options) }
}

/// The error a read fails with; records an issue when it succeeds or fails otherwise. Every
/// description must be one line.
func failure(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> GitSourceError? {
    do {
        try await body()
        Issue.record("expected an error, got none", sourceLocation: sourceLocation)
    } catch let error as GitSourceError {
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a GitSourceError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func text(_ snapshot: ConfigSnapshot, _ path: String) -> String? {
    snapshot.files.first { $0.path == path }.map { String(decoding: $0.contents, as: UTF8.self) }
}

/// A value several threads may set.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }
    var current: Value { lock.withLock { value } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&value) } }
}
