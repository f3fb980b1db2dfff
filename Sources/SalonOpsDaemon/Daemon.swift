import AsyncHTTPClient
import Foundation
import Logging
import SalonOpsCore
import SalonOpsEngine
import SalonOpsGit
import SalonOpsProviderKit
import SalonOpsSecrets
import ServiceLifecycle
import Synchronization

/// `salonops run`: what the daemon is told.
public struct DaemonConfiguration: Sendable {
    /// The source's `ref` is the branch followed; each run pins the commit it fetched.
    public var engine: EngineConfiguration
    public var interval: Duration
    public var driftInterval: Duration
    /// ±this fraction of the interval, so that many daemons do not fetch at once.
    public var jitter: Double
    public var host: String
    /// 0: any free port (the one taken is printed and on `/status.json`).
    public var port: Int
    /// `file#key.path` of the push webhooks' shared secret; nil: `/hooks/git` answers 404.
    public var webhookSecret: SecretReference?
    /// Pushes within this of one another make one run.
    public var debounce: Duration
    /// Stop after this many cycles (a bounded run: tests, one-shot containers); nil: until SIGTERM.
    public var maxCycles: Int?
    /// Seeds the jitter (tests); nil: the system's generator.
    public var seed: UInt64?
    /// Where alerts go (failure, new drift, recovery).
    public var notifications: [NotificationTarget]
    /// Where alerts are emailed, through an integration whose provider sends email (Brevo).
    public var emailRecipients: [String]
    /// That integration, by name; nil: the only enabled one that can send email.
    public var emailIntegration: String?
    /// At most one alert per integration this often.
    public var notificationInterval: TimeInterval
    /// The status page's address as people reach it, for links in alerts; nil: the listen address.
    public var publicURL: String?
    public var output: EngineOutput

    public init(
        engine: EngineConfiguration, interval: Duration = .seconds(600), driftInterval: Duration = .seconds(3600), jitter: Double = 0.1,
        host: String = "127.0.0.1", port: Int = 9400, webhookSecret: SecretReference? = nil, debounce: Duration = .seconds(2),
        maxCycles: Int? = nil, seed: UInt64? = nil, notifications: [NotificationTarget] = [], notificationInterval: TimeInterval = 300,
        publicURL: String? = nil, emailRecipients: [String] = [], emailIntegration: String? = nil, output: EngineOutput
    ) {
        self.emailRecipients = emailRecipients
        self.emailIntegration = emailIntegration
        self.notifications = notifications
        self.notificationInterval = notificationInterval
        self.publicURL = publicURL
        self.engine = engine
        self.interval = interval
        self.driftInterval = driftInterval
        self.jitter = jitter
        self.host = host
        self.port = port
        self.webhookSecret = webhookSecret
        self.debounce = debounce
        self.maxCycles = maxCycles
        self.seed = seed
        self.output = output
    }
}

/// Why the daemon wakes up.
public enum Trigger: String, Sendable, Comparable {
    /// The interval: fetch, and run what the commit changed.
    case schedule
    /// A verified push webhook: the same, at once.
    case push
    /// The drift interval (and the first cycle): a full scan, whatever moved.
    case drift
    case shutdown

    /// When several are pending, the strongest wins.
    public static func < (a: Trigger, b: Trigger) -> Bool { a.rank < b.rank }
    private var rank: Int {
        switch self {
        case .schedule: 0
        case .push: 1
        case .drift: 2
        case .shutdown: 3
        }
    }
}

/// One pending trigger and one waiter: the loop waits, the timer, the webhook and the shutdown
/// signal wake it. Wakes that come while the loop is busy merge into one.
actor Wakeup {
    private var pending: Trigger?
    private var waiter: CheckedContinuation<Trigger, Never>?

    func signal(_ trigger: Trigger) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: trigger)
        } else {
            pending = max(pending ?? trigger, trigger)
        }
    }

    func next() async -> Trigger {
        if let pending {
            self.pending = nil
            return pending
        }
        return await withCheckedContinuation { waiter = $0 }
    }

    /// A pending trigger, without waiting (what arrived during a debounce).
    func take() -> Trigger? {
        defer { pending = nil }
        return pending
    }
}

/// The interval with its jitter.
public struct Schedule: Sendable {
    public var interval: Duration
    public var jitter: Double

    public init(interval: Duration, jitter: Double) {
        self.interval = interval
        self.jitter = min(max(jitter, 0), 0.5)
    }

    /// `interval × (1 ± jitter)`, `unit` in [0, 1).
    public func delay(unit: Double) -> Duration { interval * (1 + jitter * (2 * unit - 1)) }
}

/// The reconcile loop and its HTTP endpoints, one process.
public final class Daemon: Sendable {
    public let configuration: DaemonConfiguration
    let state: DaemonState
    let wakeup = Wakeup()
    let secrets = SecretBox()
    /// Groupon's signing key (the Groupon Integration's `apiKey`), as the last run decrypted it.
    let grouponKey = SecretBox()
    let grouponNonces = GrouponNonces()
    let metrics = DaemonMetrics()
    /// For notifications.
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(10))))
    /// The port listened on, once known.
    let port = Mutex<Int?>(nil)

    /// The status page's address, for alerts.
    var statusPage: String {
        if let publicURL = configuration.publicURL { return publicURL }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port.withLock { $0 } ?? configuration.port)/"
    }

    public init(_ configuration: DaemonConfiguration) {
        self.configuration = configuration
        self.state = DaemonState(repository: RunLog.redactURL(configuration.engine.source.repository), ref: configuration.engine.source.ref)
    }

    /// Runs until SIGTERM or SIGINT (the run in flight finishes and writes its report) or
    /// `maxCycles`; `onListening` gets the port.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let server = DaemonServer(daemon: self)
        let app = try server.application(onListening: { port in
            self.port.withLock { $0 = port }
            onListening(port)
        })
        defer { Task { [client] in try? await client.shutdown() } }
        let loop = ReconcileLoop(daemon: self)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: app),
                    .init(service: loop, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: configuration.engine.logger))
        try await group.run()
    }

    public var status: DaemonStatus {
        get async { await state.status }
    }

    /// A verified push to the followed branch: a run soon (after the debounce).
    func pushed() async { await wakeup.signal(.push) }
}

/// The webhook secret as the last run decrypted it (rotated with the config).
final class SecretBox: Sendable {
    private let box = Mutex<Result<Secret, CredentialResolver.ResolutionError>?>(nil)
    func set(_ value: Result<Secret, CredentialResolver.ResolutionError>?) { box.withLock { $0 = value } }
    var value: Result<Secret, CredentialResolver.ResolutionError>? { box.withLock { $0 } }
}

/// The loop: wait for a trigger (interval, drift interval, push, signal), run one cycle, again.
struct ReconcileLoop: ServiceLifecycle.Service {
    let daemon: Daemon

    func run() async throws {
        let wakeup = daemon.wakeup
        try await withGracefulShutdownHandler {
            try await loop()
        } onGracefulShutdown: {
            Task { await wakeup.signal(.shutdown) }
        }
    }

    private func loop() async throws {
        let configuration = daemon.configuration
        let schedule = Schedule(interval: configuration.interval, jitter: configuration.jitter)
        let random = SeededRandom(seed: configuration.seed ?? UInt64.random(in: 0...UInt64.max))
        var cycle = Cycle(daemon: daemon)
        var trigger = Trigger.drift
        var cycles = 0
        let clock = ContinuousClock()
        var nextDrift = clock.now + configuration.driftInterval
        while true {
            if trigger == .push {
                // Debounce: pushes in quick succession make one run (a shutdown still stops it).
                try? await Task.sleep(for: configuration.debounce)
                if let more = await daemon.wakeup.take(), more > trigger { trigger = more }
                if trigger == .shutdown { break }
            }
            await cycle.run(trigger)
            cycles += 1
            if trigger == .drift { nextDrift = clock.now + configuration.driftInterval }
            if let maximum = configuration.maxCycles, cycles >= maximum { break }
            let delay = schedule.delay(unit: random.unit())
            let next = min(clock.now + delay, nextDrift)
            await daemon.state.scheduled(next: Date() + (next - clock.now).timeInterval, drift: Date() + (nextDrift - clock.now).timeInterval)
            trigger = await wait(until: next, drift: nextDrift, clock: clock)
            if trigger == .shutdown { break }
        }
    }

    /// The next trigger: the timer's (drift when the drift scan is due) or whatever comes first.
    private func wait(until deadline: ContinuousClock.Instant, drift: ContinuousClock.Instant, clock: ContinuousClock) async -> Trigger {
        let wakeup = daemon.wakeup
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                guard (try? await Task.sleep(until: deadline, clock: clock)) != nil else { return }
                await wakeup.signal(deadline >= drift ? .drift : .schedule)
            }
            let trigger = await wakeup.next()
            group.cancelAll()
            return trigger
        }
    }
}

extension Duration {
    public var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
