import AsyncHTTPClient
import Foundation
import SalonOpsProviderKit
import SalonOpsSecrets

/// Where each provider's endpoints are: `--endpoint`, the Integration's `endpoint:`, the
/// sandbox, or the real URL from the provider's traits and settings.
public struct Endpoints: Sendable {
    /// `--endpoint PROVIDER=URL` (its `api` endpoint) or `PROVIDER.ENDPOINT=URL`.
    public var overrides: [String: String]
    /// `--sandbox URL`: every endpoint at `URL/<provider>/<endpoint>`.
    public var sandbox: String?

    public init(overrides: [String: String] = [:], sandbox: String? = nil) {
        self.overrides = overrides
        self.sandbox = sandbox
    }

    /// Endpoint name → URL, or what is missing.
    public func urls(for integration: Integration, traits: ProviderTraits) -> Result<[String: String], StageError> {
        let provider = integration.provider.value
        let settings = SettingsReader(integration.settings?.value)
        var urls: [String: String] = [:]
        for endpoint in traits.endpoints {
            if let url = overrides["\(provider).\(endpoint.name)"] ?? (endpoint.name == "api" ? overrides[provider] ?? integration.endpoint?.value : nil) {
                urls[endpoint.name] = url
            } else if let sandbox {
                urls[endpoint.name] = sandbox.trimmingSuffix("/") + "/\(provider)/\(endpoint.name)"
            } else if let url = endpoint.resolve(settings) {
                urls[endpoint.name] = url
            } else {
                return .failure(
                    StageError(
                        stage: .connect, message: "\(provider)'s \(endpoint.name) endpoint (\(endpoint.url)) needs a setting the Integration does not give",
                        retryable: false))
            }
        }
        return .success(urls)
    }

    /// The `api` URL, for the lock's scope and messages.
    public func apiURL(for integration: Integration, traits: ProviderTraits) -> String {
        (try? urls(for: integration, traits: traits).get())?["api"] ?? "?"
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

/// A ProviderSession over HTTP with the integration's decrypted credentials.
struct LiveSession: ProviderSession {
    let owner: String
    let transport: HTTPTransport
    let credentials: [String: Secret]

    func credential(_ name: String) throws -> String {
        guard let secret = credentials[name] else {
            throw ProviderError(.auth, message: "credential '\(name)' is not available (see `salonops validate --credentials`)")
        }
        return secret.reveal()
    }

    func send(_ request: ProviderRequest) async throws -> ProviderResponse { try await transport.send(request) }
}

/// One integration, connected: its adapter and session (built once per run, so plan and apply
/// share the token cache and limiter).
struct IntegrationTarget: Sendable {
    let integration: Integration
    let adapter: any ProviderAdapter
    let session: LiveSession
    let options: DiffOptions
    let providerName: String
}

/// How the engine runs: limits that are not any one provider's.
public struct EngineLimits: Sendable {
    /// Requests in flight across every provider at once.
    public var maxInFlight: Int
    /// Integrations observed, checked and applied at once.
    public var maxIntegrations: Int
    /// Changes of one dependency level applied at once within an integration.
    public var applyConcurrency: Int
    /// Nothing waits (backoff, Retry-After, rate limits) past this far into the run.
    public var runDeadline: Duration
    public var retry: RetryPolicy

    public init(
        maxInFlight: Int = 32, maxIntegrations: Int = 8, applyConcurrency: Int = 4, runDeadline: Duration = .seconds(600),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.maxInFlight = maxInFlight
        self.maxIntegrations = maxIntegrations
        self.applyConcurrency = applyConcurrency
        self.runDeadline = runDeadline
        self.retry = retry
    }
}

/// observe → diff → plan, and apply: the reconcile engine, across integrations.
public final class Reconciler: Sendable {
    public let state: DesiredState
    public let commit: String
    public let repository: String
    public let providers: ProviderSet
    public let endpoints: Endpoints
    public let limits: EngineLimits
    let targets: [String: Result<IntegrationTarget, StageError>]
    let ledger: Ledger
    /// For a change-scoped run: the last applied commit's state, which this one's projections
    /// are compared with (`narrowed`), and which bounds what such a run may delete.
    public let previous: DesiredState?

    /// `options`: per provider id, engine-level connect options (test peers' quirks). `ledger`:
    /// required, since kinds with no room for a marker are owned through it only.
    public init(
        state: DesiredState, commit: String, repository: String, providers: ProviderSet, endpoints: Endpoints, client: HTTPClient,
        credentials: [String: [String: Secret]], credentialErrors: [String: String], limiters: RateLimiterRegistry,
        limits: EngineLimits = EngineLimits(), options: [String: [String: String]] = [:], tokens: (any TokenStore)? = nil,
        ledger: Ledger, retireDuplicates: Bool = false, previous: DesiredState? = nil
    ) async {
        self.state = state
        self.previous = previous
        self.commit = commit
        self.repository = repository
        self.providers = providers
        self.endpoints = endpoints
        self.limits = limits
        self.ledger = ledger
        let owner = state.organization?.metadata.name ?? "salonops"
        let deadline = ContinuousClock.now + limits.runDeadline
        let globalCap = AsyncSemaphore(limits.maxInFlight)
        var targets: [String: Result<IntegrationTarget, StageError>] = [:]
        for integration in state.integrations where integration.enabled {
            guard let module = providers.module(integration.provider.value) else { continue }
            let name = integration.metadata.name
            let target: Result<IntegrationTarget, StageError>
            if let error = credentialErrors[name] {
                target = .failure(StageError(stage: .decrypt, message: error, retryable: false))
            } else {
                switch endpoints.urls(for: integration, traits: module.traits) {
                case .failure(let error): target = .failure(error)
                case .success(let urls):
                    let secrets = credentials[name] ?? [:]
                    // Integrations on the same account (same credentials) share one limiter.
                    let account = secrets.keys.sorted().map { "\($0)=\(secrets[$0]!.fingerprint)" }.joined(separator: ",")
                    let limiter = await limiters.limiter(provider: module.spec.id, account: account.isEmpty ? name : account, policy: module.traits.rate)
                    let auth = Authenticators.make(
                        module.traits.auth, integration: name,
                        AuthContext(
                            provider: module.spec.id, credentials: secrets,
                            settings: SettingsReader(integration.settings?.value), tokens: tokens))
                    let transport = HTTPTransport(
                        client: client, provider: module.spec.id, traits: module.traits, urls: urls, limiter: limiter,
                        globalCap: globalCap, retry: limits.retry, deadline: deadline, authenticator: auth)
                    do {
                        let adapter = try module.connect(integration, ConnectContext(owner: owner, state: state, options: options[module.spec.id] ?? [:]))
                        let diff = DiffOptions(
                            owner: owner, adopt: integration.adopt, prune: integration.prune,
                            ignore: integration.ignore.map(\.value), drift: state.effectiveDrift(of: integration), retireDuplicates: retireDuplicates)
                        target = .success(
                            IntegrationTarget(
                                integration: integration, adapter: adapter,
                                session: LiveSession(owner: owner, transport: transport, credentials: secrets),
                                options: diff, providerName: module.spec.displayName))
                    } catch {
                        target = .failure(StageError(stage: .connect, message: "\(error)", retryable: false))
                    }
                }
            }
            targets[name] = target
        }
        self.targets = targets
    }

    public var owner: String { state.organization?.metadata.name ?? "salonops" }

    /// Retries this run has sent to each integration's provider so far (plan and apply), and
    /// its retry budget.
    public func retries() async -> [String: StatusReport.Retries] {
        var counts: [String: StatusReport.Retries] = [:]
        for (name, target) in targets {
            guard case .success(let target) = target else { continue }
            let counter = target.session.transport.counter
            let budget = target.session.transport.traits.retryBudget
            counts[name] = StatusReport.Retries(sent: await counter.retries, fromBudget: await counter.budgetSpent, budget: budget.retriesPerRun)
        }
        return counts
    }

    /// Requests this run has sent to every provider so far (plan and apply, retries included).
    public func requestTotal() async -> Int {
        var total = 0
        for case .success(let target) in targets.values { total += await target.session.transport.counter.total }
        return total
    }

    /// Answers this run has had, by provider id and HTTP status ("none": no answer).
    public func answers() async -> [String: [String: Int]] {
        var answers: [String: [String: Int]] = [:]
        for case .success(let target) in targets.values {
            for (status, count) in await target.session.transport.counter.statuses {
                answers[target.integration.provider.value, default: [:]][status, default: 0] += count
            }
        }
        return answers
    }

    /// Integrations this engine manages: enabled, with an adapter.
    public var managedIntegrations: [Integration] {
        state.integrations.filter { targets[$0.metadata.name] != nil }.sorted { $0.metadata.name < $1.metadata.name }
    }

    func target(_ integration: Integration) -> Result<IntegrationTarget, StageError> {
        targets[integration.metadata.name] ?? .failure(StageError(stage: .connect, message: "no adapter for \(integration.provider.value) yet", retryable: false))
    }

    /// Runs `body` for each managed integration, at most `maxIntegrations` at once; results
    /// in name order, so output and digests stay deterministic.
    func eachIntegration<T: Sendable>(within scope: RunScope = .all, _ body: @escaping @Sendable (Integration) async -> T) async -> [(Integration, T)] {
        let integrations = managedIntegrations.filter { scope.scope(for: $0.metadata.name) != nil }
        let gate = AsyncSemaphore(limits.maxIntegrations)
        return await withTaskGroup(of: (Int, T).self) { group in
            for (index, integration) in integrations.enumerated() {
                group.addTask {
                    await gate.acquire()
                    let value = await body(integration)
                    await gate.release()
                    return (index, value)
                }
            }
            var results: [(Int, T)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { (integrations[$0.0], $0.1) }
        }
    }

    // MARK: scope

    /// A change-scoped run narrowed to what the change moves at each provider. Projections are
    /// pure, so the last applied state's and this one's are compared within each integration's
    /// scope: an integration whose projection did not move is left out (an establishment's hours
    /// are nothing to Stripe), and one whose did is observed only for the kinds that moved, with
    /// the kinds they depend on and those depending on them. A whole-integration scope, one that
    /// cannot be connected, and every scope without a `previous` state stay as they are.
    public func narrowed(_ scope: RunScope) -> RunScope {
        guard let previous, case .only(let scopes) = scope else { return scope }
        var narrowed: [String: Scope] = [:]
        for (name, part) in scopes {
            guard part.establishments != nil, case .success(let target)? = targets[name],
                let before = try? target.adapter.desired(in: previous, scope: part).resources,
                let after = try? target.adapter.desired(in: state, scope: part).resources
            else {
                narrowed[name] = part
                continue
            }
            let moved = Self.movedKinds(before, after)
            guard !moved.isEmpty else { continue }
            let related = Self.related(moved, among: target.adapter.kinds)
            narrowed[name] = Scope(establishments: part.establishments, kinds: part.kinds.map { $0.intersection(related) } ?? related)
        }
        return .only(narrowed)
    }

    /// What `integration`'s adapter projects of this state within `scope` (nil: not managed
    /// here, or the projection failed).
    public func projection(of integration: String, scope: Scope = .all) -> [DesiredResource]? {
        guard case .success(let target)? = targets[integration] else { return nil }
        return try? target.adapter.desired(in: state, scope: scope).resources
    }

    /// Kinds with a resource added, removed or changed (any field, reference or title).
    static func movedKinds(_ before: [DesiredResource], _ after: [DesiredResource]) -> Set<String> {
        Set(Set(before).symmetricDifference(Set(after)).map(\.kind))
    }

    /// `kinds` with everything they depend on and everything that depends on them, transitively:
    /// a parent is needed to find its children (a calendar's events), and a child may follow its
    /// parent (a replaced parent takes its children with it).
    static func related(_ kinds: Set<String>, among all: [ResourceKind]) -> Set<String> {
        var related = kinds
        var grew = true
        while grew {
            grew = false
            for kind in all {
                let linked = related.contains(kind.name) ? kind.dependsOn : (kind.dependsOn.contains { related.contains($0) } ? [kind.name] : [])
                for name in linked where related.insert(name).inserted { grew = true }
            }
        }
        return related
    }

    // MARK: plan

    /// Everything observed, for the plan's digest and for apply.
    public struct Observation: Sendable {
        public var resources: [String: [ObservedResource]]
        public var requests: [String: Int]
        public var digest: String
    }

    /// `scope`: a change-scoped run plans only the integrations it names, each narrowed.
    public func plan(id: String, force: Bool = false, scope: RunScope = .all) async -> (Plan, Observation) {
        let outcomes = await eachIntegration(within: scope) { integration in
            await self.planOne(integration, force: force, scope: scope.scope(for: integration.metadata.name) ?? .all)
        }
        var observation = Observation(resources: [:], requests: [:], digest: "")
        var plans: [IntegrationPlan] = []
        for (integration, outcome) in outcomes {
            plans.append(outcome.plan)
            if let observed = outcome.observed { observation.resources[integration.metadata.name] = observed }
            if let requests = outcome.requests { observation.requests[integration.metadata.name] = requests }
        }
        observation.digest = Self.digest(observation.resources)
        let plan = Plan(
            id: id, repository: repository, commit: commit, createdAt: SopsFile.rfc3339(Date()),
            observedDigest: observation.digest, integrations: plans)
        return (plan, observation)
    }

    struct PlanOutcome: Sendable {
        var plan: IntegrationPlan
        var observed: [ObservedResource]?
        var requests: Int?
    }

    func planOne(_ integration: Integration, force: Bool, scope: Scope) async -> PlanOutcome {
        let name = integration.metadata.name
        let drift = state.effectiveDrift(of: integration)
        let providerName = providers.catalog.displayName(integration.provider.value)
        func failed(_ error: StageError) -> PlanOutcome {
            PlanOutcome(plan: IntegrationPlan(integration: name, provider: integration.provider.value, providerName: providerName, drift: drift, error: error))
        }
        let target: IntegrationTarget
        switch self.target(integration) {
        case .failure(let error): return failed(error)
        case .success(let found): target = found
        }
        let projection: Projection
        do { projection = try target.adapter.desired(in: state, scope: scope) } catch {
            return failed(StageError(stage: .plan, message: "\(error)", retryable: false))
        }
        // A change-scoped run deletes only what the change removed from this scope's projection:
        // anything else it sees unwanted waits for the next full scan, so a scope an adapter
        // reads wider than it projects never costs a resource.
        var removable: Set<ResourceRef>?
        if let previous, scope.establishments != nil {
            let before = (try? target.adapter.desired(in: previous, scope: scope).resources) ?? []
            removable = Set(before.map(\.ref)).subtracting(projection.resources.map(\.ref))
        }
        let before = await target.session.transport.counter.total
        var observed: [ObservedResource]
        do { observed = try await target.adapter.observe(scope, target.session) } catch {
            return failed(StageError(stage: .observe, message: "\(error)", retryable: (error as? ProviderError)?.retryable ?? false))
        }
        await settlePending(integration: name, target: target)
        observed = ledger.annotate(observed, integration: name, owner: owner, kinds: target.adapter.kinds)
        var plan = Differ.diff(
            integration: name, provider: integration.provider.value, providerName: providerName,
            kinds: target.adapter.kinds, desired: projection.resources, observed: observed, options: target.options)
        plan.notes = projection.notes
        if let removable {
            plan.changes.removeAll { $0.action == .delete && !removable.contains(ResourceRef($0.kind, $0.key)) }
            plan.orphans.removeAll { !removable.contains(ResourceRef($0.kind, $0.key)) }
        }
        ledger.block(&plan, kinds: target.adapter.kinds)
        if !force { plan.refusal = SafetyCheck.refusal(for: plan, safety: state.effectiveSafety(of: integration)) }
        // This plan's requests (the transport lives for the run: plan and apply share it).
        return PlanOutcome(plan: plan, observed: observed, requests: await target.session.transport.counter.total - before)
    }

    /// A create left pending by a run that died is settled where the provider can say whether
    /// it happened: a kind matched by a natural key (an ACL rule's scope) is read again, and
    /// found or certainly absent. A `.ledger` kind has no such key: it stays blocked until
    /// `salonops ledger resolve`.
    func settlePending(integration: String, target: IntegrationTarget) async {
        let kinds = Dictionary(target.adapter.kinds.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (slot, entry) in ledger.all(integration: integration) where entry.pendingSince != nil {
            guard let slash = slot.firstIndex(of: "/") else { continue }
            let ref = ResourceRef(String(slot[..<slash]), String(slot[slot.index(after: slash)...]))
            guard kinds[ref.kind]?.identity == .naturalKey else { continue }
            do {
                // Found: it was made. Not found (the read answered): it was not. A failed read
                // leaves it pending, and blocked.
                let found = try await target.adapter.read(ref, remoteID: entry.remoteID, target.session)
                try ledger.resolve(integration: integration, ref, remoteID: found?.remoteID)
            } catch {
                continue
            }
        }
    }

    /// SHA-256 of a canonical form of everything observed (sorted, markers included).
    static func digest(_ resources: [String: [ObservedResource]]) -> String {
        var text = ""
        for integration in resources.keys.sorted() {
            for resource in resources[integration]!.sorted(by: { ($0.kind, $0.remoteID) < ($1.kind, $1.remoteID) }) {
                text += "\(integration)|\(resource.kind)|\(resource.remoteID)|\(resource.key ?? "")|\(resource.owner ?? "")|\(resource.archived)|\(resource.appliedDigest ?? "")|"
                text += StableDigest.of(fields: resource.fields, references: resource.references) + "\n"
            }
        }
        return Crypto.sha256(Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// What moved between two observations, in words (for a refused stale plan).
    public static func moved(from old: [String: [ObservedResource]], to new: [String: [ObservedResource]]) -> [String] {
        var lines: [String] = []
        for integration in Set(old.keys).union(new.keys).sorted() {
            let before = Dictionary((old[integration] ?? []).map { ("\($0.kind) \($0.remoteID)", $0) }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary((new[integration] ?? []).map { ("\($0.kind) \($0.remoteID)", $0) }, uniquingKeysWith: { a, _ in a })
            for key in Set(before.keys).union(after.keys).sorted() {
                switch (before[key], after[key]) {
                case (nil, _?): lines.append("\(integration): \(key) appeared")
                case (_?, nil): lines.append("\(integration): \(key) disappeared")
                case (let a?, let b?) where a != b:
                    let fields = Set(a.fields.keys).union(b.fields.keys).filter { a.fields[$0] != b.fields[$0] }.sorted()
                    lines.append("\(integration): \(key) changed" + (fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")))"))
                default: break
                }
            }
        }
        return lines
    }
}

extension Reconciler {
    /// Each managed integration's connection check (a cheap authenticated call), at once.
    public func check() async -> [String: StatusReport.Connection] {
        let outcomes = await eachIntegration { integration -> StatusReport.Connection in
            switch self.target(integration) {
            case .failure(let error):
                return StatusReport.Connection(state: .error, detail: error.description)
            case .success(let target):
                do {
                    return StatusReport.Connection(state: .connected, detail: try await target.adapter.check(target.session))
                } catch {
                    return StatusReport.Connection(state: .error, detail: "check: \(error)")
                }
            }
        }
        return Dictionary(outcomes.map { ($0.0.metadata.name, $0.1) }, uniquingKeysWith: { a, _ in a })
    }
}
