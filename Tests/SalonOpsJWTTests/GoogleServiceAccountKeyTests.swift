import Foundation
import SalonOpsSecrets
import Testing
@testable import SalonOpsJWT

@Suite struct GoogleServiceAccountKeyTests {
    static func keyFile(privateKey: String, removing: String? = nil, setting: [String: Any] = [:]) throws -> Data {
        var object: [String: Any] = [
            "type": "service_account", "project_id": "salonops-test", "private_key_id": "0123abcd",
            "private_key": privateKey, "client_email": "sync@salonops-test.iam.gserviceaccount.com", "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "http://127.0.0.1:9/token",
        ]
        if let removing { object[removing] = nil }
        object.merge(setting) { $1 }
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func aKeyFileDecodesAndMakesGooglesAssertion() async throws {
        let keys = try await keys()
        let key = try GoogleServiceAccountKey(json: Self.keyFile(privateKey: keys.rsa))
        #expect(
            key
                == GoogleServiceAccountKey(
                    clientEmail: "sync@salonops-test.iam.gserviceaccount.com", privateKey: keys.rsa,
                    privateKeyID: "0123abcd", tokenURI: "http://127.0.0.1:9/token",
                    projectID: "salonops-test", clientID: "1234567890"))
        let bare = try GoogleServiceAccountKey(json: Self.keyFile(privateKey: keys.rsa, setting: ["project_id": NSNull()]))
        #expect(bare.projectID == nil)

        // aud is Google's token endpoint even when token_uri points at an emulator, as google-auth does.
        let assertion = key.assertion(
            scopes: Sample.scope.split(separator: " ").map(String.init), subject: "stylist@salon.example",
            issuedAt: Sample.issuedAt)
        #expect(
            assertion
                == JWTBearerAssertion(
                    issuer: key.clientEmail, subject: "stylist@salon.example", scope: Sample.scope,
                    audience: "https://oauth2.googleapis.com/token", keyID: "0123abcd",
                    issuedAt: Sample.issuedAt, lifetime: 3600))
        let token = try key.signedAssertion(scopes: ["https://www.googleapis.com/auth/calendar"], issuedAt: Sample.issuedAt)
        let verified = try await JWTBearerAssertion.verify(
            token, publicKeyPEM: keys.rsaPublic,
            audience: GoogleServiceAccountKey.tokenAudience, now: Sample.issuedAt)
        #expect(verified.keyID == "0123abcd" && verified.issuer == key.clientEmail && verified.subject == nil)
    }

    @Test(arguments: ["type", "client_email", "private_key", "private_key_id", "token_uri"])
    func aMissingFieldIsNamed(_ field: String) throws {
        #expect(throws: GoogleServiceAccountKeyError.missingField(field)) {
            try GoogleServiceAccountKey(json: Self.keyFile(privateKey: "PEM", removing: field))
        }
        #expect(throws: GoogleServiceAccountKeyError.missingField(field)) {
            try GoogleServiceAccountKey(json: Self.keyFile(privateKey: "PEM", setting: [field: ""]))
        }
        #expect(throws: GoogleServiceAccountKeyError.notAString(field)) {
            try GoogleServiceAccountKey(json: Self.keyFile(privateKey: "PEM", setting: [field: 42]))
        }
    }

    @Test func otherFilesAreRefused() throws {
        #expect(throws: GoogleServiceAccountKeyError.wrongType("authorized_user")) {
            try GoogleServiceAccountKey(json: Self.keyFile(privateKey: "PEM", setting: ["type": "authorized_user"]))
        }
        #expect(throws: GoogleServiceAccountKeyError.wrongType(nil)) {
            try GoogleServiceAccountKey(json: Self.keyFile(privateKey: "PEM", setting: ["type": "-----BEGIN PRIVATE KEY-----\nMIIE"]))
        }
        for text in ["", "[]", "not json", #"{"type": "service_account""#] {
            #expect(throws: GoogleServiceAccountKeyError.notJSONObject) { try GoogleServiceAccountKey(json: Data(text.utf8)) }
        }
    }

    @Test func thePrivateKeyIsNeverShown() async throws {
        let canary = "CANARYc4n4ryC4NARY"
        let pem = "-----BEGIN PRIVATE KEY-----\n\(canary)\n-----END PRIVATE KEY-----\n"
        let key = try GoogleServiceAccountKey(json: Self.keyFile(privateKey: pem))
        var dumped = ""
        dump(key, to: &dumped)
        let shown = [String(describing: key), String(reflecting: key), dumped, "\(key)"]
        #expect(shown.allSatisfy { !$0.contains(canary) && $0.contains("sync@salonops-test") }, "\(shown)")

        let errors: [(any Error)?] = [
            await thrown { try key.signedAssertion(scopes: ["s"], issuedAt: Sample.issuedAt) },
            await thrown { try GoogleServiceAccountKey(json: Self.keyFile(privateKey: pem, removing: "token_uri")) },
            await thrown { try GoogleServiceAccountKey(json: Self.keyFile(privateKey: pem, setting: ["type": pem])) },
            await thrown { try GoogleServiceAccountKey(json: Data(#"{"private_key": "\#(canary)""#.utf8)) },
        ]
        for error in errors {
            var text = String(describing: error) + String(reflecting: error)
            dump(error, to: &text)
            #expect(error != nil && !text.contains(canary), "\(text)")
        }
    }
}
