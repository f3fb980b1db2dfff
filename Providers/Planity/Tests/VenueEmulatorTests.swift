import Foundation
import SalonOpsEmulatorKit
import SalonOpsPlanityEmulator
import SalonOpsTreatwellEmulator
import Testing

/// The venue emulator (shared by Planity and Treatwell) against docs/assumed-venue-api.md, with
/// no sockets and a manual clock. There is no official client: each answer's shape is checked
/// against the small schema of the document kept here.
@Suite struct VenueEmulatorTests {

    func emulator(_ options: [String: String] = [:], treatwell: Bool = false) throws -> VenueAPIEmulator {
        VenueAPIEmulator(
            profile: treatwell ? TreatwellEmulator.profile : PlanityEmulator.profile, options: try VenueAPIOptions(options, provider: "planity"), seed: 7,
            clock: SandboxClock.manual(startingAt: Date(timeIntervalSince1970: 1_800_000_000)))
    }

    func call(_ e: VenueAPIEmulator, _ method: String, _ path: String, _ body: String = "", key: String = "k1", headers: [String: String] = [:]) async -> (
        Int, JSONValue, EmulatorResponse
    ) {
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        var all = headers
        if !key.isEmpty { all["authorization"] = "Bearer \(key)" }
        let response = await e.respond(to: EmulatorRequest(method: method, path: "/api" + parts[0], query: parts.count > 1 ? parts[1] : "", headers: all, body: body))
        return (response.status, (try? JSONValue.parse(response.body)) ?? .null, response)
    }

    /// The document's objects: field → JSON type.
    static let schemas: [String: [String: String]] = [
        "venue": [
            "id": "string", "name": "string", "country": "string", "timeZone": "string", "currency": "string", "locale": "string", "openingHours": "object", "metadata": "object",
            "version": "int",
        ],
        "service": [
            "id": "string", "name": "string", "category": "string", "durationMinutes": "int", "price": "object", "vatRate": "int", "bookable": "bool",
            "staffIds": "array", "resourceIds": "array", "metadata": "object", "version": "int",
        ],
        "staff": ["id": "string", "name": "string", "role": "string|null", "email": "string|null", "metadata": "object", "version": "int"],
        "error": ["errors": "array"],
        "page": ["data": "array", "nextCursor": "string|null"],
    ]

    static func conforms(_ value: JSONValue, to schema: String) -> Bool {
        guard let fields = value.objectFields, let wanted = schemas[schema] else { return false }
        func type(_ v: JSONValue) -> String {
            switch v {
            case .string: "string"
            case .int: "int"
            case .bool: "bool"
            case .array: "array"
            case .object: "object"
            case .null: "null"
            case .double: "double"
            }
        }
        return Set(fields.map(\.0)).isSuperset(of: wanted.keys.filter { !wanted[$0]!.contains("null") })
            && fields.allSatisfy { name, v in wanted[name].map { $0.split(separator: "|").contains(Substring(type(v))) } ?? (schema == "venue" || schema == "webhook") }
    }

    @Test func venuesAreMadeOnFirstAccessAndPatchedUnderIfMatch() async throws {
        let e = try emulator()
        let (status, venue, response) = await call(e, "GET", "/v1/venues/v1")
        #expect(status == 200 && Self.conforms(venue, to: "venue"), "\(venue)")
        #expect(response.headers.contains { $0.0 == "ETag" && $0.1 == "\"1\"" })
        let hours = #"{"openingHours": {"periods": [{"day": "TUE", "open": "10:00", "close": "19:00"}]}}"#
        #expect(await call(e, "PATCH", "/v1/venues/v1", hours).0 == 428)
        #expect(await call(e, "PATCH", "/v1/venues/v1", hours, headers: ["if-match": "\"7\""]).1["errors"]?.array?.first?["code"]?.string == "VERSION_MISMATCH")
        let (ok, patched, _) = await call(e, "PATCH", "/v1/venues/v1", hours, headers: ["if-match": "\"1\""])
        #expect(ok == 200 && patched["version"]?.int == 2)
        // Planity: the currency is the country's, not writable.
        let currency = await call(e, "PATCH", "/v1/venues/v1", #"{"currency": "GBP"}"#, headers: ["if-match": "\"2\""])
        #expect(currency.0 == 400 && currency.1.at("errors")?.array?.first?["field"]?.string == "currency")
        let overlap = #"{"openingHours": {"periods": [{"day": "MON", "open": "10:00", "close": "14:00"}, {"day": "MON", "open": "13:00", "close": "24:00"}]}}"#
        #expect(await call(e, "PATCH", "/v1/venues/v1", overlap, headers: ["if-match": "\"2\""]).0 == 400)
    }

    @Test func servicesAreValidatedAgainstTheVenue() async throws {
        let e = try emulator()
        let staff = await call(e, "POST", "/v1/venues/v1/staff", #"{"name": "Alice"}"#)
        #expect(staff.0 == 201 && Self.conforms(staff.1, to: "staff"), "\(staff.1)")
        let alice = try #require(staff.1["id"]?.string)
        func service(_ minutes: Int, _ currency: String = "EUR", staff: String? = nil) -> String {
            #"{"name": "Soin", "category": "visage", "durationMinutes": \#(minutes), "price": {"amount": 6500, "currency": "\#(currency)"}, "vatRate": 2000, "staffIds": ["\#(staff ?? alice)"]}"#
        }
        let made = await call(e, "POST", "/v1/venues/v1/services", service(60))
        #expect(made.0 == 201 && Self.conforms(made.1, to: "service"), "\(made.1)")
        for (body, field) in [(service(62), "durationMinutes"), (service(60, "GBP"), "price.currency"), (service(60, staff: "stf_nobody"), "staffIds")] {
            let refused = await call(e, "POST", "/v1/venues/v1/services", body)
            #expect(refused.0 == 400 && Self.conforms(refused.1, to: "error"))
            #expect(refused.1["errors"]?.array?.first?["field"]?.string == field && refused.1["errors"]?.array?.first?["code"]?.string == "VALIDATION_FAILED")
        }
        let closure = await call(e, "POST", "/v1/venues/v1/closures", #"{"startDate": "2027-01-02", "endDate": "2027-01-01"}"#)
        #expect(closure.0 == 400)
        // Deleting Alice takes her off the service.
        #expect(await call(e, "DELETE", "/v1/venues/v1/staff/\(alice)").0 == 204)
        let id = try #require(made.1["id"]?.string)
        #expect(await call(e, "GET", "/v1/venues/v1/services/\(id)").1["staffIds"]?.array == [])
    }

    @Test func idempotencyKeysReplayAndRefuseAnotherBody() async throws {
        let e = try emulator()
        let first = await call(e, "POST", "/v1/webhooks", #"{"url": "https://app.example/h", "events": ["booking.created"]}"#, headers: ["idempotency-key": "p1/c1"])
        #expect(first.0 == 201 && first.1["secret"]?.string?.hasPrefix("whsec_") == true)
        let again = await call(e, "POST", "/v1/webhooks", #"{"url": "https://app.example/h", "events": ["booking.created"]}"#, headers: ["idempotency-key": "p1/c1"])
        #expect(again.1 == first.1)
        let other = await call(e, "POST", "/v1/webhooks", #"{"url": "https://app.example/other", "events": ["booking.created"]}"#, headers: ["idempotency-key": "p1/c1"])
        #expect(other.0 == 422 && other.1["errors"]?.array?.first?["code"]?.string == "IDEMPOTENCY_KEY_REUSED")
        // The secret is never read back.
        let id = try #require(first.1["id"]?.string)
        #expect(await call(e, "GET", "/v1/webhooks/\(id)").1["secret"] == nil)
        #expect(await call(e, "GET", "/v1/webhooks").1["data"]?.array?.count == 1)
    }

    @Test func pagesByCursorWithinTheLimits() async throws {
        let e = try emulator(["requestsPerSecond": "100", "burst": "100"])
        for n in 0..<5 { _ = await call(e, "POST", "/v1/venues/v1/staff", #"{"name": "S\#(n)"}"#) }
        var seen: [String] = [], cursor: String?, pages = 0
        repeat {
            let page = await call(e, "GET", "/v1/venues/v1/staff?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")).1
            #expect(Self.conforms(page, to: "page"))
            seen += (page["data"]?.array ?? []).compactMap { $0["name"]?.string }
            cursor = page["nextCursor"]?.string
            pages += 1
        } while cursor != nil && pages < 10
        #expect(seen == ["S0", "S1", "S2", "S3", "S4"] && pages == 3)
        #expect(await call(e, "GET", "/v1/venues/v1/staff?limit=101").0 == 400)
        #expect(await call(e, "GET", "/v1/venues/v1/staff?cursor=zz").0 == 400)
    }

    @Test func throttlesPerKeyWithRetryAfter() async throws {
        let e = try emulator()
        for _ in 0..<20 { #expect(await call(e, "GET", "/v1/venues").0 == 200) }
        let (status, body, response) = await call(e, "GET", "/v1/venues")
        #expect(status == 429 && body["errors"]?.array?.first?["code"]?.string == "RATE_LIMITED")
        #expect(response.headers.contains { $0.0 == "Retry-After" && (Int($0.1) ?? 0) >= 1 })
        #expect(await call(e, "GET", "/v1/venues", key: "k2").0 == 200, "another key has its own window")
        e.clock.advance(by: 1.1)
        #expect(await call(e, "GET", "/v1/venues").0 == 200)
    }

    @Test func refusesStrangersAndForeignVenues() async throws {
        let e = try emulator(["apiKeys": "k1,k2", "venues": "v-paris:FR:EUR"])
        #expect(await call(e, "GET", "/v1/venues", key: "").0 == 401)
        #expect(await call(e, "GET", "/v1/venues", key: "nope").0 == 401)
        #expect(await call(e, "GET", "/v1/venues/v-paris").0 == 200)
        let foreign = await call(e, "GET", "/v1/venues/v-paris/services", key: "k2")
        #expect(foreign.0 == 403 && foreign.1["errors"]?.array?.first?["code"]?.string == "FORBIDDEN")
        #expect(await call(e, "GET", "/v1/venues/v-unknown").0 == 404, "seeded venues only")
    }

    @Test func treatwellVenuesTakeTheirCountrysCurrency() async throws {
        let e = try emulator(["venues": "402115:GB:GBP"], treatwell: true)
        let body = #"{"currency": "EUR", "locale": "en-GB"}"#
        #expect(await call(e, "PATCH", "/v1/venues/402115", body, headers: ["if-match": "\"1\""]).0 == 400)
        let ok = await call(e, "PATCH", "/v1/venues/402115", #"{"currency": "GBP", "locale": "en-GB"}"#, headers: ["if-match": "\"1\""])
        #expect(ok.0 == 200 && ok.1["locale"]?.string == "en-GB")
    }
}
