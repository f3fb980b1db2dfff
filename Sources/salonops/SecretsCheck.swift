import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every encrypted file: MAC good, decryptable with the keys at hand, recipients as .sops.yaml says.",
        discussion: "Exit 0 when every file passes, 1 otherwise."
    )

    @OptionGroup var options: SecretsOptions

    @Option(name: .long, help: "The folder to search for encrypted files (default: the current folder).")
    var root: String = "."

    func run() throws {
        try reportingErrors {
            let files = SecretsOperations.encryptedFiles(under: root)
            let reports = RecipientAudit.check(files: files, rulesPath: options.config, context: options.context(command: "secrets check"))
            for report in reports {
                if report.ok {
                    print("ok    \(report.file) (\(report.recipients.count) recipient(s), last modified \(report.lastModified ?? "?"))")
                } else {
                    for problem in report.problems { print("FAIL  \(report.file): \(problem)") }
                }
            }
            let failed = reports.filter { !$0.ok }.count
            print("\(reports.count) encrypted file(s), \(failed) with problems")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
