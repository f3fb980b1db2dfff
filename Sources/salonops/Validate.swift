import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsGit
import SalonOpsProviders
import SalonOpsSecrets

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the config at a commit: YAML, schema, references, hours, money, plaintext secrets.",
        discussion: "Reports every problem as file:line:col with a hint. Exit 0 when valid (warnings allowed), 1 on any error."
    )

    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "Output format: text or json (schema salonops.validate/v1).")
    var format: OutputFormat = .text

    @Flag(
        name: .long,
        help: "Also decrypt every credential reference in memory with the age keys at hand (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, --age-key-file) and report each by fingerprint.")
    var credentials = false

    @Option(name: .long, help: "An age identity file for --credentials.")
    var ageKeyFile: String?

    func run() async throws {
        let logger = source.makeLogger()
        let report: ValidationReport
        let snapshot: ConfigSnapshot
        do {
            (report, snapshot) = try await DesiredStateSource.loadWithSnapshot(source.gitOptions, catalog: Registry.catalog, logger: logger)
        } catch let error as GitSourceError {
            printError("error: fetch: \(error)")
            throw ExitCode(1)
        }
        switch format {
        case .text: print(report.renderText(), terminator: "")
        case .json: print(report.renderJSON(), terminator: "")
        }
        do {
            try RunLog(directory: source.stateDirectory).append(
                command: "validate", repository: report.source.repository, commit: report.source.commit,
                ref: report.source.refName, worktree: report.source.fromWorktree, outcome: report.isValid ? "valid" : "invalid")
        } catch {
            logger.warning("could not record the run in \(source.stateDirectory): \(error)")
        }
        if !report.isValid { throw ExitCode(1) }
        if credentials, format == .text, !resolveCredentials(report, snapshot) { throw ExitCode(1) }
    }

    /// Decrypts each referenced credential from the commit's own encrypted files; prints one line
    /// per credential with its fingerprint, never its value.
    private func resolveCredentials(_ report: ValidationReport, _ snapshot: ConfigSnapshot) -> Bool {
        let files = Dictionary(snapshot.files.map { ($0.path, $0.contents) }, uniquingKeysWith: { a, _ in a })
        let context = SecretsContext(
            keys: AgeKeySources(keyFile: ageKeyFile), audit: AuditLog(stateDirectory: source.stateDirectory),
            command: "validate --credentials", commit: report.source.commit)
        let resolved = CredentialResolver.resolve(report.state, files: files, context: context)
        print("")
        print("credentials (decrypted in memory, shown by fingerprint):")
        var failures = 0
        for item in resolved {
            switch item.result {
            case .success(let secret):
                print("  ok    \(item.integration) · \(item.name)  \(item.reference)  \(secret.fingerprint)")
            case .failure(let error):
                failures += 1
                print("  FAIL  \(item.integration) · \(item.name)  \(item.reference): \(error)")
            }
        }
        print("\(resolved.count - failures) of \(resolved.count) credentials decrypted")
        return failures == 0
    }
}
