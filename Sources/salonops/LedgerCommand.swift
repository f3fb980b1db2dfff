import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviders

/// `salonops ledger`: what the engine recorded for kinds whose resources have no room for a
/// marker (Google Calendar ACL rules), and how to settle a create whose outcome is unknown.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Show or settle the engine's record of resources that carry no ownership marker.",
        subcommands: [LedgerList.self, LedgerResolve.self]
    )

    static func ledger(_ source: SourceOptions, command: String) async throws -> (Ledger, [String]) {
        let configuration = EngineConfiguration(
            source: source.gitOptions, trust: try source.trustPolicy(), stateDirectory: source.stateDirectory, providers: Registry.providers,
            command: command, logger: source.makeLogger())
        do {
            let (ledger, state) = try await Engine.ledger(configuration)
            return (ledger, state.integrations.map(\.metadata.name).sorted())
        } catch let error as EngineStartError {
            throw startFailure(error)
        }
    }
}

struct LedgerList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every recorded resource, and the creates still pending.")

    @OptionGroup var source: SourceOptions

    func run() async throws {
        let (ledger, integrations) = try await LedgerCommand.ledger(source, command: "ledger list")
        var any = false
        for integration in integrations {
            for (slot, entry) in ledger.all(integration: integration).sorted(by: { $0.key < $1.key }) {
                any = true
                let state = entry.pendingSince.map { "PENDING since \($0): check the provider, then `salonops ledger resolve`" } ?? "recorded"
                print("\(integration)  \(slot)  \(entry.remoteID ?? "-")  \(state)")
            }
        }
        if !any { print("the ledger is empty") }
    }
}

struct LedgerResolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a pending create: the resource exists (--remote-id) or it does not (--absent).",
        discussion:
            "A create whose answer was lost blocks its resource (it may exist already, and making it again could make a duplicate). Look at the provider, then say what is there.")

    @OptionGroup var source: SourceOptions

    @Argument(help: "The Integration's name.") var integration: String
    @Argument(help: "The resource kind (e.g. acl).") var kind: String
    @Argument(help: "SalonOps' key of the resource, as `ledger list` and the plan show it.") var key: String

    @Option(name: .long, help: "The resource exists at the provider with this id.") var remoteID: String?
    @Flag(name: .long, help: "The resource does not exist at the provider: the next apply creates it.") var absent = false

    func validate() throws {
        guard (remoteID != nil) != absent else { throw ValidationError("give exactly one of --remote-id ID and --absent") }
    }

    func run() async throws {
        let (ledger, integrations) = try await LedgerCommand.ledger(source, command: "ledger resolve")
        guard integrations.contains(integration) else {
            printError("error: no Integration '\(integration)' in the config (\(integrations.joined(separator: ", ")))")
            throw ExitCode(1)
        }
        try ledger.resolve(integration: integration, ResourceRef(kind, key), remoteID: remoteID)
        print(remoteID.map { "recorded \(integration) \(kind) \(key) as \($0)" } ?? "recorded \(integration) \(kind) \(key) as absent: the next apply creates it")
    }
}
