import Foundation
import SalonOpsEmulatorKit

/// The Google Business Profile emulator, served under `/google-business-profile`:
/// - `/api/…` is Business Information v1 (`https://mybusinessbusinessinformation.googleapis.com/…`):
///   `v1/accounts/{a}/locations` (list) and `v1/locations/{l}` (get, patch);
/// - `/accounts/…` is Account Management v1 (`https://mybusinessaccountmanagement.googleapis.com/…`):
///   `v1/accounts` (list) and `v1/accounts/{a}` (get);
/// - `/oauth/token` is Google's OAuth 2.0 token endpoint, for the refresh-token grant.
///
/// Locations exist from the start (SalonOps never creates one): the `locations` option names
/// them; without it, as a sandbox convenience, a GET or PATCH of `locations/<digits>` creates
/// that location in `accounts/1` on first access. Without the `clients` option, as a sandbox
/// convenience too, the token endpoint accepts any non-empty client and refresh token (the
/// grant's shape is still checked). Every API request needs a bearer token issued here. Read
/// and update masks, the validation rules of hours, phones, URLs, descriptions and services,
/// the 10 edits a minute per location and 300 requests a minute per API, and errors in
/// google.rpc.Status follow the published API; what the documentation leaves open is marked
/// [A] where it is decided (notes booking.md §2).
public final class GoogleBusinessProfileEmulator: ProviderEmulator {
    public let id = "google-business-profile"
    let seed: UInt64
    let options: GoogleBusinessProfileOptions
    private let state: Locked<BusinessProfileState>

    public init(seed: UInt64 = 1, options: GoogleBusinessProfileOptions = GoogleBusinessProfileOptions()) {
        self.seed = seed
        self.options = options
        self.state = Locked(BusinessProfileState(seed: seed, options: options))
    }

    /// Built by the sandbox from `--emulator-option google-business-profile.<key>=<value>`:
    /// `locations` and `clients` (see `GoogleBusinessProfileOptions`).
    public convenience init(settings: EmulatorSettings) throws {
        self.init(seed: settings.seed, options: try GoogleBusinessProfileOptions(settings: settings))
    }

    public func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        let now = options.clock.now
        return state.withLock { $0.handle(request, now: now) }
    }

    /// Drops edits and tokens: back to the seeded locations, options kept.
    public func reset() {
        state.withLock { $0 = BusinessProfileState(seed: seed, options: options) }
    }

    /// The stored location `locations/<L>` as JSON text (all fields), for tests.
    public func location(_ name: String) -> String? {
        state.withLock { $0.locations[name]?.value.serialized }
    }

    /// The injected 429 is the quota error, the injected 503 UNAVAILABLE, both in google.rpc.Status;
    /// on the token endpoint, the OAuth shape.
    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int, path: String) -> EmulatorResponse {
        if path.hasPrefix("/oauth/") {
            let limited = fault == .rateLimited
            return .json(
                limited ? 429 : 503,
                .object([
                    ("error", .string(limited ? "rate_limit_exceeded" : "temporarily_unavailable")),
                    ("error_description", .string("Injected by the SalonOps sandbox.")),
                ]),
                headers: limited ? [("Retry-After", String(retryAfterSeconds))] : []
            ).withGoogleJSONType
        }
        switch fault {
        case .rateLimited:
            let service = path.hasPrefix("/accounts/") ? BusinessProfileStatus.Service.accountManagement : .businessInformation
            return BusinessProfileStatus.quotaExceeded(
                metric: "\(service.rawValue)/default_requests", limit: "DefaultRequestsPerMinutePerProject", retryAfterSeconds: retryAfterSeconds
            ).response
        case .unavailable, .connectionReset:
            return BusinessProfileStatus.unavailable.response
        }
    }

    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse {
        faultResponse(fault, retryAfterSeconds: retryAfterSeconds, path: "/api/")
    }

    /// Stats rows per method and path template (`/api/v1/locations/{locationId}`).
    public func statsPath(method: String, path: String) -> String {
        let segments = BusinessProfileState.segments(path)
        guard let endpoint = segments.first, endpoint == "api" || endpoint == "accounts",
            let route = BusinessProfileRoute.resolve(endpoint: endpoint, method: method, segments: Array(segments.dropFirst()))
        else { return path }
        return route.statsTemplate
    }

    /// Writes are the API's PATCH, POST and DELETE; a token request writes nothing.
    public func isWrite(method: String, path: String) -> Bool {
        (path.hasPrefix("/api/") || path.hasPrefix("/accounts/")) && ["POST", "PATCH", "PUT", "DELETE"].contains(method)
    }
}
