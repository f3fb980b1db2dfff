import ArgumentParser
import Dispatch
import Foundation
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
            Faults: --faults "429=0.1,503=0.05,reset=0.01,latency=5ms..50ms" (any subset, any order).
            """
        )

        @Option(name: .long, help: "Port to listen on (0 picks a free one).")
        var port: Int = 0

        @Option(name: .long, help: "Address to bind.")
        var host: String = "127.0.0.1"

        @Option(name: .long, help: "Faults to inject, e.g. 429=0.1,503=0.05,reset=0.01,latency=5ms..50ms.")
        var faults: String?

        @Option(name: .long, help: "Seed of every random choice (faults, latency, ids, webhook secrets).")
        var seed: UInt64 = 1

        @Option(name: .long, help: "Retry-After seconds on injected 429 answers.")
        var retryAfter: Int = 1

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            guard retryAfter >= 0 else { throw ValidationError("--retry-after must not be negative") }
            if let faults {
                do { _ = try FaultPlan(parsing: faults) } catch { throw ValidationError("--faults: \(error)") }
            }
        }

        func run() async throws {
            let plan = try faults.map { try FaultPlan(parsing: $0) } ?? .none
            // Take the signals before the server starts, so none is lost in between.
            let stopRequested = SignalWaiter(signals: [SIGINT, SIGTERM])
            let server: SandboxServer
            do {
                server = try await SandboxServer.start(SandboxConfiguration(
                    host: host, port: port, faults: plan, seed: seed, retryAfterSeconds: retryAfter))
            } catch {
                FileHandle.standardError.write(Data("error: sandbox: could not listen on \(host):\(port): \(error)\n".utf8))
                throw ExitCode(1)
            }
            FileHandle.standardOutput.write(Data("sandbox listening on \(server.baseURL)\n".utf8))
            let signal = await stopRequested.wait()
            FileHandle.standardError.write(Data("sandbox: signal \(signal), stopping\n".utf8))
            await server.stop()
        }
    }
}

/// Waits for the first of some signals through Dispatch sources (the default actions are
/// replaced while it waits, so the process is not killed before it can stop cleanly).
private final class SignalWaiter: @unchecked Sendable {
    private let queue = DispatchQueue(label: "salonops.sandbox.signals")
    private var sources: [any DispatchSourceSignal] = []
    private var received: Int32?
    private var continuation: CheckedContinuation<Int32, Never>?

    init(signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.fire(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func fire(_ number: Int32) {
        // On `queue`.
        guard received == nil else { return }
        received = number
        continuation?.resume(returning: number)
        continuation = nil
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            queue.async {
                if let received = self.received {
                    continuation.resume(returning: received)
                } else {
                    self.continuation = continuation
                }
            }
        }
    }
}
