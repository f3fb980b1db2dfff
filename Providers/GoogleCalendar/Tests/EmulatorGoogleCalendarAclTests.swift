import Foundation
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsEmulatorKit
import SalonOpsGoogleCalendarEmulator
import SalonOpsProviderTesting
import Testing

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarAclTests {
    @Test func rulesAreNamedByScopeAndPageOverThreePages() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine"]).string("id"))
            let inserted = try await admin.call(
                .POST, "calendars/\(id)/acl", query: [("sendNotifications", "false")],
                body: [
                    "role": "writer", "scope": ["type": "user", "value": "Stylist@Salon.example"],
                ])
            #expect(inserted.status == 200)
            #expect(inserted.string("id") == "user:stylist@salon.example")
            #expect(inserted.string("kind") == "calendar#aclRule")
            #expect(inserted.string("role") == "writer")
            #expect((inserted.json["scope"] as? [String: String]) == ["type": "user", "value": "stylist@salon.example"])
            for (index, role) in ["reader", "freeBusyReader", "reader"].enumerated() {
                let rule = try await admin.call(
                    .POST, "calendars/\(id)/acl",
                    body: [
                        "role": role, "scope": ["type": "user", "value": "guest\(index)@salon.example"],
                    ])
                #expect(rule.status == 200)
            }
            let publicRule = try await admin.call(
                .POST, "calendars/\(id)/acl",
                body: ["role": "freeBusyReader", "scope": ["type": "default"]])
            #expect(publicRule.string("id") == "default")
            let domain = try await admin.call(
                .POST, "calendars/\(id)/acl",
                body: [
                    "role": "reader", "scope": ["type": "domain", "value": "salon.example"],
                ])
            #expect(domain.string("id") == "domain:salon.example")

            var ids: [String] = []
            var token: String?
            var pages = 0
            repeat {
                var query = [("maxResults", "2")]
                if let token { query.append(("pageToken", token)) }
                let page = try await admin.call(.GET, "calendars/\(id)/acl", query: query)
                #expect(page.status == 200)
                #expect(page.string("kind") == "calendar#acl")
                ids += page.itemIDs
                token = page.string("nextPageToken")
                if token == nil { #expect(page.string("nextSyncToken") != nil) }
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 4)
            #expect(
                ids == [
                    "user:\(GoogleFixture.admin)", "user:stylist@salon.example", "user:guest0@salon.example",
                    "user:guest1@salon.example", "user:guest2@salon.example", "default", "domain:salon.example",
                ])
        }
    }

    @Test func insertOnAnExistingScopeChangesItsRole() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine"]).string("id"))
            let scope = ["type": "user", "value": GoogleFixture.stylist]
            let first = try await admin.call(.POST, "calendars/\(id)/acl", body: ["role": "reader", "scope": scope])
            let again = try await admin.call(.POST, "calendars/\(id)/acl", body: ["role": "writer", "scope": scope])
            #expect(again.status == 200)
            #expect(again.string("id") == first.string("id"))
            #expect(again.string("role") == "writer")
            #expect(try await admin.call(.GET, "calendars/\(id)/acl").items.count == 2)
        }
    }

    @Test func getPatchUpdateDeleteWithETags() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let stylist = try await g.client(as: GoogleFixture.stylist)
            let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine"]).string("id"))
            let rule = try await admin.call(
                .POST, "calendars/\(id)/acl",
                body: [
                    "role": "reader", "scope": ["type": "user", "value": GoogleFixture.stylist],
                ])
            let ruleID = try #require(rule.string("id"))
            let etag = try #require(rule.string("etag"))
            #expect(try await admin.call(.GET, "calendars/\(id)/acl/\(ruleID)").string("role") == "reader")
            let patched = try await admin.call(
                .PATCH, "calendars/\(id)/acl/\(ruleID)", body: ["role": "writer"],
                headers: [("If-Match", etag)])
            #expect(patched.status == 200)
            #expect(patched.string("role") == "writer")
            #expect(try await stylist.call(.GET, "users/me/calendarList/\(id)").string("accessRole") == "writer")
            let stale = try await admin.call(
                .PUT, "calendars/\(id)/acl/\(ruleID)",
                body: ["role": "owner", "scope": ["type": "user", "value": GoogleFixture.stylist]],
                headers: [("If-Match", etag)])
            #expect(stale.status == 412)
            let moved = try await admin.call(
                .PUT, "calendars/\(id)/acl/\(ruleID)",
                body: ["role": "reader", "scope": ["type": "user", "value": "other@salon.example"]])
            #expect(moved.status == 400)
            let withoutScope = try await admin.call(.PUT, "calendars/\(id)/acl/\(ruleID)", body: ["role": "reader"], shape: .invalid)
            #expect(withoutScope.status == 400)
            #expect(withoutScope.errorMessage == "Missing scope type.")

            // A reader or writer does not manage sharing.
            #expect(try await stylist.call(.GET, "calendars/\(id)/acl").status == 403)
            #expect(try await stylist.call(.GET, "calendars/\(id)/acl").reason == "forbidden")
            // The data owner keeps ownership.
            let own = try await admin.call(.DELETE, "calendars/\(id)/acl/user:\(GoogleFixture.admin)")
            #expect(own.status == 403)
            #expect(own.reason == "cannotChangeOwnAcl")

            #expect(try await admin.call(.DELETE, "calendars/\(id)/acl/\(ruleID)").status == 204)
            #expect(try await admin.call(.GET, "calendars/\(id)/acl/\(ruleID)").status == 404)
            #expect(try await stylist.call(.GET, "calendars/\(id)").status == 404)
            #expect(!(try await admin.call(.GET, "calendars/\(id)/acl").itemIDs.contains(ruleID)))
            let withDeleted = try await admin.call(.GET, "calendars/\(id)/acl", query: [("showDeleted", "true")])
            #expect(withDeleted.items.first { $0["id"] as? String == ruleID }?["role"] as? String == "none")
        }
    }

    @Test func roleAndScopeAreRequiredAndChecked() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "Cabine"]).string("id"))
            let noScope = try await admin.call(.POST, "calendars/\(id)/acl", body: ["role": "reader"], shape: .invalid)
            #expect(noScope.status == 400)
            #expect(noScope.reason == "required")
            #expect(noScope.errorMessage == "Missing scope type.")
            let noRole = try await admin.call(.POST, "calendars/\(id)/acl", body: ["scope": ["type": "default"]], shape: .invalid)
            #expect(noRole.status == 400)
            #expect(noRole.errorMessage == "Missing role.")
            let badRole = try await admin.call(.POST, "calendars/\(id)/acl", body: ["role": "admin", "scope": ["type": "default"]])
            #expect(badRole.status == 400)
            #expect(badRole.reason == "invalid")
            let badType = try await admin.call(.POST, "calendars/\(id)/acl", body: ["role": "reader", "scope": ["type": "everyone"]])
            #expect(badType.status == 400)
            let noValue = try await admin.call(.POST, "calendars/\(id)/acl", body: ["role": "reader", "scope": ["type": "user"]])
            #expect(noValue.status == 400)
            #expect(noValue.errorMessage == "Missing scope value.")
            let unknownCalendar = try await admin.call(.GET, "calendars/nope@group.calendar.google.com/acl")
            #expect(unknownCalendar.status == 404)
        }
    }
}
