import Foundation
import SalonOpsEmulatorKit
import SalonOpsGoogleBusinessProfileEmulator
import SalonOpsProviderTesting
import Testing

/// The token endpoint, bearer tokens, the sandbox options, faults, stats and reset.
@Suite(.enabled(if: gbpSpecAvailable, Comment(rawValue: gbpSpecMissing)))
struct EmulatorGoogleBusinessProfileTokenTests {
    @Test func refreshGrantIssuesAnHourLongBearerToken() async throws {
        let g = try GBPHarness()
        let reply = await g.tokenRequest(GBPHarness.refreshForm)
        #expect(reply.status == 200)
        #expect(reply.json["token_type"] as? String == "Bearer")
        #expect(reply.json["expires_in"] as? Int == 3599)
        #expect(reply.json["scope"] as? String == "https://www.googleapis.com/auth/business.manage")
        #expect(reply.json["refresh_token"] == nil, "Google does not rotate refresh tokens")
        let token = try #require(reply.json["access_token"] as? String)
        #expect(try await g.call("GET", "v1/locations/101", query: [("readMask", "title")], auth: .bearer(token)).status == 200)
        g.clock.advance(by: 3601)
        let expired = try await g.call("GET", "v1/locations/101", query: [("readMask", "title")], auth: .bearer(token))
        #expect(expired.status == 401)
        #expect(expired.errorStatus == "UNAUTHENTICATED")
        #expect(expired.header("WWW-Authenticate")?.contains("invalid_token") == true)
    }

    @Test func clientCredentialsMayComeAsBasic() async throws {
        let g = try GBPHarness()
        let basic = "Basic " + Data("client-1.apps.googleusercontent.com:secret-1".utf8).base64EncodedString()
        let reply = await g.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", "1//refresh-1")], headers: ["authorization": basic])
        #expect(reply.status == 200, "\(reply.body)")
    }

    @Test func refusalsInTheOAuthShape() async throws {
        let g = try GBPHarness()
        func form(_ changes: [String: String?]) -> [(String, String)] {
            GBPHarness.refreshForm.compactMap { name, value in
                guard let change = changes[name] else { return (name, value) }
                return change.map { (name, $0) }
            }
        }
        let cases: [([(String, String)], Int, String)] = [
            (form(["refresh_token": "1//someone-else"]), 400, "invalid_grant"),
            (form(["client_secret": "wrong"]), 401, "invalid_client"),
            (form(["client_id": "stranger.apps.googleusercontent.com"]), 401, "invalid_client"),
            (form(["grant_type": "client_credentials"]), 400, "unsupported_grant_type"),
            (form(["grant_type": nil]), 400, "invalid_request"),
            (form(["refresh_token": nil]), 400, "invalid_request"),
            (form(["client_id": nil]), 400, "invalid_request"),
        ]
        for (body, status, error) in cases {
            let reply = await g.tokenRequest(body)
            #expect(reply.status == status, "\(body)")
            #expect(reply.json["error"] as? String == error, "\(body): \(reply.body)")
            #expect(reply.json["error_description"] is String)
        }
        #expect(await g.tokenRequest(GBPHarness.refreshForm, method: "GET").status == 405)
    }

    /// Without the clients option any client is accepted (sandbox convenience), the grant's shape still checked.
    @Test func withoutTheClientsOptionAnyClientIsAccepted() async throws {
        let g = try GBPHarness(options: GoogleBusinessProfileOptions())
        let anyone: [(String, String)] = [("grant_type", "refresh_token"), ("refresh_token", "x"), ("client_id", "y"), ("client_secret", "z")]
        #expect(await g.tokenRequest(anyone).status == 200)
        let noRefresh = await g.tokenRequest(Array(anyone.filter { $0.0 != "refresh_token" }))
        #expect(noRefresh.status == 400)
        #expect(noRefresh.json["error"] as? String == "invalid_request")
        #expect(await g.tokenRequest(anyone.map { $0.0 == "grant_type" ? ($0.0, "password") : $0 }).json["error"] as? String == "unsupported_grant_type")
    }

    @Test func everyAPIRequestNeedsATokenIssuedHere() async throws {
        let g = try GBPHarness()
        let missing = try await g.call(on: .accountManagement, "GET", "v1/accounts", auth: .anonymous)
        #expect(missing.status == 401)
        #expect(missing.errorStatus == "UNAUTHENTICATED")
        #expect(missing.reason == "CREDENTIALS_MISSING")
        let forged = try await g.call("GET", "v1/locations/101", query: [("readMask", "title")], auth: .bearer("ya29.forged"))
        #expect(forged.status == 401)
        let basic = try await g.call("GET", "v1/locations/101", query: [("readMask", "title")], auth: .anonymous, headers: ["authorization": "Basic eDp5"])
        #expect(basic.status == 401)
        let token = try await g.token()
        let asParameter = try await g.call("GET", "v1/locations/101", query: [("readMask", "title"), ("access_token", token)], auth: .anonymous)
        #expect(asParameter.status == 200)
    }

    @Test func sandboxOptions() throws {
        let seeded = try GoogleBusinessProfileEmulator(
            settings: EmulatorSettings(
                seed: 3,
                options: ["locations": "accounts/1/locations/2=Belle Époque Paris 11,accounts/7/locations/9", "clients": "id-1:secret-1:rt-1,id-2:s2:rt-2"]))
        let stored = try #require(seeded.location("locations/2"))
        let location = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
        #expect(location["title"] as? String == "Belle Époque Paris 11")
        #expect(location["languageCode"] as? String == "fr")
        #expect((location["storefrontAddress"] as? [String: Any])?["regionCode"] as? String == "FR")
        #expect((location["openInfo"] as? [String: Any])?["status"] as? String == "OPEN")
        #expect(location["regularHours"] == nil)
        #expect(seeded.location("locations/9") != nil)
        for bad in [["locations": "locations/2"], ["locations": "accounts/1/locations/2,accounts/3/locations/2"], ["clients": "id:secret"], ["pageSize": "5"]] {
            #expect(throws: EmulatorOptionError.self, "\(bad)") { try GoogleBusinessProfileEmulator(settings: EmulatorSettings(seed: 1, options: bad)) }
        }
    }

    @Test func faultsStatsAndReset() async throws {
        let g = try GBPHarness()
        let limited = g.emulator.faultResponse(.rateLimited, retryAfterSeconds: 2, path: "/api/v1/locations/101")
        #expect(limited.status == 429)
        #expect(limited.headers.contains { $0.0 == "Retry-After" && $0.1 == "2" })
        #expect(GBPSpecCheck.rpcStatus(status: 429, body: limited.body).isEmpty, "\(limited.body)")
        #expect(limited.body.contains("RESOURCE_EXHAUSTED"))
        let unavailable = g.emulator.faultResponse(.unavailable, retryAfterSeconds: 1, path: "/accounts/v1/accounts")
        #expect(unavailable.status == 503)
        #expect(GBPSpecCheck.rpcStatus(status: 503, body: unavailable.body).isEmpty)
        let oauth = g.emulator.faultResponse(.unavailable, retryAfterSeconds: 1, path: "/oauth/token")
        #expect(oauth.body.contains("temporarily_unavailable"))

        #expect(g.emulator.statsPath(method: "PATCH", path: "/api/v1/locations/101") == "/api/v1/locations/{locationId}")
        #expect(g.emulator.statsPath(method: "GET", path: "/api/v1/accounts/1/locations") == "/api/v1/accounts/{accountId}/locations")
        #expect(g.emulator.statsPath(method: "GET", path: "/accounts/v1/accounts/1") == "/accounts/v1/accounts/{accountId}")
        #expect(g.emulator.statsPath(method: "POST", path: "/oauth/token") == "/oauth/token")
        #expect(g.emulator.isWrite(method: "PATCH", path: "/api/v1/locations/101"))
        #expect(!g.emulator.isWrite(method: "GET", path: "/api/v1/locations/101"))
        #expect(!g.emulator.isWrite(method: "POST", path: "/oauth/token"))

        let token = try await g.token()
        #expect(try await g.patch("locations/101", mask: "title", ["title": "Changé"]).status == 200)
        g.emulator.reset()
        #expect(g.stored("locations/101")["title"] as? String == "Belle Époque 1", "back to the seeded location")
        let stale = try await g.call("GET", "v1/locations/101", query: [("readMask", "title")], auth: .bearer(token))
        #expect(stale.status == 401, "tokens are dropped")
        #expect(try await g.get("locations/101").status == 200, "the clients option is kept")
    }
}
