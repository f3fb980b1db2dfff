import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out a plan: a saved one (refused if what it observed has moved), or a fresh one after confirmation.",
        discussion:
            "Without --auto-approve, asks on a terminal and refuses without one. Exit 0: all applied; 1: a change failed or an error; 3: refused (safety threshold, lock held, stale plan)."
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    @Flag(name: .long, help: "Do not ask for confirmation.")
    var autoApprove = false

    @Argument(help: "A plan saved with `salonops plan --out`.")
    var planFile: String?

    func run() async throws {
        var saved: SavedPlan?
        if let planFile {
            do { saved = try SavedPlan.read(planFile) } catch let error as SavedPlanError {
                printError("error: \(error)")
                throw ExitCode(1)
            } catch {
                printError("error: \(planFile) is not a plan saved by `salonops plan --out` (\(error.localizedDescription))")
                throw ExitCode(1)
            }
        }
        // A saved plan that retires duplicates was reviewed so: it is recomputed the same way.
        let retires = saved?.plan.integrations.contains { $0.changes.contains { $0.duplicateOf != nil } } ?? false
        let run = try await EngineRun.start(source: source, engine: engine, command: "apply", ref: saved?.plan.commit, retireDuplicates: retires)
        // A saved plan was reviewed when it was made (as `terraform apply PLANFILE`): no question.
        let ask = !autoApprove && saved == nil
        let renderer = run.renderer
        let status = await run.engine.apply(
            saved: saved, force: engine.force, render: { renderer.text($0) },
            approve: { plan in ask ? Self.confirm(plan) : true }, output: terminalOutput)
        await run.shutdown()
        throw ExitCode(status.rawValue)
    }

    static func confirm(_ plan: Plan) -> Bool {
        guard isatty(STDIN_FILENO) == 1 else {
            printError("refused: apply asks for confirmation and there is no terminal; pass --auto-approve (or apply a saved plan reviewed in CI)")
            return false
        }
        print("Apply these \(plan.changeCount) change(s)? Only 'yes' is accepted: ", terminator: "")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            printError("not applied")
            return false
        }
        return true
    }
}
