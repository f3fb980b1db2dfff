import ArgumentParser
import Foundation
import SalonOpsEngine
import SalonOpsSecrets

/// `salonops secrets …`: sops-compatible encrypted files with age recipients.
struct Secrets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encrypted credential files (sops format, age recipients), readable by sops and age too.",
        discussion: """
            Keys are looked up as sops does: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, then \
            ~/.config/sops/age/keys.txt; --age-key-file adds one. Recipients and rules come from the \
            nearest .sops.yaml above the file. Every decryption is recorded (never a value) in \
            <state-dir>/audit.jsonl.
            """,
        subcommands: [
            SecretsKeygen.self, SecretsEncrypt.self, SecretsDecrypt.self, SecretsSet.self, SecretsEdit.self,
            SecretsRotate.self, SecretsUpdateKeys.self, SecretsRevoke.self, SecretsCheck.self,
        ]
    )
}

/// Options the secrets commands share.
struct SecretsOptions: ParsableArguments {
    @Option(name: .long, help: "An age identity file to use besides SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the default keys file.")
    var ageKeyFile: String?

    @Option(name: .long, help: "The .sops.yaml with the creation rules (default: the nearest one above the file).")
    var config: String?

    @Option(name: .long, help: "Where the audit log is kept. Default: ~/.local/state/salonops.")
    var stateDir: String?

    func context(command: String) -> SecretsContext {
        SecretsContext(
            keys: AgeKeySources(keyFile: ageKeyFile),
            audit: AuditLog(stateDirectory: stateDir ?? DefaultPaths.stateDirectory), command: command)
    }

    /// The creation rules for a file: `--config`, else the nearest `.sops.yaml`.
    func rules(for file: String) throws -> CreationRules {
        guard let path = config ?? CreationRules.find(for: file) else {
            throw SopsError.badRule("no \(CreationRules.fileName) found above \(file): create one with a creation rule (path_regex, age), or pass --config")
        }
        return try CreationRules.load(path: path)
    }
}

/// Runs a command body, turning any error into one `error:` line and exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let exit as ExitCode { throw exit } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}
