import Foundation

/// The emulator of the SalonOps-assumed venue contract (docs/assumed-venue-api.md), served by
/// the sandbox under `/<id>/api/v1/…`: venues with opening hours, their staff, rooms
/// (`resources`), services and closures, and the account's booking webhooks, in memory with
/// seeded ids, integer versions and `If-Match`, idempotency keys, cursor pages, the contract's
/// validation and errors, and a sliding-window rate limit per API key. It is written from that
/// document alone: it never imports the provider kit or an adapter.
public final class VenueAPIEmulator: ProviderEmulator {
    public let id: String
    let profile: VenueAPIProfile
    let options: VenueAPIOptions
    let seed: UInt64
    public let clock: SandboxClock
    private let state: Locked<VenueAPIState>
    /// Staff the churn fault made and has not deleted yet: (venue, id).
    private let churned = Locked([(String, String)]())

    public init(profile: VenueAPIProfile, options: VenueAPIOptions = VenueAPIOptions(), seed: UInt64, clock: SandboxClock = .system) {
        self.id = profile.id
        self.profile = profile
        self.options = options
        self.seed = seed
        self.clock = clock
        self.state = Locked(VenueAPIState(profile: profile, options: options, seed: seed))
    }

    /// From the sandbox's options: `venues`, `apiKeys`, `requestsPerSecond`, `burst`.
    public convenience init(profile: VenueAPIProfile, settings: EmulatorSettings) throws {
        self.init(profile: profile, options: try VenueAPIOptions(settings.options, provider: profile.id), seed: settings.seed)
    }

    public func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        let now = clock.now
        return state.withLock { $0.handle(request, now: now) }
    }

    public func reset() {
        churned.withLock { $0 = [] }
        state.withLock { $0 = VenueAPIState(profile: profile, options: options, seed: seed) }
    }

    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse {
        fault == .rateLimited ? VenueAPIError.rateLimited(retryAfter: retryAfterSeconds).response : VenueAPIError.unavailable.response
    }

    /// Rows per route template (`/api/v1/venues/{venueId}/services/{id}`).
    public func statsPath(method: String, path: String) -> String {
        let segments = path.split(separator: "/").map(String.init)
        return "/"
            + segments.enumerated().map { index, segment in
                switch index {
                case 3 where segments.count > 3 && segments[2] == "venues": "{venueId}"
                case 3 where segments[2] == "webhooks", 5: "{id}"
                default: segment
                }
            }.joined(separator: "/")
    }

    public func isWrite(method: String, path: String) -> Bool { path.hasPrefix("/api/") && ["POST", "PATCH", "PUT", "DELETE"].contains(method) }

    /// Someone at the salon adds a staff member in the venue being read, or removes one added so.
    public func churn(_ draw: UInt64, like request: EmulatorRequest) async {
        let segments = request.endpoint.path.split(separator: "/").map(String.init)
        guard let authorization = request.header("authorization"), segments.count >= 3, segments[1] == "venues" else { return }
        let venue = segments[2], made = churned.withLock { $0 }
        let now = clock.now
        if draw % 2 == 0 || made.isEmpty {
            let body = #"{"name": "Renfort \#(made.count + 1)", "role": "extra"}"#
            let created = state.withLock {
                $0.handle(
                    EmulatorRequest(
                        method: "POST", path: "/api/v1/venues/\(venue)/staff", headers: ["authorization": authorization, "content-type": "application/json"],
                        body: body), now: now, limited: false)
            }
            if let id = (try? JSONValue.parse(created.body))?["id"]?.stringValue { churned.withLock { $0.append((venue, id)) } }
        } else {
            let (place, id) = made[Int((draw / 2) % UInt64(made.count))]
            churned.withLock { $0.removeAll { $0 == (place, id) } }
            _ = state.withLock {
                $0.handle(EmulatorRequest(method: "DELETE", path: "/api/v1/venues/\(place)/staff/\(id)", headers: ["authorization": authorization]), now: now, limited: false)
            }
        }
    }
}
