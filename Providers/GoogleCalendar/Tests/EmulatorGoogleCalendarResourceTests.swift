import Foundation
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsEmulatorKit
import SalonOpsGoogleCalendarEmulator
import SalonOpsProviderTesting
import Testing

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarCalendarsTests {
    @Test func calendarLifecycle() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let created = try await admin.call(
                .POST, "calendars",
                body: [
                    "summary": "Cabine 1", "description": "salonops:owner=salon-paris", "timeZone": "Europe/Paris",
                ])
            #expect(created.status == 200)
            let id = try #require(created.string("id"))
            #expect(id.hasSuffix("@group.calendar.google.com"))
            #expect(id.dropLast("@group.calendar.google.com".count).allSatisfy { "0123456789abcdefghijklmnopqrstuv".contains($0) })
            #expect(created.string("kind") == "calendar#calendar")
            #expect(created.string("dataOwner") == GoogleFixture.admin)
            #expect(created.string("timeZone") == "Europe/Paris")
            let etag = try #require(created.string("etag"))
            #expect(created.headers.first(name: "ETag") == etag)

            // The creator owns it and finds it in their list.
            let entry = try await admin.call(.GET, "users/me/calendarList/\(id)")
            #expect(entry.status == 200)
            #expect(entry.string("accessRole") == "owner")
            #expect(entry.string("summary") == "Cabine 1")

            // PATCH merges; the description stays.
            let patched = try await admin.call(.PATCH, "calendars/\(id)", body: ["summary": "Cabine Un"])
            #expect(patched.status == 200)
            #expect(patched.string("summary") == "Cabine Un")
            #expect(patched.string("description") == "salonops:owner=salon-paris")
            #expect(patched.string("etag") != etag)

            // A stale If-Match is refused; the current one is accepted.
            let stale = try await admin.call(.PATCH, "calendars/\(id)", body: ["summary": "x"], headers: [("If-Match", etag)])
            #expect(stale.status == 412)
            #expect(stale.reason == "conditionNotMet")
            #expect(stale.errorMessage == "Precondition Failed")
            #expect(stale.googleError["location"] as? String == "If-Match")
            #expect(stale.googleError["locationType"] as? String == "header")
            // PUT replaces: the description not repeated is gone.
            let replaced = try await admin.call(
                .PUT, "calendars/\(id)", body: ["summary": "Cabine 1", "timeZone": "Europe/Paris"],
                headers: [("If-Match", try #require(patched.string("etag")))])
            #expect(replaced.status == 200)
            #expect(replaced.json["description"] == nil)

            // If-None-Match with the current tag: 304.
            let current = try #require(replaced.string("etag"))
            #expect(try await admin.call(.GET, "calendars/\(id)", headers: [("If-None-Match", current)]).status == 304)

            let deleted = try await admin.call(.DELETE, "calendars/\(id)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            let gone = try await admin.call(.GET, "calendars/\(id)")
            #expect(gone.status == 404)
            #expect(gone.reason == "notFound")
            #expect(gone.errorMessage == "Not Found")
            #expect(try await admin.call(.GET, "users/me/calendarList/\(id)").status == 404)
        }
    }

    @Test func calendarValidation() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let untitled = try await admin.call(.POST, "calendars", body: ["description": "no title"], shape: .invalid)
            #expect(untitled.status == 400)
            #expect(untitled.reason == "required")
            #expect(untitled.errorMessage == "Missing title.")
            let zone = try await admin.call(.POST, "calendars", body: ["summary": "x", "timeZone": "Mars/Olympus"])
            #expect(zone.status == 400)
            #expect(zone.reason == "invalid")
            #expect(try await admin.call(.POST, "calendars", body: ["summary": "x", "timeZone": "CET+1"]).status == 400)
            let typed = try await admin.call(.POST, "calendars", body: ["summary": 12], shape: .invalid)
            #expect(typed.status == 400)
            // The primary calendar is not deleted (calendars.clear empties it).
            let primary = try await admin.call(.DELETE, "calendars/primary")
            #expect(primary.status == 400)
            #expect(primary.reason == "cannotDeletePrimaryCalendar")
            #expect(try await admin.call(.POST, "calendars/primary/clear").status == 204)
            // A PATCH that empties the title is refused as well.
            let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine"]).string("id"))
            #expect(try await admin.call(.PATCH, "calendars/\(id)", body: ["summary": ""]).reason == "required")
        }
    }

    @Test func dataIsPerImpersonatedUser() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let stylist = try await g.client(as: GoogleFixture.stylist)
            let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Admin only"]).string("id"))
            let hidden = try await stylist.call(.GET, "calendars/\(id)")
            #expect(hidden.status == 404)
            #expect(try await stylist.call(.GET, "calendars/\(id)/events").status == 404)
            let list = try await stylist.call(.GET, "users/me/calendarList")
            #expect(list.itemIDs == [GoogleFixture.stylist])
            #expect(list.items.first?["primary"] as? Bool == true)
            // calendarList.insert needs access: none yet.
            #expect(try await stylist.call(.POST, "users/me/calendarList", body: ["id": id]).status == 404)
        }
    }
}

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarListTests {
    /// A calendar deleted between two pages does not make the next page skip another: pages are
    /// positions over every entry, the deleted one's too (a page may then hold fewer items).
    @Test func aDeletionBetweenPagesSkipsNothing() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            var created: [String] = []
            for index in 1...4 {
                created.append(try #require(try await admin.call(.POST, "calendars", body: ["summary": "Salle \(index)"]).string("id")))
            }
            let first = try await admin.call(.GET, "users/me/calendarList", query: [("maxResults", "2")])
            #expect(first.itemIDs == [GoogleFixture.admin, created[0]])
            try await admin.call(.DELETE, "calendars/\(created[0])").status.expect(204)
            var seen = first.itemIDs
            var token = first.string("nextPageToken")
            var pages = 1
            while let next = token, pages < 10 {
                let page = try await admin.call(.GET, "users/me/calendarList", query: [("maxResults", "2"), ("pageToken", next)])
                seen += page.itemIDs
                token = page.string("nextPageToken")
                pages += 1
            }
            #expect(seen == [GoogleFixture.admin] + created, "every calendar read once: \(seen)")
        }
    }

    @Test func calendarListPagesOverThreePagesAndEndsWithASyncToken() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            var created: [String] = []
            for index in 1...6 {
                created.append(try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine \(index)"]).string("id")))
            }
            var seen: [String] = []
            var token: String?
            var pages = 0
            var syncToken: String?
            repeat {
                var query = [("maxResults", "2")]
                if let token { query.append(("pageToken", token)) }
                let page = try await admin.call(.GET, "users/me/calendarList", query: query)
                #expect(page.status == 200)
                #expect(page.string("kind") == "calendar#calendarList")
                #expect(page.items.count <= 2)
                seen += page.itemIDs
                token = page.string("nextPageToken")
                syncToken = page.string("nextSyncToken")
                #expect((token == nil) != (syncToken == nil), "a page carries exactly one of nextPageToken and nextSyncToken")
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 4)
            #expect(seen == [GoogleFixture.admin] + created)

            // The sync token returns what changed since, deleted entries included.
            try await admin.call(.DELETE, "users/me/calendarList/\(created[0])").status.expect(204)
            let renamed = try await admin.call(.PATCH, "calendars/\(created[1])", body: ["summary": "Cabine deux"])
            #expect(renamed.status == 200)
            let changes = try await admin.call(.GET, "users/me/calendarList", query: [("syncToken", try #require(syncToken))])
            #expect(changes.status == 200)
            #expect(Set(changes.itemIDs) == [created[0], created[1]])
            #expect(changes.items.first { $0["id"] as? String == created[0] }?["deleted"] as? Bool == true)
            // Without showDeleted the removed entry is not listed.
            #expect(!(try await admin.call(.GET, "users/me/calendarList").itemIDs.contains(created[0])))
            #expect(try await admin.call(.GET, "users/me/calendarList", query: [("showDeleted", "true")]).itemIDs.contains(created[0]))

            // A token from another list, or made up, is refused.
            let bogus = try await admin.call(.GET, "users/me/calendarList", query: [("pageToken", "bm90LWEtdG9rZW4")])
            #expect(bogus.status == 400)
            let staleSync = try await admin.call(.GET, "users/me/calendarList", query: [("syncToken", "bm90LWEtdG9rZW4")])
            #expect(staleSync.status == 410)
            #expect(staleSync.reason == "fullSyncRequired")
        }
    }

    @Test func pageSizesDefaultClampAndMinimum() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            for index in 1...3 { _ = try await admin.call(.POST, "calendars", body: ["summary": "C\(index)"]) }
            // Above the documented ceiling the page is served at the ceiling, not refused.
            let large = try await admin.call(.GET, "users/me/calendarList", query: [("maxResults", "1000")])
            #expect(large.status == 200)
            #expect(large.items.count == 4)
            let zero = try await admin.call(.GET, "users/me/calendarList", query: [("maxResults", "0")], shape: .invalid)
            #expect(zero.status == 400)
            #expect(zero.reason == "invalidParameter")
            #expect(zero.googleError["location"] as? String == "maxResults")
            #expect(zero.googleError["locationType"] as? String == "parameter")
            let words = try await admin.call(.GET, "users/me/calendarList", query: [("maxResults", "ten")], shape: .invalid)
            #expect(words.status == 400)
            #expect(words.reason == "invalidParameter")
        }
    }

    @Test func calendarListInsertPatchDeleteAndFilters() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let stylist = try await g.client(as: GoogleFixture.stylist)
            let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine"]).string("id"))
            // Sharing puts the calendar in the grantee's list.
            let rule = try await admin.call(
                .POST, "calendars/\(id)/acl",
                body: [
                    "role": "reader", "scope": ["type": "user", "value": GoogleFixture.stylist],
                ])
            #expect(rule.status == 200)
            let shared = try await stylist.call(.GET, "users/me/calendarList/\(id)")
            #expect(shared.status == 200)
            #expect(shared.string("accessRole") == "reader")
            #expect(
                try await stylist.call(.GET, "users/me/calendarList", query: [("minAccessRole", "writer")]).itemIDs
                    == [GoogleFixture.stylist])

            // Removing it from the list, then adding it back with settings.
            #expect(try await stylist.call(.DELETE, "users/me/calendarList/\(id)").status == 204)
            #expect(try await stylist.call(.GET, "users/me/calendarList/\(id)").status == 404)
            let added = try await stylist.call(
                .POST, "users/me/calendarList",
                body: [
                    "id": id, "summaryOverride": "Ma cabine",
                    "hidden": true,
                ])
            #expect(added.status == 200)
            #expect(added.string("summaryOverride") == "Ma cabine")
            #expect(added.json["hidden"] as? Bool == true)
            #expect(!(try await stylist.call(.GET, "users/me/calendarList").itemIDs.contains(id)))
            #expect(try await stylist.call(.GET, "users/me/calendarList", query: [("showHidden", "true")]).itemIDs.contains(id))
            let unhidden = try await stylist.call(.PATCH, "users/me/calendarList/\(id)", body: ["hidden": false])
            #expect(unhidden.json["hidden"] == nil)
            #expect(unhidden.string("summaryOverride") == "Ma cabine")
            let stale = try await stylist.call(
                .PATCH, "users/me/calendarList/\(id)", body: ["selected": false],
                headers: [("If-Match", try #require(added.string("etag")))])
            #expect(stale.status == 412)
            let noID = try await stylist.call(.POST, "users/me/calendarList", body: ["summaryOverride": "?"], shape: .invalid)
            #expect(noID.status == 400)
            #expect(noID.reason == "required")
            let enumValue = try await stylist.call(.GET, "users/me/calendarList", query: [("minAccessRole", "admin")], shape: .invalid)
            #expect(enumValue.status == 400)
            #expect(
                enumValue.errorMessage
                    == "Invalid string value: 'admin'. Allowed values: [freebusyreader, owner, reader, writer, writerwithoutprivateaccess]")
        }
    }
}

extension Int {
    /// `#expect(status == …)` in a statement position.
    func expect(_ expected: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self == expected, sourceLocation: sourceLocation)
    }
}
