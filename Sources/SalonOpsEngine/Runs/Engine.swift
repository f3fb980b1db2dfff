import AsyncHTTPClient
import Foundation
import Logging
import SalonOpsCore
import SalonOpsGit
import SalonOpsProviderKit
import SalonOpsSecrets
import Synchronization

/// Everything a run needs, whoever starts it (the CLI, the daemon, the benchmark).
public struct EngineConfiguration: Sendable {
    public var source: GitSourceOptions
    /// `--require-signed-by`: the commit read must be signed by one of these keys.
    public var trust: CommitTrustPolicy?
    public var stateDirectory: String
    public var reportDirectory: String
    public var ageKeyFile: String?
    public var endpoints: Endpoints
    public var providers: ProviderSet
    public var limits: EngineLimits
    /// Per provider id, engine-level connect options (test peers' quirks).
    public var providerOptions: [String: [String: String]]
    /// Retire duplicates even where the Integration does not prune (`--retire-duplicates`).
    public var retireDuplicates: Bool
    /// The command, for audit lines and the report.
    public var command: String
    public var logger: Logger
    /// Secrets of the run itself, besides the integrations' credentials (the daemon's webhook
    /// secret), by name: `file#key.path` in the commit's encrypted files.
    public var ownSecrets: [String: SecretReference] = [:]
    /// What started the run, for the history: the daemon's trigger; nil: the command.
    public var trigger: String?
    /// The last applied commit's state, for a change-scoped run (`Reconciler.previous`).
    public var previous: DesiredState?

    public init(
        source: GitSourceOptions, trust: CommitTrustPolicy? = nil, stateDirectory: String, reportDirectory: String? = nil, ageKeyFile: String? = nil,
        endpoints: Endpoints = Endpoints(), providers: ProviderSet, limits: EngineLimits = EngineLimits(),
        providerOptions: [String: [String: String]] = [:], retireDuplicates: Bool = false, command: String, logger: Logger = Logger(label: "salonops")
    ) {
        self.retireDuplicates = retireDuplicates
        self.source = source
        self.trust = trust
        self.stateDirectory = stateDirectory
        self.reportDirectory = reportDirectory ?? (stateDirectory as NSString).appendingPathComponent("report")
        self.ageKeyFile = ageKeyFile
        self.endpoints = endpoints
        self.providers = providers
        self.limits = limits
        self.providerOptions = providerOptions
        self.command = command
        self.logger = logger
    }
}

/// Why a run could not start; nothing was sent to any provider.
public enum EngineStartError: Error, CustomStringConvertible {
    case fetch(GitSourceError)
    /// `--require-signed-by` refused the commit: exit 3 (refused).
    case untrusted(CommitTrustError)
    /// The config is invalid: the report holds every diagnostic.
    case invalid(ValidationReport)

    public var description: String {
        switch self {
        case .fetch(let error): "fetch: \(error)"
        case .untrusted(let error): "trust: \(error); nothing was sent to any provider"
        case .invalid: "load: the config is invalid; nothing was sent to any provider"
        }
    }
}

/// Where a run writes what it says (the CLI prints, the daemon logs).
public struct EngineOutput: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }
}

/// One run of the engine: the config at a commit, its credentials decrypted in memory, the
/// providers connected, the state directory. The CLI and the daemon both start one.
public final class Engine: Sendable {
    public let configuration: EngineConfiguration
    public let report: ValidationReport
    public let reconciler: Reconciler
    public let secretsContext: SecretsContext
    public let state: FileStateStore
    /// `configuration.ownSecrets`, decrypted, or why not (a message without any value).
    public let ownSecrets: [String: Result<Secret, CredentialResolver.ResolutionError>]
    let client: HTTPClient
    /// When `start` began (before the fetch), for durations and the history.
    let started: ContinuousClock.Instant
    let startedAt: Date
    /// The report this run wrote last, for the history.
    private let written = Mutex<StatusReport?>(nil)

    private init(
        configuration: EngineConfiguration, report: ValidationReport, reconciler: Reconciler, secretsContext: SecretsContext,
        state: FileStateStore, ownSecrets: [String: Result<Secret, CredentialResolver.ResolutionError>], client: HTTPClient,
        started: (ContinuousClock.Instant, Date)
    ) {
        (self.started, self.startedAt) = started
        self.ownSecrets = ownSecrets
        self.configuration = configuration
        self.report = report
        self.reconciler = reconciler
        self.secretsContext = secretsContext
        self.state = state
        self.client = client
    }

    /// The process-wide limiter registry: integrations on one account share a limiter across
    /// runs of one process (the daemon's).
    public static let limiters = RateLimiterRegistry()

    /// fetch → load (refused when invalid) → decrypt → connect.
    public static func start(_ configuration: EngineConfiguration) async throws -> Engine {
        let began = (ContinuousClock.now, Date())
        let loaded: (report: ValidationReport, snapshot: ConfigSnapshot)
        do {
            loaded = try await DesiredStateSource.loadWithSnapshot(
                configuration.source, catalog: configuration.providers.catalog, trust: configuration.trust, logger: configuration.logger)
        } catch let error as GitSourceError {
            throw EngineStartError.fetch(error)
        } catch let error as CommitTrustError {
            throw EngineStartError.untrusted(error)
        }
        guard loaded.report.isValid else { throw EngineStartError.invalid(loaded.report) }
        let source = loaded.report.source
        let context = SecretsContext(
            keys: AgeKeySources(keyFile: configuration.ageKeyFile), audit: AuditLog(stateDirectory: configuration.stateDirectory),
            command: configuration.command, commit: source.commit)
        let files = Dictionary(loaded.snapshot.files.map { ($0.path, $0.contents) }, uniquingKeysWith: { a, _ in a })
        let desired = loaded.report.state
        var wanted = desired
        wanted.integrations = desired.integrations.filter { $0.enabled && configuration.providers.module($0.provider.value) != nil }
        var credentials: [String: [String: Secret]] = [:]
        var credentialErrors: [String: String] = [:]
        for resolved in CredentialResolver.resolve(wanted, files: files, context: context) {
            switch resolved.result {
            case .success(let secret): credentials[resolved.integration, default: [:]][resolved.name] = secret
            case .failure(let error): credentialErrors[resolved.integration] = "credential '\(resolved.name)' (\(resolved.reference)): \(error)"
            }
        }
        let own = CredentialResolver.resolve(
            configuration.ownSecrets.sorted { $0.key < $1.key }.map { ("salonops", $0.key, $0.value) }, files: files, context: context)
        let ownSecrets = Dictionary(own.map { ($0.name, $0.result) }, uniquingKeysWith: { a, _ in a })
        try? StateDirectory.prepare(configuration.stateDirectory)
        let state = FileStateStore(directory: configuration.stateDirectory, scope: StateScope.of(repository: source.repository, root: source.root), secrets: context)
        // A refused connection is retried by AsyncHTTPClient until the connect deadline: bound it
        // (a provider that needs longer to accept a connection gets the transport's own retries).
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(60))))
        let reconciler = await Reconciler(
            state: desired, commit: source.commit, repository: source.repository, providers: configuration.providers,
            endpoints: configuration.endpoints, client: client, credentials: credentials,
            credentialErrors: credentialErrors, limiters: limiters, limits: configuration.limits,
            options: configuration.providerOptions, tokens: state.tokens, ledger: state.ledger, retireDuplicates: configuration.retireDuplicates,
            previous: configuration.previous)
        return Engine(
            configuration: configuration, report: loaded.report, reconciler: reconciler, secretsContext: context, state: state, ownSecrets: ownSecrets,
            client: client, started: began)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// The lock scope: this repository and where its providers are.
    public var lock: RunLock { state.lock(target: Self.lockTarget(report.state, providers: configuration.providers, endpoints: configuration.endpoints)) }

    /// The targets part of the lock's scope: each managed integration and where it is.
    public static func lockTarget(_ desired: DesiredState, providers: ProviderSet, endpoints: Endpoints) -> String {
        desired.integrations.filter { $0.enabled }.sorted { $0.metadata.name < $1.metadata.name }.compactMap { integration in
            guard let traits = providers.module(integration.provider.value)?.traits else { return nil }
            return "\(integration.metadata.name)=\(StateScope.canonicalURL(endpoints.apiURL(for: integration, traits: traits)))"
        }.joined(separator: ",")
    }

    /// The lock of a repository and its targets, from the config alone (no credential is
    /// decrypted): for `lock status` and `lock break`.
    public static func lock(_ configuration: EngineConfiguration) async throws -> RunLock {
        let report = try await validated(configuration)
        let target = lockTarget(report.state, providers: configuration.providers, endpoints: configuration.endpoints)
        return FileStateStore.lock(
            directory: configuration.stateDirectory, repository: StateScope.of(repository: report.source.repository, root: report.source.root), target: target)
    }

    /// The ledger of a repository, from the config alone (no credential is decrypted): for
    /// `salonops ledger`.
    public static func ledger(_ configuration: EngineConfiguration) async throws -> (Ledger, DesiredState) {
        let report = try await validated(configuration)
        return (Ledger(stateDirectory: configuration.stateDirectory, scope: StateScope.of(repository: report.source.repository, root: report.source.root)), report.state)
    }

    /// The suspensions store of a repository and its config, from the config alone (no
    /// credential is decrypted): for `salonops suspend` and `resume`.
    public static func suspensions(_ configuration: EngineConfiguration) async throws -> (Suspensions, DesiredState) {
        let report = try await validated(configuration)
        let scope = StateScope.of(repository: report.source.repository, root: report.source.root)
        return (Suspensions(stateDirectory: configuration.stateDirectory, scope: scope), report.state)
    }

    static func validated(_ configuration: EngineConfiguration) async throws -> ValidationReport {
        let report: ValidationReport
        do {
            report = try await DesiredStateSource.load(configuration.source, catalog: configuration.providers.catalog, trust: configuration.trust, logger: configuration.logger)
        } catch let error as GitSourceError {
            throw EngineStartError.fetch(error)
        } catch let error as CommitTrustError {
            throw EngineStartError.untrusted(error)
        }
        guard report.isValid else { throw EngineStartError.invalid(report) }
        return report
    }

    public var elapsedMs: Int {
        let elapsed = ContinuousClock.now - started
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Writes status.json, status.md and flags.json; a failure to write is a warning. The
    /// consistency view comes from `observation` (with `result` laid over it); a run that
    /// observed nothing (`check`) keeps the last report's.
    public func writeReport(
        plan: Plan?, result: ApplyResult?, observation: Reconciler.Observation? = nil, connections: [String: StatusReport.Connection] = [:],
        requests: [String: Int] = [:], output: EngineOutput
    ) async {
        let source = report.source
        var connections = connections
        for (name, suspension) in suspensions where connections[name] == nil {
            connections[name] = StatusReport.Connection(state: .suspended, detail: suspension.summary)
        }
        var consistency: ConsistencyView?
        if let plan, let observation {
            consistency = reconciler.consistency(plan, observation: observation, result: result)
        } else {
            consistency = (try? StatusReport.read(from: configuration.reportDirectory))?.consistency
        }
        let status = StatusReport.make(
            command: configuration.command, state: report.state, repository: source.repository, commit: source.commit,
            plan: plan, result: result, connections: connections, lastApplied: state.applied.read(), durationMs: elapsedMs,
            requests: requests, retries: await reconciler.retries(), supported: configuration.providers.supported, consistency: consistency)
        written.withLock { $0 = status }
        do { try status.write(to: configuration.reportDirectory) } catch {
            output.err("warning: could not write the report in \(configuration.reportDirectory): \(error)")
        }
    }

    /// Reports a create that an earlier run started and never finished (it crashed): the
    /// ownership markers (or the ledger) let this run's observe find it, so it is not made twice.
    public func noteUnfinished(_ output: EngineOutput) {
        let unfinished = state.pending.unfinished()
        guard !unfinished.isEmpty else { return }
        output.err(
            "note: a previous apply stopped before finishing \(unfinished.count) change(s) (\(unfinished.prefix(3).joined(separator: ", "))\(unfinished.count > 3 ? ", …" : "")); what it created is found again below"
        )
    }

    public func plan(force: Bool, output: EngineOutput) async -> (Plan, Reconciler.Observation) {
        await reconciler.plan(id: UUID().uuidString.lowercased(), force: force, scope: unsuspended(.all, output: output))
    }

    /// Suspensions in force (the config's `suspended: true`, then `salonops suspend`).
    public var suspensions: [String: Suspension] { Suspensions.effective(report.state, stored: state.suspensions.read()) }

    /// `scope` without the suspended integrations, each named once in the output (and a warning
    /// for a suspension past its date).
    public func unsuspended(_ scope: RunScope, output: EngineOutput, now: Date = Date()) -> RunScope {
        let suspended = suspensions
        let managed = reconciler.managedIntegrations.map(\.metadata.name)
        for name in managed.filter({ suspended[$0] != nil && scope.scope(for: $0) != nil }) {
            let suspension = suspended[name]!
            output.err("note: \(name) is \(suspension.summary); it is not planned\(suspension.fromConfig ? "" : " (`salonops resume \(name)` resumes it)")")
            if suspension.isOverdue(at: now) {
                output.err("warning: \(name)'s suspension was to end \(suspension.until ?? "?"): resume it (`salonops resume \(name)`) or suspend it again with a later --until")
            }
        }
        return scope.excluding(Set(suspended.keys), among: managed)
    }

    /// The apply protocol, shared by `apply`, `reconcile` and the daemon: lock, (re)plan, check
    /// a saved plan's staleness, ask `approve`, apply, record, report. `driftIsChange`: for
    /// schedules, drift that `drift: warn` reported but did not correct turns 0 into 2.
    public func apply(
        saved: SavedPlan?, force: Bool, render: @Sendable (Plan) -> String, approve: @Sendable (Plan) -> Bool,
        driftIsChange: Bool = false, scope: RunScope = .all, output: EngineOutput
    ) async -> ExitStatus {
        let counts = RunCounts()
        let status = await apply(
            saved: saved, force: force, render: render, approve: approve, driftIsChange: driftIsChange, scope: scope, output: output, counts: counts)
        counts.values["retries"] = await reconciler.retries().values.reduce(0) { $0 + $1.sent }
        await recordRun(status, counts: counts.values, scope: scope, output: output)
        return status
    }

    /// Appends this run to `runs.jsonl` (the command, the commit, the outcome and counts) and to
    /// the history (with each integration's stage results from the report it wrote); never a
    /// value. A record that cannot be written is a warning.
    public func recordRun(_ status: ExitStatus, counts: [String: Int], scope: RunScope = .all, output: EngineOutput) async {
        let source = report.source
        do {
            try RunLog(directory: configuration.stateDirectory).append(
                command: configuration.command, repository: source.repository, commit: source.commit, ref: source.refName,
                worktree: source.fromWorktree, outcome: status.word, counts: counts)
        } catch {
            output.err("warning: could not record the run in \(configuration.stateDirectory): \(error)")
        }
        guard !source.fromWorktree else { return }
        let report = written.withLock { $0 }
        let planned = report?.integrations.filter { $0.enabled && $0.connection.state != .unsupported && scope.scope(for: $0.integration) != nil } ?? []
        let record = RunRecord(
            startedAt: startedAt, durationMs: elapsedMs, command: configuration.command, trigger: configuration.trigger ?? configuration.command,
            repository: source.repository, commit: source.commit, ref: source.refName, outcome: status.word, scope: scope.summary,
            requests: await reconciler.requestTotal(), counts: counts,
            integrations: planned.map { row in
                RunRecord.IntegrationResult(
                    integration: row.integration, provider: row.provider, connection: row.connection.state.rawValue,
                    stage: row.errors.first?.stage.rawValue ?? "ok", planned: row.changes.planned, applied: row.changes.applied, failed: row.changes.failed,
                    skipped: row.changes.skipped, drift: row.drift, requests: row.requests, errors: row.errors.map(\.description))
            })
        do { try await state.history.record(record, now: Date()) } catch {
            output.err("warning: could not record the run in the history (\(configuration.stateDirectory)/history.sqlite): \(error)")
        }
    }

    /// Counts of one apply, filled as it goes (it returns at several points).
    final class RunCounts: @unchecked Sendable {
        // @unchecked: one apply fills it, sequentially, and reads it after.
        var values: [String: Int] = [:]

        func plan(_ plan: Plan) {
            values["changes"] = plan.changeCount
            values["drift"] = plan.driftCount
            values["duplicates"] = plan.duplicateCount
        }
    }

    private func apply(
        saved: SavedPlan?, force: Bool, render: @Sendable (Plan) -> String, approve: @Sendable (Plan) -> Bool,
        driftIsChange: Bool, scope: RunScope, output: EngineOutput, counts: RunCounts
    ) async -> ExitStatus {
        let lock = self.lock
        do { try lock.acquire(command: "salonops \(configuration.command)") } catch {
            output.err("refused: \(error)")
            return .refused
        }
        defer { lock.release() }
        noteUnfinished(output)
        let scope = unsuspended(scope, output: output)
        let (fresh, observation) = await reconciler.plan(id: saved?.plan.id ?? UUID().uuidString.lowercased(), force: force, scope: scope)
        let plan = fresh
        counts.plan(plan)
        if let saved {
            guard saved.plan.observedDigest == fresh.observedDigest else {
                output.err("refused: the plan is stale: what the providers have has changed since it was made. What moved:")
                for line in Reconciler.moved(from: saved.observed, to: observation.resources).prefix(20) { output.err("  \(line)") }
                output.err("make a new plan with `salonops plan --out`")
                await writeReport(plan: fresh, result: nil, observation: observation, output: output)
                return .refused
            }
            let edits = fresh.edits(in: saved.plan)
            guard edits.isEmpty else {
                output.err(
                    "refused: the saved plan is not what commit \(fresh.commit.prefix(12)) and the observed state produce: it was edited after it was made. What differs:"
                )
                for line in edits.prefix(20) { output.err("  \(line)") }
                output.err("make a new plan with `salonops plan --out` and review it again; a saved plan is never applied as edited")
                return .refused
            }
        }
        output.out(render(plan))
        if plan.hasErrors { output.err("error: some integrations could not be planned (see above); nothing was applied to them") }
        if !plan.refusals.isEmpty && !force {
            for refusal in plan.refusals { output.err("refused: \(refusal) (--force overrides)") }
        }
        guard plan.changeCount > 0 else {
            await writeReport(plan: plan, result: ApplyResult(), observation: scope.isFull ? observation : nil, output: output)
            if plan.hasErrors { return .failed }
            if !plan.refusals.isEmpty { return .refused }
            return driftIsChange && plan.hasWarnedDrift ? .changes : .ok
        }
        guard approve(plan) else { return .failed }
        let store = WriteOnlyStore(stateDirectory: configuration.stateDirectory, context: secretsContext)
        let result = await reconciler.apply(plan, observation: observation, pending: state.pending, store: store, force: force)
        for item in result.items {
            let marker = item.outcome == .applied ? "applied" : (item.outcome == .failed ? "FAILED " : "skipped")
            var line = "\(marker)  \(item.integration) \(item.action.rawValue) \(item.kind) \(item.key)"
            if let remote = item.remoteID { line += " [\(remote)]" }
            for (field, fingerprint) in item.secrets.sorted(by: { $0.key < $1.key }) { line += " \(field) stored encrypted (\(fingerprint))" }
            if let reason = item.reason { line += ": \(reason)" + (item.retryable ? " (may succeed if retried)" : "") }
            output.out(line)
        }
        let failed = result.count(.failed), skipped = result.count(.skipped)
        counts.values["applied"] = result.count(.applied)
        counts.values["failed"] = failed
        counts.values["skipped"] = skipped
        output.out("Apply: \(result.count(.applied)) applied, \(failed) failed, \(skipped) skipped.")
        let retries = await reconciler.retries()
        if !retries.isEmpty {
            output.out(
                "Retries: "
                    + retries.keys.sorted().map { name in
                        let count = retries[name]!
                        return "\(name) \(count.sent) (\(count.fromBudget) of this run's budget of \(count.budget))"
                    }.joined(separator: ", ") + ".")
        }
        let clean = plan.integrations.filter { candidate in
            candidate.error == nil && (candidate.refusal == nil || force)
                && !result.items.contains { $0.integration == candidate.integration && $0.outcome != .applied }
        }.map(\.integration)
        do { try state.applied.record(plan.commit, integrations: clean) } catch {
            output.err("warning: could not record the applied commit: \(error)")
        }
        if failed == 0 && skipped == 0 { state.pending.clear() }
        // A change-scoped run saw only part of each provider: the view across providers stays the
        // last full run's.
        await writeReport(plan: plan, result: result, observation: scope.isFull ? observation : nil, output: output)
        if failed > 0 || plan.hasErrors { return .failed }
        if skipped > 0 || (!plan.refusals.isEmpty && !force) { return .refused }
        return driftIsChange && plan.hasWarnedDrift ? .changes : .ok
    }
}
