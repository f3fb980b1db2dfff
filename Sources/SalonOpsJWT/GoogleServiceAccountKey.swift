import Foundation
import SalonOpsSecrets

/// A Google service-account key file (the JSON the Cloud console downloads). Printing it never shows
/// the private key; neither does any error about it.
public struct GoogleServiceAccountKey: Sendable, Equatable {
    /// The `aud` of every assertion: google-auth sends this whatever the file's token_uri says.
    public static let tokenAudience = "https://oauth2.googleapis.com/token"

    public let clientEmail: String
    /// PEM, PKCS#8.
    public let privateKey: String
    public let privateKeyID: String
    /// Where the assertion is POSTed (an emulator's address in tests).
    public let tokenURI: String
    public let projectID: String?
    public let clientID: String?

    public init(
        clientEmail: String, privateKey: String, privateKeyID: String, tokenURI: String,
        projectID: String? = nil, clientID: String? = nil
    ) {
        self.clientEmail = clientEmail
        self.privateKey = privateKey
        self.privateKeyID = privateKeyID
        self.tokenURI = tokenURI
        self.projectID = projectID
        self.clientID = clientID
    }

    public init(json: Data) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw GoogleServiceAccountKeyError.notJSONObject
        }
        func field(_ name: String, required: Bool = true) throws -> String? {
            guard let value = object[name], !(value is NSNull) else {
                if required { throw GoogleServiceAccountKeyError.missingField(name) }
                return nil
            }
            guard let text = value as? String else { throw GoogleServiceAccountKeyError.notAString(name) }
            if required && text.isEmpty { throw GoogleServiceAccountKeyError.missingField(name) }
            return text
        }
        let type = try field("type")!
        guard type == "service_account" else {
            // Kept only when it looks like a type name, so a pasted secret is never repeated back.
            let plain = type.count <= 40 && type.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            throw GoogleServiceAccountKeyError.wrongType(plain ? type : nil)
        }
        self.init(
            clientEmail: try field("client_email")!, privateKey: try field("private_key")!,
            privateKeyID: try field("private_key_id")!, tokenURI: try field("token_uri")!,
            projectID: try field("project_id", required: false), clientID: try field("client_id", required: false))
    }

    /// The assertion google-auth's service_account.Credentials makes: `scopes` joined by spaces, `sub`
    /// set for domain-wide delegation, this key's private_key_id as `kid`.
    public func assertion(
        scopes: [String], subject: String? = nil, issuedAt: Date,
        lifetime: TimeInterval = JWTBearerAssertion.maximumLifetime
    ) -> JWTBearerAssertion {
        JWTBearerAssertion(
            issuer: clientEmail, subject: subject, scope: scopes.joined(separator: " "), audience: Self.tokenAudience,
            keyID: privateKeyID, issuedAt: issuedAt, lifetime: lifetime)
    }

    public func signedAssertion(scopes: [String], subject: String? = nil, issuedAt: Date) throws -> String {
        try assertion(scopes: scopes, subject: subject, issuedAt: issuedAt).signed(privateKeyPEM: privateKey)
    }
}

extension GoogleServiceAccountKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "GoogleServiceAccountKey(client_email: \(clientEmail), private_key_id: \(privateKeyID), private_key: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "clientEmail": clientEmail, "privateKeyID": privateKeyID, "tokenURI": tokenURI,
                "privateKey": "<redacted>",
            ])
    }
}

public enum GoogleServiceAccountKeyError: Error, Equatable, CustomStringConvertible {
    case notJSONObject
    case missingField(String)
    case notAString(String)
    case wrongType(String?)

    public var description: String {
        switch self {
        case .notJSONObject: return "a service-account key file is a JSON object; this is not"
        case .missingField(let name): return "the service-account key file has no \(name)"
        case .notAString(let name): return "the service-account key file's \(name) is not a string"
        case .wrongType(let type):
            return "the key file's type is \(type.map { "\"\($0)\"" } ?? "not a type name"); a service-account key has \"service_account\""
        }
    }
}
