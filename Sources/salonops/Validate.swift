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
        discussion:
            "Reports every problem as file:line:col with a hint. Exit 0 when valid (warnings allowed), 1 on any error, 3 when --require-signed-by refuses the commit."
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
            (report, snapshot) = try await DesiredStateSource.loadWithSnapshot(
                source.gitOptions, catalog: Registry.catalog, trust: try source.trustPolicy(), logger: logger)
        } catch let error as GitSourceError {
            printError("error: fetch: \(error)")
            throw ExitCode(1)
        } catch let error as CommitTrustError {
            throw refusal(.untrusted(error))
        }
        // Credentials are checked only for a config that is valid otherwise.
        let checks = credentials && report.isValid ? checkCredentials(report, snapshot) : nil
        let credentialsFailed = checks?.contains { $0.error != nil } ?? false
        switch format {
        case .text:
            print(report.renderText(), terminator: "")
            if let checks { printCredentials(checks) }
        case .json: print(report.renderJSON(credentials: checks), terminator: "")
        }
        do {
            try RunLog(directory: source.stateDirectory).append(
                command: "validate", repository: report.source.repository, commit: report.source.commit,
                ref: report.source.refName, worktree: report.source.fromWorktree, outcome: report.isValid && !credentialsFailed ? "valid" : "invalid")
        } catch {
            logger.warning("could not record the run in \(source.stateDirectory): \(error)")
        }
        // The same verdict and exit code in both formats.
        if !report.isValid || credentialsFailed { throw ExitCode(1) }
    }

    /// Decrypts each referenced credential from the commit's own encrypted files, in memory.
    private func checkCredentials(_ report: ValidationReport, _ snapshot: ConfigSnapshot) -> [ValidationReport.CredentialCheck] {
        let files = Dictionary(snapshot.files.map { ($0.path, $0.contents) }, uniquingKeysWith: { a, _ in a })
        let context = SecretsContext(
            keys: AgeKeySources(keyFile: ageKeyFile), audit: AuditLog(stateDirectory: source.stateDirectory),
            command: "validate --credentials", commit: report.source.commit)
        // The keys are read once: a bad key file is one failure, not one per credential.
        do { _ = try context.keys.identities() } catch {
            return report.state.integrations.flatMap { integration in
                integration.credentials.map { credential in
                    ValidationReport.CredentialCheck(
                        integration: integration.metadata.name, name: credential.name, reference: "\(credential.reference)", fingerprint: nil, error: "\(error)")
                }
            }.sorted { ($0.integration, $0.name) < ($1.integration, $1.name) }
        }
        return CredentialResolver.resolve(report.state, files: files, context: context).map { item in
            switch item.result {
            case .success(let secret):
                ValidationReport.CredentialCheck(
                    integration: item.integration, name: item.name, reference: "\(item.reference)",
                    fingerprint: secret.fingerprint, error: nil)
            case .failure(let error):
                ValidationReport.CredentialCheck(
                    integration: item.integration, name: item.name, reference: "\(item.reference)",
                    fingerprint: nil, error: "\(error)")
            }
        }
    }

    /// One line per credential with its fingerprint, never its value.
    private func printCredentials(_ checks: [ValidationReport.CredentialCheck]) {
        print("")
        print("credentials (decrypted in memory, shown by fingerprint):")
        // A reason shared by several credentials (no key, a bad key file) is said once, after them.
        let reasons = Dictionary(grouping: checks.compactMap(\.error), by: { $0 }).mapValues(\.count)
        for check in checks {
            if let fingerprint = check.fingerprint {
                print("  ok    \(check.integration) · \(check.name)  \(check.reference)  \(fingerprint)")
            } else if let error = check.error, reasons[error, default: 0] > 1 {
                print("  FAIL  \(check.integration) · \(check.name)  \(check.reference)")
            } else {
                print("  FAIL  \(check.integration) · \(check.name)  \(check.reference): \(SecretScanner.redact(check.error ?? "failed"))")
            }
        }
        for (reason, count) in reasons.sorted(by: { $0.key < $1.key }) where count > 1 {
            print("  \(count == checks.count ? "all \(count)" : "\(count) of them") failed: \(SecretScanner.redact(reason))")
        }
        let failures = checks.filter { $0.error != nil }.count
        print("\(checks.count - failures) of \(checks.count) credentials decrypted")
    }
}
