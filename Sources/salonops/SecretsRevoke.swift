import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Remove a recipient from every encrypted file and from .sops.yaml, rotating each file's data key.",
        discussion: "Nothing is written unless every affected file can be decrypted with the keys at hand."
    )

    @OptionGroup var options: SecretsOptions

    @Option(name: .long, help: "The folder to search for encrypted files (default: the current folder).")
    var root: String = "."

    @Argument(help: "The recipient to remove (age1…).")
    var recipient: String

    func run() throws {
        try reportingErrors {
            let target = try AgeRecipient(recipient)
            let files = SecretsOperations.encryptedFiles(under: root)
            let rulesPath =
                options.config
                ?? {
                    let candidate = (root as NSString).appendingPathComponent(CreationRules.fileName)
                    return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
                }()
            let rewritten = try RecipientAudit.revoke(target, files: files, rulesPath: rulesPath, context: options.context(command: "secrets revoke"))
            if rewritten.isEmpty {
                print("\(target) is not a recipient of any file under \(root)")
            } else {
                for file in rewritten { print("revoked in \(file)") }
            }
        }
    }
}
