import Foundation

/// The provider-independent core of an OAuth 2.0 token endpoint for the JWT-bearer grant
/// (RFC 7523): service accounts known by their public keys, assertions checked by signature and
/// claim by claim, access tokens issued and looked up with their expiry. What it refuses is a
/// `JWTBearerRefusal`; the provider turns that into its own wording and status (Google's texts
/// live in the Google emulator, DocuSign's would live in DocuSign's).
public struct ServiceAccountKey: Sendable, Equatable {
    /// The `iss` the account signs with (Google: the `client_email`).
    public var issuer: String
    public var publicKeyPEM: String
    /// The key's id (`kid` in the JWT header); `nil` accepts any `kid`, as long as one is sent.
    public var keyID: String?
    /// Scopes an administrator authorised for impersonation (Google's domain-wide delegation);
    /// `nil` authorises every scope, an empty set none (then `sub` is refused).
    public var delegatedScopes: Set<String>?

    public init(issuer: String, publicKeyPEM: String, keyID: String? = nil, delegatedScopes: Set<String>? = nil) {
        self.issuer = issuer
        self.publicKeyPEM = publicKeyPEM
        self.keyID = keyID
        self.delegatedScopes = delegatedScopes
    }
}

/// Why an assertion was refused, in the order the checks run.
public enum JWTBearerRefusal: Error, Sendable, Equatable {
    case unsupportedGrantType(String)
    case missingParameter(String)
    /// Not three base64url parts of JSON objects.
    case malformedAssertion
    case unsupportedAlgorithm(String?)
    case missingKeyID
    case unknownIssuer(String?)
    case unknownKeyID
    case badSignature
    case wrongAudience(String?)
    /// `iat`/`exp` missing, expired, issued in the future, or a lifetime over the maximum.
    case badLifetime
    case missingScope
    case unknownScope(String)
    case invalidSubject(String)
    case subjectNotAuthorized
}

/// What an accepted assertion grants.
public struct JWTBearerGrant: Sendable, Equatable {
    public var issuer: String
    /// The impersonated user (`sub`), if any.
    public var subject: String?
    public var scopes: [String]
    public var issuedAt: Date
    public var expiresAt: Date
}

/// Checks an RS256 signature of a compact JWT against a PEM public key. The sandbox's verifier
/// is the jwt-kit based one (`JWTKitSignatureVerifier`), independent of the signing code the
/// adapters use. Asynchronous, so the endpoint runs it outside the emulator's lock.
public protocol JWTSignatureVerifier: Sendable {
    func signatureIsValid(token: String, publicKeyPEM: String, audience: String, now: Date) async -> Bool
}

/// An assertion whose issuer and key are known, waiting for its signature to be checked.
public struct IdentifiedAssertion: Sendable {
    public let assertion: String
    public let claims: JSONValue
    public let account: ServiceAccountKey
}

/// The token endpoint's checks, in three steps so the signature check can run outside a lock:
/// `identify` (form, structure, algorithm, key), the caller's signature check, then `grant`
/// (audience, lifetime, scopes, subject).
public struct JWTBearerTokenEndpoint: Sendable {
    public static let grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    private(set) var accounts: [String: ServiceAccountKey] = [:]
    /// The `aud` every assertion must carry.
    public let audience: String
    public let knownScopes: Set<String>
    /// The longest `exp - iat` accepted.
    public let maximumLifetime: TimeInterval
    /// How far in the future `iat` may lie (clock skew between client and server).
    public let allowedSkew: TimeInterval

    public init(audience: String, knownScopes: Set<String>, maximumLifetime: TimeInterval = 3600, allowedSkew: TimeInterval = 300) {
        self.audience = audience
        self.knownScopes = knownScopes
        self.maximumLifetime = maximumLifetime
        self.allowedSkew = allowedSkew
    }

    public mutating func register(_ key: ServiceAccountKey) { accounts[key.issuer] = key }

    /// Reads a token request's form body (`grant_type`, `assertion`) and finds the signing key.
    public func identify(formBody body: String) throws(JWTBearerRefusal) -> IdentifiedAssertion {
        let form = QueryParameters(parsing: body) ?? QueryParameters()
        let grantType = form["grant_type"] ?? ""
        guard grantType == Self.grantType else { throw .unsupportedGrantType(grantType) }
        guard let assertion = form["assertion"], !assertion.isEmpty else { throw .missingParameter("assertion") }
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.jsonObject(parts[0]), let claims = Self.jsonObject(parts[1]),
            Self.base64URLDecode(parts[2]) != nil
        else {
            throw .malformedAssertion
        }
        guard header["alg"]?.stringValue == "RS256" else { throw .unsupportedAlgorithm(header["alg"]?.stringValue) }
        guard let kid = header["kid"]?.stringValue, !kid.isEmpty else { throw .missingKeyID }
        guard let issuer = claims["iss"]?.stringValue, let account = accounts[issuer] else {
            throw .unknownIssuer(claims["iss"]?.stringValue)
        }
        if let expected = account.keyID, expected != kid { throw .unknownKeyID }
        return IdentifiedAssertion(assertion: assertion, claims: claims, account: account)
    }

    /// The claims of an assertion whose signature verified.
    public func grant(for identified: IdentifiedAssertion, now: Date) throws(JWTBearerRefusal) -> JWTBearerGrant {
        let claims = identified.claims
        let audienceClaim = claims["aud"]
        let audiences = audienceClaim?.stringValue.map { [$0] } ?? audienceClaim?.arrayValue?.compactMap(\.stringValue) ?? []
        guard audiences.contains(audience) else { throw .wrongAudience(audienceClaim?.stringValue) }
        guard let iat = Self.seconds(claims["iat"]), let exp = Self.seconds(claims["exp"]) else { throw .badLifetime }
        let issuedAt = Date(timeIntervalSince1970: iat), expiresAt = Date(timeIntervalSince1970: exp)
        guard exp > iat, exp - iat <= maximumLifetime, expiresAt > now,
            issuedAt <= now.addingTimeInterval(allowedSkew)
        else {
            throw .badLifetime
        }
        let scopeText = claims["scope"]?.stringValue ?? ""
        let scopes = scopeText.split(whereSeparator: { $0 == " " }).map(String.init)
        guard !scopes.isEmpty else { throw .missingScope }
        if let unknown = scopes.first(where: { !knownScopes.contains($0) }) { throw .unknownScope(unknown) }
        let subject = claims["sub"]?.stringValue
        if let subject {
            guard Self.looksLikeEmail(subject) else { throw .invalidSubject(subject) }
            if let delegated = identified.account.delegatedScopes, !scopes.allSatisfy(delegated.contains) {
                throw .subjectNotAuthorized
            }
        }
        return JWTBearerGrant(
            issuer: identified.account.issuer, subject: subject, scopes: scopes, issuedAt: issuedAt,
            expiresAt: expiresAt)
    }

    private static func seconds(_ value: JSONValue?) -> TimeInterval? {
        switch value {
        case .int(let i)?: return TimeInterval(i)
        case .double(let d)?: return d.isFinite ? d : nil
        default: return nil
        }
    }

    public static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !text.contains(where: { $0.isWhitespace })
    }

    public static func jsonObject(_ part: Substring) -> JSONValue? {
        guard let data = base64URLDecode(part), let text = String(data: data, encoding: .utf8),
            let value = try? JSONValue.parse(text), value.objectFields != nil
        else { return nil }
        return value
    }

    public static func base64URLDecode(_ part: Substring) -> Data? {
        guard part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text.append("=") }
        return Data(base64Encoded: text)
    }
}

/// Access tokens issued by an emulator's token endpoint, with what each one grants.
public struct AccessTokenRegistry: Sendable {
    public struct Issued: Sendable, Equatable {
        public var grant: JWTBearerGrant
        public var expiresAt: Date
    }

    private var tokens: [String: Issued] = [:]

    public init() {}

    public mutating func issue(_ grant: JWTBearerGrant, token: String, lifetime: TimeInterval, now: Date) {
        // Expired tokens are dropped as new ones are issued, so the table stays small.
        tokens = tokens.filter { $0.value.expiresAt > now }
        tokens[token] = Issued(grant: grant, expiresAt: now.addingTimeInterval(lifetime))
    }

    /// The grant behind a token that exists and has not expired at `now`.
    public func lookup(_ token: String, now: Date) -> Issued? {
        guard let issued = tokens[token], issued.expiresAt > now else { return nil }
        return issued
    }
}
