import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsSecrets

/// Where each provider is reached: the real API unless overridden.
public struct Endpoints: Sendable {
    /// `--endpoint PROVIDER=URL`.
    public var overrides: [String: String]
    /// `--sandbox URL`: every provider at `URL/<provider>`.
    public var sandbox: String?

    public init(overrides: [String: String] = [:], sandbox: String? = nil) {
        self.overrides = overrides
        self.sandbox = sandbox
    }

    static let real = ["stripe": "https://api.stripe.com"]

    /// `--endpoint` first, then the Integration's `endpoint:`, then `--sandbox`, then the real API.
    public func url(for integration: Integration) -> String? {
        let provider = integration.provider.value
        if let url = overrides[provider] { return url }
        if let url = integration.endpoint?.value { return url }
        if let sandbox { return sandbox.trimmingSuffix("/") + "/" + provider }
        return Self.real[provider]
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

/// The adapters that exist so far; other providers are reported as not yet managed.
public enum ProviderRegistry {
    /// `stripeKinds` limits the Stripe kinds managed (a peer without prices or webhook
    /// endpoints, such as localstripe, is used with fewer).
    public static func adapter(for provider: String, stripeKinds: Set<String>? = nil, stripeOmitted: Set<String> = []) -> ProviderAdapter? {
        switch provider {
        case "stripe": StripeProvider(managed: stripeKinds ?? Set(StripeKinds.all.map(\.name)), omitted: stripeOmitted)
        default: nil
        }
    }

    /// Every kind of every adapter, keyed "provider/kind" (for rendering).
    public static var kinds: [String: ResourceKind] {
        var all: [String: ResourceKind] = [:]
        for kind in StripeKinds.all { all["stripe/\(kind.name)"] = kind }
        return all
    }
}

/// A ProviderSession over HTTP with the integration's decrypted credentials.
struct LiveSession: ProviderSession {
    let owner: String
    let idempotencyScope: String
    let transport: HTTPTransport
    let credentials: [String: Secret]

    func credential(_ name: String) throws -> String {
        guard let secret = credentials[name] else {
            throw ProviderError(status: 0, message: "credential '\(name)' is not available (see `salonops validate --credentials`)", retryable: false)
        }
        return secret.reveal()
    }

    func send(_ request: ProviderRequest) async throws -> ProviderResponse { try await transport.send(request) }
}

/// What one integration needs to talk to its provider.
struct IntegrationTarget {
    let integration: Integration
    let adapter: ProviderAdapter
    let session: LiveSession
    let options: DiffOptions
    let providerName: String
}

/// observe → diff → plan, and apply: the reconcile engine, across integrations.
public struct Reconciler: Sendable {
    public let state: DesiredState
    public let commit: String
    public let repository: String
    public let endpoints: Endpoints
    public let policy: TransportPolicy
    public let client: HTTPClient
    /// Decrypted credentials, by integration then credential name.
    public let credentials: [String: [String: Secret]]
    public let credentialErrors: [String: String]
    public let stripeKinds: Set<String>?
    public let stripeOmitted: Set<String>

    public init(state: DesiredState, commit: String, repository: String, endpoints: Endpoints, policy: TransportPolicy = .stripe,
                client: HTTPClient, credentials: [String: [String: Secret]], credentialErrors: [String: String], stripeKinds: Set<String>? = nil, stripeOmitted: Set<String> = []) {
        self.stripeKinds = stripeKinds
        self.stripeOmitted = stripeOmitted
        self.state = state
        self.commit = commit
        self.repository = repository
        self.endpoints = endpoints
        self.policy = policy
        self.client = client
        self.credentials = credentials
        self.credentialErrors = credentialErrors
    }

    public var owner: String { state.organization?.metadata.name ?? "salonops" }

    /// Integrations this engine manages: enabled, with an adapter.
    public var managedIntegrations: [Integration] {
        state.integrations.filter { $0.enabled && ProviderRegistry.adapter(for: $0.provider.value) != nil }
            .sorted { $0.metadata.name < $1.metadata.name }
    }

    func target(_ integration: Integration, scope: String) -> Result<IntegrationTarget, StageError> {
        guard let adapter = ProviderRegistry.adapter(for: integration.provider.value, stripeKinds: stripeKinds, stripeOmitted: stripeOmitted) else {
            return .failure(StageError(stage: "plan", message: "no adapter for \(integration.provider.value) yet", retryable: false))
        }
        guard let url = endpoints.url(for: integration) else {
            return .failure(StageError(stage: "plan", message: "no endpoint for \(integration.provider.value): pass --endpoint \(integration.provider.value)=URL or --sandbox", retryable: false))
        }
        if let error = credentialErrors[integration.metadata.name] {
            return .failure(StageError(stage: "decrypt", message: error, retryable: false))
        }
        let session = LiveSession(owner: owner, idempotencyScope: scope, transport: HTTPTransport(client: client, baseURL: url, policy: policy),
                                  credentials: credentials[integration.metadata.name] ?? [:])
        let options = DiffOptions(owner: owner, adopt: integration.adopt, prune: integration.prune,
                                  ignore: integration.ignore.map(\.value), drift: state.effectiveDrift(of: integration))
        let name = ProviderCatalog.spec(integration.provider.value)?.displayName ?? integration.provider.value
        return .success(IntegrationTarget(integration: integration, adapter: adapter, session: session, options: options, providerName: name))
    }

    // MARK: plan

    /// Everything observed, for the plan's digest and for apply.
    public struct Observation: Sendable {
        public var resources: [String: [ObservedResource]]
        public var requests: [String: Int]
        public var digest: String
    }

    public func plan(id: String, force: Bool = false) async -> (Plan, Observation) {
        var plans: [IntegrationPlan] = []
        var observation = Observation(resources: [:], requests: [:], digest: "")
        for integration in managedIntegrations {
            let name = integration.metadata.name
            let drift = state.effectiveDrift(of: integration)
            let providerName = ProviderCatalog.spec(integration.provider.value)?.displayName ?? integration.provider.value
            switch target(integration, scope: id) {
            case .failure(let error):
                plans.append(IntegrationPlan(integration: name, provider: integration.provider.value, providerName: providerName, drift: drift, error: error))
            case .success(let target):
                do {
                    let desired = try target.adapter.desired(for: integration, in: state, owner: owner)
                    let observed: [ObservedResource]
                    do { observed = try await target.adapter.observe(target.session) } catch {
                        plans.append(IntegrationPlan(integration: name, provider: integration.provider.value, providerName: providerName, drift: drift,
                                                     error: StageError(stage: "observe", message: "\(error)", retryable: (error as? ProviderError)?.retryable ?? true)))
                        continue
                    }
                    observation.resources[name] = observed
                    observation.requests[name] = await target.session.transport.counter.total
                    var plan = Differ.diff(integration: name, provider: integration.provider.value, providerName: providerName,
                                           kinds: target.adapter.kinds, desired: desired, observed: observed, options: target.options)
                    if !force { plan.refusal = SafetyCheck.refusal(for: plan, safety: state.effectiveSafety(of: integration)) }
                    plans.append(plan)
                } catch {
                    plans.append(IntegrationPlan(integration: name, provider: integration.provider.value, providerName: providerName, drift: drift,
                                                 error: StageError(stage: "plan", message: "\(error)", retryable: false)))
                }
            }
        }
        observation.digest = Self.digest(observation.resources)
        let plan = Plan(id: id, repository: repository, commit: commit, createdAt: SopsFile.rfc3339(Date()),
                        observedDigest: observation.digest, integrations: plans)
        return (plan, observation)
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
    /// Each managed integration's connection check (a cheap authenticated call).
    public func check() async -> [String: StatusReport.Connection] {
        var connections: [String: StatusReport.Connection] = [:]
        for integration in managedIntegrations {
            switch target(integration, scope: "check") {
            case .failure(let error):
                connections[integration.metadata.name] = StatusReport.Connection(state: "error", detail: error.description)
            case .success(let target):
                do {
                    let detail = try await target.adapter.check(target.session)
                    connections[integration.metadata.name] = StatusReport.Connection(state: "connected", detail: detail)
                } catch {
                    connections[integration.metadata.name] = StatusReport.Connection(state: "error", detail: "check: \(error)")
                }
            }
        }
        return connections
    }
}
