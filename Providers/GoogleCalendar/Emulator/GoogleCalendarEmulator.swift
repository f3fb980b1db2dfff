import SalonOpsEmulatorKit
import Foundation

/// The Google Calendar API v3 emulator with Google's OAuth 2.0 token endpoint, served under
/// `/google-calendar`: `/google-calendar/api/…` is `https://www.googleapis.com/calendar/v3/…` and
/// `/google-calendar/oauth/token` is `https://oauth2.googleapis.com/token`.
///
/// Service accounts sign JWT-bearer assertions (RS256, checked against the registered public key);
/// the access tokens issued act as the impersonated user (`sub`) or the account itself. Calendars,
/// calendar lists, ACLs and events live in memory with seeded ids, ETags and `If-Match`, Google's
/// paging and sync tokens, per-user and per-project sliding-window quotas, and Google's error
/// envelope.
public final class GoogleCalendarEmulator: ProviderEmulator {
    public let id = "google-calendar"
    let seed: UInt64
    let options: GoogleCalendarOptions
    private let accounts: Locked<[ServiceAccountKey]>
    private let state: Locked<CalendarState>

    public init(seed: UInt64, options: GoogleCalendarOptions = GoogleCalendarOptions()) {
        self.seed = seed
        self.options = options
        let keys = options.serviceAccounts.map(\.key)
        self.accounts = Locked(keys)
        self.state = Locked(CalendarState(seed: seed, options: options, serviceAccounts: keys))
    }

    /// Makes a service account known (Google knows the public key of every key it issued). Kept
    /// across `/_sandbox/reset`, which drops data and tokens only.
    public func registerServiceAccount(
        clientEmail: String, publicKeyPEM: String, keyID: String? = nil,
        delegatedScopes: [String]? = nil
    ) {
        let key = GoogleServiceAccount(
            clientEmail: clientEmail, publicKeyPEM: publicKeyPEM, keyID: keyID,
            delegatedScopes: delegatedScopes
        ).key
        accounts.withLock { keys in
            keys.removeAll { $0.issuer == key.issuer }
            keys.append(key)
        }
        state.withLock { $0.tokenEndpoint.register(key) }
    }

    /// The next `count` authenticated API requests answer `failure` (default 403 `quotaExceeded`,
    /// which clients must not retry) before anything else happens.
    public func failNextRequests(_ count: Int, with failure: GoogleCalendarFailure = .quotaExceeded) {
        state.withLock { $0.forcedFailures += Array(repeating: failure.error, count: max(0, count)) }
    }

    public func reset() {
        churned.withLock { $0 = [] }
        let keys = accounts.withLock { $0 }
        state.withLock { $0 = CalendarState(seed: seed, options: options, serviceAccounts: keys) }
    }

    /// Calendars the churn fault made and has not deleted yet.
    private let churned = Locked([String]())

    /// Someone else (the same delegated user, by hand) adds a calendar, or deletes one they added.
    public func churn(_ draw: UInt64, like request: EmulatorRequest) async {
        guard let authorization = request.header("authorization"), CalendarState.segments(request.path).first == "api" else { return }
        let made = churned.withLock { $0 }
        if draw % 2 == 0 || made.isEmpty {
            let created = await respond(
                to: EmulatorRequest(
                    method: "POST", path: "/api/calendars", headers: ["authorization": authorization, "content-type": "application/json"],
                    body: #"{"summary": "Churn \#(made.count)", "timeZone": "Europe/Paris"}"#))
            if let id = (try? JSONValue.parse(created.body))?["id"]?.string { churned.withLock { $0.append(id) } }
        } else {
            let id = made[Int((draw / 2) % UInt64(made.count))]
            churned.withLock { $0.removeAll { $0 == id } }
            let path = "/api/calendars/" + (id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id)
            _ = await respond(to: EmulatorRequest(method: "DELETE", path: path, headers: ["authorization": authorization]))
        }
    }

    public func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        let now = options.clock.now
        guard CalendarState.segments(request.path) == ["oauth", "token"] else {
            return state.withLock { $0.handle(request, now: now) }
        }
        // The signature check is asynchronous (jwt-kit): between two short locked steps.
        switch state.withLock({ $0.identifyAssertion(request) }) {
        case .answered(let refusal):
            return refusal
        case .identified(let identified):
            let valid = await options.signatureVerifier.signatureIsValid(
                token: identified.assertion, publicKeyPEM: identified.account.publicKeyPEM, audience: GoogleTokenEndpoint.audience,
                now: now)
            return state.withLock { $0.completeToken(identified, signatureValid: valid, now: now) }
        }
    }

    /// The injected 429 is Google's `rateLimitExceeded` ("can return either 403 or 429" [C errors
    /// guide]); the injected 503 `backendError`. On the token endpoint, the OAuth shape.
    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int, path: String) -> EmulatorResponse {
        if path.hasPrefix("/oauth/") {
            let status = fault == .rateLimited ? 429 : 503
            return .json(
                status,
                .object([
                    ("error", .string(fault == .rateLimited ? "rate_limit_exceeded" : "temporarily_unavailable")),
                    ("error_description", .string("Injected by the SalonOps sandbox.")),
                ]),
                headers: fault == .rateLimited ? [("Retry-After", String(retryAfterSeconds))] : []
            ).withGoogleJSONType
        }
        switch fault {
        case .rateLimited: return GoogleAPIError.tooManyRequests(retryAfterSeconds: retryAfterSeconds).response
        case .unavailable, .connectionReset: return GoogleAPIError.backendError.response
        }
    }

    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse {
        faultResponse(fault, retryAfterSeconds: retryAfterSeconds, path: "/api/")
    }

    /// Stats rows per method and path template (`/api/calendars/{calendarId}/events`), so counts
    /// compare across calendars.
    public func statsPath(method: String, path: String) -> String {
        let segments = CalendarState.segments(path)
        switch segments.first {
        case "oauth": return path
        case "api":
            guard let route = CalendarRouter.route(httpMethod: method, segments: Array(segments.dropFirst())) else { return path }
            return "/api/" + route.method.template
        default: return path
        }
    }

    /// API writes are POST, PATCH, PUT and DELETE; a token request writes nothing.
    public func isWrite(method: String, path: String) -> Bool {
        path.hasPrefix("/api/") && ["POST", "PATCH", "PUT", "DELETE"].contains(method)
    }
}

extension GoogleCalendarEmulator {
    /// Built by the sandbox from its options: `serviceAccount=EMAIL=PUBLIC_KEY` (the PEM text,
    /// or a path to it), several separated by `;`; `perUserRequestsPerMinute=N`,
    /// `perProjectRequestsPerMinute=N`.
    public convenience init(settings: EmulatorSettings) throws {
        var options = GoogleCalendarOptions()
        for entry in (settings.options["serviceAccount"] ?? "").split(separator: ";").map(String.init) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw EmulatorOptionError("serviceAccount '\(entry)': write EMAIL=PUBLIC_KEY.pem") }
            var pem = parts[1]
            if !pem.hasPrefix("-----BEGIN") {
                guard let text = try? String(contentsOfFile: pem, encoding: .utf8) else {
                    throw EmulatorOptionError("serviceAccount \(parts[0]): cannot read the public key file \(pem)")
                }
                pem = text
            }
            options.serviceAccounts.append(GoogleServiceAccount(clientEmail: parts[0], publicKeyPEM: pem))
        }
        for (name, keyPath) in [
            ("perUserRequestsPerMinute", \GoogleCalendarOptions.perUserRequestsPerMinute),
            ("perProjectRequestsPerMinute", \GoogleCalendarOptions.perProjectRequestsPerMinute),
        ] {
            guard let text = settings.options[name] else { continue }
            guard let value = Int(text), value > 0 else { throw EmulatorOptionError("\(name) '\(text)': a whole number above 0") }
            options[keyPath: keyPath] = value
        }
        let known: Set<String> = ["serviceAccount", "perUserRequestsPerMinute", "perProjectRequestsPerMinute"]
        if let unknown = settings.options.keys.sorted().first(where: { !known.contains($0) }) {
            throw EmulatorOptionError("google-calendar has no option '\(unknown)' (\(known.sorted().joined(separator: ", ")))")
        }
        self.init(seed: settings.seed, options: options)
    }
}
