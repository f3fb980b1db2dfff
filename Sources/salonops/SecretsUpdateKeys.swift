import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsUpdateKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "updatekeys",
        abstract: "Give files the recipients their creation rule names (the data key is kept).",
        discussion: "A removed recipient may still hold the old data key: use `revoke` to also rotate it."
    )

    @OptionGroup var options: SecretsOptions

    @Argument(help: "Encrypted files.")
    var files: [String]

    func run() throws {
        try reportingErrors {
            for file in files {
                let settings = try options.rules(for: file).rule(for: file).settings
                let change = try SecretsOperations.updateKeys(file: file, settings: settings, context: options.context(command: "secrets updatekeys"))
                if change.added.isEmpty && change.removed.isEmpty {
                    print("\(file): recipients already match the rules")
                } else {
                    print("\(file): added \(change.added.count), removed \(change.removed.count)")
                    for recipient in change.added { print("  + \(recipient)") }
                    for recipient in change.removed { print("  - \(recipient)") }
                }
            }
        }
    }
}
