import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out a plan: a saved one (refused if what it observed has moved), or a fresh one after confirmation.",
        discussion: "Without --auto-approve, asks on a terminal and refuses without one. Exit 0: all applied; 1: a change failed or an error; 3: refused (safety threshold, lock held, stale plan)."
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
            do {
                saved = try JSONDecoder().decode(SavedPlan.self, from: Data(contentsOf: URL(fileURLWithPath: planFile)))
            } catch {
                printError("error: \(planFile) is not a plan saved by `salonops plan --out` (\(error.localizedDescription))")
                throw ExitCode(1)
            }
            guard saved!.plan.schema == Plan.schema else {
                printError("error: \(planFile) has schema \(saved!.plan.schema); this salonops reads \(Plan.schema)")
                throw ExitCode(1)
            }
        }
        let run = try await EngineRun.start(source: source, engine: engine, command: "apply", ref: saved?.plan.commit)
        let code = await Self.planAndApply(run, saved: saved, autoApprove: autoApprove, force: engine.force, command: "apply")
        await run.shutdown()
        throw ExitCode(code)
    }

    /// Shared with `reconcile`: lock, (re)plan, check staleness, confirm, apply, report.
    /// `driftExitCode`: for schedules, drift that `drift: warn` reported but did not correct
    /// turns a clean run's 0 into 2.
    static func planAndApply(_ run: EngineRun, saved: SavedPlan?, autoApprove: Bool, force: Bool, command: String,
                             driftExitCode: Bool = false) async -> Int32 {
        let lock = run.lock
        do { try lock.acquire(command: "salonops \(command)") } catch {
            printError("refused: \(error)")
            return 3
        }
        defer { lock.release() }
        run.noteUnfinished()
        let (fresh, observation) = await run.reconciler.plan(id: saved?.plan.id ?? UUID().uuidString.lowercased(), force: force)
        var plan = fresh
        if let saved {
            guard saved.plan.observedDigest == fresh.observedDigest else {
                printError("refused: the plan is stale: what the providers have has changed since it was made. What moved:")
                for line in Reconciler.moved(from: saved.observed, to: observation.resources).prefix(20) { printError("  \(line)") }
                printError("make a new plan with `salonops plan --out`")
                run.writeReport(command: command, plan: fresh, result: nil)
                return 3
            }
            plan = saved.plan
            // Force decided when the plan was made; a refusal recorded then still holds.
        }
        print(run.renderer.text(plan), terminator: "")
        if plan.hasErrors {
            printError("error: some integrations could not be planned (see above); nothing was applied to them")
        }
        if !plan.refusals.isEmpty && !force {
            for refusal in plan.refusals { printError("refused: \(refusal) (--force overrides)") }
        }
        guard plan.changeCount > 0 else {
            run.writeReport(command: command, plan: plan, result: ApplyResult())
            return plan.hasErrors ? 1 : (plan.refusals.isEmpty ? (driftExitCode && plan.hasWarnedDrift ? 2 : 0) : 3)
        }
        // A saved plan was reviewed when it was made (as `terraform apply PLANFILE`): no question.
        if !autoApprove && saved == nil {
            guard isatty(STDIN_FILENO) == 1 else {
                printError("refused: apply asks for confirmation and there is no terminal; pass --auto-approve (or apply a saved plan reviewed in CI)")
                return 1
            }
            print("Apply these \(plan.changeCount) change(s)? Only 'yes' is accepted: ", terminator: "")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                printError("not applied")
                return 1
            }
        }
        let store = WriteOnlyStore(stateDirectory: run.stateDirectory, context: run.secretsContext)
        let result = await run.reconciler.apply(plan, observation: observation, pending: run.pending, store: store, force: force)
        for item in result.items {
            let marker = item.outcome == .applied ? "applied" : (item.outcome == .failed ? "FAILED " : "skipped")
            var line = "\(marker)  \(item.integration) \(item.action.rawValue) \(item.kind) \(item.key)"
            if let remote = item.remoteID { line += " [\(remote)]" }
            for (field, fingerprint) in item.secrets.sorted(by: { $0.key < $1.key }) { line += " \(field) stored encrypted (\(fingerprint))" }
            if let reason = item.reason { line += ": \(reason)" }
            print(line)
        }
        let failed = result.count(.failed), skipped = result.count(.skipped)
        print("Apply: \(result.count(.applied)) applied, \(failed) failed, \(skipped) skipped.")
        let clean = Set(plan.integrations.filter { p in p.error == nil && (p.refusal == nil || force) && !result.items.contains { $0.integration == p.integration && $0.outcome != .applied } }.map(\.integration))
        try? run.applied.record(plan.commit, integrations: Array(clean))
        if failed == 0 && skipped == 0 { run.pending.clear() }
        run.writeReport(command: command, plan: plan, result: result)
        if failed > 0 || plan.hasErrors { return 1 }
        if skipped > 0 || (!plan.refusals.isEmpty && !force) { return 3 }
        return driftExitCode && plan.hasWarnedDrift ? 2 : 0
    }
}

extension Plan {
    /// Drift found under `drift: warn`: reported, not corrected.
    var hasWarnedDrift: Bool { integrations.contains { $0.drift == .warn && $0.driftCount > 0 } }
}
