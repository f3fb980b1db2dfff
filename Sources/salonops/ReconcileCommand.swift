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
        let renderer = run.renderer
        let status = await run.engine.apply(
            saved: nil, force: engine.force, render: { renderer.text($0) }, approve: { _ in true },
            driftIsChange: true, output: terminalOutput)
        await run.shutdown()
        throw ExitCode(status.rawValue)
    }
}
