import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsGit

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the config at a commit: YAML, schema, references, hours, money, plaintext secrets.",
        discussion: "Reports every problem as file:line:col with a hint. Exit 0 when valid (warnings allowed), 1 on any error."
    )

    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "Output format: text or json (schema salonops.validate/v1).")
    var format: OutputFormat = .text

    func run() async throws {
        let logger = source.makeLogger()
        let report: ValidationReport
        do {
            report = try await DesiredStateSource.load(source.gitOptions, logger: logger)
        } catch let error as GitSourceError {
            printError("error: fetch: \(error)")
            throw ExitCode(1)
        }
        switch format {
        case .text: print(report.renderText(), terminator: "")
        case .json: print(report.renderJSON(), terminator: "")
        }
        do {
            try RunLog(directory: source.stateDirectory).append(
                command: "validate", repository: report.source.repository, commit: report.source.commit,
                ref: report.source.refName, worktree: report.source.fromWorktree, outcome: report.isValid ? "valid" : "invalid")
        } catch {
            logger.warning("could not record the run in \(source.stateDirectory): \(error)")
        }
        if !report.isValid { throw ExitCode(1) }
    }
}
