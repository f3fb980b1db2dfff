import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviders
import SalonOpsSecrets

struct SuspendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend",
        abstract: "Stop planning and applying one Integration (plan, apply, reconcile, run) until `salonops resume`.",
        discussion: """
            Kept in the state directory for this repository. It does not end by itself: past --until every run warns and the \
            daemon alerts. `suspended: true` in the Integration's document does the same from git.
            """
    )

    @OptionGroup var source: SourceOptions

    @Argument(help: "The Integration's name.") var integration: String

    @Option(name: .long, help: ArgumentHelp("When it is meant to end: a date (2026-12-24), a time (RFC 3339) or a duration (7d, 12h).", valueName: "WHEN"))
    var until: String?

    @Option(name: .long, help: "Why, for the others (shown in plans, the status page and the history).")
    var reason: String?

    func run() async throws {
        let (store, state) = try await Self.store(source, command: "suspend")
        try Self.check(integration, in: state)
        var end: String?
        if let until {
            guard let date = Self.date(until, now: Date()) else {
                printError("error: --until '\(until)': write a date (2026-12-24), a time (2026-12-24T18:00:00Z) or a duration (7d, 12h)")
                throw ExitCode(1)
            }
            guard date > Date() else {
                printError("error: --until \(SopsFile.rfc3339(date)) is already past")
                throw ExitCode(1)
            }
            end = SopsFile.rfc3339(date)
        }
        let who = "\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")@\(ProcessInfo.processInfo.hostName)"
        let suspension = Suspension(integration: integration, since: SopsFile.rfc3339(Date()), until: end, by: who, reason: reason.map { SecretScanner.redact($0) })
        do { try store.suspend(suspension) } catch {
            printError("error: could not write \(store.path): \(error)")
            throw ExitCode(1)
        }
        print("\(integration) \(suspension.summary)")
    }

    static func store(_ source: SourceOptions, command: String) async throws -> (Suspensions, DesiredState) {
        let configuration = EngineConfiguration(
            source: source.gitOptions, trust: try source.trustPolicy(), stateDirectory: source.stateDirectory, providers: Registry.providers,
            command: command, logger: source.makeLogger())
        do { return try await Engine.suspensions(configuration) } catch let error as EngineStartError {
            throw startFailure(error)
        }
    }

    /// An Integration of the config, or exit 1 naming the ones there are.
    static func check(_ name: String, in state: DesiredState) throws {
        let names = state.integrations.map(\.metadata.name).sorted()
        guard names.contains(name) else {
            printError("error: no Integration '\(name)' in this config\(Suggestions.didYouMean(name, among: names)); there are \(names.joined(separator: ", "))")
            throw ExitCode(1)
        }
    }

    /// `2026-12-24` (midnight UTC), an RFC 3339 time, or a duration from `now`.
    static func date(_ text: String, now: Date) -> Date? {
        if let duration = RunCommand.duration(text) { return now.addingTimeInterval(Double(duration.components.seconds)) }
        if let time = ISO8601DateFormatter().date(from: text) { return time }
        if case .success(let day) = LocalDate.parse(text) { return ISO8601DateFormatter().date(from: "\(day)T00:00:00Z") }
        return nil
    }
}
