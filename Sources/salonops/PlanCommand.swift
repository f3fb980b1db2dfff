import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compare the config at a commit with what each provider has, and show what apply would change. Never writes to a provider.",
        discussion: "Exit 0: nothing to change; 2: changes or drift; 1: error; 3: refused by a safety threshold."
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    @Option(name: .long, help: "text (owner summary, then detail), json (schema salonops.plan/v1) or markdown (for PR comments).")
    var format: PlanFormat = .text

    @Option(name: .long, help: "Save the plan (with the commit and a digest of what was observed) for `salonops apply PLAN`.")
    var out: String?

    func run() async throws {
        let run = try await EngineRun.start(source: source, engine: engine, command: "plan")
        run.engine.noteUnfinished(terminalOutput)
        let (plan, observation) = await run.engine.plan(force: engine.force, output: terminalOutput)
        switch format {
        case .text: print(run.renderer.text(plan), terminator: "")
        case .json: print(PlanRenderer.json(plan), terminator: "")
        case .markdown:
            let markdown = run.renderer.markdown(plan)
            print(markdown, terminator: "")
            if let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty,
                let handle = FileHandle(forWritingAtPath: summary)
            {
                handle.seekToEndOfFile()
                handle.write(Data(markdown.utf8))
                try? handle.close()
            }
        }
        if let out {
            do { try SavedPlan(plan: plan, observed: observation.resources).write(out) } catch {
                await run.shutdown()
                printError("error: could not save the plan to \(out): \(error.localizedDescription)")
                throw ExitCode(1)
            }
            printError("saved the plan to \(out); apply it with `salonops apply \(out)`")
        }
        for refusal in plan.refusals { printError("refused: \(refusal) (--force overrides)") }
        await run.engine.writeReport(plan: plan, result: nil, observation: observation, requests: observation.requests, output: terminalOutput)
        let retries = await run.engine.reconciler.retries().values.reduce(0) { $0 + $1.sent }
        await run.engine.recordRun(
            ExitStatus.of(plan),
            counts: ["changes": plan.changeCount, "drift": plan.driftCount, "duplicates": plan.duplicateCount, "retries": retries], output: terminalOutput)
        await run.shutdown()
        throw ExitCode(ExitStatus.of(plan).rawValue)
    }
}
