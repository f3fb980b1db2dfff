import Foundation
import JWTKit
import SalonOpsSecrets

/// An OAuth 2.0 JWT-bearer assertion (RFC 7523 §2.1): a short-lived RS256 JWT that a client signs and
/// trades at a token endpoint for an access token. Google service accounts use it (iss = client_email,
/// `scope`, `sub` for domain-wide delegation); DocuSign's JWT grant has the same claims, other values.
public struct JWTBearerAssertion: Sendable, Equatable {
    /// Google and DocuSign both refuse a longer one.
    public static let maximumLifetime: TimeInterval = 3600

    public var issuer: String
    /// The user to act as (Google domain-wide delegation, DocuSign's user ID).
    public var subject: String?
    /// Space-separated scopes.
    public var scope: String?
    public var audience: String
    /// The `kid` header: which of the issuer's keys signs (a Google key's private_key_id).
    public var keyID: String?
    /// Signed in whole seconds, as JWT dates are.
    public var issuedAt: Date
    public var lifetime: TimeInterval
    /// Further string claims a provider wants; the registered names above cannot be set here.
    public var extraClaims: [String: String]

    public init(
        issuer: String, subject: String? = nil, scope: String? = nil, audience: String, keyID: String? = nil,
        issuedAt: Date, lifetime: TimeInterval = maximumLifetime, extraClaims: [String: String] = [:]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.scope = scope
        self.audience = audience
        self.keyID = keyID
        self.issuedAt = issuedAt
        self.lifetime = lifetime
        self.extraClaims = extraClaims
    }

    /// The compact JWT, signed through OpenSSL (RSASignature).
    public func signed(with key: RSASignature.PrivateKey) throws -> String {
        try signed(using: OpenSSLRS256(privateKey: key))
    }

    public func signed(privateKeyPEM: String) throws -> String {
        try signed(with: RSASignature.PrivateKey(pem: privateKeyPEM))
    }

    /// jwt-kit's header and claim types, serialised with sorted keys (the same input gives the same
    /// token); jwt-kit 5 keeps its own serialise-and-sign entry point internal to its key collection.
    func signed(using algorithm: some JWTAlgorithm) throws -> String {
        guard lifetime >= 1, lifetime <= Self.maximumLifetime else { throw JWTBearerError.lifetimeOutOfRange(seconds: lifetime) }
        if let reserved = extraClaims.keys.sorted().first(where: BearerClaims.registered.contains) {
            throw JWTBearerError.reservedClaim(reserved)
        }
        var header = JWTHeader()
        header.alg = algorithm.name
        header.typ = "JWT"
        if let keyID { header.kid = keyID }  // assigning nil would write "kid": null
        let iat = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        let claims = BearerClaims(
            iss: IssuerClaim(value: issuer), sub: subject.map { SubjectClaim(value: $0) }, scope: scope,
            aud: AudienceClaim(value: audience), iat: IssuedAtClaim(value: iat),
            exp: ExpirationClaim(value: iat + lifetime.rounded(.down)), extra: extraClaims)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .integerSecondsSince1970
        let signingInput = try base64URL(encoder.encode(header)) + "." + base64URL(encoder.encode(claims))
        return signingInput + "." + base64URL(try algorithm.sign(Array(signingInput.utf8)))
    }

    /// What a verified assertion claims.
    public struct Verified: Sendable, Equatable {
        public let keyID: String?
        public let issuer: String
        public let subject: String?
        public let scope: String?
        public let audience: [String]
        public let issuedAt: Date
        public let expiresAt: Date
        public let extraClaims: [String: String]

        public var scopes: [String] { scope.map { $0.split(separator: " ").map(String.init) } ?? [] }
    }

    /// The token endpoint's side (the emulators'): checks an assertion with jwt-kit's own RSA
    /// (swift-crypto), not the OpenSSL code that signs, so each side checks the other. RS256 only;
    /// `exp` after `now`, `iat` not after it, at most an hour between them; `audience` among `aud`.
    public static func verify(
        _ token: String, publicKeyPEM: String, audience: String, now: Date = Date(),
        clockSkew: TimeInterval = 0
    ) async throws -> Verified {
        let header: JWTHeader
        do {
            header = try DefaultJWTParser().parse(Array(token.utf8), as: BearerClaims.self).header
        } catch {
            throw JWTBearerError.malformed
        }
        // Before any key is used: "none", HS256 keyed with the public key, and the like never get further.
        guard header.alg == "RS256" else { throw JWTBearerError.unsupportedAlgorithm(String((header.alg ?? "(none)").prefix(32))) }
        let key: Insecure.RSA.PublicKey
        do { key = try Insecure.RSA.PublicKey(pem: publicKeyPEM) } catch { throw JWTBearerError.invalidPublicKey }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        let claims: BearerClaims
        do {
            claims = try await keys.verify(token, as: BearerClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw JWTBearerError.signatureInvalid
        } catch {
            throw JWTBearerError.malformed
        }
        let issuedAt = claims.iat.value, expiresAt = claims.exp.value
        let lifetime = expiresAt.timeIntervalSince(issuedAt)
        guard lifetime > 0, lifetime <= maximumLifetime else { throw JWTBearerError.lifetimeOutOfRange(seconds: lifetime) }
        guard now < expiresAt + clockSkew else { throw JWTBearerError.expired(at: expiresAt) }
        guard issuedAt <= now + clockSkew else { throw JWTBearerError.issuedInFuture(at: issuedAt) }
        guard claims.aud.value.contains(audience) else { throw JWTBearerError.wrongAudience(expected: audience, found: claims.aud.value) }
        return Verified(
            keyID: header.kid, issuer: claims.iss.value, subject: claims.sub?.value, scope: claims.scope,
            audience: claims.aud.value, issuedAt: issuedAt, expiresAt: expiresAt, extraClaims: claims.extra)
    }
}

public enum JWTBearerError: Error, Equatable, CustomStringConvertible {
    case malformed
    case unsupportedAlgorithm(String)
    case invalidPublicKey
    case privateKeyRequired
    case signatureInvalid
    case lifetimeOutOfRange(seconds: TimeInterval)
    case expired(at: Date)
    case issuedInFuture(at: Date)
    case wrongAudience(expected: String, found: [String])
    case reservedClaim(String)

    public var description: String {
        switch self {
        case .malformed: return "not a JWT-bearer assertion: three base64url parts with a JSON header and iss, aud, iat and exp claims"
        case .unsupportedAlgorithm(let alg): return "the assertion's algorithm is \(alg); only RS256 is accepted"
        case .invalidPublicKey: return "the verifying key is not an RSA public key of at least 2048 bits in PEM (BEGIN PUBLIC KEY)"
        case .privateKeyRequired: return "signing needs the private key; this algorithm holds only the public key"
        case .signatureInvalid: return "the assertion's signature does not verify (wrong key, or the token was altered)"
        case .lifetimeOutOfRange(let seconds):
            let shown = Int(exactly: seconds.rounded()).map(String.init) ?? "\(seconds)"
            return "the assertion's lifetime is \(shown) s; it must be 1 to \(Int(JWTBearerAssertion.maximumLifetime)) s"
        case .expired(let at): return "the assertion expired at \(at)"
        case .issuedInFuture(let at): return "the assertion is issued in the future (\(at)): check the signer's clock"
        case .wrongAudience(let expected, let found): return "the assertion's audience is \(found.joined(separator: ", ")), not \(expected)"
        case .reservedClaim(let name): return "\(name) is a registered claim: set it through its own field, not as an extra claim"
        }
    }
}

/// The claims on the wire, as jwt-kit claim types; extra string claims ride along.
struct BearerClaims: JWTPayload {
    static let registered: Set<String> = ["iss", "sub", "scope", "aud", "iat", "exp"]

    var iss: IssuerClaim
    var sub: SubjectClaim?
    var scope: String?
    var aud: AudienceClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var extra: [String: String] = [:]

    init(
        iss: IssuerClaim, sub: SubjectClaim?, scope: String?, aud: AudienceClaim, iat: IssuedAtClaim, exp: ExpirationClaim,
        extra: [String: String]
    ) {
        (self.iss, self.sub, self.scope, self.aud, self.iat, self.exp, self.extra) = (iss, sub, scope, aud, iat, exp, extra)
    }

    // Times and audience are checked by `verify` against the caller's `now`, not the machine's clock.
    func verify(using algorithm: some JWTAlgorithm) throws {}

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        iss = try container.decode(IssuerClaim.self, forKey: Key("iss"))
        sub = try container.decodeIfPresent(SubjectClaim.self, forKey: Key("sub"))
        scope = try container.decodeIfPresent(String.self, forKey: Key("scope"))
        aud = try container.decode(AudienceClaim.self, forKey: Key("aud"))
        iat = try container.decode(IssuedAtClaim.self, forKey: Key("iat"))
        exp = try container.decode(ExpirationClaim.self, forKey: Key("exp"))
        for key in container.allKeys where !Self.registered.contains(key.stringValue) {
            if let value = try? container.decode(String.self, forKey: key) { extra[key.stringValue] = value }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(iss, forKey: Key("iss"))
        try container.encodeIfPresent(sub, forKey: Key("sub"))
        try container.encodeIfPresent(scope, forKey: Key("scope"))
        try container.encode(aud, forKey: Key("aud"))
        try container.encode(iat, forKey: Key("iat"))
        try container.encode(exp, forKey: Key("exp"))
        for (name, value) in extra { try container.encode(value, forKey: Key(name)) }
    }
}

func base64URL<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}
