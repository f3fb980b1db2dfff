import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsJWT

/// google-auth (PyPI, in the venv `make test` makes) as the independent peer: it verifies the
/// assertions SalonOps signs, and SalonOps verifies the ones it signs.
@Suite struct GoogleAuthInteropTests {
    static var python: String {
        let venv = Paths.packageRoot.appendingPathComponent(".venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// Runs `script` with the files of `folder` at hand; its stdout, or a failure with its stderr.
    static func python(_ script: String, _ arguments: [String], in folder: TempFolder) async throws -> CommandResult {
        try await CommandRunner.run(python, ["-c", script] + arguments, in: folder.url, timeout: 60)
    }

    static let decodeScript = """
        import json, sys
        from google.auth import jwt
        token, certs = open(sys.argv[1]).read(), open(sys.argv[2]).read()
        claims = jwt.decode(token, certs=certs, audience=sys.argv[3])
        print(json.dumps({"header": jwt.decode_header(token), "claims": claims}, sort_keys=True))
        """

    static let serviceAccountScript = """
        import json, sys
        from google.oauth2 import service_account
        info = json.load(open(sys.argv[1]))
        credentials = service_account.Credentials.from_service_account_info(info, scopes=sys.argv[2].split(" "))
        if len(sys.argv) > 3:
            credentials = credentials.with_subject(sys.argv[3])
        # The assertion refresh() POSTs to token_uri, made without any network.
        token = credentials._make_authorization_grant_assertion()
        print(token.decode() if isinstance(token, bytes) else token)
        """

    static let encodeScript = """
        import sys, time
        from google.auth import crypt, jwt
        signer = crypt.RSASigner.from_string(open(sys.argv[1]).read(), key_id="k-google")
        now = int(time.time())
        payload = {"iss": "peer@example.iam.gserviceaccount.com", "aud": sys.argv[2], "iat": now, "exp": now + 600, "scope": "a b"}
        token = jwt.encode(signer, payload)
        print(token.decode() if isinstance(token, bytes) else token)
        """

    struct Decoded: Decodable, Equatable {
        let header: [String: String]
        let claims: Claims
        struct Claims: Decodable, Equatable {
            let iss: String, aud: String, scope: String, sub: String?, iat: Int, exp: Int
        }
    }

    @Test func googleAuthVerifiesOurAssertionWithTheClaimsItMakesItself() async throws {
        let keys = try await keys()
        let folder = try TempFolder("google-auth")
        try GoogleServiceAccountKeyTests.keyFile(privateKey: keys.rsa).write(to: folder.url.appendingPathComponent("key.json"))
        try keys.rsaPublic.write(to: folder.url.appendingPathComponent("public.pem"), atomically: true, encoding: .utf8)
        let key = try GoogleServiceAccountKey(json: Data(contentsOf: folder.url.appendingPathComponent("key.json")))
        let ours = try key.signedAssertion(
            scopes: Sample.scope.split(separator: " ").map(String.init), subject: "stylist@salon.example",
            issuedAt: Date())
        try ours.write(to: folder.url.appendingPathComponent("ours.jwt"), atomically: true, encoding: .utf8)

        let audience = GoogleServiceAccountKey.tokenAudience
        let decoded = try await Self.python(Self.decodeScript, ["ours.jwt", "public.pem", audience], in: folder)
        #expect(decoded.status == 0, "\(decoded.stderr)")
        let mine = try JSONDecoder().decode(Decoded.self, from: Data(decoded.stdout.utf8))

        let made = try await Self.python(Self.serviceAccountScript, ["key.json", Sample.scope, "stylist@salon.example"], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        try made.stdout.trimmingCharacters(in: .whitespacesAndNewlines).write(
            to: folder.url.appendingPathComponent("theirs.jwt"),
            atomically: true, encoding: .utf8)
        let theirsDecoded = try await Self.python(Self.decodeScript, ["theirs.jwt", "public.pem", audience], in: folder)
        let theirs = try JSONDecoder().decode(Decoded.self, from: Data(theirsDecoded.stdout.utf8))

        #expect(mine.header == ["alg": "RS256", "typ": "JWT", "kid": "0123abcd"])
        #expect(mine.header == theirs.header)
        #expect(mine.claims.iss == theirs.claims.iss && mine.claims.aud == theirs.claims.aud)
        #expect(mine.claims.scope == theirs.claims.scope && mine.claims.sub == theirs.claims.sub)
        #expect(mine.claims.exp - mine.claims.iat == theirs.claims.exp - theirs.claims.iat)

        // And the other way: google-auth's own service-account assertion passes our verifier.
        let theirToken = try String(contentsOf: folder.url.appendingPathComponent("theirs.jwt"), encoding: .utf8)
        let verified = try await JWTBearerAssertion.verify(theirToken, publicKeyPEM: keys.rsaPublic, audience: audience)
        #expect(verified.keyID == "0123abcd" && verified.issuer == key.clientEmail && verified.subject == "stylist@salon.example")
        #expect(verified.scope == Sample.scope && verified.expiresAt.timeIntervalSince(verified.issuedAt) == 3600)
    }

    @Test func weVerifyGoogleAuthsJWTAndItRefusesAWrongKey() async throws {
        let keys = try await keys()
        let folder = try TempFolder("google-auth")
        try keys.rsa.write(to: folder.url.appendingPathComponent("key.pem"), atomically: true, encoding: .utf8)
        try keys.otherPublic.write(to: folder.url.appendingPathComponent("other.pem"), atomically: true, encoding: .utf8)
        let encoded = try await Self.python(Self.encodeScript, ["key.pem", "https://emulator.test/token"], in: folder)
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let token = encoded.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let verified = try await JWTBearerAssertion.verify(token, publicKeyPEM: keys.rsaPublic, audience: "https://emulator.test/token")
        #expect(verified.keyID == "k-google" && verified.issuer == "peer@example.iam.gserviceaccount.com" && verified.scopes == ["a", "b"])
        await #expect(throws: JWTBearerError.signatureInvalid) {
            try await JWTBearerAssertion.verify(token, publicKeyPEM: keys.otherPublic, audience: "https://emulator.test/token")
        }

        // The peer is not lenient: our assertion with the wrong key fails there too.
        var fresh = Sample.assertion()
        fresh.issuedAt = Date()
        try fresh.signed(privateKeyPEM: keys.rsa)
            .write(to: folder.url.appendingPathComponent("ours.jwt"), atomically: true, encoding: .utf8)
        let refused = try await Self.python(Self.decodeScript, ["ours.jwt", "other.pem", Sample.audience], in: folder)
        #expect(refused.status != 0 && refused.stderr.contains("Could not verify token signature"), "\(refused.stderr)")
    }
}
