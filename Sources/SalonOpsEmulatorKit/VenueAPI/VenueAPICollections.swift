import Foundation

/// The objects under a venue (staff, resources, services, closures) and the account's webhooks:
/// list, create (idempotent by key), read, update (`If-Match` required), delete.
extension VenueAPIState {
    mutating func collection(_ request: EmulatorRequest, _ name: String, id: String?, venue: String?, account: String) throws -> EmulatorResponse {
        var store = (venue.map { venues[$0]!.collections[name] } ?? webhooks[account]) ?? VersionedCollection<JSONValue>()
        defer {
            if let venue { venues[venue]!.collections[name] = store } else { webhooks[account] = store }
        }
        switch (request.method, id) {
        case ("GET", nil):
            return try page(store.liveEntries.map { ($0.sequence, $0.value) }, request)
        case ("POST", nil):
            return try create(request, name, &store, venue: venue, account: account)
        case ("GET", let id?):
            guard let entry = store.live(id) else { throw VenueAPIError.notFound("\(name) \(id)") }
            return Self.answer(200, entry.value)
        case ("PATCH", let id?):
            guard let entry = store.live(id) else { throw VenueAPIError.notFound("\(name) \(id)") }
            try Self.precondition(request, current: entry.version, required: true)
            var merged = entry.value
            for (field, value) in try VenueAPIValidation.fields(try Self.body(request), writable: Self.writable(name)) {
                merged = field == "metadata" ? merged.setting(field, (merged[field] ?? .object([])).merging(patch: value)) : merged.setting(field, value)
            }
            try check(name, merged, venue: venue)
            let version = entry.version + 1
            store.update(id, version: version) { $0 = merged.setting("version", .int(version)) }
            return Self.answer(200, store.live(id)!.value)
        case ("DELETE", let id?):
            guard let entry = store.live(id) else { throw VenueAPIError.notFound("\(name) \(id)") }
            try Self.precondition(request, current: entry.version, required: false)
            store.purge(id)
            if let venue, name == "staff" || name == "resources" { forget(id, in: name == "staff" ? "staffIds" : "resourceIds", venue: venue) }
            return EmulatorResponse(status: 204, body: "")
        default:
            throw VenueAPIError.notFound("route")
        }
    }

    static func writable(_ name: String) -> [String] { (VenueAPIValidation.defaults[name] ?? []).map(\.0) }

    func check(_ name: String, _ object: JSONValue, venue: String?) throws(VenueAPIError) {
        let record = venue.flatMap { venues[$0] }
        let ids = { (collection: String) in Set(record?.collections[collection]?.liveEntries.map(\.id) ?? []) }
        try VenueAPIValidation.check(
            name, object, venueCurrency: record?.object["currency"]?.stringValue ?? "EUR", staff: ids("staff"), resources: ids("resources"))
    }

    mutating func create(
        _ request: EmulatorRequest, _ name: String, _ store: inout VersionedCollection<JSONValue>, venue: String?, account: String
    ) throws -> EmulatorResponse {
        let body = try Self.body(request)
        let key = request.header("idempotency-key")
        if let key {
            let fingerprint = request.method + " " + request.endpoint.path + " " + body.serialized
            switch idempotency.begin(scope: account, key: key, endpoint: request.endpoint.path, fingerprint: fingerprint) {
            case .replay(let stored): return stored
            case .endpointMismatch, .parameterMismatch, .inFlight: throw VenueAPIError.keyReused
            case .proceed: break
            }
        }
        do {
            var object: JSONValue = .object([])
            let given = try VenueAPIValidation.fields(body, writable: Self.writable(name))
            for (field, fallback) in VenueAPIValidation.defaults[name] ?? [] {
                object = object.setting(field, given.first { $0.0 == field }?.1 ?? fallback)
            }
            object = object.setting("metadata", given.first { $0.0 == "metadata" }?.1 ?? .object([]))
            try check(name, object, venue: venue)
            let id = ids.id(Self.prefixes[name] ?? "obj", length: 14)
            let stored = JSONValue.object([("id", .string(id))] + (object.objectFields ?? []) + [("version", .int(1))])
            store.insert(stored, id: id, version: 1)
            // The signing secret is in this answer only (and its idempotent replays).
            let shown = name == "webhooks" ? stored.setting("secret", .string(secrets.id("whsec", length: 32))) : stored
            let response = Self.answer(201, shown)
            if let key { idempotency.finish(scope: account, key: key, response: response) }
            return response
        } catch {
            if let key { idempotency.abandon(scope: account, key: key) }
            throw error
        }
    }

    /// A deleted staff member or room leaves the services that named it (each a write).
    mutating func forget(_ id: String, in field: String, venue: String) {
        guard var services = venues[venue]?.collections["services"] else { return }
        for entry in services.liveEntries {
            guard let listed = entry.value[field]?.arrayValue, listed.contains(.string(id)) else { continue }
            let version = entry.version + 1
            services.update(entry.id, version: version) {
                $0 = $0.setting(field, .array(listed.filter { $0 != .string(id) })).setting("version", .int(version))
            }
        }
        venues[venue]!.collections["services"] = services
    }
}
