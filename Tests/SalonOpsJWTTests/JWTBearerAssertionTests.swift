import Foundation
import JWTKit
import SalonOpsSecrets
import SalonOpsTestSupport
import Testing
@testable import SalonOpsJWT

/// Signed through OpenSSL, verified by jwt-kit's own RSA (swift-crypto): each side checks the other.
@Suite struct JWTBearerAssertionTests {
    @Test func signedAssertionVerifiesAndReturnsItsClaims() async throws {
        let keys = try await keys()
        let token = try Sample.assertion().signed(privateKeyPEM: keys.rsa)
        let verified = try await JWTBearerAssertion.verify(
            token, publicKeyPEM: keys.rsaPublic, audience: Sample.audience,
            now: Sample.issuedAt + 60)
        #expect(
            verified
                == JWTBearerAssertion.Verified(
                    keyID: "k1", issuer: "sync@salonops-test.iam.gserviceaccount.com", subject: "stylist@salon.example", scope: Sample.scope,
                    audience: [Sample.audience], issuedAt: Sample.issuedAt, expiresAt: Sample.issuedAt + 3600, extraClaims: [:]))
        #expect(verified.scopes == ["https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/business.manage"])
    }

    @Test func theTokenOnTheWireIsExactAndRepeatable() async throws {
        let keys = try await keys()
        let token = try Sample.assertion().signed(privateKeyPEM: keys.rsa)
        let parts = token.jwtParts
        #expect(parts.count == 3)
        #expect(base64URLDecoded(parts[0]).map { String(decoding: $0, as: UTF8.self) } == #"{"alg":"RS256","kid":"k1","typ":"JWT"}"#)
        #expect(
            base64URLDecoded(parts[1]).map { String(decoding: $0, as: UTF8.self) } == #"{"aud":"https://oauth2.googleapis.com/token","exp":1800003600,"iat":1800000000,"#
                + #""iss":"sync@salonops-test.iam.gserviceaccount.com","scope":"\#(Sample.scope)","sub":"stylist@salon.example"}"#)
        #expect(base64URLDecoded(parts[2])?.count == 256)
        #expect(try Sample.assertion().signed(privateKeyPEM: keys.rsa) == token)
        #expect(try Sample.assertion().signed(privateKeyPEM: keys.rsaPKCS1) == token)

        var bare = Sample.assertion()
        (bare.subject, bare.scope, bare.keyID) = (nil, nil, nil)
        let bareParts = try bare.signed(privateKeyPEM: keys.rsa).jwtParts
        #expect(base64URLDecoded(bareParts[0]).map { String(decoding: $0, as: UTF8.self) } == #"{"alg":"RS256","typ":"JWT"}"#)
        #expect(base64URLDecoded(bareParts[1]).map { String(decoding: $0, as: UTF8.self) }?.contains("sub") == false)
    }

    @Test func openSSLSignsAsJWTKitsOwnRSAAndVerifiesIt() async throws {
        let keys = try await keys()
        let collection = JWTKeyCollection()
        await collection.add(rsa: try Insecure.RSA.PrivateKey(pem: keys.rsa), digestAlgorithm: .sha256)
        let theirs = try await collection.getKey()
        let ours = try OpenSSLRS256(privateKey: RSASignature.PrivateKey(pem: keys.rsa))
        var bytes = SeededBytes(seed: 7_523)
        for size in [0, 1, 300, 4096] {
            let input = bytes.next(size)
            #expect(try ours.sign(input) == theirs.sign(input), "size \(size)")
        }
        let token = try await Sample.signedByJWTKit(privateKeyPEM: keys.rsa, lifetime: 3600)
        let parts = token.jwtParts
        let verifier = OpenSSLRS256(publicKey: try RSASignature.PublicKey(pem: keys.rsaPublic))
        #expect(try verifier.verify(Array(base64URLDecoded(parts[2]) ?? Data()), signs: Array((parts[0] + "." + parts[1]).utf8)))
        #expect(await thrown { try verifier.sign([1]) } as? JWTBearerError == .privateKeyRequired)
    }

    @Test func extraClaimsRideAlongForOtherProviders() async throws {
        let keys = try await keys()
        // DocuSign's JWT grant: the integration key as iss, a user ID as sub, its own audience.
        let docusign = JWTBearerAssertion(
            issuer: "3f5c-integration-key", subject: "user-guid", scope: "signature impersonation",
            audience: "account-d.docusign.com", issuedAt: Sample.issuedAt, lifetime: 3000,
            extraClaims: ["jti": "salonops-1"])
        let verified = try await JWTBearerAssertion.verify(
            try docusign.signed(privateKeyPEM: keys.rsa), publicKeyPEM: keys.rsaPublic,
            audience: "account-d.docusign.com", now: Sample.issuedAt)
        #expect(verified.extraClaims == ["jti": "salonops-1"] && verified.keyID == nil)
        #expect(verified.expiresAt == Sample.issuedAt + 3000 && verified.subject == "user-guid")

        var reserved = docusign
        reserved.extraClaims = ["sub": "someone else"]
        #expect(throws: JWTBearerError.reservedClaim("sub")) { try reserved.signed(privateKeyPEM: keys.rsa) }
    }

    @Test func theSignerRefusesALifetimeOverAnHour() async throws {
        let keys = try await keys()
        for lifetime in [3601, 0, -5, .infinity, .nan] as [TimeInterval] {
            let error = await thrown { try Sample.assertion(lifetime: lifetime).signed(privateKeyPEM: keys.rsa) }
            guard case .lifetimeOutOfRange = error as? JWTBearerError else {
                Issue.record("lifetime \(lifetime): \(String(describing: error))")
                continue
            }
        }
    }

    @Test(arguments: VerifyCase.allCases)
    func everyBadAssertionIsRefusedWithItsReason(_ testCase: VerifyCase) async throws {
        let keys = try await keys()
        let good = try Sample.assertion().signed(privateKeyPEM: keys.rsa)
        let parts = good.jwtParts
        let now = Sample.issuedAt + 60
        var publicKey = keys.rsaPublic, audience = Sample.audience, at = now
        var token = good
        let expected: JWTBearerError
        switch testCase {
        case .tamperedPayload:
            let claims = String(decoding: base64URLDecoded(parts[1])!, as: UTF8.self).replacingOccurrences(of: "stylist@", with: "owner@")
            token = [parts[0], base64URLEncoded(claims), parts[2]].joined(separator: ".")
            expected = .signatureInvalid
        case .tamperedSignature:
            var signature = Array(parts[2])
            signature[10] = signature[10] == "A" ? "B" : "A"
            token = [parts[0], parts[1], String(signature)].joined(separator: ".")
            expected = .signatureInvalid
        case .wrongKey:
            publicKey = keys.otherPublic
            expected = .signatureInvalid
        case .expired:
            at = Sample.issuedAt + 3600
            expected = .expired(at: Sample.issuedAt + 3600)
        case .issuedInFuture:
            at = Sample.issuedAt - 5
            expected = .issuedInFuture(at: Sample.issuedAt)
        case .lifetimeOverAnHour:
            token = try await Sample.signedByJWTKit(privateKeyPEM: keys.rsa, lifetime: 3601)
            expected = .lifetimeOutOfRange(seconds: 3601)
        case .wrongAudience:
            audience = "https://account-d.docusign.com"
            expected = .wrongAudience(expected: "https://account-d.docusign.com", found: [Sample.audience])
        case .algNone:
            token = [base64URLEncoded(#"{"alg":"none","typ":"JWT"}"#), parts[1], ""].joined(separator: ".")
            expected = .unsupportedAlgorithm("none")
        case .hs256KeyedWithThePublicKey:
            let input = base64URLEncoded(#"{"alg":"HS256","typ":"JWT"}"#) + "." + parts[1]
            let mac = Crypto.hmacSHA256(key: Array(keys.rsaPublic.utf8), data: Array(input.utf8))
            token = input + "." + base64URL(mac)
            expected = .unsupportedAlgorithm("HS256")
        case .es256:
            let collection = JWTKeyCollection()
            await collection.add(ecdsa: try ES256PrivateKey(pem: keys.ec))
            token = try await collection.sign(Sample.claims(lifetime: 3600))
            publicKey = keys.ecPublic
            expected = .unsupportedAlgorithm("ES256")
        case .ecKeyAsRSA:
            publicKey = keys.ecPublic
            expected = .invalidPublicKey
        case .garbageKey:
            publicKey = "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n"
            expected = .invalidPublicKey
        case .shortKey:
            publicKey = keys.rsa1024Public
            expected = .invalidPublicKey
        case .notAToken:
            token = "not-a-token"
            expected = .malformed
        case .fourParts:
            token = good + ".x"
            expected = .malformed
        case .claimMissing:
            let claims = #"{"aud":"https://oauth2.googleapis.com/token","iss":"x","exp":1800003600}"#
            token = [parts[0], base64URLEncoded(claims), parts[2]].joined(separator: ".")
            expected = .malformed
        }
        let error = await thrown {
            try await JWTBearerAssertion.verify(token, publicKeyPEM: publicKey, audience: audience, now: at)
        }
        #expect(error as? JWTBearerError == expected, "\(String(describing: error))")
    }

    enum VerifyCase: CaseIterable, Sendable {
        case tamperedPayload, tamperedSignature, wrongKey, expired, issuedInFuture, lifetimeOverAnHour, wrongAudience
        case algNone, hs256KeyedWithThePublicKey, es256, ecKeyAsRSA, garbageKey, shortKey, notAToken, fourParts, claimMissing
    }

    @Test func clockSkewIsAllowedOnlyWhenAsked() async throws {
        let keys = try await keys()
        let token = try Sample.assertion().signed(privateKeyPEM: keys.rsa)
        for at in [Sample.issuedAt - 30, Sample.issuedAt + 3629] {
            _ = try await JWTBearerAssertion.verify(token, publicKeyPEM: keys.rsaPublic, audience: Sample.audience, now: at, clockSkew: 30)
        }
    }

    @Test func signingKeysOfTheWrongKindAreRefused() async throws {
        let keys = try await keys()
        #expect(throws: RSAKeyError.notRSA(type: "EC")) { try Sample.assertion().signed(privateKeyPEM: keys.ec) }
        #expect(throws: RSAKeyError.encrypted) { try Sample.assertion().signed(privateKeyPEM: keys.rsaEncrypted) }
        #expect(throws: RSAKeyError.tooShort(bits: 1024)) { try Sample.assertion().signed(privateKeyPEM: keys.rsa1024) }
        let error = await thrown { try Sample.assertion().signed(privateKeyPEM: "garbage") }
        guard case .malformedPEM = error as? RSAKeyError else {
            Issue.record("\(String(describing: error))")
            return
        }
    }

    @Test func noErrorRepeatsAKey() async throws {
        let keys = try await keys()
        let canary = "CANARYc4n4ryC4NARY"
        let privatePEM = "-----BEGIN PRIVATE KEY-----\n\(canary)\n-----END PRIVATE KEY-----\n"
        let publicPEM = "-----BEGIN PUBLIC KEY-----\n\(canary)\n-----END PUBLIC KEY-----\n"
        let token = try Sample.assertion().signed(privateKeyPEM: keys.rsa)
        let errors: [(any Error)?] = [
            await thrown { try Sample.assertion().signed(privateKeyPEM: privatePEM) },
            await thrown { try Sample.assertion().signed(privateKeyPEM: canary + keys.rsa.dropFirst(40)) },
            await thrown { try await JWTBearerAssertion.verify(token, publicKeyPEM: publicPEM, audience: Sample.audience) },
            await thrown { try await JWTBearerAssertion.verify(token, publicKeyPEM: keys.rsa, audience: Sample.audience) },
        ]
        for error in errors {
            let text = String(describing: error) + String(reflecting: error)
            #expect(error != nil)
            #expect(!text.contains(canary) && !text.contains("MII"), "\(text)")
        }
    }
}
