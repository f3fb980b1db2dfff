import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsGit
import SalonOpsProviderKit
import SalonOpsSecrets

/// One wake-up of the daemon: fetch the followed ref; when the commit moved, a run of what it
/// changed (diffed with libgit2 from the last applied commit); on the drift interval, a full
/// scan. What ran is recorded in the daemon's status, the report and runs.jsonl.
struct Cycle {
    let daemon: Daemon
    /// The last commit whose run succeeded, and its config: what the next change is diffed from.
    var applied: (commit: String, state: DesiredState)?
    /// The integrations suspended at the last run that succeeded.
    var lastSuspended: Set<String> = []

    /// Alerts: states observed this cycle, sent when due.
    var alerts: AlertTracker
    /// The notification URLs as the last run decrypted them.
    var notificationURLs: [(target: NotificationTarget, url: Secret)] = []
    /// Email, through the integration the last run connected.
    var mailer: Notifier.Mailer?
    /// The commit the last alert can name.
    var alertCommit: String?

    init(daemon: Daemon) {
        self.daemon = daemon
        alerts = AlertTracker(minimumInterval: daemon.configuration.notificationInterval)
    }

    /// One wake-up, then the alerts it made due.
    mutating func run(_ trigger: Trigger) async {
        await perform(trigger)
        let due = alerts.due(at: Date())
        guard !due.isEmpty else { return }
        for alert in due { daemon.configuration.output.err("alert: \(alert.event.rawValue) \(alert.key): \(alert.summary)") }
        guard !notificationURLs.isEmpty || mailer != nil else { return }
        let failures = await Notifier(client: daemon.client, output: daemon.configuration.output).send(
            due, to: notificationURLs, mailer: mailer, repository: RunLog.redactURL(daemon.configuration.engine.source.repository), commit: alertCommit,
            statusPage: daemon.statusPage)
        for failure in failures { await daemon.state.failed(failure) }
    }

    private mutating func perform(_ trigger: Trigger) async {
        let configuration = daemon.configuration
        let engineConfiguration = configuration.engine
        let state = daemon.state
        let started = Date()
        let clock = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - clock).timeInterval * 1000) }
        func record(_ commit: String, scope: String, integrations: [String], outcome: String, requests: Int = 0, reasons: [String] = []) -> DaemonStatus.Run {
            DaemonStatus.Run(
                trigger: trigger.rawValue, commit: commit, scope: scope, integrations: integrations, outcome: outcome, startedAt: SopsFile.rfc3339(started),
                durationMs: elapsed(), requests: requests, reasons: reasons)
        }

        // fetch + load (no secret is decrypted unless something runs)
        let report: ValidationReport
        do {
            report = try await DesiredStateSource.load(
                engineConfiguration.source, catalog: engineConfiguration.providers.catalog, trust: engineConfiguration.trust, logger: engineConfiguration.logger)
        } catch let error as CommitTrustError {
            daemon.metrics.fetchFailed()
            alerts.observe("fetch", .failed, summary: "the commit of \(Self.followed(engineConfiguration)) is refused: \(error)")
            await state.fetchFailed("refused: trust: \(error)")
            configuration.output.err("refused: trust: \(error)")
            return
        } catch {
            daemon.metrics.fetchFailed()
            alerts.observe("fetch", .failed, summary: "fetching \(Self.followed(engineConfiguration)) failed: \(error); the last good commit is still served")
            await state.fetchFailed("\(error)")
            configuration.output.err("error: fetch: \(error); still serving the last good commit")
            return
        }
        let commit = report.source.commit
        guard report.isValid else {
            daemon.metrics.fetchFailed()
            alerts.observe(
                "fetch", .failed, summary: "commit \(commit.prefix(12)) of \(Self.followed(engineConfiguration)) is invalid; the last good commit is still served",
                details: report.diagnostics.filter { $0.severity == .error }.prefix(5).map(\.headline))
            let first = report.diagnostics.first { $0.severity == .error }.map { " (\($0.location): \($0.message))" } ?? ""
            await state.fetchFailed("commit \(commit.prefix(12)) is invalid: \(report.diagnostics.count) error(s)\(first)")
            configuration.output.err(report.renderText())
            return
        }
        await state.fetched(commit: commit, organization: report.state.organization?.displayName)
        alerts.observe("fetch", .ok, summary: "fetching \(Self.followed(engineConfiguration)) works again (commit \(commit.prefix(12)))")
        alertCommit = commit
        daemon.metrics.fetched(at: Date())

        // Suspensions in force; one lifted since the last run is caught up on whole.
        let scopeKey = StateScope.of(repository: report.source.repository, root: report.source.root)
        let suspended = Suspensions.effective(report.state, stored: Suspensions(stateDirectory: engineConfiguration.stateDirectory, scope: scopeKey).read())
        await state.suspensions(suspended.values.sorted { $0.integration < $1.integration }, now: Date())
        for suspension in suspended.values {
            alerts.observe(
                "suspension:\(suspension.integration)", suspension.isOverdue(at: Date()) ? .failed : .ok,
                summary: suspension.isOverdue(at: Date())
                    ? "\(suspension.integration) is still suspended past \(suspension.until ?? "?"): `salonops resume \(suspension.integration)`"
                    : "\(suspension.integration)'s suspension is no longer overdue")
        }
        let resumed = lastSuspended.subtracting(suspended.keys).filter { name in
            report.state.integrations.contains { $0.metadata.name == name && $0.enabled && engineConfiguration.providers.module($0.provider.value) != nil }
        }

        // What to run.
        var scope = RunScope.all
        var changedSince: DesiredState?
        var reasons = ["full scan (\(trigger == .drift ? "drift interval" : "first run"))"]
        if trigger != .drift, let applied, applied.commit == commit {
            guard !resumed.isEmpty else {
                await state.finished(record(commit, scope: "none", integrations: [], outcome: "up-to-date"), applied: nil)
                return
            }
            scope = .only(Dictionary(uniqueKeysWithValues: resumed.map { ($0, Scope.all) }))
            reasons = resumed.sorted().map { "Integration \($0) resumed" }
        } else if trigger != .drift, let applied {
            do {
                let paths = try await GitSource.changedPaths(engineConfiguration.source, from: applied.commit, to: commit)
                let change = ChangeSet.between(applied.state, report.state, changedPaths: paths, root: report.source.root)
                scope = RunScope.of(change, old: applied.state, new: report.state, providers: engineConfiguration.providers)
                changedSince = applied.state
                reasons = change.reasons.isEmpty ? ["no config document changed (\(paths.count) path(s) outside them)"] : change.reasons
            } catch {
                // The last applied commit is gone (a force-push): a full run instead.
                reasons = ["full scan: could not diff \(applied.commit.prefix(12))..\(commit.prefix(12)): \(error)"]
            }
            if case .only(var scopes) = scope, !resumed.isEmpty {
                for name in resumed { scopes[name] = .all }
                scope = .only(scopes)
                reasons += resumed.sorted().map { "Integration \($0) resumed" }
            }
        }

        // Suspended integrations are left out (the engine would leave them out too): the scope
        // recorded is what runs.
        let managed = report.state.integrations.filter { $0.enabled && engineConfiguration.providers.module($0.provider.value) != nil }.map(\.metadata.name)
        scope = scope.excluding(Set(suspended.keys), among: managed)
        if case .only(let scopes) = scope, scopes.isEmpty {
            await nothingToDo(commit, report.state, suspended: Set(suspended.keys), record(commit, scope: "none", integrations: [], outcome: "nothing-to-do", reasons: reasons))
            return
        }

        // Run: pinned to the commit just fetched, so a push during the run waits for the next.
        var pinned = engineConfiguration
        pinned.source.ref = commit
        pinned.command = "run"
        pinned.trigger = trigger.rawValue
        pinned.previous = changedSince
        if let reference = configuration.webhookSecret { pinned.ownSecrets["webhook"] = reference }
        for (index, target) in configuration.notifications.enumerated() { pinned.ownSecrets[target.secretName(index)] = target.reference }
        // Groupon calls the daemon (its merchants feed): the key it signs with is its Integration's.
        let groupon = report.state.integrations.first { $0.enabled && $0.provider.value == "groupon" }?.credentials.first { $0.name == "apiKey" }
        if let groupon { pinned.ownSecrets["groupon"] = groupon.reference }
        func planned(_ scope: RunScope) -> [String] {
            report.state.integrations.filter {
                $0.enabled && engineConfiguration.providers.module($0.provider.value) != nil && scope.scope(for: $0.metadata.name) != nil
            }.map(\.metadata.name).sorted()
        }
        await state.started(record(commit, scope: scope.summary, integrations: planned(scope), outcome: "running", reasons: reasons))
        let engine: Engine
        do { engine = try await Engine.start(pinned) } catch {
            await state.failed("\(error)")
            await state.finished(record(commit, scope: scope.summary, integrations: planned(scope), outcome: "failed", reasons: reasons), applied: nil)
            configuration.output.err("error: \(error)")
            return
        }
        if configuration.webhookSecret != nil { daemon.secrets.set(engine.ownSecrets["webhook"]) }
        daemon.grouponKey.set(groupon == nil ? nil : engine.ownSecrets["groupon"])
        notificationURLs = configuration.notifications.enumerated().compactMap { index, target in
            switch engine.ownSecrets[target.secretName(index)] {
            case .success(let url)?: return (target, url)
            case .failure(let error)?:
                configuration.output.err("warning: notification \(target.format.rawValue) #\(index + 1): \(error)")
                return nil
            case nil: return nil
            }
        }
        let (mailer, problem) = Self.mailer(configuration, engine, report.state)
        self.mailer = mailer
        if let problem {
            configuration.output.err("warning: \(problem)")
            await state.failed(problem)
        }
        // What the change moves at each provider: an integration whose projection it leaves as
        // it was is not even observed (the drift scan still reads it).
        scope = engine.reconciler.narrowed(scope)
        if case .only(let scopes) = scope, scopes.isEmpty {
            await engine.shutdown()
            let reasons = reasons + ["no provider's projection moved"]
            await nothingToDo(commit, report.state, suspended: Set(suspended.keys), record(commit, scope: "none", integrations: [], outcome: "nothing-to-do", reasons: reasons))
            return
        }
        let description = scope.summary
        let planned = planned(scope)
        let renderer = PlanRenderer(
            kinds: engineConfiguration.providers.kinds,
            establishmentNames: Dictionary(report.state.establishments.map { ($0.metadata.name, $0.displayName) }, uniquingKeysWith: { a, _ in a }),
            colour: false)
        configuration.output.out("run: \(trigger.rawValue) at \(commit.prefix(12)), \(description): \(reasons.joined(separator: "; "))")
        let status = await engine.apply(
            saved: nil, force: false, render: { renderer.text($0) }, approve: { _ in true }, driftIsChange: true, scope: scope, output: configuration.output)
        let requests = await engine.reconciler.requestTotal()
        let answers = await engine.reconciler.answers()
        let providerOf = Dictionary(report.state.integrations.map { ($0.metadata.name, $0.provider.value) }, uniquingKeysWith: { a, _ in a })
        var retries: [String: Int] = [:]
        for (integration, count) in await engine.reconciler.retries() { retries[providerOf[integration] ?? integration, default: 0] += count.sent }
        await engine.shutdown()
        let succeeded = status == .ok || status == .changes
        // Drift as the report this run wrote counts it, for the integrations it planned.
        let written = try? StatusReport.read(from: engineConfiguration.reportDirectory)
        let drift = Dictionary(
            (written?.integrations ?? []).filter { planned.contains($0.integration) }.map { ($0.integration, $0.drift) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(engineConfiguration.providers.catalog.all.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        for row in written?.integrations ?? [] where planned.contains(row.integration) {
            let label = "\(names[row.provider] ?? row.provider) (\(row.integration))"
            let mode = report.state.integrations.first { $0.metadata.name == row.integration }.map { report.state.effectiveDrift(of: $0) } ?? .warn
            let correcting = mode == .correct
            if !row.errors.isEmpty || row.changes.failed > 0 || row.connection.state == .error {
                alerts.observe(
                    row.integration, .failed, summary: "\(label) failed at commit \(commit.prefix(12))",
                    details: row.errors.prefix(5).map { SecretScanner.redact($0.description) })
            } else if row.drift > 0 {
                alerts.observe(
                    row.integration, .drift,
                    summary: "\(label): \(row.drift) resource(s) changed outside SalonOps, \(correcting ? "corrected" : "reported (drift: \(mode.rawValue))")")
            } else {
                alerts.observe(row.integration, .ok, summary: "\(label) is in sync again", quietAfterDrift: correcting)
            }
        }
        daemon.metrics.ran(
            trigger, result: status.word, duration: ContinuousClock.now - clock, succeededAt: succeeded ? Date() : nil, drift: drift, answers: answers,
            retries: retries)
        if succeeded {
            applied = (commit, report.state)
            await state.served(report.state)
            lastSuspended = Set(suspended.keys)
        } else {
            await state.failed("run at \(commit.prefix(12)) ended \(status.word)")
        }
        await state.finished(
            record(commit, scope: description, integrations: planned, outcome: status.word, requests: requests, reasons: reasons),
            applied: succeeded ? commit : nil)
    }

    /// A run with nothing left (no document moved, only suspended ones, or nothing any provider
    /// projects): the commit counts as applied; the suspended are caught up whole when resumed.
    private mutating func nothingToDo(_ commit: String, _ desired: DesiredState, suspended: Set<String>, _ record: DaemonStatus.Run) async {
        applied = (commit, desired)
        await daemon.state.served(desired)
        lastSuspended = suspended
        await daemon.state.finished(record, applied: commit)
    }

    /// The email channel this run's engine can give, or why there is none (`--notify-email`
    /// given): the Integration named by `--notify-email-via`, else the only enabled one whose
    /// provider sends email.
    static func mailer(_ configuration: DaemonConfiguration, _ engine: Engine, _ state: DesiredState) -> (Notifier.Mailer?, String?) {
        guard !configuration.emailRecipients.isEmpty else { return (nil, nil) }
        let providers = configuration.engine.providers
        func sending(_ integration: Integration) -> (any EmailSending.Type)? { providers.module(integration.provider.value) as? any EmailSending.Type }
        let integration: Integration
        if let name = configuration.emailIntegration {
            guard let named = state.integrations.first(where: { $0.metadata.name == name }) else {
                return (nil, "--notify-email-via \(name): commit \(engine.reconciler.commit.prefix(12)) has no Integration of that name; alerts are not emailed")
            }
            guard named.enabled, sending(named) != nil else {
                return (
                    nil,
                    "--notify-email-via \(name): \(named.enabled ? "its provider (\(named.provider.value)) cannot send email" : "the Integration is disabled"); alerts are not emailed"
                )
            }
            integration = named
        } else {
            let able = state.integrations.filter { $0.enabled && sending($0) != nil }
            guard able.count == 1 else {
                return (
                    nil,
                    able.isEmpty
                        ? "--notify-email: no enabled Integration can send email (Brevo); alerts are not emailed"
                        : "--notify-email: \(able.map(\.metadata.name).joined(separator: ", ")) can all send email: choose one with --notify-email-via"
                )
            }
            integration = able[0]
        }
        guard let session = engine.reconciler.standingSession(for: integration.metadata.name), let module = sending(integration) else {
            return (nil, "--notify-email: Integration \(integration.metadata.name) could not be connected this run (see its error); alerts are not emailed")
        }
        return (Notifier.Mailer(session: session, sending: module, recipients: configuration.emailRecipients), nil)
    }

    static func followed(_ configuration: EngineConfiguration) -> String {
        RunLog.redactURL(configuration.source.repository) + (configuration.source.ref.map { " \($0)" } ?? "")
    }
}
