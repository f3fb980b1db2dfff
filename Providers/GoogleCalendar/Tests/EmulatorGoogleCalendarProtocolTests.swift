import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsEmulatorKit
import SalonOpsGoogleCalendarEmulator
import SalonOpsProviderTesting
import Testing

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarParameterTests {
    @Test func unknownParametersAndBadValuesAreRefusedInGoogleShape() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let unknown = try await admin.call(.GET, "users/me/calendarList", query: [("colour", "red")], shape: .invalid)
            #expect(unknown.status == 400)
            #expect(unknown.googleError["location"] as? String == "colour")
            #expect(unknown.googleError["locationType"] as? String == "parameter")
            #expect(unknown.errorMessage?.contains("Unknown name \"colour\"") == true)
            // A parameter of another method is unknown here too.
            #expect(
                try await admin.call(.GET, "users/me/calendarList", query: [("timeMin", "2026-01-01T00:00:00Z")], shape: .invalid)
                    .status == 400)
            let badBool = try await admin.call(.GET, "calendars/primary/events", query: [("showDeleted", "yes")], shape: .invalid)
            #expect(badBool.status == 400)
            #expect(badBool.reason == "invalidParameter")
            #expect(badBool.googleError["location"] as? String == "showDeleted")
            let badEnum = try await admin.call(.GET, "calendars/primary/events", query: [("orderBy", "title")], shape: .invalid)
            #expect(badEnum.errorMessage == "Invalid string value: 'title'. Allowed values: [starttime, updated]")
            let badAlt = try await admin.call(.GET, "calendars/primary", query: [("alt", "media")], shape: .invalid)
            #expect(badAlt.status == 400)
            let ordering = try await admin.call(.GET, "calendars/primary/events", query: [("orderBy", "startTime")])
            #expect(ordering.status == 400)
            #expect(
                try await admin.call(.GET, "calendars/primary/events", query: [("orderBy", "startTime"), ("singleEvents", "true")])
                    .status == 200)
            let longQuotaUser = try await admin.call(.GET, "calendars/primary", query: [("quotaUser", String(repeating: "q", count: 41))])
            #expect(longQuotaUser.status == 400)
            let badFields = try await admin.call(.GET, "calendars/primary", query: [("fields", "items(id")])
            #expect(badFields.status == 400)
            #expect(badFields.errorMessage == "Invalid field selection items(id")
        }
    }

    @Test func globalParametersAreHonoured() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            _ = try await admin.call(.POST, "calendars", body: ["summary": "Cabine"])
            let compact = try await admin.call(
                .GET, "calendars/primary",
                query: [
                    ("alt", "json"), ("prettyPrint", "false"),
                    ("quotaUser", "salon-paris"),
                ])
            #expect(compact.status == 200)
            #expect(!compact.body.contains("\n"))
            let pretty = try await admin.call(.GET, "calendars/primary")
            #expect(pretty.body.contains("\n"))
            let partial = try await admin.call(.GET, "users/me/calendarList", query: [("fields", "kind,items(id,accessRole)")])
            #expect(partial.status == 200)
            #expect(partial.json.keys.sorted() == ["items", "kind"])
            #expect(partial.items.allSatisfy { Set($0.keys) == ["id", "accessRole"] })
            let nested = try await admin.call(
                .GET, "calendars/primary",
                query: [("fields", "id,conferenceProperties/allowedConferenceSolutionTypes")])
            #expect(nested.json.keys.sorted() == ["conferenceProperties", "id"])
            // The token may also come as `oauth_token`.
            let viaQuery = try await GoogleClient(google: g, token: nil).call(
                .GET, "calendars/primary",
                query: [("oauth_token", admin.token ?? "")])
            #expect(viaQuery.status == 200)
        }
    }
}

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarSeedTests {
    @Test func idsComeFromTheSeedAndResetStartsOver() async throws {
        func firstCalendarID(seed: UInt64) async throws -> String {
            try await withGoogleSandbox(seed: seed) { g in
                let admin = try await g.client()
                let id = try #require(try await admin.call(.POST, "calendars", body: ["summary": "A"]).string("id"))
                // A reset drops data and tokens (service accounts stay registered) and restarts the streams.
                #expect(try await g.sandbox.request(.POST, "/_sandbox/reset").status == 200)
                #expect(try await admin.call(.GET, "calendars/\(id)").status == 401)
                let again = try await g.client()
                #expect(try await again.call(.POST, "calendars", body: ["summary": "A"]).string("id") == id)
                return id
            }
        }
        let first = try await firstCalendarID(seed: 7)
        #expect(try await firstCalendarID(seed: 7) == first)
        #expect(try await firstCalendarID(seed: 8) != first)
    }

    @Test func unknownPathsAnswerNotFoundInGoogleShape() async throws {
        try await withGoogleSandbox { g in
            let reply = try await g.sandbox.request(.GET, "/google-calendar/api/nowhere")
            #expect(reply.status == 404)
            #expect(g.discovery?.validateErrorEnvelope(status: 404, body: reply.body).isEmpty == true)
            #expect(try await g.sandbox.request(.GET, "/google-calendar/elsewhere").status == 404)
            let notEmulated = try await (try await g.client()).call(.POST, "calendars/primary/events/quickAdd", query: [("text", "x")])
            #expect(notEmulated.status == 501)
        }
    }
}

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarQuotaTests {
    @Test func perUserAndPerProjectSlidingWindows() async throws {
        try await withGoogleSandbox(perUser: 3, perProject: 5) { g in
            let admin = try await g.client()
            let stylist = try await g.client(as: GoogleFixture.stylist)
            for _ in 0..<3 { #expect(try await admin.call(.GET, "calendars/primary").status == 200) }
            let limited = try await admin.call(.GET, "calendars/primary")
            #expect(limited.status == 403)
            #expect(limited.reason == "userRateLimitExceeded")
            #expect(limited.googleError["domain"] as? String == "usageLimits")
            #expect(limited.errorMessage == "User Rate Limit Exceeded")
            // Another user has their own window, until the project's is full (3 + 2 = 5).
            #expect(try await stylist.call(.GET, "calendars/primary").status == 200)
            #expect(try await stylist.call(.GET, "calendars/primary").status == 200)
            let project = try await stylist.call(.GET, "calendars/primary")
            #expect(project.status == 403)
            #expect(project.reason == "rateLimitExceeded")
            #expect(project.errorMessage == "Rate Limit Exceeded")
            // The window slides: a minute later the oldest requests have left it.
            g.clock.advance(by: 30)
            #expect(try await stylist.call(.GET, "calendars/primary").reason == "rateLimitExceeded")
            g.clock.advance(by: 31)
            #expect(try await admin.call(.GET, "calendars/primary").status == 200)
        }
    }

    @Test func quotaUserSeparatesWindows() async throws {
        try await withGoogleSandbox(perUser: 2) { g in
            let admin = try await g.client()
            for salon in ["paris", "lyon"] {
                for _ in 0..<2 {
                    #expect(try await admin.call(.GET, "calendars/primary", query: [("quotaUser", salon)]).status == 200)
                }
                #expect(try await admin.call(.GET, "calendars/primary", query: [("quotaUser", salon)]).reason == "userRateLimitExceeded")
            }
        }
    }

    @Test func forcedQuotaErrorsAndInjectedFaults() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            googleCalendar(g.server).failNextRequests(2)
            for _ in 0..<2 {
                let refused = try await admin.call(.GET, "calendars/primary")
                #expect(refused.status == 403)
                #expect(refused.reason == "quotaExceeded")
                #expect(refused.errorMessage == "Calendar usage limits exceeded.")
            }
            #expect(try await admin.call(.GET, "calendars/primary").status == 200)
            googleCalendar(g.server).failNextRequests(1, with: .backendError)
            #expect(try await admin.call(.GET, "calendars/primary").status == 503)
        }
        try await withGoogleSandbox(faults: try FaultPlan(parsing: "429=1")) { g in
            let client = GoogleClient(google: g, token: "irrelevant")
            let limited = try await client.call(.GET, "calendars/primary")
            #expect(limited.status == 429)
            #expect(limited.reason == "rateLimitExceeded")
            #expect(limited.headers.first(name: "Retry-After") == "1")
            let token = try await g.tokenRequest(form: [("grant_type", "x")])
            #expect(token.status == 429)
            #expect(token.string("error") == "rate_limit_exceeded")
        }
    }

    @Test func statsCountRequestsPerPathTemplate() async throws {
        try await withGoogleSandbox { g in
            let admin = try await g.client()
            let first = try #require(try await admin.call(.POST, "calendars", body: ["summary": "A"]).string("id"))
            let second = try #require(try await admin.call(.POST, "calendars", body: ["summary": "B"]).string("id"))
            for id in [first, second] {
                _ = try await admin.call(.GET, "calendars/\(id)/events")
                _ = try await admin.call(.PATCH, "calendars/\(id)", body: ["description": "x"])
            }
            let stats = try await g.sandbox.request(.GET, "/_sandbox/stats")
            let rows = try #require(stats.json["requests"] as? [[String: Any]]).filter { $0["provider"] as? String == "google-calendar" }
            func count(_ method: String, _ path: String) -> Int? {
                rows.first { $0["method"] as? String == method && $0["path"] as? String == path }?["count"] as? Int
            }
            #expect(count("POST", "/oauth/token") == 1)
            #expect(count("POST", "/api/calendars") == 2)
            #expect(count("GET", "/api/calendars/{calendarId}/events") == 2)
            #expect(count("PATCH", "/api/calendars/{calendarId}") == 2)
            // Writes: two inserts and two patches; the token request writes nothing.
            #expect(stats.json["writes"] as? Int == 4)
            // Every template counted is a method of the discovery document.
            let discovery = try #require(g.discovery)
            for row in rows {
                guard let method = row["method"] as? String, let path = row["path"] as? String, path.hasPrefix("/api/") else { continue }
                #expect(discovery.methods.contains { $0.httpMethod == method && "/api/" + $0.path == path }, "\(method) \(path)")
            }
        }
    }
}

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct DiscoveryDocumentTests {
    @Test func validatorSeesWhatTheDocumentDeclares() throws {
        let discovery = try #require(calendarDiscovery())
        #expect(
            discovery.method(httpMethod: "POST", path: "calendars/c1@group.calendar.google.com/events/import")?.id
                == "calendar.events.import")
        #expect(discovery.method(httpMethod: "GET", path: "calendars/primary/events/import")?.id == "calendar.events.get")
        #expect(
            discovery.validateRequest(
                httpMethod: "GET", path: "calendars/primary/events",
                query: [
                    ("maxResults", "10"), ("privateExtendedProperty", "a=1"),
                    ("privateExtendedProperty", "b=2"),
                ], body: nil
            ).1.isEmpty)
        #expect(
            !discovery.validateRequest(
                httpMethod: "GET", path: "calendars/primary/events", query: [("maxResults", "0")],
                body: nil
            ).1.isEmpty)
        #expect(
            !discovery.validateRequest(
                httpMethod: "GET", path: "calendars/primary/events", query: [("orderBy", "x")],
                body: nil
            ).1.isEmpty)
        #expect(
            !discovery.validateRequest(
                httpMethod: "GET", path: "calendars/primary/events", query: [("q", "a"), ("q", "b")],
                body: nil
            ).1.isEmpty)
        #expect(!discovery.validateRequest(httpMethod: "POST", path: "calendars", query: [], body: #"{"summary":1}"#).1.isEmpty)
        #expect(
            !discovery.validateRequest(
                httpMethod: "POST", path: "calendars", query: [],
                body: #"{"summary":"a","colour":"red"}"#
            ).1.isEmpty)
        #expect(
            discovery.validateRequest(
                httpMethod: "POST", path: "calendars/primary/acl", query: [],
                body: #"{"role":"reader","scope":{"type":"default"}}"#
            ).1.isEmpty)
        #expect(!discovery.validateRequest(httpMethod: "GET", path: "nowhere", query: [], body: nil).1.isEmpty)
        let event = try #require(discovery.method(httpMethod: "GET", path: "calendars/primary/events/abcde"))
        #expect(
            discovery.validateResponse(status: 200, body: #"{"kind":"calendar#event","sequence":"1"}"#, method: event, partial: false)
                .count == 1)
        #expect(
            discovery.validateResponse(
                status: 200, body: #"{"kind":"calendar#event","start":{"date":"2026-12-25"}}"#, method: event,
                partial: false
            ).isEmpty)
        let envelope =
            #"{"error":{"errors":[{"domain":"global","reason":"notFound","message":"Not Found"}],"code":404,"#
            + #""message":"Not Found"}}"#
        #expect(discovery.validateErrorEnvelope(status: 404, body: envelope).isEmpty)
        #expect(!discovery.validateErrorEnvelope(status: 404, body: #"{"error":{"code":404,"message":"Not Found"}}"#).isEmpty)
    }
}
