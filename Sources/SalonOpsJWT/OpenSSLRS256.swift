import Foundation
import JWTKit
import SalonOpsSecrets

/// jwt-kit's algorithm interface over our OpenSSL RS256 (SalonOpsSecrets' RSASignature): the token's
/// structure comes from jwt-kit, the signature from the same OpenSSL that handles every other secret.
public struct OpenSSLRS256: JWTAlgorithm {
    public let name = "RS256"
    private let privateKey: RSASignature.PrivateKey?
    private let publicKey: RSASignature.PublicKey

    /// Signs and verifies.
    public init(privateKey: RSASignature.PrivateKey) throws {
        self.privateKey = privateKey
        publicKey = try RSASignature.PublicKey(pem: privateKey.publicKeyPEM())
    }

    /// Verifies only.
    public init(publicKey: RSASignature.PublicKey) {
        privateKey = nil
        self.publicKey = publicKey
    }

    public func sign(_ plaintext: some DataProtocol) throws -> [UInt8] {
        guard let privateKey else { throw JWTBearerError.privateKeyRequired }
        return try privateKey.sign(Array(plaintext))
    }

    public func verify(_ signature: some DataProtocol, signs plaintext: some DataProtocol) throws -> Bool {
        try publicKey.isValidSignature(Array(signature), for: Array(plaintext))
    }
}
