import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsDaemon
import SalonOpsEngine

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Keep every provider equal to git: fetch and reconcile on an interval, on push webhooks, with HTTP probes and status.",
        discussion: """
            Each interval (±jitter) fetches the followed ref; when the commit moved, only what it changed runs (the documents \
            diffed with libgit2 from the last applied commit, and what depends on them). Every --drift-interval, and at start, a \
            full scan. SIGTERM or SIGINT lets the run in flight finish and write its report, then exits 0.
            Endpoints: GET /healthz, /readyz, /status.json; POST /hooks/git (GitHub, GitLab, Gitea signatures).
            """
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    @Option(name: .long, help: ArgumentHelp("Time between fetches: 30s, 10m, 1h.", valueName: "DURATION"))
    var interval: String = "10m"

    @Option(name: .long, help: ArgumentHelp("Time between full drift scans.", valueName: "DURATION"))
    var driftInterval: String = "1h"

    @Option(name: .long, help: "Jitter of the interval, as a fraction (0.1: ±10 %).")
    var jitter: Double = 0.1

    @Option(name: .long, help: ArgumentHelp("Address of the HTTP endpoints (port 0: any free port, printed).", valueName: "HOST:PORT"))
    var listen: String = "127.0.0.1:9400"

    @Option(
        name: .long,
        help: ArgumentHelp("The push webhooks' shared secret, in an encrypted file of the config repository: FILE#KEY.PATH.", valueName: "FILE#KEY"))
    var webhookSecret: String?

    @Option(name: .long, help: ArgumentHelp("Pushes this close together make one run.", valueName: "DURATION"))
    var debounce: String = "2s"

    @Option(
        name: .long,
        help: ArgumentHelp("Post alerts (failure, new drift, recovery) as JSON to the URL kept in this encrypted file (repeatable).", valueName: "FILE#KEY"))
    var notifyWebhook: [String] = []

    @Option(name: .long, help: ArgumentHelp("Post alerts to the Slack incoming-webhook URL kept in this encrypted file (repeatable).", valueName: "FILE#KEY"))
    var notifySlack: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Email alerts to this address (repeatable), through the Integration that sends email (Brevo).", valueName: "ADDRESS"))
    var notifyEmail: [String] = []

    @Option(name: .long, help: ArgumentHelp("The Integration that emails alerts, when several can.", valueName: "INTEGRATION"))
    var notifyEmailVia: String?

    @Option(name: .long, help: ArgumentHelp("At most one alert per integration this often.", valueName: "DURATION"))
    var notifyEvery: String = "5m"

    @Option(name: .long, help: ArgumentHelp("The status page's address as people reach it (behind a proxy), for links in alerts.", valueName: "URL"))
    var publicURL: String?

    @Option(name: .long, help: "Stop after this many cycles (a bounded run); default: until SIGTERM.")
    var maxCycles: Int?

    @Option(name: .long, help: ArgumentHelp("Seed of the interval's jitter (for reproducible schedules).", valueName: "N"))
    var seed: UInt64?

    func run() async throws {
        func bad(_ message: String) -> ExitCode {
            printError("error: \(message)")
            return ExitCode(1)
        }
        guard let interval = Self.duration(interval), interval > .zero else { throw bad("--interval '\(interval)': write a duration such as 30s, 10m or 1h") }
        guard let drift = Self.duration(driftInterval), drift > .zero else {
            throw bad("--drift-interval '\(driftInterval)': write a duration such as 30m or 1h")
        }
        guard let debounce = Self.duration(debounce) else { throw bad("--debounce '\(debounce)': write a duration such as 500ms or 2s") }
        guard (0...0.5).contains(jitter) else { throw bad("--jitter \(jitter): give a fraction from 0 to 0.5") }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw bad("--listen '\(listen)': write HOST:PORT, e.g. 127.0.0.1:9400")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var secret: SecretReference?
        if let webhookSecret {
            switch SecretReference.parse(webhookSecret) {
            case .success(let reference): secret = reference
            case .failure(let error): throw bad("--webhook-secret: \(error.message)\(error.hint.map { "; \($0)" } ?? "")")
            }
        }
        guard let notifyInterval = Self.duration(notifyEvery) else { throw bad("--notify-every '\(notifyEvery)': write a duration such as 5m") }
        var targets: [NotificationTarget] = []
        for (format, given) in notifyWebhook.map({ (NotificationTarget.Format.webhook, $0) }) + notifySlack.map({ (.slack, $0) }) {
            switch SecretReference.parse(given) {
            case .success(let reference): targets.append(NotificationTarget(format: format, reference: reference))
            case .failure(let error): throw bad("--notify-\(format.rawValue) '\(given)': \(error.message)\(error.hint.map { "; \($0)" } ?? "")")
            }
        }
        for address in notifyEmail where !EmailAddress.isValid(address) {
            throw bad("--notify-email '\(address)': not an email address; write it as name@example.com")
        }
        if notifyEmailVia != nil && notifyEmail.isEmpty { throw bad("--notify-email-via names the Integration for --notify-email: give --notify-email ADDRESS too") }
        if let publicURL {
            do { _ = try GrouponSignature.PublicBaseURL(publicURL) } catch { throw bad("--public-url: \(error)") }
        }
        guard !source.worktree else { throw bad("run follows commits: --worktree is for validate and pre-commit hooks") }
        // Unattended runs keep the safety thresholds: past them a run is refused and alerted.
        guard !engine.force else { throw bad("run never forces past the safety thresholds: review the plan and use `salonops apply --force` once") }
        let (configuration, sandbox) = try await EngineRun.configuration(source: source, engine: engine, command: "run")
        let daemon = Daemon(
            DaemonConfiguration(
                engine: configuration, interval: interval, driftInterval: drift, jitter: jitter, host: host, port: port, webhookSecret: secret,
                debounce: debounce, maxCycles: maxCycles, seed: seed, notifications: targets, notificationInterval: notifyInterval.timeInterval,
                publicURL: publicURL, emailRecipients: notifyEmail, emailIntegration: notifyEmailVia, output: terminalOutput))
        do {
            try await daemon.run { port in printError("listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)") }
        } catch {
            await sandbox?.stop()
            throw bad("\(error)")
        }
        await sandbox?.stop()
    }

    /// `500ms`, `30s`, `10m`, `1h`, `1d`.
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            return .milliseconds(Int64((value * seconds * 1000).rounded()))
        }
        return nil
    }
}
