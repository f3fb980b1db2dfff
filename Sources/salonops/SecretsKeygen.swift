import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an age identity (mode 0600) and print its recipient (age1…).",
        discussion: "The file has the same form as age-keygen's, so age and sops read it too."
    )

    @Option(name: [.short, .long], help: "Where to write the identity (default: the sops default keys file). Never overwritten.")
    var output: String?

    func run() throws {
        try reportingErrors {
            let path = output ?? AgeKeySources().defaultKeyFile
            guard !FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("\(path) already exists; pass another --output (an identity is never overwritten)")
            }
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let identity = try AgeIdentity.generate()
            try AtomicFile.write(AgeKeyFile.render(identity, created: Date()), to: path, mode: 0o600)
            printError("wrote a new age identity to \(path) (keep it private; back it up)")
            print(identity.recipient.description)
        }
    }
}
