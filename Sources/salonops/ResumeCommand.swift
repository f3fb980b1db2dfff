import ArgumentParser
import Foundation
import SalonOpsEngine

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Plan and apply a suspended Integration again (the next run catches up on what it missed)."
    )

    @OptionGroup var source: SourceOptions

    @Argument(help: "The Integration's name.") var integration: String

    func run() async throws {
        let (store, state) = try await SuspendCommand.store(source, command: "resume")
        try SuspendCommand.check(integration, in: state)
        if let location = state.integrations.first(where: { $0.metadata.name == integration })?.suspended {
            printError("error: \(integration) is suspended by its document (\(location)): remove 'suspended: true' there and commit")
            throw ExitCode(1)
        }
        let resumed: Bool
        do { resumed = try store.resume(integration) } catch {
            printError("error: could not write \(store.path): \(error)")
            throw ExitCode(1)
        }
        print(resumed ? "\(integration) resumed: the next plan, apply or run includes it" : "\(integration) was not suspended")
    }
}
