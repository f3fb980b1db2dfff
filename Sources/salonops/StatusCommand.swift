import ArgumentParser
import Foundation
import SalonOpsEngine

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last status report (written by plan, apply, reconcile and check)."
    )

    @Option(name: .long, help: "Where the report was written. Default: <state-dir>/report.")
    var reportDir: String?

    @Option(name: .long, help: "Where run records are kept. Default: ~/.local/state/salonops.")
    var stateDir: String?

    @Option(name: .long, help: "text (status.md) or json (status.json).")
    var format: OutputFormat = .text

    func run() throws {
        let directory = reportDir ?? ((stateDir ?? DefaultPaths.stateDirectory) as NSString).appendingPathComponent("report")
        let file = (directory as NSString).appendingPathComponent(format == .json ? "status.json" : "status.md")
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("error: no report in \(directory): run `salonops plan`, `apply`, `reconcile` or `check` first")
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(data)
    }
}
