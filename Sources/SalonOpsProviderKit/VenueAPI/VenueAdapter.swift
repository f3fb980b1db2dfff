/// The adapter of every venue marketplace, generic over how its API is spoken. Observe reads the
/// bound venues, then each venue's staff, rooms, services and closures at once (staff and rooms
/// whenever services are read, to name a service's references), and the account's webhooks;
/// apply writes one object, creates with an idempotency key, updates with `If-Match`.
public struct VenueAdapter<Wire: VenueWireFormat>: ProviderAdapter {
    public let wire: Wire
    public let mapping: VenueMapping
    public let integration: Integration
    public let owner: String
    /// Items a page: the provider's maximum unless a test asks fewer.
    public let pageSize: Int
    /// Establishment → venue id, for the establishments the Integration covers.
    let venues: [(establishment: String, venue: String)]
    /// The kinds this instance manages (all unless a test narrows them).
    var managed: Set<String>

    public init(wire: Wire, providerName: String, integration: Integration, owner: String, state: DesiredState, pageSize: Int? = nil) {
        self.wire = wire
        self.mapping = VenueMapping(market: wire.market, providerName: providerName)
        self.integration = integration
        self.owner = owner
        self.pageSize = min(pageSize ?? wire.maxPageSize, wire.maxPageSize)
        self.venues = VenueMapping.venues(integration, state).map { ($0.establishment.metadata.name, $0.venue) }
        self.managed = Set(VenueKinds.all(wire.market).map(\.name))
    }

    /// As a module's `connect` makes it. Options (tests): `pageSize=N` lists N items a page;
    /// `kinds=staff,service` manages only those kinds.
    public init(wire: Wire, providerName: String, integration: Integration, context: ConnectContext) {
        self.init(
            wire: wire, providerName: providerName, integration: integration, owner: context.owner, state: context.state,
            pageSize: context.options["pageSize"].flatMap(Int.init))
        if let kinds = context.options["kinds"] { managed = managed.intersection(kinds.split(separator: ",").map(String.init)) }
    }

    public var kinds: [ResourceKind] { VenueKinds.all(wire.market).filter { managed.contains($0.name) } }

    public func desired(in state: DesiredState, scope: Scope) throws -> Projection {
        var projection = mapping.project(integration, state)
        projection.resources = projection.resources.filter {
            managed.contains($0.kind) && scope.includes(kind: $0.kind) && scope.includes(establishment: $0.establishment)
        }
        return projection
    }

    func venue(of establishment: String?) throws -> String {
        guard let establishment, let venue = venues.first(where: { $0.establishment == establishment })?.venue else {
            throw ProviderError(.permanent, message: "establishment '\(establishment ?? "?")' has no venue id in settings.venueIds")
        }
        return venue
    }

    // MARK: observe

    func list(_ kind: VenueItemKind, venue: String?, _ session: any ProviderSession) async throws -> [VenueItem] {
        let (path, style) = wire.list(kind, venue: venue, pageSize: pageSize)
        return try await Paginator.all(session, path: path, style: style).compactMap { wire.decode(kind, $0) }
    }

    public func observe(_ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource] {
        let scope = Scope(establishments: scope.establishments, kinds: managed.intersection(scope.kinds ?? managed))
        let bound = venues.filter { scope.includes(establishment: $0.establishment) }.map(\.venue)
        async let profiles = scope.includes(kind: "venue") ? profiles(bound, session) : []
        async let hooks = scope.includes(kind: "webhook") ? list(.webhook, venue: nil, session).compactMap { VenueResources.observed($0, venue: nil) } : []
        let children = try await concurrently(bound) { venue in try await self.children(of: venue, scope, session) }
        return try await profiles + children.flatMap { $0 } + hooks
    }

    /// The account's venues in pages, and any bound one the listing does not show read by id
    /// (so that a venue outside the account answers its own error). A scoped run's few venues
    /// are read by id alone when that costs fewer requests than the account's pages (counted
    /// from the venues the Integration binds).
    func profiles(_ bound: [String], _ session: any ProviderSession) async throws -> [ObservedResource] {
        guard !bound.isEmpty else { return [] }
        let oneByOne = Paginator.cheaperOneByOne(bound.count, of: venues.count, pageSize: pageSize)
        var found = oneByOne ? [] : try await list(.venue, venue: nil, session).filter { $0.id.map(bound.contains) == true }
        let missing = bound.filter { id in !found.contains { $0.id == id } }
        found += try await concurrently(missing) { id in
            try await wire.decode(.venue, session.send(wire.read(.venue, id: id, venue: nil)).json())
        }.compactMap { $0 }
        return found.compactMap { VenueResources.observed($0, venue: nil) }
    }

    func children(of venue: String, _ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource] {
        let services = scope.includes(kind: "service")
        async let staff = services || scope.includes(kind: "staff") ? list(.staff, venue: venue, session) : []
        async let rooms = services || scope.includes(kind: "room") ? list(.room, venue: venue, session) : []
        async let offered = services ? list(.service, venue: venue, session) : []
        async let closures = scope.includes(kind: "closure") ? list(.closure, venue: venue, session) : []
        let (people, places) = try await (staff.compactMap { VenueResources.observed($0, venue: venue) }, rooms.compactMap { VenueResources.observed($0, venue: venue) })
        // A service's staff and rooms under the names the mapping gives them; one SalonOps does
        // not own has a name the config cannot want.
        func names(_ owned: [ObservedResource], _ prefix: String) -> [String: String] {
            Dictionary(
                owned.map { resource in
                    let id = VenueResources.split(resource.remoteID).id
                    guard resource.owner == owner, let key = resource.key, let slash = key.firstIndex(of: "/") else { return (id, "\(prefix):#\(id)") }
                    return (id, "\(prefix):\(key[key.index(after: slash)...])")
                }, uniquingKeysWith: { a, _ in a })
        }
        let staffNames = names(people, "staff"), roomNames = names(places, "room")
        var out = (scope.includes(kind: "staff") ? people : []) + (scope.includes(kind: "room") ? places : [])
        for item in try await offered {
            guard case .service(let service) = item.content else { continue }
            var references: [String: String] = [:]
            for id in service.staffIDs { references[staffNames[id] ?? "staff:#\(id)"] = VenueResources.remoteID(venue: venue, id: id) }
            for id in service.roomIDs { references[roomNames[id] ?? "room:#\(id)"] = VenueResources.remoteID(venue: venue, id: id) }
            if let resource = VenueResources.observed(item, venue: venue, references: references) { out.append(resource) }
        }
        return try await out + closures.compactMap { VenueResources.observed($0, venue: venue) }
    }

    /// Only the establishment the key names is read again.
    public func read(_ ref: ResourceRef, remoteID: String?, _ session: any ProviderSession) async throws -> ObservedResource? {
        let place = ref.kind == "webhook" ? nil : ref.key.split(whereSeparator: { $0 == "/" || $0 == "@" }).first.map(String.init)
        let kinds: Set<String> = [ref.kind]
        let all = try await observe(Scope(establishments: place.map { [$0] }, kinds: kinds), session)
        return all.first { $0.kind == ref.kind && ($0.remoteID == remoteID && remoteID != nil) } ?? all.first { $0.kind == ref.kind && $0.key == ref.key && $0.owner == owner }
    }

    // MARK: apply

    public func apply(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        guard let kind = VenueItemKind(rawValue: change.kind) else { throw ProviderError(.permanent, message: "no kind '\(change.kind)' here") }
        switch change.action {
        case .create, .replace:
            let desired = change.desired!
            let venue = kind.perVenue ? try venue(of: desired.establishment) : nil
            let item = try VenueResources.item(desired, owner: owner, id: nil, version: nil) { try context.remoteID(of: $0, in: desired) }
            let answer = try await session.send(wire.create(item, venue: venue, idempotencyKey: context.idempotencyKey)).json()
            guard let created = wire.decode(kind, answer), let id = created.id else {
                throw ProviderError(.permanent, message: "\(mapping.providerName) returned no id for the new \(change.kind)")
            }
            var secrets: [String: [UInt8]] = [:]
            if case .webhook(let hook) = created.content, let secret = hook.secret { secrets["secret"] = Array(secret.utf8) }
            if change.action == .replace, let old = change.remoteID { try await delete(kind, old, session) }
            return ApplyOutcome(remoteID: VenueResources.remoteID(venue: venue, id: id), version: created.version, writeOnly: secrets)
        case .update, .adopt:
            let desired = change.desired!, remote = change.remoteID!
            let (venue, id) = kind == .venue ? (nil, remote) : VenueResources.split(remote)
            let version = context.observed?.version ?? change.version
            let item = try VenueResources.item(desired, owner: owner, id: id, version: version) { try context.remoteID(of: $0, in: desired) }
            let answer = try await session.send(wire.update(item, venue: venue)).json()
            return ApplyOutcome(remoteID: remote, version: wire.decode(kind, answer)?.version)
        case .delete:
            try await delete(kind, change.remoteID!, session)
            return ApplyOutcome(remoteID: change.remoteID!)
        }
    }

    func delete(_ kind: VenueItemKind, _ remoteID: String, _ session: any ProviderSession) async throws {
        let (venue, id) = kind.perVenue ? VenueResources.split(remoteID) : (nil, remoteID)
        _ = try await session.send(wire.delete(kind, id: id, venue: venue))
    }

    public func check(_ session: any ProviderSession) async throws -> String {
        let page = try await session.send(wire.check).json()
        return page["data"]?.array != nil ? "venues readable" : "answered"
    }
}
