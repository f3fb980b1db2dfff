import Foundation
import Hummingbird
import Logging
import NIOCore
import SalonOpsEmulatorKit
import SalonOpsProviders
import ServiceLifecycle

/// How to run the sandbox.
public struct SandboxConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0: pick a free port (read it back from `SandboxServer.port`).
    public var port: Int = 0
    public var faults: FaultPlan = .none
    /// Every random choice (faults, latency, generated ids, webhook secrets) comes from this seed.
    public var seed: UInt64 = 1
    /// The `Retry-After` value of injected 429 answers.
    public var retryAfterSeconds: Int = 1
    /// The level of the server's own log lines (stderr).
    public var logLevel: Logger.Level = .warning
    /// Per provider id, what an emulator is told that the real provider knows already (the
    /// public keys of Google service-account keys it issued).
    public var emulatorOptions: [String: [String: String]] = [:]
    /// Stop on SIGINT or SIGTERM (ServiceLifecycle's graceful shutdown): for `sandbox serve`.
    public var stopOnSignals = false
    /// Emulators built by the caller (a test with its own clock), served instead of the
    /// registry's of the same id.
    public var emulators: [any ProviderEmulator] = []

    public init(
        host: String = "127.0.0.1", port: Int = 0, faults: FaultPlan = .none, seed: UInt64 = 1,
        retryAfterSeconds: Int = 1, logLevel: Logger.Level = .warning, emulatorOptions: [String: [String: String]] = [:],
        stopOnSignals: Bool = false, emulators: [any ProviderEmulator] = []
    ) {
        self.emulators = emulators
        self.emulatorOptions = emulatorOptions
        self.stopOnSignals = stopOnSignals
        self.host = host
        self.port = port
        self.faults = faults
        self.seed = seed
        self.retryAfterSeconds = retryAfterSeconds
        self.logLevel = logLevel
    }
}

public enum SandboxError: Error, CustomStringConvertible {
    case stoppedBeforeListening
    case noPort

    public var description: String {
        switch self {
        case .stoppedBeforeListening: return "the sandbox server stopped before it was listening"
        case .noPort: return "the sandbox server is listening but its port could not be read"
        }
    }
}

/// The provider emulators over real HTTP, in memory: `/stripe/v1/…` and the control endpoints
/// `/_sandbox/health`, `/_sandbox/reset`, `/_sandbox/stats`.
public final class SandboxServer: Sendable {
    public let port: Int
    public let host: String
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private let group: ServiceGroup
    private let runTask: Task<Void, Never>
    private let stopTask: Locked<Task<Void, Never>?>
    private let core: SandboxCore

    private init(port: Int, host: String, group: ServiceGroup, runTask: Task<Void, Never>, core: SandboxCore) {
        self.core = core
        self.port = port
        self.host = host
        self.group = group
        self.runTask = runTask
        self.stopTask = Locked(nil)
    }

    /// The providers served, one per base path: the registry's emulators.
    static func makeProviders(_ configuration: SandboxConfiguration) throws -> [any ProviderEmulator] {
        let given = Set(configuration.emulators.map(\.id))
        return configuration.emulators + (try Registry.emulators(seed: configuration.seed, options: configuration.emulatorOptions).filter { !given.contains($0.id) })
    }

    /// One provider's emulator, for what only a test or the operator does (registering a key,
    /// making the next requests fail).
    public func emulator(_ id: String) -> (any ProviderEmulator)? { core.providers[id] }

    /// Starts the server and returns once it is listening (or throws if it cannot bind).
    public static func start(_ configuration: SandboxConfiguration) async throws -> SandboxServer {
        var logger = Logger(label: "salonops.sandbox")
        logger.logLevel = configuration.logLevel
        let core = SandboxCore(configuration: configuration, providers: try makeProviders(configuration))
        let ready = OneShot<Int>()
        let app = Application(
            responder: SandboxResponder(core: core),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port {
                    ready.succeed(port)
                } else {
                    ready.fail(SandboxError.noPort)
                }
            },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: app)], gracefulShutdownSignals: configuration.stopOnSignals ? [.sigterm, .sigint] : [], logger: logger))
        let runTask = Task {
            do {
                try await group.run()
                ready.fail(SandboxError.stoppedBeforeListening)
            } catch {
                ready.fail(error)
            }
        }
        do {
            let port = try await ready.value()
            return SandboxServer(port: port, host: configuration.host, group: group, runTask: runTask, core: core)
        } catch {
            runTask.cancel()
            await runTask.value
            throw error
        }
    }

    /// Stops the server: a graceful shutdown, cut short after 5 s. Safe to call more than once.
    public func stop() async {
        let task = stopTask.withLock { existing -> Task<Void, Never> in
            if let existing { return existing }
            let group = self.group, runTask = self.runTask
            let task = Task {
                await group.triggerGracefulShutdown()
                await withTaskGroup(of: Bool.self) { waiters in
                    waiters.addTask {
                        await runTask.value; return true
                    }
                    waiters.addTask {
                        try? await Task.sleep(for: .seconds(5)); return false
                    }
                    if await waiters.next() == false { runTask.cancel() }
                    waiters.cancelAll()
                    await waiters.waitForAll()
                }
            }
            existing = task
            return task
        }
        await task.value
    }

    /// Returns once the server has stopped (after `stop()`).
    public func waitUntilStopped() async {
        await runTask.value
    }
}

/// A value set once, awaited by one or more callers.
final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    private let state = Locked<State>(.waiting([]))

    func succeed(_ value: Value) { complete(.success(value)) }
    func fail(_ error: any Error) { complete(.failure(error)) }

    private func complete(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
