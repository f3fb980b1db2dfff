import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Print a file's plaintext (or one value with --extract) to standard output.",
        discussion: "The file on disk is not changed. The access is recorded in the audit log."
    )

    @OptionGroup var options: SecretsOptions

    @Option(name: .long, help: "One value, as sops writes it: '[\"stripe\"][\"secret_key\"]' (or stripe.secret_key).")
    var extract: String?

    @Argument(help: "The encrypted file.")
    var file: String

    func run() throws {
        try reportingErrors {
            let text = try SecretsOperations.decrypt(file: file, extract: extract, context: options.context(command: "secrets decrypt"))
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
