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
        var code = await ApplyCommand.planAndApply(run, saved: nil, autoApprove: true, force: engine.force, command: "reconcile")
        if code == 0 {
            // Drift left alone by `warn` is worth a non-zero exit for a scheduler.
            let (after, _) = await run.reconciler.plan(id: UUID().uuidString.lowercased(), force: engine.force)
            if after.integrations.contains(where: { $0.drift == .warn && $0.driftCount > 0 }) { code = 2 }
        }
        await run.shutdown()
        throw ExitCode(code)
    }
}
