import Foundation
import SalonOpsCore

/// Stripe (https://docs.stripe.com/api): products, prices, plans, coupons, tax rates and the
/// webhook endpoint, owned through `metadata[salonops_owner]` / `metadata[salonops_id]`,
/// with deterministic ids where Stripe takes custom ids (products, coupons, plans).
struct StripeProvider: ProviderAdapter {
    let providerID = "stripe"
    /// The kinds this instance manages (all by default; a peer without prices or webhook
    /// endpoints, such as localstripe, is used with fewer).
    let managed: Set<String>
    /// `kind.field` paths never sent nor compared: for a peer that rejects a real Stripe field
    /// (localstripe has no coupon `name`), so the same code can be proven against it.
    let omitted: Set<String>

    init(managed: Set<String> = Set(StripeKinds.all.map(\.name)), omitted: Set<String> = []) {
        self.managed = managed
        self.omitted = omitted
    }

    var kinds: [ResourceKind] { StripeKinds.all.filter { managed.contains($0.name) } }

    func desired(for integration: Integration, in state: DesiredState, owner: String) throws -> [DesiredResource] {
        StripeMapping.desired(for: integration, in: state, owner: owner).filter { managed.contains($0.kind) }.map { resource in
            var resource = resource
            resource.fields = resource.fields.filter { !omitted.contains("\(resource.kind).\($0.key)") }
            return resource
        }
    }

    // MARK: observe

    private static let collections: [(kind: String, path: String, fields: [String], references: [String])] = [
        ("product", "/v1/products", ["name", "description", "active"], []),
        ("price", "/v1/prices", ["unit_amount", "currency", "tax_behavior", "lookup_key", "active", "nickname", "recurring.interval"], ["product"]),
        ("plan", "/v1/plans", ["amount", "currency", "interval", "nickname", "active"], ["product"]),
        ("coupon", "/v1/coupons", ["name", "percent_off", "amount_off", "currency", "duration", "duration_in_months", "max_redemptions", "redeem_by"], []),
        ("tax_rate", "/v1/tax_rates", ["display_name", "description", "percentage", "inclusive", "country", "active"], []),
        ("webhook_endpoint", "/v1/webhook_endpoints", ["url", "enabled_events", "description"], []),
    ]

    func observe(_ session: ProviderSession) async throws -> [ObservedResource] {
        var all: [ObservedResource] = []
        for collection in Self.collections where managed.contains(collection.kind) {
            for object in try await list(collection.path, session: session) {
                if let resource = StripeWire.observed(object, kind: collection.kind, fields: collection.fields, references: collection.references) {
                    all.append(resource)
                }
            }
        }
        return all
    }

    /// Every object of a list endpoint: `limit=100`, then `starting_after` the last id while
    /// `has_more` (bounded, so a peer that never stops cannot hang a run).
    private func list(_ path: String, session: ProviderSession) async throws -> [[String: JSONValue]] {
        var objects: [[String: JSONValue]] = []
        var after: String?
        for _ in 0..<10_000 {
            let query = "limit=100" + (after.map { "&starting_after=\(StripeWire.encode($0, key: false))" } ?? "")
            let page = try await send(.GET, "\(path)?\(query)", session: session)
            let data = page["data"]?.array?.compactMap(\.object) ?? []
            objects += data
            guard page["has_more"]?.bool == true, let last = data.last?["id"]?.string else { return objects }
            after = last
        }
        throw ProviderError(status: 0, message: "\(path) kept saying has_more after 10,000 pages", retryable: false)
    }

    // MARK: apply

    func apply(_ change: Change, remoteIDs: [String: String], session: ProviderSession) async throws -> ApplyOutcome {
        let idempotency = session.idempotencyScope + "/" + change.id
        switch change.action {
        case .create:
            return try await create(change.desired!, remoteIDs: remoteIDs, idempotency: idempotency, session: session)
        case .update, .adopt:
            let desired = change.desired!
            let changed = Set(change.fieldChanges.map(\.field))
            let id = change.remoteID!
            var pairs = StripeWire.pairs(desired.fields, only: changed.isEmpty ? nil : changed)
            if change.action == .adopt { pairs = StripeWire.pairs(desired.fields.filter { updatable(desired.kind).contains($0.key) || $0.key.hasPrefix("metadata.") }) }
            pairs += markers(desired, owner: session.owner)
            _ = try await send(.POST, "\(path(desired.kind))/\(id)", pairs: pairs, idempotency: idempotency, session: session)
            return ApplyOutcome(remoteID: id)
        case .replace:
            let desired = change.desired!
            // Prices take over the lookup key before the old one is archived; coupons and
            // plans get a new id (their id carries a digest of the immutable fields).
            let outcome = try await create(desired, remoteIDs: remoteIDs, idempotency: idempotency + "/new", session: session)
            if let old = change.remoteID, old != outcome.remoteID {
                try await retire(kind: desired.kind, id: old, idempotency: idempotency + "/old", session: session)
            }
            return outcome
        case .delete:
            try await retire(kind: change.kind, id: change.remoteID!, idempotency: idempotency, session: session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    private func create(_ desired: DesiredResource, remoteIDs: [String: String], idempotency: String, session: ProviderSession) async throws -> ApplyOutcome {
        var pairs: [(String, String)] = []
        if let id = customID(desired, owner: session.owner) { pairs.append(("id", id)) }
        pairs += StripeWire.pairs(desired.fields)
        for (field, key) in desired.references.sorted(by: { $0.key < $1.key }) {
            guard let remote = remoteIDs[key] else {
                throw ProviderError(status: 0, message: "\(desired.kind) \(desired.key) needs \(field) \(key), which has no Stripe id yet", retryable: false)
            }
            pairs.append((field, remote))
        }
        if desired.kind == "price", desired.fields["lookup_key"] != nil { pairs.append(("transfer_lookup_key", "true")) }
        pairs += markers(desired, owner: session.owner)
        let object: [String: JSONValue]
        do {
            object = try await send(.POST, path(desired.kind), pairs: pairs, idempotency: idempotency, session: session)
        } catch let error as ProviderError where error.status == 400 && error.message.contains("resource_already_exists") {
            // A deterministic id already taken: a crashed run made it; find it again.
            guard let id = customID(desired, owner: session.owner) else { throw error }
            _ = try await send(.POST, "\(path(desired.kind))/\(id)", pairs: StripeWire.pairs(desired.fields.filter { updatable(desired.kind).contains($0.key) }) + markers(desired, owner: session.owner),
                               idempotency: idempotency + "/existing", session: session)
            return ApplyOutcome(remoteID: id)
        }
        guard let id = object["id"]?.string else { throw ProviderError(status: 0, message: "Stripe returned no id for the new \(desired.kind)", retryable: false) }
        var writeOnly: [String: [UInt8]] = [:]
        if desired.kind == "webhook_endpoint", let secret = object["secret"]?.string { writeOnly["secret"] = Array(secret.utf8) }
        return ApplyOutcome(remoteID: id, writeOnly: writeOnly)
    }

    private func retire(kind: String, id: String, idempotency: String, session: ProviderSession) async throws {
        switch StripeKinds.all.first(where: { $0.name == kind })?.removal ?? .delete {
        case .archive(let field):
            _ = try await send(.POST, "\(path(kind))/\(id)", pairs: [(field, "false")], idempotency: idempotency, session: session)
        case .delete:
            do { _ = try await send(.DELETE, "\(path(kind))/\(id)", session: session) } catch let error as ProviderError where error.status == 404 {
                return  // already gone: a retried delete
            }
        case .never:
            return
        }
    }

    /// Fields Stripe lets an update set, per kind (the rest are immutable there).
    private func updatable(_ kind: String) -> Set<String> {
        switch kind {
        case "product": ["name", "description", "active"]
        case "price": ["nickname", "active", "lookup_key"]
        case "plan": ["nickname", "active"]
        case "coupon": ["name"]
        case "tax_rate": ["display_name", "description", "active", "country"]
        case "webhook_endpoint": ["url", "enabled_events", "description"]
        default: []
        }
    }

    private func markers(_ desired: DesiredResource, owner: String) -> [(String, String)] {
        [("metadata[\(StripeKinds.ownerKey)]", owner), ("metadata[\(StripeKinds.idKey)]", desired.key),
         ("metadata[\(StripeKinds.digestKey)]", desired.digest)]
    }

    /// Deterministic ids where Stripe accepts them, so a create retried after a crash finds its
    /// resource instead of making a second one. Coupons and plans cannot change their terms:
    /// their id carries a digest of the terms, so a replace gets a fresh id.
    func customID(_ desired: DesiredResource, owner: String) -> String? {
        let base = "so_" + Self.slug(owner) + "_" + Self.slug(desired.key)
        switch desired.kind {
        case "product": return base
        case "coupon", "plan":
            let terms = desired.fields.filter { StripeKinds.all.first { $0.name == desired.kind }!.immutableFields.contains($0.key) }
            return base + "_" + StableDigest.of(fields: terms, references: desired.references).prefix(8)
        default: return nil
        }
    }

    static func slug(_ text: String) -> String {
        String(text.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
    }

    private func path(_ kind: String) -> String {
        switch kind {
        case "tax_rate": "/v1/tax_rates"
        case "webhook_endpoint": "/v1/webhook_endpoints"
        default: "/v1/\(kind)s"
        }
    }

    // MARK: check

    func check(_ session: ProviderSession) async throws -> String {
        let balance = try await send(.GET, "/v1/balance", session: session)
        let live = balance["livemode"]?.bool == true
        return live ? "live mode" : "test mode"
    }

    // MARK: transport

    private func send(_ method: ProviderRequest.Method, _ path: String, pairs: [(String, String)] = [], idempotency: String? = nil,
                      session: ProviderSession) async throws -> [String: JSONValue] {
        var headers = ["Authorization": "Bearer " + (try session.credential("secretKey")), "Stripe-Version": StripeWire.apiVersion]
        if method != .GET { headers["Content-Type"] = "application/x-www-form-urlencoded" }
        if let idempotency { headers["Idempotency-Key"] = idempotency }
        let response = try await session.send(ProviderRequest(method: method, path: path, headers: headers, body: StripeWire.form(pairs),
                                                              idempotencyKey: idempotency, retryable: method == .GET || method == .DELETE || idempotency != nil))
        guard (200..<300).contains(response.status) else { throw StripeWire.error(response) }
        return try StripeWire.json(response.body)
    }
}
