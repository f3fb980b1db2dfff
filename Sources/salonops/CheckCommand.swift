import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Test each integration's connection (credentials and endpoint): ✅ Connecté / ❌ Erreur per establishment.",
        discussion: "Exit 0 when every enabled, supported integration answers; 1 otherwise."
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let run = try await EngineRun.start(source: source, engine: engine, command: "check")
        let connections = await run.engine.reconciler.check()
        let state = run.engine.report.state
        var failures = 0
        for integration in state.integrations.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            let name = integration.metadata.name
            guard integration.enabled else { print("⏸  \(name): désactivé"); continue }
            guard let connection = connections[name] else { print("·  \(name): pas encore géré par cette version (\(integration.provider.value))"); continue }
            for establishment in state.establishments.sorted(by: { $0.metadata.name < $1.metadata.name }) where integration.establishments.includes(establishment.metadata.name) {
                if connection.state == .connected {
                    print("✅ \(name) · \(establishment.displayName) : Connecté (\(connection.detail ?? ""))")
                } else {
                    failures += 1
                    print("❌ \(name) · \(establishment.displayName) : Erreur — \(connection.detail ?? "unknown")")
                }
            }
        }
        await run.engine.writeReport(plan: nil, result: nil, connections: connections, output: terminalOutput)
        await run.shutdown()
        throw ExitCode(failures == 0 ? 0 : 1)
    }
}
