import Foundation
import Logging
import SalonOpsCore
import SalonOpsGit

/// The `fetch` and `load` stages: read the commit through libgit2, then parse and validate it.
public enum DesiredStateSource {
    /// `options.include` is replaced by the files the loader reads. Throws `GitSourceError`, and
    /// `CommitTrustError` when `trust` refuses the commit.
    public static func load(_ options: GitSourceOptions, catalog: ProviderCatalog, trust: CommitTrustPolicy? = nil, logger: Logger) async throws -> ValidationReport {
        try await loadWithSnapshot(options, catalog: catalog, trust: trust, logger: logger).report
    }

    /// The report and the files it was made from (for what needs the encrypted files' bytes).
    /// An untrusted commit is refused before any of its files is parsed.
    public static func loadWithSnapshot(
        _ options: GitSourceOptions, catalog: ProviderCatalog, trust: CommitTrustPolicy? = nil, logger: Logger
    ) async throws -> (report: ValidationReport, snapshot: ConfigSnapshot) {
        let started = ContinuousClock.now
        var options = options
        options.include = { ConfigFile.isRelevant($0) }
        let snapshot = try await GitSource.read(options)
        logger.debug("fetched", metadata: ["commit": "\(snapshot.commit)", "files": "\(snapshot.files.count)", "elapsed": "\(ContinuousClock.now - started)"])
        if let trust {
            let signer = try trust.check(snapshot)
            logger.debug("trusted", metadata: ["commit": "\(snapshot.commit)", "signer": "\(signer.fingerprint)"])
        }
        let report = validate(snapshot, catalog: catalog)
        logger.debug("loaded", metadata: ["documents": "\(report.state.documentCount)", "elapsed": "\(ContinuousClock.now - started)"])
        return (report, snapshot)
    }

    /// Pure step after the fetch, shared by the CLI and the benchmark.
    public static func validate(_ snapshot: ConfigSnapshot, catalog: ProviderCatalog) -> ValidationReport {
        let files = snapshot.files.map { file in
            let special: ConfigFile.Special? =
                switch file.special {
                case .symbolicLink(let target)?: .symbolicLink(target: target)
                case .tooLarge(let bytes)?: .tooLarge(bytes: bytes)
                case nil: nil
                }
            return ConfigFile(path: file.path, repositoryPath: file.repositoryPath, contents: file.contents, special: special)
        }
        let result = ConfigLoader.load(files, catalog: catalog)
        let source = ValidationReport.Source(
            repository: RunLog.redactURL(snapshot.repository), commit: snapshot.commit, refName: snapshot.refName,
            root: snapshot.root, fromWorktree: snapshot.fromWorktree)
        return ValidationReport(source: source, result: result)
    }
}
