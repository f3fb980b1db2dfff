import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsRotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Encrypt files again under a new data key (same recipients, same values)."
    )

    @OptionGroup var options: SecretsOptions

    @Argument(help: "Encrypted files.")
    var files: [String]

    func run() throws {
        try reportingErrors {
            for file in files {
                try SecretsOperations.rotate(file: file, context: options.context(command: "secrets rotate"))
                printError("rotated the data key of \(file)")
            }
        }
    }
}
