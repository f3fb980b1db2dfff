import ArgumentParser

@main
struct SalonOps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salonops",
        abstract: "A salon business's third-party integrations, managed as code from a git repository.",
        discussion: """
            Exit codes: 0 success (no changes), 1 error (bad config, unreadable repository), \
            2 changes present or drift found, 3 refused (safety threshold, lock held).
            """,
        version: salonOpsVersion,
        subcommands: [
            Validate.self, PlanCommand.self, ApplyCommand.self, ReconcileCommand.self, CheckCommand.self, StatusCommand.self,
            RunCommand.self, HistoryCommand.self, SuspendCommand.self, ResumeCommand.self, IntegrationsCommand.self, LockCommand.self, LedgerCommand.self, Secrets.self,
            SandboxCommand.self,
        ]
    )

    /// `--sandbox` with no URL means "start one in this process": ArgumentParser options always
    /// take a value, so a bare `--sandbox` is given the value `embedded` before parsing.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let index = arguments.firstIndex(of: "--sandbox"), index + 1 == arguments.count || arguments[index + 1].hasPrefix("-") {
            arguments[index] = "--sandbox=embedded"
        }
        await main(arguments)
    }
}

let salonOpsVersion = "0.1.0"
