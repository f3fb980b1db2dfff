import Foundation
import SalonOpsProviderKit

/// Stripe (https://docs.stripe.com/api): products, prices, plans, coupons, tax rates and the
/// webhook endpoint, owned through `metadata[salonops_owner]` / `metadata[salonops_id]`, with
/// deterministic ids where Stripe takes custom ids (products, coupons, plans).
struct StripeAdapter: ProviderAdapter {
    let integration: Integration
    let owner: String
    /// The kinds this instance manages (all by default; a peer without prices or webhook
    /// endpoints, such as localstripe, is used with fewer).
    let managed: Set<String>
    /// `kind.field` paths never sent nor compared: for a peer that rejects a real Stripe field
    /// (localstripe has no coupon `name`), so the same code can be proven against it.
    let omitted: Set<String>
    var pageSize = 100

    var kinds: [ResourceKind] { StripeKinds.all.filter { managed.contains($0.name) }.map(\.kind) }

    func desired(in state: DesiredState, scope: Scope) throws -> Projection {
        let resources = StripeMapping.desired(for: integration, in: state).filter { managed.contains($0.kind) && scope.includes(kind: $0.kind) }
        return Projection(
            resources: resources.map { resource in
                var resource = resource
                resource.fields = resource.fields.filter { !omitted.contains("\(resource.kind).\($0.key)") }
                return resource
            })
    }

    func holdings(_ resources: [ObservedResource], in state: DesiredState) -> [String: Holdings] {
        guard managed.contains("price") else { return [:] }
        return StripeMapping.holdings(resources, owner: owner, integration: integration, state: state)
    }

    // MARK: observe

    func observe(_ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource] {
        let lists = StripeKinds.all.filter { managed.contains($0.name) && scope.includes(kind: $0.name) }
            .flatMap { kind in kind.filters.map { (kind, $0) } }
        // Lists are independent: all at once, each page after page.
        let pages = try await concurrently(lists) { kind, filter in
            let path = filter.isEmpty ? kind.path : kind.path + "?" + filter
            return try await Paginator.all(session, path: path, style: .stripe(limit: pageSize), headers: Self.headers).compactMap {
                StripeWire.observed($0, kind: kind.name, fields: kind.observed, references: kind.references)
            }
        }
        // A peer that ignores `active` answers an archived price in both lists: each object once.
        var seen = Set<String>()
        return pages.flatMap { $0 }.filter { seen.insert($0.kind + " " + $0.remoteID).inserted }
    }

    // MARK: apply

    func apply(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        let idempotency = context.idempotencyKey
        switch change.action {
        case .create:
            return try await create(change.desired!, context, idempotency: idempotency, session)
        case .update, .adopt:
            let desired = change.desired!
            let kind = StripeKinds.byName[desired.kind]!
            let changed = Set(change.fieldChanges.map(\.field))
            let id = change.remoteID!
            var pairs = StripeWire.pairs(desired.fields, only: changed.isEmpty ? nil : changed)
            if change.action == .adopt { pairs = StripeWire.pairs(desired.fields.filter { kind.updatable.contains($0.key) || $0.key.hasPrefix("metadata.") }) }
            pairs += markers(desired)
            _ = try await send(.POST, "\(kind.path)/\(id)", pairs: pairs, idempotency: idempotency, session)
            return ApplyOutcome(remoteID: id)
        case .replace:
            let desired = change.desired!
            // Prices take over the lookup key before the old one is archived; coupons and
            // plans get a new id (their id carries a digest of the immutable fields).
            let outcome = try await create(desired, context, idempotency: idempotency + "/new", session)
            if let old = change.remoteID, old != outcome.remoteID {
                try await retire(kind: desired.kind, id: old, idempotency: idempotency + "/old", session)
            }
            return outcome
        case .delete:
            try await retire(kind: change.kind, id: change.remoteID!, idempotency: idempotency, session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    private func create(_ desired: DesiredResource, _ context: ApplyContext, idempotency: String, _ session: any ProviderSession) async throws -> ApplyOutcome {
        let kind = StripeKinds.byName[desired.kind]!
        var pairs: [(String, String)] = []
        if let id = customID(desired) { pairs.append(("id", id)) }
        pairs += StripeWire.pairs(desired.fields)
        for field in desired.references.keys.sorted() { pairs.append((field, try context.remoteID(of: field, in: desired))) }
        if desired.kind == "price", desired.fields["lookup_key"] != nil { pairs.append(("transfer_lookup_key", "true")) }
        pairs += markers(desired)
        let object = try await send(.POST, kind.path, pairs: pairs, idempotency: idempotency, session)
        guard let id = object["id"]?.string else { throw ProviderError(.permanent, message: "Stripe returned no id for the new \(desired.kind)") }
        var writeOnly: [String: [UInt8]] = [:]
        if desired.kind == "webhook_endpoint", let secret = object["secret"]?.string { writeOnly["secret"] = Array(secret.utf8) }
        return ApplyOutcome(remoteID: id, writeOnly: writeOnly)
    }

    private func retire(kind name: String, id: String, idempotency: String, _ session: any ProviderSession) async throws {
        let kind = StripeKinds.byName[name]!
        switch kind.kind.removal {
        case .archive(let field, let value):
            _ = try await send(.POST, "\(kind.path)/\(id)", pairs: StripeWire.pairs([field: value]), idempotency: idempotency, session)
        case .delete:
            _ = try await send(.DELETE, "\(kind.path)/\(id)", session)
        case .never:
            return
        }
    }

    /// One GET where the id is known (given, or a product's deterministic id); otherwise (prices,
    /// and coupons and plans whose ids carry a digest of their terms) the kind's lists.
    func read(_ ref: ResourceRef, remoteID: String?, _ session: any ProviderSession) async throws -> ObservedResource? {
        guard let kind = StripeKinds.byName[ref.kind] else { return nil }
        guard let id = remoteID ?? (ref.kind == "product" ? Self.baseID(owner: owner, key: ref.key) : nil) else {
            return try await observe(Scope(kinds: [ref.kind]), session).first { $0.key == ref.key && $0.owner == owner && !$0.archived }
        }
        do {
            let object = try await send(.GET, "\(kind.path)/\(id)", session)
            return StripeWire.observed(object, kind: kind.name, fields: kind.observed, references: kind.references)
        } catch let error as ProviderError where error.kind == .notFound {
            return nil
        }
    }

    private func markers(_ desired: DesiredResource) -> [(String, String)] {
        Markers(owner: owner, desired).properties.map { ("metadata[\($0.0)]", $0.1) }
    }

    /// Deterministic ids where Stripe accepts them, so a create retried after a crash finds its
    /// resource instead of making a second one. Coupons and plans cannot change their terms:
    /// their id carries a digest of the terms, so a replace gets a fresh id.
    func customID(_ desired: DesiredResource) -> String? {
        let kind = StripeKinds.byName[desired.kind]!
        guard kind.customID else { return nil }
        let base = Self.baseID(owner: owner, key: desired.key)
        guard desired.kind == "coupon" || desired.kind == "plan" else { return base }
        let terms = desired.fields.filter { kind.kind.immutableFields.contains($0.key) }
        return base + "_" + StableDigest.of(fields: terms, references: desired.references.mapValues(\.description)).prefix(8)
    }

    static func baseID(owner: String, key: String) -> String { "so_" + slug(owner) + "_" + slug(key) }

    static func slug(_ text: String) -> String {
        String(text.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
    }

    // MARK: check

    func check(_ session: any ProviderSession) async throws -> String {
        let balance = try await send(.GET, "/v1/balance", session)
        return balance["livemode"]?.bool == true ? "live mode" : "test mode"
    }

    // MARK: wire

    static let headers = ["Stripe-Version": StripeWire.apiVersion]

    private func send(
        _ method: ProviderRequest.Method, _ path: String, pairs: [(String, String)] = [], idempotency: String? = nil,
        _ session: any ProviderSession
    ) async throws -> JSONValue {
        var headers = Self.headers
        if method != .GET { headers["Content-Type"] = "application/x-www-form-urlencoded" }
        if let idempotency { headers["Idempotency-Key"] = idempotency }
        let request = ProviderRequest(
            method, path, headers: headers, body: StripeWire.form(pairs),
            retryable: method == .GET || method == .DELETE || idempotency != nil)
        return try await session.send(request).json()
    }
}
