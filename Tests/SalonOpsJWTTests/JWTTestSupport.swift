import Foundation
import JWTKit
import SalonOpsTestSupport
@testable import SalonOpsJWT

enum Sample {
    static let issuedAt = Date(timeIntervalSince1970: 1_800_000_000)
    static let audience = GoogleServiceAccountKey.tokenAudience
    static let scope = "https://www.googleapis.com/auth/calendar https://www.googleapis.com/auth/business.manage"

    /// What SalonOps signs for Google: a service account acting as a stylist (domain-wide delegation).
    static func assertion(lifetime: TimeInterval = 3600) -> JWTBearerAssertion {
        JWTBearerAssertion(
            issuer: "sync@salonops-test.iam.gserviceaccount.com", subject: "stylist@salon.example", scope: scope,
            audience: audience, keyID: "k1", issuedAt: issuedAt + 0.75, lifetime: lifetime)
    }

    /// A token signed by jwt-kit's own RSA (swift-crypto), with claims our signer would refuse to make.
    static func signedByJWTKit(privateKeyPEM: String, lifetime: TimeInterval, header: JWTHeader = ["kid": "k1"]) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: privateKeyPEM), digestAlgorithm: .sha256)
        return try await keys.sign(claims(lifetime: lifetime), header: header)
    }

    static func claims(lifetime: TimeInterval) -> BearerClaims {
        BearerClaims(
            iss: "sync@salonops-test.iam.gserviceaccount.com", sub: nil, scope: scope, aud: .init(value: audience),
            iat: .init(value: issuedAt), exp: .init(value: issuedAt + lifetime), extra: [:])
    }
}

extension String {
    /// The three dot-separated parts of a compact JWT.
    var jwtParts: [String] { split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
}

func base64URLDecoded(_ text: String) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    return Data(base64Encoded: base64)
}

func base64URLEncoded(_ text: String) -> String { base64URL(Array(text.utf8)) }

/// The error a throwing async body ends in, or nil.
func thrown(_ body: () async throws -> Any) async -> (any Error)? {
    do { _ = try await body() } catch { return error }
    return nil
}

func keys() async throws -> OpenSSLTestKeys { try await OpenSSLTestKeys.shared.value }
