import SalonOpsEmulatorKit
import Foundation

/// `POST https://oauth2.googleapis.com/token` (served at `/google-calendar/oauth/token`) for the
/// service-account JWT-bearer grant [C developers.google.com/identity/protocols/oauth2/service-account]:
/// `{"access_token","expires_in":3599,"token_type":"Bearer"}`, or the RFC 6749 error shape
/// `{"error","error_description"}` with Google's wording.
enum GoogleTokenEndpoint {
    /// google-auth always signs with this audience, whatever `token_uri` says (notes booking.md §1.2).
    static let audience = "https://oauth2.googleapis.com/token"
    /// Google's access tokens live an hour; it announces 3599 seconds.
    static let lifetime: TimeInterval = 3600
    static let announcedLifetime = 3599

    static func refusal(_ refusal: JWTBearerRefusal) -> EmulatorResponse {
        let (status, error, description) = wording(refusal)
        return .json(status, .object([("error", .string(error)), ("error_description", .string(description))]))
            .withGoogleJSONType.adding(header: "Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
    }

    /// Status, `error` and `error_description` for each refusal, with the public capture each
    /// text comes from ([R] reported in the issue named, [A] assumed).
    static func wording(_ refusal: JWTBearerRefusal) -> (Int, String, String) {
        switch refusal {
        case .unsupportedGrantType(let value):
            // [R] googleapis/google-api-ruby-client#862, natelindev/tsdav#130: "Invalid grant_type: ".
            return (400, "unsupported_grant_type", "Invalid grant_type: \(value)")
        case .missingParameter(let name):
            // [A] Google's "Missing required parameter: …" wording (itchyny/calendar.vim#231 shows it for client_id).
            return (400, "invalid_request", "Missing required parameter: \(name)")
        case .malformedAssertion:
            // [R] atinux/nuxt-auth-utils#440: oauth2.googleapis.com/token answering invalid_grant "Bad Request".
            return (400, "invalid_grant", "Bad Request")
        case .unsupportedAlgorithm, .missingKeyID, .unknownKeyID, .badSignature:
            // [R] googleapis/google-cloud-python#10004 (a rotated key): "Invalid JWT Signature.".
            return (400, "invalid_grant", "Invalid JWT Signature.")
        case .unknownIssuer:
            // [R] googleapis/google-cloud-php#3622: a deleted or disabled service account.
            return (400, "invalid_grant", "Invalid grant: account not found")
        case .wrongAudience:
            // [R] GoogleCloudDataproc/hadoop-connectors#822 (400, invalid_grant).
            return (400, "invalid_grant", "Invalid JWT: Failed audience check.")
        case .badLifetime:
            // [R] googleapis/google-api-php-client#1429.
            return (
                400, "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                    + "Check your iat and exp values and use a clock with skew to account for clock differences between systems."
            )
        case .missingScope:
            // [R] googleapis/google-auth-library-python#217.
            return (400, "invalid_scope", "Empty or missing scope not allowed.")
        case .unknownScope:
            // [R] googleapis/google-oauth-java-client#602.
            return (400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        case .invalidSubject:
            // [R] GAM-team/GAM#1171: "invalid_request: Invalid impersonation "sub" field".
            return (400, "invalid_request", "Invalid impersonation \"sub\" field.")
        case .subjectNotAuthorized:
            // [R] google-api-php-client#2214 (text) and #950 (401 from the token endpoint); notes §1.2.
            return (
                401, "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, "
                    + "or client not authorized for any of the scopes requested."
            )
        }
    }

    static func success(token: String) -> EmulatorResponse {
        .json(
            200,
            .object([
                ("access_token", .string(token)), ("expires_in", .int(announcedLifetime)), ("token_type", .string("Bearer")),
            ])
        ).withGoogleJSONType.adding(header: "Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
    }
}

extension CalendarState {
    enum TokenStep: Sendable {
        case identified(IdentifiedAssertion)
        case answered(EmulatorResponse)
    }

    /// The first step of a token request: the form, the assertion's structure and its key.
    func identifyAssertion(_ request: EmulatorRequest) -> TokenStep {
        guard request.method == "POST" else {
            return .answered(
                EmulatorResponse.json(
                    405,
                    .object([
                        ("error", .string("invalid_request")), ("error_description", .string("The token endpoint only answers POST.")),
                    ])
                ).withGoogleJSONType)
        }
        do {
            return .identified(try tokenEndpoint.identify(formBody: request.body))
        } catch {
            return .answered(GoogleTokenEndpoint.refusal(error))
        }
    }

    /// The last step, once the signature is checked: the claims, then a token.
    mutating func completeToken(_ identified: IdentifiedAssertion, signatureValid: Bool, now: Date) -> EmulatorResponse {
        guard signatureValid else { return GoogleTokenEndpoint.refusal(.badSignature) }
        do {
            let grant = try tokenEndpoint.grant(for: identified, now: now)
            let token = "ya29.c." + tokenIDs.string(length: 96, alphabet: IdentifierGenerator.alphanumerics + ["-", "_"])
            tokens.issue(grant, token: token, lifetime: GoogleTokenEndpoint.lifetime, now: now)
            return GoogleTokenEndpoint.success(token: token)
        } catch {
            return GoogleTokenEndpoint.refusal(error)
        }
    }
}
