import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set one value, read from standard input (never from the command line).",
        discussion: """
            Example: printf %s "$KEY" | salonops secrets set secrets/stripe.sops.yaml '["paris-11"]["secret_key"]'
            One trailing newline is dropped. Every other value keeps its ciphertext, so the git diff is one line.
            """
    )

    @OptionGroup var options: SecretsOptions

    @Argument(help: "The encrypted file.")
    var file: String

    @Argument(help: "Key path: '[\"a\"][\"b\"]' or a.b; missing keys are created.")
    var keyPath: String

    func run() throws {
        try reportingErrors {
            var value = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if value.hasSuffix("\n") { value.removeLast() }
            if value.hasSuffix("\r") { value.removeLast() }
            guard !value.isEmpty else { throw ValidationError("no value on standard input") }
            try SecretsOperations.set(file: file, keyPath: keyPath, value: .string(value), context: options.context(command: "secrets set"))
            printError("set \(keyPath) in \(file)")
        }
    }
}
