import Foundation
import SalonOpsEmulatorKit

/// The Brevo emulator, served under `/brevo/api`: `/brevo/api/contacts/lists` is Brevo's
/// `https://api.brevo.com/v3/contacts/lists`. JSON bodies, `api-key` auth, Brevo's error
/// envelope and its published rate limits answered with 429 and `x-sib-ratelimit-*` headers.
///
/// Options (`--emulator-option brevo.<key>=<value>`):
/// - `apiKey=K`: the only key accepted (otherwise any non-empty key is, as the emulator cannot
///   know an account's keys);
/// - `authenticatedDomains=a.example,b.example`: domains the account has authenticated, whose
///   senders are active as soon as they are made (others wait for their code);
/// - `contactsPerSecond=N`, `otherPerHour=N`, `smtpPerHour=N`: the limits (10, 100, 300);
/// - `companyName=T`: the account's company, as `GET /account` gives it.
public final class BrevoEmulator: ProviderEmulator {
    public let id = "brevo"
    let seed: UInt64
    let options: Options
    let clock: SandboxClock
    private let state: Locked<BrevoState>
    private let limits: Locked<[RateClass: SlidingWindowLimiter]>

    struct Options {
        var apiKey: String?
        var authenticatedDomains: Set<String> = []
        var contactsPerSecond = 10
        var otherPerHour = 100
        var smtpPerHour = 300
        var companyName = "Belle Époque (sandbox)"

        init(_ options: [String: String]) throws {
            for (key, value) in options {
                switch key {
                case "apiKey": apiKey = value
                case "authenticatedDomains": authenticatedDomains = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                case "contactsPerSecond", "otherPerHour", "smtpPerHour":
                    guard let number = Int(value), number >= 0 else { throw EmulatorOptionError("brevo.\(key)=\(value): expected a whole number") }
                    switch key {
                    case "contactsPerSecond": contactsPerSecond = number
                    case "otherPerHour": otherPerHour = number
                    default: smtpPerHour = number
                    }
                case "companyName": companyName = value
                default:
                    throw EmulatorOptionError(
                        "unknown option brevo.\(key) (expected apiKey, authenticatedDomains, contactsPerSecond, otherPerHour, smtpPerHour, companyName)")
                }
            }
        }
    }

    /// Brevo's rate-limit families (https://developers.brevo.com/docs/api-limits, General tier).
    enum RateClass: Hashable {
        /// `/v3/contacts/…`: 10 a second (and 36,000 an hour, which 10 a second never passes
        /// in a sandbox run).
        case contacts
        /// `POST /v3/smtp/email`: 1,000 a second.
        case sendEmail
        /// The rest of `/v3/smtp/…`: 300 an hour.
        case smtp
        /// All other endpoints: 100 an hour.
        case other
    }

    public convenience init(settings: EmulatorSettings) throws {
        try self.init(seed: settings.seed, options: Options(settings.options), clock: .system)
    }

    init(seed: UInt64, options: Options, clock: SandboxClock) {
        self.seed = seed
        self.options = options
        self.clock = clock
        self.state = Locked(BrevoState(seed: seed))
        self.limits = Locked(Self.limiters(options))
    }

    /// For tests that move time instead of sleeping.
    public static func make(seed: UInt64, options: [String: String] = [:], clock: SandboxClock) throws -> BrevoEmulator {
        BrevoEmulator(seed: seed, options: try Options(options), clock: clock)
    }

    static func limiters(_ options: Options) -> [RateClass: SlidingWindowLimiter] {
        [
            .contacts: SlidingWindowLimiter(limit: options.contactsPerSecond, window: 1),
            .sendEmail: SlidingWindowLimiter(limit: 1000, window: 1),
            .smtp: SlidingWindowLimiter(limit: options.smtpPerHour, window: 3600),
            .other: SlidingWindowLimiter(limit: options.otherPerHour, window: 3600),
        ]
    }

    public func reset() {
        state.withLock { $0 = BrevoState(seed: seed) }
        limits.withLock { $0 = Self.limiters(options) }
        churned.withLock { $0 = [] }
    }

    static func rateClass(method: String, path: String) -> RateClass {
        if path.hasPrefix("/contacts") { return .contacts }
        if method == "POST" && path == "/smtp/email" { return .sendEmail }
        if path.hasPrefix("/smtp") { return .smtp }
        return .other
    }

    static func window(_ rateClass: RateClass) -> Int { rateClass == .contacts || rateClass == .sendEmail ? 1 : 3600 }

    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse {
        switch fault {
        case .rateLimited:
            return BrevoError(
                status: 429, code: .tooManyRequests, message: "Too many requests (injected by the SalonOps sandbox)",
                headers: [("x-sib-ratelimit-limit", "10"), ("x-sib-ratelimit-remaining", "0"), ("x-sib-ratelimit-reset", String(retryAfterSeconds))]
            ).response
        case .unavailable, .connectionReset:
            return EmulatorResponse.json(503, .object([("message", .string("Service temporarily unavailable (injected by the SalonOps sandbox)"))]))
        }
    }

    /// Ids in paths become their template, as the spec names them.
    public func statsPath(method: String, path: String) -> String {
        let names = ["folders": "{folderId}", "lists": "{listId}", "senders": "{senderId}", "webhooks": "{webhookId}"]
        var segments = path.split(separator: "/").map(String.init)
        for index in segments.indices.dropFirst() where Int(segments[index]) != nil {
            segments[index] = names[segments[index - 1]] ?? "{id}"
        }
        return "/" + segments.joined(separator: "/")
    }

    /// Lists the churn fault made (someone else's, in their own folder), by id.
    private let churned = Locked<[Int]>([])

    /// Someone else adds a list to a folder of theirs, or deletes one they added earlier.
    public func churn(_ draw: UInt64, like request: EmulatorRequest) async {
        state.withLock { state in
            let made = churned.withLock { $0 }
            if draw % 2 == 0 || made.isEmpty {
                let folder =
                    state.folders.first { $0.name == "Listes de l'équipe" }?.id
                    ?? {
                        let id = state.nextID("folder")
                        state.folders.append(BrevoState.Folder(id: id, name: "Listes de l'équipe"))
                        return id
                    }()
                let id = state.nextID("list")
                state.lists.append(BrevoState.ContactList(id: id, name: "Équipe \(id)", folderID: folder, createdAt: BrevoFormat.timestamp(clock.now)))
                churned.withLock { $0.append(id) }
            } else {
                let victim = made[Int((draw / 2) % UInt64(made.count))]
                state.lists.removeAll { $0.id == victim }
                churned.withLock { $0.removeAll { $0 == victim } }
            }
        }
    }

    public func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        // Brevo has one host: the endpoint segment is `api` (https://api.brevo.com/v3).
        let endpoint = request.endpoint
        guard endpoint.name == "api" else { return BrevoError.unknownRoute(request.method, request.path).response }
        let path = endpoint.path, method = request.method.uppercased()
        guard let key = request.header("api-key"), !key.isEmpty, options.apiKey.map({ $0 == key }) ?? true else {
            return BrevoError(status: 401, code: .unauthorized, message: "Key not found").response
        }
        let now = clock.now
        let rateClass = Self.rateClass(method: method, path: path)
        let (admitted, headers) = limits.withLock { limiters -> (Bool, [(String, String)]) in
            let admitted = limiters[rateClass]!.admit("account", at: now)
            let limiter = limiters[rateClass]!
            // `reset`: seconds until the window frees a place (the whole window when one is free).
            let reset = admitted ? Self.window(rateClass) : Int(limiter.retryAfter("account", at: now).rounded(.up))
            return (
                admitted,
                [
                    ("x-sib-ratelimit-limit", String(limiter.limit)), ("x-sib-ratelimit-remaining", String(max(0, limiter.limit - limiter.used("account", at: now)))),
                    ("x-sib-ratelimit-reset", String(reset)),
                ]
            )
        }
        guard admitted else {
            return BrevoError(status: 429, code: .tooManyRequests, message: "Too many requests: the limit of this endpoint is reached", headers: headers).response
        }
        let segments = path.split(separator: "/").map(String.init)
        let response: EmulatorResponse = state.withLock { state in
            do throws(BrevoError) {
                switch segments.first {
                case "contacts": return try state.contacts(method, Array(segments.dropFirst()), request, now: now)
                case "senders": return try state.senders(method, Array(segments.dropFirst()), request, authenticatedDomains: options.authenticatedDomains)
                case "webhooks": return try state.webhooks(method, Array(segments.dropFirst()), request, now: now)
                case "smtp" where segments == ["smtp", "email"] && method == "POST": return try state.sendEmail(request, now: now)
                case "smtp" where segments == ["smtp", "emails"] && method == "GET": return try state.listEmails(request)
                case "account" where segments.count == 1 && method == "GET": return .json(200, account)
                default: throw BrevoError.unknownRoute(method, path)
                }
            } catch {
                return error.response
            }
        }
        return headers.reduce(response) { $0.adding(header: $1.0, $1.1) }
    }

    /// `GET /account` (spec: `getAccount`).
    var account: JSONValue {
        .object([
            ("email", .string("compte@belle-epoque.example")), ("firstName", .string("Belle")), ("lastName", .string("Époque")),
            ("companyName", .string(options.companyName)),
            ("address", .object([("street", .string("1 rue de la Paix")), ("city", .string("Paris")), ("zipCode", .string("75011")), ("country", .string("France"))])),
            ("plan", .array([.object([("type", .string("free")), ("creditsType", .string("sendLimit")), ("credits", .int(300))])])),
            (
                "relay",
                .object([
                    ("enabled", .bool(true)),
                    ("data", .object([("userName", .string("compte@belle-epoque.example")), ("relay", .string("smtp-relay.brevo.com")), ("port", .int(587))])),
                ])
            ),
        ])
    }
}
