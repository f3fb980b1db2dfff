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
        subcommands: [Validate.self, Secrets.self]
    )
}

let salonOpsVersion = "0.1.0"
