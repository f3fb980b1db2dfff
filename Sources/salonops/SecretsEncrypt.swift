import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsEncrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a plaintext YAML file in place, for the recipients of its creation rule."
    )

    @OptionGroup var options: SecretsOptions

    @Option(name: .long, help: "Recipients (age1…, comma-separated) instead of the creation rule's.")
    var age: String?

    @Argument(help: "The plaintext YAML file.")
    var file: String

    func run() throws {
        try reportingErrors {
            var settings: SopsFile.Settings
            if let age {
                let recipients = try age.split(separator: ",").map { try AgeRecipient(String($0).trimmingCharacters(in: .whitespaces)) }
                settings = SopsFile.Settings(groups: [recipients])
                if let rules = try? options.rules(for: file), let rule = try? rules.rule(for: file) { settings.rule = rule.settings.rule }
            } else {
                settings = try options.rules(for: file).rule(for: file).settings
            }
            try SecretsOperations.encrypt(file: file, settings: settings)
            printError("encrypted \(file) for \(settings.groups.joined().count) recipient(s)")
        }
    }
}
