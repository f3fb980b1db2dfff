import SalonOpsEmulatorKit
import Foundation

/// A service account the emulated Google knows: its `client_email` and the public half of its key
/// (Google holds the public keys of every service-account key it issued).
public struct GoogleServiceAccount: Sendable, Equatable {
    public var clientEmail: String
    public var publicKeyPEM: String
    /// The key's `private_key_id`; when set, an assertion's `kid` must equal it.
    public var keyID: String?
    /// Scopes a Workspace administrator authorised for domain-wide delegation; `nil` authorises every
    /// scope, an empty list none (an assertion with `sub` is then refused with `unauthorized_client`).
    public var delegatedScopes: [String]?

    public init(clientEmail: String, publicKeyPEM: String, keyID: String? = nil, delegatedScopes: [String]? = nil) {
        self.clientEmail = clientEmail
        self.publicKeyPEM = publicKeyPEM
        self.keyID = keyID
        self.delegatedScopes = delegatedScopes
    }

    var key: ServiceAccountKey {
        ServiceAccountKey(issuer: clientEmail, publicKeyPEM: publicKeyPEM, keyID: keyID, delegatedScopes: delegatedScopes.map(Set.init))
    }
}

/// How the Calendar emulator behaves: its service accounts, quotas and clock.
public struct GoogleCalendarOptions: Sendable {
    public var serviceAccounts: [GoogleServiceAccount]
    /// "Per minute per user per project: 600" [C developers.google.com/workspace/calendar/api/guides/quota].
    public var perUserRequestsPerMinute: Int
    /// "Per minute per project: 10,000" [C same page].
    public var perProjectRequestsPerMinute: Int
    /// Token lifetimes, rate windows and `updated` stamps read this clock.
    public var clock: SandboxClock
    /// Scopes the token endpoint accepts: the Calendar scopes (spec:cal `auth.oauth2.scopes`) plus
    /// Business Profile's, which the same endpoint serves.
    public var knownScopes: Set<String>

    public init(
        serviceAccounts: [GoogleServiceAccount] = [], perUserRequestsPerMinute: Int = 600,
        perProjectRequestsPerMinute: Int = 10_000, clock: SandboxClock = .system,
        knownScopes: Set<String> = GoogleCalendarOptions.defaultScopes
    ) {
        self.serviceAccounts = serviceAccounts
        self.perUserRequestsPerMinute = perUserRequestsPerMinute
        self.perProjectRequestsPerMinute = perProjectRequestsPerMinute
        self.clock = clock
        self.knownScopes = knownScopes
    }

    public static let scopePrefix = "https://www.googleapis.com/auth/"

    public static let defaultScopes: Set<String> = Set(
        [
            "calendar", "calendar.acls", "calendar.acls.readonly", "calendar.app.created", "calendar.calendarlist",
            "calendar.calendarlist.readonly", "calendar.calendars", "calendar.calendars.readonly", "calendar.events",
            "calendar.events.freebusy", "calendar.events.owned", "calendar.events.owned.readonly", "calendar.events.public.readonly",
            "calendar.events.readonly", "calendar.freebusy", "calendar.readonly", "calendar.settings", "calendar.settings.readonly",
            "business.manage",
        ].map { scopePrefix + $0 })

    /// The verifier of assertion signatures (jwt-kit's own RSA, independent of the signer).
    var signatureVerifier: any JWTSignatureVerifier = JWTKitSignatureVerifier()
}

/// A failure `GoogleCalendarEmulator.failNextRequests` makes the next API requests answer.
public enum GoogleCalendarFailure: Sendable, Equatable {
    /// 403 `usageLimits` / `quotaExceeded`: Calendar usage limits, not retryable.
    case quotaExceeded
    /// 403 `usageLimits` / `userRateLimitExceeded`.
    case userRateLimitExceeded
    /// 403 `usageLimits` / `rateLimitExceeded`.
    case rateLimitExceeded
    /// 503 `backendError`.
    case backendError

    var error: GoogleAPIError {
        switch self {
        case .quotaExceeded: return .quotaExceeded
        case .userRateLimitExceeded: return .userRateLimitExceeded
        case .rateLimitExceeded: return .rateLimitExceeded
        case .backendError: return .backendError
        }
    }
}
