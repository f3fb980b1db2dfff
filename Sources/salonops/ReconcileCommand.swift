import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Plan and apply without asking, for schedules (cron, Kubernetes, the daemon).",
        discussion: "Exit 0: in sync (or all changes applied); 2: drift reported but not corrected (drift: warn); 1: a failure; 3: refused."
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let run = try await EngineRun.start(source: source, engine: engine, command: "reconcile")
        let code = await ApplyCommand.planAndApply(run, saved: nil, autoApprove: true, force: engine.force, command: "reconcile",
                                                   driftExitCode: true)
        await run.shutdown()
        throw ExitCode(code)
    }
}
