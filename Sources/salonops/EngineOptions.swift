import ArgumentParser
import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsGit
import SalonOpsSandbox
import SalonOpsSecrets

/// Options of the commands that talk to providers (plan, apply, reconcile, check).
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Send a provider's requests to URL instead of its API (repeatable): stripe=http://127.0.0.1:12111.", valueName: "PROVIDER=URL"))
    var endpoint: [String] = []

    @Option(name: .long, help: ArgumentHelp("Point every provider at a running sandbox (URL/<provider>). `--sandbox` alone starts one in this process.", valueName: "URL"))
    var sandbox: String?

    @Option(name: .long, help: "Where status.json, status.md and flags.json are written. Default: <state-dir>/report.")
    var reportDir: String?

    @Option(name: .long, help: "An age identity file to decrypt credentials (besides SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the default keys file).")
    var ageKeyFile: String?

    @Option(name: .long, help: "Requests per second per provider (token bucket). Default: 25 (Stripe test mode).")
    var rate: Double = 25

    @Flag(name: .long, help: "Apply even past the safety thresholds (the plan names what it overrides).")
    var force = false

    /// `--endpoint stripe=URL` pairs.
    func endpointOverrides() throws -> [String: String] {
        var map: [String: String] = [:]
        for entry in endpoint {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, URL(string: parts[1])?.scheme != nil else {
                throw ValidationError("--endpoint '\(entry)': write PROVIDER=URL, e.g. stripe=http://127.0.0.1:12111")
            }
            guard ProviderCatalog.spec(parts[0]) != nil else { throw ValidationError("--endpoint '\(entry)': unknown provider '\(parts[0])'") }
            map[parts[0]] = parts[1]
        }
        return map
    }
}

/// One run of the engine: the config at a commit, its credentials decrypted in memory, the
/// providers' endpoints, an HTTP client, and an embedded sandbox if asked.
struct EngineRun {
    let report: ValidationReport
    let reconciler: Reconciler
    let stateDirectory: String
    let reportDirectory: String
    let secretsContext: SecretsContext
    let client: HTTPClient
    let sandbox: SandboxServer?
    let started = ContinuousClock.now

    static let embeddedSandbox = "embedded"

    /// Loads and validates the config (exit 1 when invalid), decrypts credentials, wires providers.
    static func start(source: SourceOptions, engine: EngineOptions, command: String, ref: String? = nil) async throws -> EngineRun {
        let logger = source.makeLogger()
        var options = source.gitOptions
        if let ref { options.ref = ref }
        let loaded: (report: ValidationReport, snapshot: ConfigSnapshot)
        do { loaded = try await DesiredStateSource.loadWithSnapshot(options, logger: logger) } catch let error as GitSourceError {
            printError("error: fetch: \(error)")
            throw ExitCode(1)
        }
        guard loaded.report.isValid else {
            print(loaded.report.renderText(), terminator: "")
            printError("error: load: the config is invalid; nothing was sent to any provider")
            throw ExitCode(1)
        }
        let overrides = try engine.endpointOverrides()
        var sandbox: SandboxServer?
        var sandboxURL = engine.sandbox
        if engine.sandbox == embeddedSandbox {
            sandbox = try await SandboxServer.start(SandboxConfiguration())
            sandboxURL = sandbox!.baseURL
            printError("note: started an in-process sandbox at \(sandbox!.baseURL) (its state ends with this command)")
        }
        let context = SecretsContext(keys: AgeKeySources(keyFile: engine.ageKeyFile), audit: AuditLog(stateDirectory: source.stateDirectory),
                                     command: command, commit: loaded.report.source.commit)
        let files = Dictionary(loaded.snapshot.files.map { ($0.path, $0.contents) }, uniquingKeysWith: { a, _ in a })
        let state = loaded.report.state
        let managed = state.integrations.filter { $0.enabled && ProviderRegistry.adapter(for: $0.provider.value) != nil }
        var wanted = state
        wanted.integrations = managed
        var credentials: [String: [String: Secret]] = [:]
        var credentialErrors: [String: String] = [:]
        for resolved in CredentialResolver.resolve(wanted, files: files, context: context) {
            switch resolved.result {
            case .success(let secret): credentials[resolved.integration, default: [:]][resolved.name] = secret
            case .failure(let error): credentialErrors[resolved.integration] = "credential '\(resolved.name)' (\(resolved.reference)): \(error)"
            }
        }
        // A refused connection is retried by AsyncHTTPClient until the deadline: bound it.
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(60))))
        let reconciler = Reconciler(state: state, commit: loaded.report.source.commit, repository: loaded.report.source.repository,
                                    endpoints: Endpoints(overrides: overrides, sandbox: sandboxURL),
                                    policy: TransportPolicy(requestsPerSecond: engine.rate, burst: max(1, Int(engine.rate))),
                                    client: client, credentials: credentials, credentialErrors: credentialErrors)
        return EngineRun(report: loaded.report, reconciler: reconciler, stateDirectory: source.stateDirectory,
                         reportDirectory: engine.reportDir ?? (source.stateDirectory as NSString).appendingPathComponent("report"),
                         secretsContext: context, client: client, sandbox: sandbox)
    }

    func shutdown() async {
        try? await client.shutdown()
        await sandbox?.stop()
    }

    /// The lock scope: this repository and where its providers are.
    var lock: RunLock {
        let targets = reconciler.managedIntegrations.map { "\($0.metadata.name)=\(reconciler.endpoints.url(for: $0) ?? "?")" }.joined(separator: ",")
        return RunLock(stateDirectory: stateDirectory, repository: report.source.repository + "#" + report.source.root, target: targets)
    }

    var renderer: PlanRenderer {
        let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let names = Dictionary(report.state.establishments.map { ($0.metadata.name, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        return PlanRenderer(kinds: ProviderRegistry.kinds, establishmentNames: names, colour: colour)
    }

    var pending: PendingLog { PendingLog(stateDirectory: stateDirectory, scope: report.source.repository + "#" + report.source.root) }
    var applied: AppliedCommits { AppliedCommits(stateDirectory: stateDirectory, scope: report.source.repository + "#" + report.source.root) }

    var elapsedMs: Int {
        let elapsed = ContinuousClock.now - started
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Writes status.json, status.md and flags.json; a failure to write is a warning.
    func writeReport(command: String, plan: Plan?, result: ApplyResult?, connections: [String: StatusReport.Connection] = [:],
                     requests: [String: Int] = [:]) {
        let status = StatusReport.make(command: command, state: report.state, repository: report.source.repository, commit: report.source.commit,
                                       plan: plan, result: result, connections: connections, lastApplied: applied.read(), durationMs: elapsedMs,
                                       requests: requests)
        do { try status.write(to: reportDirectory) } catch { printError("warning: could not write the report in \(reportDirectory): \(error)") }
    }

    /// Reports a create that an earlier run started and never finished (it crashed): the
    /// ownership markers let this run's observe find it, so it is not made twice.
    func noteUnfinished() {
        let unfinished = pending.unfinished()
        guard !unfinished.isEmpty else { return }
        printError("note: a previous apply stopped before finishing \(unfinished.count) change(s) (\(unfinished.prefix(3).joined(separator: ", "))\(unfinished.count > 3 ? ", …" : "")); what it created carries SalonOps' markers and is found again below")
    }
}

enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// A plan saved with `--out`: the plan and what was observed (no secret in either).
struct SavedPlan: Codable {
    var plan: Plan
    var observed: [String: [ObservedResource]]
}
