import Foundation
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsEmulatorKit
import SalonOpsGoogleCalendarEmulator
import SalonOpsProviderTesting
import Testing

/// Whether the Calendar discovery document is where the tests look for it.
let calendarSpecAvailable = calendarDiscovery() != nil
let calendarSpecMissing = "google-calendar.v3.json not found in ../shared/specs or /work/shared/specs"

@Suite(.enabled(if: calendarSpecAvailable, Comment(rawValue: calendarSpecMissing)))
struct GoogleCalendarTokenTests {
    @Test func serviceAccountGetsABearerTokenWithAndWithoutSubject() async throws {
        try await withGoogleSandbox { g in
            let reply = try await g.tokenRequest(assertion: try await g.assertion(claims: g.claims()))
            #expect(reply.status == 200)
            #expect(reply.string("token_type") == "Bearer")
            #expect(reply.json["expires_in"] as? Int == 3599)
            #expect(reply.string("access_token")?.hasPrefix("ya29.") == true)
            #expect(reply.json.keys.sorted() == ["access_token", "expires_in", "token_type"])

            // Without `sub` the token acts as the service account itself: its own primary calendar.
            let own = try await g.client(as: nil)
            let primary = try await own.call(.GET, "calendars/primary")
            #expect(primary.status == 200)
            #expect(primary.string("id") == GoogleFixture.serviceAccount)
            let impersonated = try await g.client(as: GoogleFixture.stylist)
            #expect(try await impersonated.call(.GET, "calendars/primary").string("id") == GoogleFixture.stylist)
        }
    }

    @Test func refusalsUseGoogleWordingAndStatus() async throws {
        try await withGoogleSandbox { g in
            let stranger = try await TestKeys.stranger.value
            func refused(_ assertion: String) async throws -> (Int, String?, String?) {
                let reply = try await g.tokenRequest(assertion: assertion)
                #expect(reply.json.keys.sorted() == ["error", "error_description"], "\(reply.body)")
                return (reply.status, reply.string("error"), reply.string("error_description"))
            }
            let header: [String: Any] = ["alg": "RS256", "typ": "JWT", "kid": GoogleFixture.keyID]
            let short =
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                + "Check your iat and exp values and use a clock with skew to account for clock differences between systems."

            let wrongGrant = try await g.tokenRequest(form: [("grant_type", "client_credentials"), ("assertion", "x")])
            #expect(wrongGrant.status == 400)
            #expect(wrongGrant.string("error") == "unsupported_grant_type")
            #expect(wrongGrant.string("error_description") == "Invalid grant_type: client_credentials")
            let noAssertion = try await g.tokenRequest(form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")])
            #expect(noAssertion.status == 400)
            #expect(noAssertion.string("error_description") == "Missing required parameter: assertion")

            #expect(try await refused("not.a.jwt") == (400, "invalid_grant", "Bad Request"))
            let signature = (400, "invalid_grant", "Invalid JWT Signature.")
            #expect(try await refused(try await g.assertion(claims: g.claims(), signer: stranger)) == signature)
            #expect(
                try await refused(try await g.assertion(header: ["alg": "HS256", "kid": GoogleFixture.keyID], claims: g.claims()))
                    == signature)
            #expect(try await refused(try await g.assertion(header: ["alg": "RS256"], claims: g.claims())) == signature)
            #expect(try await refused(try await g.assertion(header: ["alg": "RS256", "kid": "k2"], claims: g.claims())) == signature)
            // A signature over other claims: the payload was changed after signing.
            let signed = try await g.assertion(claims: g.claims())
            let parts = signed.split(separator: ".")
            let tampered = parts[0] + "." + (try TestRSAKey.part(g.claims(subject: "boss@salon.example"))) + "." + parts[2]
            #expect(try await refused(String(tampered)) == signature)

            #expect(
                try await refused(try await g.assertion(claims: g.claims(extra: ["iss": "nobody@p.iam.gserviceaccount.com"])))
                    == (400, "invalid_grant", "Invalid grant: account not found"))
            #expect(
                try await refused(try await g.assertion(header: header, claims: g.claims(extra: ["aud": "http://127.0.0.1/token"])))
                    == (400, "invalid_grant", "Invalid JWT: Failed audience check."))
            #expect(try await refused(try await g.assertion(claims: g.claims(lifetime: 3601))) == (400, "invalid_grant", short))
            #expect(
                try await refused(try await g.assertion(claims: g.claims(issuedAt: g.clock.now.addingTimeInterval(-7200))))
                    == (400, "invalid_grant", short))
            #expect(
                try await refused(try await g.assertion(claims: g.claims(issuedAt: g.clock.now.addingTimeInterval(3600))))
                    == (400, "invalid_grant", short))
            #expect(
                try await refused(try await g.assertion(claims: g.claims(scope: nil)))
                    == (400, "invalid_scope", "Empty or missing scope not allowed."))
            #expect(
                try await refused(try await g.assertion(claims: g.claims(scope: "https://www.googleapis.com/auth/drive")))
                    == (400, "invalid_scope", "Invalid OAuth scope or ID token audience provided."))
            #expect(
                try await refused(try await g.assertion(claims: g.claims(subject: "not an email")))
                    == (400, "invalid_request", "Invalid impersonation \"sub\" field."))
        }
    }

    @Test func impersonationNeedsDomainWideDelegationOfTheScopes() async throws {
        try await withGoogleSandbox { g in
            googleCalendar(g.server).registerServiceAccount(
                clientEmail: GoogleFixture.serviceAccount, publicKeyPEM: g.key.publicKeyPEM, keyID: GoogleFixture.keyID,
                delegatedScopes: ["https://www.googleapis.com/auth/calendar.readonly"])
            let refused = try await g.tokenRequest(assertion: try await g.assertion(claims: g.claims()))
            #expect(refused.status == 401)
            #expect(refused.string("error") == "unauthorized_client")
            #expect(
                refused.string("error_description") == "Client is unauthorized to retrieve access tokens using this method, "
                    + "or client not authorized for any of the scopes requested.")
            let readOnly = try await g.tokenRequest(
                assertion: try await g.assertion(
                    claims: g.claims(scope: "https://www.googleapis.com/auth/calendar.readonly")))
            #expect(readOnly.status == 200)
            // The service account acting as itself needs no delegation.
            #expect(try await g.tokenRequest(assertion: try await g.assertion(claims: g.claims(subject: nil))).status == 200)
        }
    }

    @Test func apiRequestsNeedAnUnexpiredTokenIssuedHere() async throws {
        try await withGoogleSandbox { g in
            let anonymous = GoogleClient(google: g, token: nil)
            let missing = try await anonymous.call(.GET, "users/me/calendarList")
            #expect(missing.status == 401)
            #expect(missing.reason == "required")
            #expect(missing.errorMessage == "Login Required.")
            #expect(missing.googleError["location"] as? String == "Authorization")

            let forged = try await GoogleClient(google: g, token: "ya29.forged").call(.GET, "users/me/calendarList")
            #expect(forged.status == 401)
            #expect(forged.reason == "authError")
            #expect(forged.errorMessage == "Invalid Credentials")
            #expect(forged.error["message"] as? String == "Invalid Credentials")
            #expect(forged.headers.first(name: "WWW-Authenticate")?.contains("invalid_token") == true)

            let client = try await g.client()
            #expect(try await client.call(.GET, "users/me/calendarList").status == 200)
            g.clock.advance(by: 3599)
            #expect(try await client.call(.GET, "users/me/calendarList").status == 200)
            g.clock.advance(by: 1)
            let expired = try await client.call(.GET, "users/me/calendarList")
            #expect(expired.status == 401)
            #expect(expired.reason == "authError")
        }
    }

    @Test func methodsNeedOneOfTheirScopes() async throws {
        try await withGoogleSandbox { g in
            let reader = try await g.client(scope: "https://www.googleapis.com/auth/calendar.readonly")
            #expect(try await reader.call(.GET, "users/me/calendarList").status == 200)
            let write = try await reader.call(.POST, "calendars", body: ["summary": "Cabine 1"])
            #expect(write.status == 403)
            #expect(write.reason == "insufficientPermissions")
            #expect(write.error["message"] as? String == "Request had insufficient authentication scopes.")
            // acl.* does not accept calendar.app.created [C spec:cal acl.insert.scopes].
            let appCreated = try await g.client(scope: "https://www.googleapis.com/auth/calendar.app.created")
            let calendar = try await appCreated.call(.POST, "calendars", body: ["summary": "Cabine 2"])
            #expect(calendar.status == 200)
            let acl = try await appCreated.call(.GET, "calendars/\(calendar.string("id") ?? "")/acl")
            #expect(acl.status == 403)
            #expect(acl.reason == "insufficientPermissions")
        }
    }
}
