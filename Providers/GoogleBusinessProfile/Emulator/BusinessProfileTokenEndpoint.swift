import Foundation
import SalonOpsEmulatorKit

/// `POST https://oauth2.googleapis.com/token` (served at `/google-business-profile/oauth/token`)
/// for the refresh-token grant of a Business Profile owner's offline consent (RFC 6749 §6;
/// developers.google.com/my-business/content/implement-oauth): client credentials in the form
/// or in HTTP Basic (RFC 6749 §2.3.1, each part form-encoded). Answers
/// `{"access_token","expires_in":3599,"token_type":"Bearer","scope"}` or the RFC 6749 error shape
/// `{"error","error_description"}`. Google does not rotate refresh tokens, so none is returned.
enum BusinessProfileTokenEndpoint {
    static let scope = "https://www.googleapis.com/auth/business.manage"
    /// Google's access tokens live an hour; it announces 3599 seconds.
    static let lifetime: TimeInterval = 3600
    static let announcedLifetime = 3599

    struct Refusal: Error {
        var status: Int
        var error: String
        var description: String

        var response: EmulatorResponse {
            .json(status, .object([("error", .string(error)), ("error_description", .string(description))]))
                .withGoogleJSONType.adding(header: "Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
        }

        /// [A] Google's "Missing required parameter: …" wording.
        static func missing(_ name: String) -> Refusal {
            Refusal(status: 400, error: "invalid_request", description: "Missing required parameter: \(name)")
        }
    }

    /// The client and refresh token of a well-formed request, before they are checked.
    struct Grant {
        var clientID: String
        var clientSecret: String
        var refreshToken: String
    }

    /// Reads the request: method, form, grant type, client credentials, refresh token.
    static func grant(of request: EmulatorRequest) throws(Refusal) -> Grant {
        guard request.method == "POST" else {
            throw Refusal(status: 405, error: "invalid_request", description: "The token endpoint only answers POST.")
        }
        guard let form = QueryParameters(parsing: request.body) else {
            throw Refusal(status: 400, error: "invalid_request", description: "The request body is not form-encoded.")
        }
        guard let grantType = form["grant_type"], !grantType.isEmpty else { throw .missing("grant_type") }
        // [R] googleapis/google-api-ruby-client#862: "Invalid grant_type: …".
        guard grantType == "refresh_token" else {
            throw Refusal(status: 400, error: "unsupported_grant_type", description: "Invalid grant_type: \(grantType)")
        }
        var clientID = form["client_id"], clientSecret = form["client_secret"]
        if let header = request.header("authorization") {
            guard let basic = basicCredentials(header) else {
                throw Refusal(status: 401, error: "invalid_client", description: "The client credentials are not valid HTTP Basic.")
            }
            // RFC 6749 §2.3.1: one way of authenticating the client per request.
            guard clientSecret == nil else {
                throw Refusal(status: 400, error: "invalid_request", description: "The client is authenticated twice (Basic and form).")
            }
            (clientID, clientSecret) = (basic.id, basic.secret)
        }
        guard let clientID, !clientID.isEmpty else { throw .missing("client_id") }
        guard let clientSecret, !clientSecret.isEmpty else {
            // [R] google-auth-library-nodejs issues: "client_secret is missing.".
            throw Refusal(status: 400, error: "invalid_request", description: "client_secret is missing.")
        }
        guard let refreshToken = form["refresh_token"], !refreshToken.isEmpty else { throw .missing("refresh_token") }
        return Grant(clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken)
    }

    /// Checks the grant against the known clients (`nil`: any client, sandbox convenience).
    static func check(_ grant: Grant, clients: [GoogleBusinessProfileOptions.OAuthClient]?) throws(Refusal) {
        guard let clients else { return }
        let named = clients.filter { $0.clientID == grant.clientID }
        // [R] Google answers an unknown client 401 "The OAuth client was not found.", a wrong
        // secret 401 "Unauthorized", a revoked or foreign refresh token 400 invalid_grant.
        guard !named.isEmpty else { throw Refusal(status: 401, error: "invalid_client", description: "The OAuth client was not found.") }
        let authenticated = named.filter { $0.clientSecret == grant.clientSecret }
        guard !authenticated.isEmpty else { throw Refusal(status: 401, error: "invalid_client", description: "Unauthorized") }
        guard authenticated.contains(where: { $0.refreshToken == grant.refreshToken }) else {
            throw Refusal(status: 400, error: "invalid_grant", description: "Token has been expired or revoked.")
        }
    }

    static func success(token: String) -> EmulatorResponse {
        .json(
            200,
            .object([
                ("access_token", .string(token)), ("expires_in", .int(announcedLifetime)), ("scope", .string(scope)),
                ("token_type", .string("Bearer")),
            ])
        ).withGoogleJSONType.adding(header: "Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
    }

    /// `Basic base64(urlencode(id):urlencode(secret))`, each part form-decoded.
    static func basicCredentials(_ header: String) -> (id: String, secret: String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        func decode(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
        guard let id = decode(text[..<colon]), let secret = decode(text[text.index(after: colon)...]) else { return nil }
        return (id, secret)
    }
}

extension BusinessProfileState {
    /// A token request, start to end.
    mutating func handleToken(_ request: EmulatorRequest, now: Date) -> EmulatorResponse {
        do {
            let grant = try BusinessProfileTokenEndpoint.grant(of: request)
            try BusinessProfileTokenEndpoint.check(grant, clients: options.clients)
            let token = "ya29.a0" + tokenIDs.string(length: 120, alphabet: IdentifierGenerator.alphanumerics + ["-", "_"])
            // Expired tokens are dropped as new ones are issued, so the table stays small.
            tokens = tokens.filter { $0.value > now }
            tokens[token] = now.addingTimeInterval(BusinessProfileTokenEndpoint.lifetime)
            return BusinessProfileTokenEndpoint.success(token: token)
        } catch {
            return error.response
        }
    }
}
