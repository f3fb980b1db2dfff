import ArgumentParser

struct IntegrationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integrations",
        abstract: "Set up an integration: its document, its encrypted credentials, a connection check.",
        subcommands: [IntegrationsAdd.self]
    )
}
