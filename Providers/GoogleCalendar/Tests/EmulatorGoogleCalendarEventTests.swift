import Foundation
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsEmulatorKit
import SalonOpsGoogleCalendarEmulator
import SalonOpsProviderTesting
import Testing

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarEventTests {
    static func closure(_ id: String, day: String, next: String, owner: String = "salon-paris") -> [String: Any] {
        [
            "id": id, "summary": "Fermeture", "start": ["date": day], "end": ["date": next], "transparency": "opaque",
            "extendedProperties": ["private": ["salonops.owner": owner]],
        ]
    }

    @Test func clientChosenIDsAreUniquePerCalendar() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let created = try await admin.call(
                .POST, "calendars/primary/events", query: [("sendUpdates", "none")],
                body: Self.closure("c0ffee00aa11", day: "2026-12-25", next: "2026-12-26"))
            #expect(created.status == 200)
            #expect(created.string("id") == "c0ffee00aa11")
            #expect(created.string("kind") == "calendar#event")
            #expect(created.string("status") == "confirmed")
            #expect(created.string("iCalUID") == "c0ffee00aa11@google.com")
            #expect((created.json["start"] as? [String: String]) == ["date": "2026-12-25"])
            #expect((created.json["creator"] as? [String: Any])?["email"] as? String == GoogleFixture.admin)
            #expect(created.privateProperties == ["salonops.owner": "salon-paris"])
            #expect(created.string("created") == "2026-11-30T00:53:20.000Z")

            let again = try await admin.call(
                .POST, "calendars/primary/events",
                body: Self.closure(
                    "c0ffee00aa11", day: "2026-12-25",
                    next: "2026-12-26"))
            #expect(again.status == 409)
            #expect(again.reason == "duplicate")
            #expect(again.errorMessage == "The requested identifier already exists.")
            // Another calendar may use the same id.
            let other = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine"]).string("id"))
            #expect(
                try await admin.call(
                    .POST, "calendars/\(other)/events",
                    body: Self.closure(
                        "c0ffee00aa11", day: "2026-12-25",
                        next: "2026-12-26")
                ).status == 200)
            // Ids outside base32hex, too short, or too long.
            for bad in ["c0ffee-00aa", "C0FFEE00AA", "abcd", "w0000", String(repeating: "a", count: 1025)] {
                let refused = try await admin.call(
                    .POST, "calendars/primary/events",
                    body: Self.closure(
                        bad, day: "2026-12-25",
                        next: "2026-12-26"))
                #expect(refused.status == 400, "\(bad)")
                #expect(refused.errorMessage == "Invalid resource id value.")
            }
            // Without an id the server picks one (base32hex, from the seed).
            let generated = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["date": "2026-12-31"],
                    "end": ["date": "2027-01-01"],
                ])
            let id = try #require(generated.string("id"))
            #expect(id.count == 26 && id.allSatisfy { "0123456789abcdefghijklmnopqrstuv".contains($0) })
        }
    }

    @Test func startAndEndAreRequiredAndOrdered() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let noEnd = try await admin.call(.POST, "calendars/primary/events", body: ["start": ["date": "2026-12-25"]], shape: .invalid)
            #expect(noEnd.status == 400)
            #expect(noEnd.errorMessage == "Missing end time.")
            let noStart = try await admin.call(.POST, "calendars/primary/events", body: ["end": ["date": "2026-12-25"]], shape: .invalid)
            #expect(noStart.errorMessage == "Missing start time.")
            let backwards = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["dateTime": "2026-12-24T18:00:00+01:00"], "end": ["dateTime": "2026-12-24T09:00:00+01:00"],
                ])
            #expect(backwards.status == 400)
            #expect(backwards.reason == "timeRangeEmpty")
            #expect(backwards.googleError["domain"] as? String == "calendar")
            #expect(backwards.errorMessage == "The specified time range is empty.")
            let sameDay = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["date": "2026-12-25"],
                    "end": ["date": "2026-12-25"],
                ])
            #expect(sameDay.reason == "timeRangeEmpty")
            let noZone = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["dateTime": "2026-12-24T09:00:00"], "end": ["dateTime": "2026-12-24T18:00:00"],
                ])
            #expect(noZone.status == 400)
            #expect(noZone.errorMessage == "Missing time zone definition for start time.")
            let withZone = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["dateTime": "2026-12-24T09:00:00", "timeZone": "Europe/Paris"],
                    "end": ["dateTime": "2026-12-24T18:00:00", "timeZone": "Europe/Paris"],
                ])
            #expect(withZone.status == 200)
            let badZone = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["dateTime": "2026-12-24T09:00:00", "timeZone": "Paris"], "end": ["dateTime": "2026-12-24T18:00:00Z"],
                ])
            #expect(badZone.errorMessage == "Invalid time zone definition for start time.")
            let mixed = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["date": "2026-12-24"], "end": ["dateTime": "2026-12-24T18:00:00Z"],
                ])
            #expect(mixed.status == 400)
            let malformed = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["date": "2026-13-01"], "end": ["date": "2026-13-02"],
                ], shape: .valid)
            #expect(malformed.status == 400)
        }
    }

    @Test func listFiltersByPrivatePropertyTimeAndDeletion() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            for (index, (day, next, owner)) in [
                ("2026-12-24", "2026-12-25", "salon-paris"), ("2026-12-25", "2026-12-26", "salon-paris"),
                ("2026-12-31", "2027-01-01", "salon-lyon"), ("2027-01-01", "2027-01-02", "someone-else"),
            ]
            .enumerated() {
                let event = try await admin.call(
                    .POST, "calendars/primary/events",
                    body: Self.closure(
                        "close\(index)000", day: day,
                        next: next, owner: owner))
                #expect(event.status == 200)
            }
            let paris = try await admin.call(
                .GET, "calendars/primary/events",
                query: [("privateExtendedProperty", "salonops.owner=salon-paris")])
            #expect(paris.itemIDs == ["close0000", "close1000"])
            #expect(paris.string("kind") == "calendar#events")
            #expect(paris.string("accessRole") == "owner")
            // Repeated constraints are ORed (the extended-properties guide's reading).
            let two = try await admin.call(
                .GET, "calendars/primary/events",
                query: [
                    ("privateExtendedProperty", "salonops.owner=salon-paris"), ("privateExtendedProperty", "salonops.owner=salon-lyon"),
                ])
            #expect(two.itemIDs == ["close0000", "close1000", "close2000"])
            #expect(
                try await admin.call(
                    .GET, "calendars/primary/events",
                    query: [("sharedExtendedProperty", "salonops.owner=salon-paris")]
                )
                .itemIDs.isEmpty)
            let malformed = try await admin.call(.GET, "calendars/primary/events", query: [("privateExtendedProperty", "no-equals-sign")])
            #expect(malformed.status == 400)

            // timeMin bounds the end, timeMax the start, both exclusive.
            let window = try await admin.call(
                .GET, "calendars/primary/events",
                query: [
                    ("timeMin", "2026-12-25T00:00:00Z"), ("timeMax", "2027-01-01T00:00:00Z"),
                ])
            #expect(window.itemIDs == ["close1000", "close2000"])
            let empty = try await admin.call(
                .GET, "calendars/primary/events",
                query: [
                    ("timeMin", "2027-01-01T00:00:00Z"), ("timeMax", "2026-12-25T00:00:00Z"),
                ])
            #expect(empty.status == 400)
            #expect(empty.reason == "timeRangeEmpty")
            let noOffset = try await admin.call(
                .GET, "calendars/primary/events", query: [("timeMin", "2026-12-25T00:00:00")],
                shape: .invalid)
            #expect(noOffset.status == 400)
            #expect(noOffset.reason == "badRequest")

            // Deleted events linger as cancelled.
            #expect(try await admin.call(.DELETE, "calendars/primary/events/close0000").status == 204)
            let cancelled = try await admin.call(.GET, "calendars/primary/events/close0000")
            #expect(cancelled.status == 200)
            #expect(cancelled.string("status") == "cancelled")
            #expect(!(try await admin.call(.GET, "calendars/primary/events").itemIDs.contains("close0000")))
            let shown = try await admin.call(.GET, "calendars/primary/events", query: [("showDeleted", "true")])
            #expect(shown.itemIDs.contains("close0000"))
            let twice = try await admin.call(.DELETE, "calendars/primary/events/close0000")
            #expect(twice.status == 410)
            #expect(twice.reason == "deleted")
            #expect(
                try await admin.call(
                    .POST, "calendars/primary/events",
                    body: Self.closure(
                        "close0000", day: "2026-12-24",
                        next: "2026-12-25")
                ).status == 409)
            #expect(try await admin.call(.GET, "calendars/primary/events/nosuchevent").status == 404)
        }
    }

    @Test func eventsPageOverThreePagesAndSync() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            for index in 0..<7 {
                _ = try await admin.call(
                    .POST, "calendars/primary/events",
                    body: Self.closure(
                        "page\(index)0000",
                        day: "2026-12-0\(index + 1)",
                        next: "2026-12-0\(index + 2)"))
            }
            var ids: [String] = []
            var token: String?
            var sync: String?
            var pages = 0
            repeat {
                var query = [("maxResults", "3"), ("showDeleted", "true")]
                if let token { query.append(("pageToken", token)) }
                let page = try await admin.call(.GET, "calendars/primary/events", query: query)
                #expect(page.status == 200)
                ids += page.itemIDs
                token = page.string("nextPageToken")
                sync = page.string("nextSyncToken")
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 3)
            #expect(ids == (0..<7).map { "page\($0)0000" })
            let syncToken = try #require(sync)

            _ = try await admin.call(.DELETE, "calendars/primary/events/page10000")
            _ = try await admin.call(.PATCH, "calendars/primary/events/page20000", body: ["summary": "Inventaire"])
            let changes = try await admin.call(.GET, "calendars/primary/events", query: [("syncToken", syncToken)])
            #expect(changes.status == 200)
            #expect(changes.itemIDs == ["page10000", "page20000"])
            #expect(changes.items.first?["status"] as? String == "cancelled")
            let conflict = try await admin.call(
                .GET, "calendars/primary/events",
                query: [
                    ("syncToken", syncToken), ("privateExtendedProperty", "salonops.owner=salon-paris"),
                ])
            #expect(conflict.status == 400)
            let large = try await admin.call(.GET, "calendars/primary/events", query: [("maxResults", "5000")])
            #expect(large.status == 200)
            #expect(large.items.count == 6)
        }
    }

    @Test func patchMergesUpdateReplacesAndIfMatchGuardsBoth() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            var event = Self.closure("a1b2c3d4e5", day: "2026-12-25", next: "2026-12-26")
            event["extendedProperties"] = ["private": ["salonops.owner": "salon-paris", "salonops.hash": "abc"]]
            event["description"] = "Noël"
            let created = try await admin.call(.POST, "calendars/primary/events", body: event)
            let etag = try #require(created.string("etag"))

            // PATCH: members merge, null removes one property, arrays and start/end replace.
            let patched = try await admin.call(
                .PATCH, "calendars/primary/events/a1b2c3d4e5",
                body: [
                    "summary": "Fermeture exceptionnelle", "extendedProperties": ["private": ["salonops.hash": NSNull()]],
                    "start": ["dateTime": "2026-12-25T09:00:00+01:00"], "end": ["dateTime": "2026-12-25T19:00:00+01:00"],
                ], headers: [("If-Match", etag)])
            #expect(patched.status == 200)
            #expect(patched.string("summary") == "Fermeture exceptionnelle")
            #expect(patched.string("description") == "Noël")
            #expect(patched.privateProperties == ["salonops.owner": "salon-paris"])
            #expect((patched.json["start"] as? [String: String]) == ["dateTime": "2026-12-25T09:00:00+01:00"])
            #expect(patched.json["sequence"] as? Int == 1)
            let newTag = try #require(patched.string("etag"))
            #expect(newTag != etag)

            // A stale tag is refused on patch, update and delete alike.
            let stalePatch = try await admin.call(
                .PATCH, "calendars/primary/events/a1b2c3d4e5", body: ["summary": "x"],
                headers: [("If-Match", etag)])
            #expect(stalePatch.status == 412)
            #expect(stalePatch.reason == "conditionNotMet")
            let staleDelete = try await admin.call(.DELETE, "calendars/primary/events/a1b2c3d4e5", headers: [("If-Match", etag)])
            #expect(staleDelete.status == 412)

            // PUT replaces: what it does not repeat is gone, extended properties included.
            let updated = try await admin.call(
                .PUT, "calendars/primary/events/a1b2c3d4e5",
                body: [
                    "summary": "Fermeture", "start": ["date": "2026-12-25"], "end": ["date": "2026-12-26"],
                ], headers: [("If-Match", newTag)])
            #expect(updated.status == 200)
            #expect(updated.json["description"] == nil)
            #expect(updated.json["extendedProperties"] == nil)
            let noStart = try await admin.call(.PUT, "calendars/primary/events/a1b2c3d4e5", body: ["summary": "x"], shape: .invalid)
            #expect(noStart.errorMessage == "Missing start time.")
        }
    }

    @Test func extendedPropertyLimits() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let longKey = String(repeating: "k", count: 45)
            let created = try await admin.call(
                .POST, "calendars/primary/events",
                body: [
                    "start": ["date": "2026-12-25"], "end": ["date": "2026-12-26"],
                    "extendedProperties": ["private": [longKey: "dropped", "value": String(repeating: "v", count: 1100)]],
                ])
            #expect(created.status == 200)
            let properties = created.privateProperties ?? [:]
            #expect(properties.keys.sorted() == ["value"])
            #expect(properties["value"]?.count == 1024)
        }
    }
}

extension Reply {
    var privateProperties: [String: String]? {
        (json["extendedProperties"] as? [String: Any])?["private"] as? [String: String]
    }
}
