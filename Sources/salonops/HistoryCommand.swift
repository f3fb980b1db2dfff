import ArgumentParser
import Foundation
import SalonOpsDaemon
import SalonOpsEngine
import SalonOpsSecrets

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The runs kept in the state directory (90 days), with the decryptions each made.",
        discussion: """
            Every plan, apply, reconcile and daemon run is recorded (history.sqlite): trigger, commit, outcome, each integration's \
            stage results, durations, requests; joined with audit.jsonl (who decrypted what).
            """
    )

    @Option(name: .long, help: "Where run records are kept. Default: ~/.local/state/salonops.")
    var stateDir: String?

    @Option(name: .long, help: "Only runs that planned this Integration.")
    var integration: String?

    @Option(name: .long, help: ArgumentHelp("Only runs started within this long: 30m, 24h, 7d.", valueName: "DURATION"))
    var since: String?

    @Option(name: .long, help: "text or json (schema salonops.history/v1).")
    var format: OutputFormat = .text

    func run() async throws {
        let directory = stateDir ?? DefaultPaths.stateDirectory
        var cutoff: Date?
        if let since {
            guard let window = RunCommand.duration(since) else {
                printError("error: --since '\(since)': write a duration such as 30m, 24h or 7d")
                throw ExitCode(1)
            }
            cutoff = Date().addingTimeInterval(-window.timeInterval)
        }
        let runs: [RunRecord]
        do { runs = try await SQLiteRunHistory(stateDirectory: directory).runs(since: cutoff, integration: integration) } catch {
            printError("error: could not read the history in \(directory)/history.sqlite: \(error)")
            throw ExitCode(1)
        }
        let joined = RunWithDecryptions.join(runs, audit: AuditLog(stateDirectory: directory).entries())
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.dateEncodingStrategy = .iso8601
            struct Document: Encodable {
                let schema = "salonops.history/v1"
                let runs: [RunWithDecryptions]
            }
            FileHandle.standardOutput.write(try encoder.encode(Document(runs: joined)) + Data("\n".utf8))
        case .text:
            guard !joined.isEmpty else {
                print("No runs recorded in \(directory)\(since.map { " in the last \($0)" } ?? "")\(integration.map { " for \($0)" } ?? "").")
                return
            }
            for entry in joined { print(Self.text(entry), terminator: "") }
        }
    }

    static func text(_ entry: RunWithDecryptions) -> String {
        let run = entry.run
        var out = "\(SopsFile.rfc3339(run.startedAt))  \(run.command)"
        if run.trigger != run.command { out += " (\(run.trigger))" }
        out += "  \(run.commit.prefix(12))  \(run.outcome)  \(String(format: "%.1f", Double(run.durationMs) / 1000)) s  \(run.requests) requests"
        if run.scope != "full" { out += "  scope: \(run.scope)" }
        out += "\n"
        let counts = run.counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !counts.isEmpty { out += "    \(counts.joined(separator: ", "))\n" }
        for result in run.integrations {
            out += "    \(result.integration): \(result.stage == "ok" ? "ok" : "failed at \(result.stage)"), \(result.applied) applied"
            if result.failed > 0 { out += ", \(result.failed) failed" }
            if result.drift > 0 { out += ", \(result.drift) drifted" }
            out += ", \(result.requests) requests\n"
            for error in result.errors { out += "      \(error)\n" }
        }
        for line in entry.decryptions {
            out += "    decrypted \(line.file) (\(line.keyPaths.joined(separator: ", "))) with \(line.identity)\n"
        }
        return out
    }
}
