import ArgumentParser
import Foundation
import SalonOpsEngine
import SalonOpsProviders

struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Inspect or break the apply lock of a config repository and its targets.",
        subcommands: [LockStatus.self, LockBreak.self]
    )

    /// The lock of this repository and its targets: the config is read to know the targets,
    /// and no credential is decrypted.
    static func lock(_ source: SourceOptions, _ engine: EngineOptions, command: String) async throws -> RunLock {
        let configuration = EngineConfiguration(
            source: source.gitOptions, trust: try source.trustPolicy(), stateDirectory: source.stateDirectory,
            endpoints: Endpoints(overrides: try engine.endpointOverrides(), sandbox: engine.sandbox), providers: Registry.providers,
            command: command, logger: source.makeLogger())
        do { return try await Engine.lock(configuration) } catch let error as EngineStartError {
            throw startFailure(error)
        }
    }
}

struct LockStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Who holds the lock, since when, until when.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let lock = try await LockCommand.lock(source, engine, command: "lock status")
        guard let holder = lock.holder() else {
            print(FileManager.default.fileExists(atPath: lock.path) ? "\(RunLock.Refusal.unreadable(path: lock.path))" : "free")
            return
        }
        let who = "pid \(holder.pid) on \(holder.host) since \(holder.started) (`\(holder.command)`)"
        switch RunLock.liveness(of: holder) {
        case .alive: print("held by \(who), expires \(holder.expires)")
        case .unknown: print("held by \(who), expires \(holder.expires) (another host: whether it still runs cannot be checked from here)")
        case .dead: print("stale: left by \(who), which is no longer running on this host; the next apply takes it over (or `salonops lock break`)")
        case .expired: print("stale: left by \(who), expired \(holder.expires); the next apply takes it over (or `salonops lock break`)")
        }
    }
}

struct LockBreak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "break", abstract: "Remove the lock (when the run holding it is known to be gone).")

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    func run() async throws {
        if let holder = try await LockCommand.lock(source, engine, command: "lock break").breakLock() {
            print("broke the lock held by pid \(holder.pid) on \(holder.host) since \(holder.started)")
        } else {
            print("the lock was free")
        }
    }
}
