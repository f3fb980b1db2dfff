import ArgumentParser
import Foundation
import SalonOpsEngine

struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Inspect or break the apply lock of a config repository and its targets.",
        subcommands: [LockStatus.self, LockBreak.self]
    )
}

struct LockStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Who holds the lock, since when, until when.")

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let run = try await EngineRun.start(source: source, engine: engine, command: "lock status")
        let lock = run.lock
        await run.shutdown()
        if let holder = lock.holder() {
            print("held by pid \(holder.pid) on \(holder.host) since \(holder.started) (`\(holder.command)`), expires \(holder.expires)")
        } else {
            print("free")
        }
    }
}

struct LockBreak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "break", abstract: "Remove the lock (when the run holding it is known to be gone).")

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let run = try await EngineRun.start(source: source, engine: engine, command: "lock break")
        let lock = run.lock
        await run.shutdown()
        if let holder = lock.breakLock() {
            print("broke the lock held by pid \(holder.pid) on \(holder.host) since \(holder.started)")
        } else {
            print("the lock was free")
        }
    }
}
