import Foundation

/// The data of one venue emulator: venues by id, each with its collections, the accounts'
/// webhook subscriptions, seeded ids, stored idempotent answers and the per-key rate windows.
struct VenueAPIState {
    struct Venue {
        var account: String
        var object: JSONValue
        var collections: [String: VersionedCollection<JSONValue>] = [:]
    }

    static let collections = ["staff", "resources", "services", "closures"]
    static let prefixes = ["staff": "stf", "resources": "res", "services": "svc", "closures": "clo", "webhooks": "whk"]

    let profile: VenueAPIProfile
    let options: VenueAPIOptions
    var venues: [String: Venue] = [:]
    var venueOrder: [String] = []
    var webhooks: [String: VersionedCollection<JSONValue>] = [:]
    var idempotency = IdempotencyStore()
    var ids: IdentifierGenerator
    var secrets: IdentifierGenerator
    var burst: SlidingWindowLimiter
    var sustained: SlidingWindowLimiter

    init(profile: VenueAPIProfile, options: VenueAPIOptions, seed: UInt64) {
        self.profile = profile
        self.options = options
        ids = IdentifierGenerator(seed: seed, stream: 31)
        secrets = IdentifierGenerator(seed: seed, stream: 32)
        let rate = options.requestsPerSecond ?? profile.requestsPerSecond
        burst = SlidingWindowLimiter(limit: options.burst ?? profile.burst, window: 1)
        sustained = SlidingWindowLimiter(limit: rate * 60, window: 60)
        for seeded in options.venues { addVenue(seeded, account: options.apiKeys.first ?? "sandbox") }
    }

    mutating func addVenue(_ seeded: SeedVenue, account: String) {
        let locale = profile.venueCurrencyWritable ? profile.defaultLocale : "fr-FR"
        venues[seeded.id] = Venue(
            account: account,
            object: .object([
                ("id", .string(seeded.id)), ("name", .string("Venue \(seeded.id)")), ("country", .string(seeded.country)),
                ("timeZone", .string("Europe/Paris")), ("currency", .string(seeded.currency)), ("locale", .string(locale)),
                ("openingHours", .object([("periods", .array([]))])), ("metadata", .object([])), ("version", .int(1)),
            ]))
        venueOrder.append(seeded.id)
    }

    // MARK: the request

    mutating func handle(_ request: EmulatorRequest, now: Date, limited: Bool = true) -> EmulatorResponse {
        do {
            let key = try apiKey(request)
            if limited { try admit(key, now: now) }
            let account = options.apiKeys.isEmpty ? "sandbox" : key
            let segments = request.endpoint.path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
            guard request.endpoint.name == "api", segments.first == "v1", segments.count >= 2 else { throw VenueAPIError.notFound("route") }
            return try route(request, Array(segments.dropFirst()), account: account)
        } catch let error as VenueAPIError {
            return error.response
        } catch {
            return VenueAPIError.unavailable.response
        }
    }

    func apiKey(_ request: EmulatorRequest) throws(VenueAPIError) -> String {
        guard let header = request.header("authorization"), header.hasPrefix("Bearer ") else { throw .unauthorized }
        let key = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, options.apiKeys.isEmpty || options.apiKeys.contains(key) else { throw .unauthorized }
        return key
    }

    /// At most `burst` requests in any second and the sustained rate over any minute.
    mutating func admit(_ key: String, now: Date) throws(VenueAPIError) {
        guard burst.allows(key, at: now), sustained.allows(key, at: now) else {
            let wait = max(burst.retryAfter(key, at: now), sustained.retryAfter(key, at: now))
            throw .rateLimited(retryAfter: max(1, Int(wait.rounded(.up))))
        }
        burst.record(key, at: now)
        sustained.record(key, at: now)
    }

    mutating func route(_ request: EmulatorRequest, _ path: [String], account: String) throws -> EmulatorResponse {
        let method = request.method
        switch (path.first, path.count, method) {
        case ("venues", 1, "GET"):
            let mine = venueOrder.compactMap { venues[$0] }.filter { $0.account == account }.map(\.object)
            return try page(mine.enumerated().map { ($0.offset + 1, $0.element) }, request)
        case ("venues", 2, "GET"):
            let venue = try venue(path[1], account: account)
            return Self.answer(200, venues[venue]!.object)
        case ("venues", 2, "PATCH"):
            return try patchVenue(try venue(path[1], account: account), request)
        case ("venues", 3...4, _):
            let venue = try venue(path[1], account: account)
            guard Self.collections.contains(path[2]) else { throw VenueAPIError.notFound("route") }
            return try collection(request, path[2], id: path.count == 4 ? path[3] : nil, venue: venue, account: account)
        case ("webhooks", 1...2, _):
            return try collection(request, "webhooks", id: path.count == 2 ? path[1] : nil, venue: nil, account: account)
        default:
            throw VenueAPIError.notFound("route")
        }
    }

    /// The account's venue; one never seen is made on first access unless venues were seeded.
    mutating func venue(_ id: String, account: String) throws(VenueAPIError) -> String {
        if let venue = venues[id] {
            guard venue.account == account else { throw .forbidden(id) }
            return id
        }
        guard options.venues.isEmpty, !id.isEmpty else { throw .notFound("venue \(id)") }
        addVenue(SeedVenue(id: id), account: account)
        return id
    }

    static func answer(_ status: Int, _ object: JSONValue) -> EmulatorResponse {
        .json(status, object, headers: object["version"]?.int.map { [("ETag", "\"\($0)\"")] } ?? [])
    }

    /// `If-Match` against the stored version: required to change, optional to delete.
    static func precondition(_ request: EmulatorRequest, current: Int, required: Bool) throws(VenueAPIError) {
        guard let header = request.header("if-match") else {
            if required { throw .preconditionRequired }
            return
        }
        guard EntityTags.ifMatchHolds(header, current: "\"\(current)\"") else { throw .versionMismatch(current: current) }
    }

    mutating func patchVenue(_ id: String, _ request: EmulatorRequest) throws -> EmulatorResponse {
        var venue = venues[id]!
        let current = venue.object["version"]?.int ?? 1
        try Self.precondition(request, current: current, required: true)
        let body = try Self.body(request)
        var writable = ["openingHours", "timeZone"]
        if profile.venueCurrencyWritable { writable += ["currency", "locale"] }
        for name in ["currency", "locale"] where body[name] != nil && !profile.venueCurrencyWritable {
            throw VenueAPIError.invalid(name, "read-only: fixed by the venue's country")
        }
        var merged = venue.object
        for (name, value) in try VenueAPIValidation.fields(body, writable: writable) {
            merged = name == "metadata" ? merged.setting(name, (merged[name] ?? .object([])).merging(patch: value)) : merged.setting(name, value)
        }
        let country = venue.object["country"]?.stringValue ?? ""
        try VenueAPIValidation.venue(merged, countryCurrency: profile.currencies[country], currencyWritable: profile.venueCurrencyWritable)
        venue.object = merged.setting("version", .int(current + 1))
        venues[id] = venue
        return Self.answer(200, venue.object)
    }

    static func body(_ request: EmulatorRequest) throws(VenueAPIError) -> JSONValue {
        do { return try JSONValue.parse(request.body.isEmpty ? "{}" : request.body) } catch { throw .invalid("body", "not JSON: \(error.reason)") }
    }

    /// A cursor page: `limit` 1…100 (default 50), `cursor` the last sequence of the page before.
    func page(_ items: [(sequence: Int, object: JSONValue)], _ request: EmulatorRequest) throws(VenueAPIError) -> EmulatorResponse {
        let query = QueryParameters(parsing: request.query) ?? QueryParameters()
        var limit = 50
        if let text = query["limit"] {
            guard let value = Int(text), (1...100).contains(value) else { throw .invalid("limit", "a whole number from 1 to 100") }
            limit = value
        }
        var after = 0
        if let cursor = query["cursor"] {
            guard cursor.hasPrefix("c"), let value = Int(cursor.dropFirst()), value >= 0 else { throw .invalid("cursor", "not a cursor this API gave") }
            after = value
        }
        let rest = items.filter { $0.sequence > after }
        let shown = rest.prefix(limit)
        let next: JSONValue = rest.count > limit ? .string("c\(shown.last!.sequence)") : .null
        return .json(200, .object([("data", .array(shown.map(\.object))), ("nextCursor", next)]))
    }
}
