import ArgumentParser
import Foundation
import SalonOpsEmulatorKit
import SalonOpsSandbox

/// `salonops sandbox serve`: the provider emulators (Stripe under /stripe/v1/…) over HTTP, in
/// memory, with optional seeded faults.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve in-memory provider emulators (Stripe at /stripe/v1/…) for tests and --sandbox runs.",
        subcommands: [Serve.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the sandbox server and serve until SIGINT or SIGTERM.",
            discussion: """
                Control endpoints (no auth): GET /_sandbox/health, POST /_sandbox/reset, GET /_sandbox/stats.
                Faults: --faults "429=0.1,503=0.05,reset=0.01,latency=5ms..50ms,churn=0.1,slow=0.2" (any subset, any order):
                churn adds or removes an unmanaged resource before a read (listings change between pages), slow sends bodies in pieces.
                """
        )

        @Option(name: .long, help: "Port to listen on (0 picks a free one).")
        var port: Int = 0

        @Option(name: .long, help: "Address to bind.")
        var host: String = "127.0.0.1"

        @Option(name: .long, help: "Faults to inject, e.g. 429=0.1,503=0.05,reset=0.01,latency=5ms..50ms,churn=0.1,slow=0.2.")
        var faults: String?

        @Option(name: .long, help: "Seed of every random choice (faults, latency, ids, webhook secrets).")
        var seed: UInt64 = 1

        @Option(name: .long, help: "Retry-After seconds on injected 429 answers.")
        var retryAfter: Int = 1

        @Option(
            name: .long,
            help: ArgumentHelp(
                "What an emulator knows as the real provider does (repeatable), e.g. google-calendar.serviceAccount=EMAIL=PUBLIC_KEY.pem.", valueName: "PROVIDER.KEY=VALUE"))
        var emulatorOption: [String] = []

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            guard retryAfter >= 0 else { throw ValidationError("--retry-after must not be negative") }
            if let faults {
                do { _ = try FaultPlan(parsing: faults) } catch { throw ValidationError("--faults: \(error)") }
            }
            _ = try EmulatorOptions.parse(emulatorOption)
        }

        func run() async throws {
            let plan = try faults.map { try FaultPlan(parsing: $0) } ?? .none
            let server: SandboxServer
            do {
                // SIGINT and SIGTERM stop it gracefully (ServiceLifecycle).
                server = try await SandboxServer.start(
                    SandboxConfiguration(
                        host: host, port: port, faults: plan, seed: seed, retryAfterSeconds: retryAfter,
                        emulatorOptions: try EmulatorOptions.parse(emulatorOption), stopOnSignals: true))
            } catch let error as EmulatorOptionError {
                FileHandle.standardError.write(Data("error: sandbox: --emulator-option: \(error)\n".utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("error: sandbox: could not listen on \(host):\(port): \(error)\n".utf8))
                throw ExitCode(1)
            }
            FileHandle.standardOutput.write(Data("sandbox listening on \(server.baseURL)\n".utf8))
            await server.waitUntilStopped()
            FileHandle.standardError.write(Data("sandbox: stopped\n".utf8))
        }
    }
}

/// `--emulator-option PROVIDER.KEY=VALUE` pairs, by provider.
enum EmulatorOptions {
    static func parse(_ entries: [String]) throws -> [String: [String: String]] {
        var options: [String: [String: String]] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0].split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, name.count == 2, !name[0].isEmpty, !name[1].isEmpty else {
                throw ValidationError("--emulator-option '\(entry)': write PROVIDER.KEY=VALUE")
            }
            options[name[0], default: [:]][name[1]] = parts[1]
        }
        return options
    }
}
