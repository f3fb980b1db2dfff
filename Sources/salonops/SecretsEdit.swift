import ArgumentParser
import Foundation
import SalonOpsSecrets

struct SecretsEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit the plaintext in $EDITOR; values left unchanged keep their ciphertext.",
        discussion: "The plaintext lives in a private (0700) temporary folder only while the editor runs, and is removed afterwards."
    )

    @OptionGroup var options: SecretsOptions

    @Argument(help: "The encrypted file.")
    var file: String

    func run() throws {
        try reportingErrors {
            let context = options.context(command: "secrets edit")
            let opened = try SecretsOperations.open(try SecretsOperations.readFile(file), file: file, context: context)
            let original = SopsYAMLPlaintext.render(opened.2.documents)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-edit-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            defer { try? FileManager.default.removeItem(at: folder) }
            let scratch = folder.appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path
            try AtomicFile.write(original, to: scratch, mode: 0o600)

            let editor = ProcessInfo.processInfo.environment["SOPS_EDITOR"] ?? ProcessInfo.processInfo.environment["EDITOR"] ?? "vi"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            // The editor command may carry arguments ("code --wait"): the shell splits it.
            process.arguments = ["-c", "\(editor) \"$1\"", "salonops-editor", scratch]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("the editor exited with status \(process.terminationStatus); \(file) is unchanged")
            }
            let edited = try SecretsOperations.readFile(scratch)
            if edited == original {
                printError("no change; \(file) left as it was")
                return
            }
            let documents: [SopsNode]
            do { documents = try SopsYAMLPlaintext.parse(edited) } catch {
                throw ValidationError("the edited text is not valid YAML (\(error)); \(file) is unchanged")
            }
            try SecretsOperations.reencrypt(file: file, original: opened, plaintext: documents, now: Date())
            printError("saved \(file)")
        }
    }
}
