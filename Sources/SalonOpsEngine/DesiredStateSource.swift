import Foundation
import Logging
import SalonOpsCore
import SalonOpsGit

/// Where the desired state comes from: a repository, a ref, a sub-folder.
public struct SourceSettings: Sendable {
    public var repository: String
    public var ref: String?
    public var path: String?
    public var worktree: Bool
    public var cacheDirectory: String
    public var credentials: GitCredentials

    public init(repository: String, ref: String?, path: String?, worktree: Bool, cacheDirectory: String, credentials: GitCredentials) {
        self.repository = repository
        self.ref = ref
        self.path = path
        self.worktree = worktree
        self.cacheDirectory = cacheDirectory
        self.credentials = credentials
    }
}

/// The `fetch` and `load` stages: read the commit through libgit2, then parse and validate it.
public enum DesiredStateSource {
    public static func load(_ settings: SourceSettings, logger: Logger) async throws -> ValidationReport {
        let started = ContinuousClock.now
        let snapshot = try await GitSource.read(GitSourceOptions(
            repository: settings.repository, ref: settings.ref, path: settings.path, worktree: settings.worktree,
            cacheDirectory: settings.cacheDirectory, credentials: settings.credentials,
            include: { ConfigFile.isRelevant($0) }))
        logger.debug("fetched", metadata: ["commit": "\(snapshot.commit)", "files": "\(snapshot.files.count)", "elapsed": "\(ContinuousClock.now - started)"])
        let report = validate(snapshot)
        logger.debug("loaded", metadata: ["documents": "\(report.state.documentCount)", "elapsed": "\(ContinuousClock.now - started)"])
        return report
    }

    /// Pure step after the fetch, shared by the CLI and the benchmark.
    public static func validate(_ snapshot: ConfigSnapshot) -> ValidationReport {
        let files = snapshot.files.map { ConfigFile(path: $0.path, repositoryPath: $0.repositoryPath, contents: $0.contents) }
        let result = ConfigLoader.load(files)
        let source = ValidationReport.Source(repository: RunLog.redactURL(snapshot.repository), commit: snapshot.commit, refName: snapshot.refName,
                                             root: snapshot.root, fromWorktree: snapshot.fromWorktree)
        return ValidationReport(source: source, result: result)
    }
}
