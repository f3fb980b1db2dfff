import Foundation
import SalonOpsJWT

/// The sandbox's check of assertion signatures: SalonOpsJWT's verifier, i.e. jwt-kit's own RSA
/// (swift-crypto), not the OpenSSL code the adapters sign with, so each side checks the other.
public struct JWTKitSignatureVerifier: JWTSignatureVerifier {
    public init() {}

    public func signatureIsValid(token: String, publicKeyPEM: String, audience: String, now: Date) async -> Bool {
        do {
            _ = try await JWTBearerAssertion.verify(token, publicKeyPEM: publicKeyPEM, audience: audience, now: now)
            return true
        } catch let error as JWTBearerError {
            switch error {
            case .lifetimeOutOfRange, .expired, .issuedInFuture, .wrongAudience:
                // Thrown after the signature verified: the endpoint words these claims itself.
                return true
            default:
                return false
            }
        } catch {
            return false
        }
    }
}
