import SalonOpsProviderKit

// The folder to copy for a new provider (docs/providers/writing-a-provider.md): rename the
// folder and the `Template` names, fill in the spec, traits, kinds, mapping and wire format from
// the provider's published API, and add one line to Sources/SalonOpsProviders/Registry.swift.
// CI compiles this folder (it is not registered), so the template never rots.

/// The provider, declared in one value.
public enum Template: ProviderModule {
    public static let spec = ProviderSpec(
        id: "template", displayName: "Template", credentials: ["apiKey"],
        settings: [SettingField("accountId", .string, required: true)],
        kinds: [TemplateKinds.item])

    public static let traits = ProviderTraits(
        endpoints: [Endpoint("api", "https://api.template.example/v1")],
        auth: .bearer("apiKey"),
        rate: RatePolicy(requestsPerSecond: 10, burst: 10, maxInFlight: 4),
        classify: TemplateWire.classify)

    public static func connect(_ integration: Integration, _ context: ConnectContext) throws -> any ProviderAdapter {
        guard let account = context.settings(integration).string("accountId") else {
            throw ProviderError(.invalid(field: "accountId"), message: "settings.accountId is missing")
        }
        return TemplateAdapter(integration: integration, owner: context.owner, account: account)
    }
}

enum TemplateKinds {
    static let item = ResourceKind(
        name: "item", label: "article", fields: ["name", "price"], moneyFields: ["price": "currency"],
        fieldLabels: ["name": "nom", "price": "prix"], identity: .marker(.metadata))
}

enum TemplateWire {
    /// From the provider's documented error shape; retry only what can recover.
    static func classify(_ response: ProviderResponse) -> ResponseClass {
        switch response.status {
        case 200..<300: return .success
        case 429:
            return .retry(after: ResponseClass.retryAfter(response), ProviderError(.rateLimited(retryAfter: ResponseClass.retryAfter(response)), status: 429, message: "throttled"))
        case 500...599: return .retry(after: nil, ProviderError(.transient, status: response.status, message: "unavailable"))
        case 401, 403: return .failure(ProviderError(.auth, status: response.status, message: "refused credentials"))
        case 404: return .failure(ProviderError(.notFound, status: 404, message: "not found"))
        case 409: return .failure(ProviderError(.alreadyExists, status: 409, message: "already exists"))
        default: return .failure(ProviderError(.permanent, status: response.status, message: "HTTP \(response.status)"))
        }
    }

    static func observed(_ object: JSONValue, owner: String) -> ObservedResource? {
        guard let id = object["id"]?.string else { return nil }
        let metadata = object["metadata"]
        return ObservedResource(
            kind: "item", remoteID: id, key: metadata?["salonops_id"]?.string, owner: metadata?["salonops_owner"]?.string,
            naturalKey: object["name"]?.string,
            fields: ["name": .string(object["name"]?.string ?? ""), "price": .int(Int64(object["price"]?.int ?? 0))],
            appliedDigest: metadata?["salonops_digest"]?.string, title: object["name"]?.string ?? id)
    }
}

struct TemplateAdapter: ProviderAdapter {
    let integration: Integration
    let owner: String
    let account: String

    var kinds: [ResourceKind] { [TemplateKinds.item] }

    func desired(in state: DesiredState, scope: Scope) throws -> Projection {
        Projection(
            resources: state.services.map { service in
                DesiredResource(
                    kind: "item", key: "service:\(service.metadata.name)", title: service.displayName,
                    fields: ["name": .string(service.displayName), "price": .int(service.price.minorUnits)], naturalKey: service.displayName)
            }, notes: [PlanNote(kind: "item", "Template has no duration field: service durations are not published")])
    }

    func observe(_ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource] {
        try await Paginator.all(session, path: "/accounts/\(account)/items", style: .google(size: 100)).compactMap { TemplateWire.observed($0, owner: owner) }
    }

    func apply(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        let path = "/accounts/\(account)/items"
        func body(_ desired: DesiredResource) -> JSONValue {
            .object([
                ("name", .string(desired.fields["name"].map { if case .string(let s) = $0 { s } else { "" } } ?? "")),
                ("metadata", .object([("salonops_owner", .string(owner)), ("salonops_id", .string(desired.key)), ("salonops_digest", .string(desired.digest))])),
            ])
        }
        switch change.action {
        case .create, .replace:
            let created = try await session.send(.json(.POST, path, body(change.desired!), headers: ["Idempotency-Key": context.idempotencyKey], retryable: true)).json()
            return ApplyOutcome(remoteID: created["id"]?.string ?? "")
        case .update, .adopt:
            _ = try await session.send(.json(.PATCH, "\(path)/\(change.remoteID!)", body(change.desired!), retryable: true))
            return ApplyOutcome(remoteID: change.remoteID!)
        case .delete:
            _ = try await session.send(ProviderRequest(.DELETE, "\(path)/\(change.remoteID!)", retryable: true))
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    func check(_ session: any ProviderSession) async throws -> String {
        _ = try await session.send(ProviderRequest(.GET, "/accounts/\(account)"))
        return "account \(account) readable"
    }
}
