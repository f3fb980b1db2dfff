import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsProviderKit

/// How hard a run tries: backoff, timeouts and the deadline past which nothing waits.
public struct RetryPolicy: Sendable {
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var timeout: Duration
    public var seed: UInt64

    public init(baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10), timeout: Duration = .seconds(30), seed: UInt64 = 0x5A10_0B5) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
        self.seed = seed
    }
}

/// Counts what a run asked of each provider (reported in status.json; the benchmark reads it).
public actor RequestCounter {
    public private(set) var reads = 0
    public private(set) var writes = 0
    /// Retries sent, within each request's own attempts and from the run's budget alike.
    public private(set) var retries = 0
    /// Retries taken from the run's budget (past a request's `maxAttempts`).
    public private(set) var budgetSpent = 0

    /// Answers by HTTP status ("200", "429"), and "none" for a request that got no answer.
    public private(set) var statuses: [String: Int] = [:]

    public init() {}

    func record(_ method: ProviderRequest.Method) { if method == .GET { reads += 1 } else { writes += 1 } }

    func answered(_ status: Int?) { statuses[status.map(String.init) ?? "none", default: 0] += 1 }

    /// Whether a request that has just failed its `attempt`-th try may try again, and counts the
    /// retry: within `maxAttempts` always, past it while the run's budget lasts.
    func takeRetry(after attempt: Int, maxAttempts: Int, budget: RetryBudget) -> Bool {
        guard budget.allowsRetry(after: attempt, maxAttempts: maxAttempts, spent: &budgetSpent) else { return false }
        retries += 1
        return true
    }

    public var total: Int { reads + writes }
}

/// HTTP for one integration's provider (AsyncHTTPClient): its named endpoints, its auth, its
/// account's rate limiter and the process-wide cap on requests in flight, and its retry rules
/// read from each answer by the provider's classifier. `Retry-After` (seconds or an HTTP date)
/// is honoured up to the run's deadline.
public final class HTTPTransport: Sendable {
    let client: HTTPClient
    let provider: String
    let traits: ProviderTraits
    /// Endpoint name → base URL (no trailing slash).
    let urls: [String: String]
    let limiter: RateLimiter
    let globalCap: AsyncSemaphore
    let retry: RetryPolicy
    let deadline: ContinuousClock.Instant
    let jitter: SeededRandom
    let authenticator: Authenticator
    public let counter = RequestCounter()

    init(
        client: HTTPClient, provider: String, traits: ProviderTraits, urls: [String: String], limiter: RateLimiter, globalCap: AsyncSemaphore,
        retry: RetryPolicy, deadline: ContinuousClock.Instant, authenticator: Authenticator
    ) {
        self.client = client
        self.provider = provider
        self.traits = traits
        self.urls = urls.mapValues { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.limiter = limiter
        self.globalCap = globalCap
        self.retry = retry
        self.deadline = deadline
        self.jitter = SeededRandom(seed: retry.seed)
        self.authenticator = authenticator
    }

    /// Sends with auth, pacing and retries; returns only a success, throws the provider's
    /// typed error otherwise.
    public func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        try await send(request, authenticated: true, classify: traits.classify)
    }

    /// The one retry loop: API requests (authenticated, the provider's classifier) and token
    /// requests (their own credentials, the OAuth answer shape) alike.
    func send(_ request: ProviderRequest, authenticated: Bool, classify: (ProviderResponse) -> ResponseClass) async throws -> ProviderResponse {
        var attempt = 0
        var refreshed = false
        while true {
            attempt += 1
            var headers = request.headers
            if authenticated {
                for (name, value) in try await authenticator.headers(self) { headers[name] = value }
            }
            let scrub = SentValues(headers: headers)
            let outcome = try await exchange(request, headers: headers).mapError(scrub.apply)
            let wait: Duration?
            let failure: ProviderError
            switch outcome {
            case .success(let response):
                if authenticated, response.status == 401, authenticator.refreshable, !refreshed {
                    // A token revoked or expired early: one refresh, then the same request.
                    refreshed = true
                    await authenticator.invalidate(headers)
                    attempt -= 1
                    continue
                }
                switch classify(response) {
                case .success: return response
                case .failure(let error): throw scrub.apply(error)
                case .retry(let after, let rawError):
                    let error = scrub.apply(rawError)
                    guard request.retryable || error.wasNotCarriedOut else { throw error }
                    wait = after
                    failure = error
                }
            case .failure(let error):
                guard request.retryable else { throw error }
                wait = nil
                failure = error
            }
            let delay = delay(attempt: attempt, retryAfter: wait)
            guard ContinuousClock.now + delay < deadline else {
                throw ProviderError(failure.kind, status: failure.status, message: failure.message + " (the provider asked to wait \(delay), past the run's deadline)")
            }
            guard await counter.takeRetry(after: attempt, maxAttempts: traits.maxAttempts, budget: traits.retryBudget) else {
                let spent = await counter.budgetSpent
                throw ProviderError(
                    failure.kind, status: failure.status,
                    message: failure.message
                        + " (after \(attempt) tries; this run's retry budget for \(provider) has \(traits.retryBudget.retriesPerRun - spent) of \(traits.retryBudget.retriesPerRun) left)"
                )
            }
            try await Task.sleep(for: delay)
        }
    }

    /// One request on the wire, paced; a connection failure comes back as a transient error.
    func exchange(_ request: ProviderRequest, headers: [String: String]) async throws -> Result<ProviderResponse, ProviderError> {
        guard let base = urls[request.endpoint] else {
            throw ProviderError(.permanent, message: "\(provider) has no endpoint '\(request.endpoint)'")
        }
        try await limiter.admit(keys: request.rateKeys, cost: request.cost, deadline: deadline)
        await globalCap.acquire()
        await limiter.inFlight.acquire()
        await counter.record(request.method)
        let result: Result<ProviderResponse, Error>
        do { result = .success(try await once(base + request.path, request, headers: headers)) } catch { result = .failure(error) }
        await limiter.inFlight.release()
        await globalCap.release()
        await counter.answered(try? result.get().status)
        switch result {
        case .success(let response):
            if let available = traits.rate.cost?.readAvailable(response) { await limiter.observe(available: available) }
            return .success(response)
        case .failure(let error) where error is CancellationError: throw error
        case .failure(let error):
            let url = URL(string: base)
            let host = url?.host ?? base
            if let reason = Self.unreachable(error) {
                // Nothing listens there, or the name does not resolve: retrying will not help
                // within a run, and the endpoint is most likely wrong.
                let place = host + (url?.port.map { ":\($0)" } ?? "")
                throw ProviderError(
                    .permanent,
                    message:
                        "cannot reach \(provider)'s \(request.endpoint) endpoint at \(place) (\(reason)); check the endpoint (--endpoint, the Integration's endpoint:, --sandbox)")
            }
            return .failure(ProviderError(.transient, message: "no answer from \(host): \(Self.describe(error))"))
        }
    }

    /// Full jitter over a capped exponential, but never less than the provider's own delay.
    func delay(attempt: Int, retryAfter: Duration?) -> Duration {
        let exponential = retry.baseDelay * Int(1 << min(attempt - 1, 16))
        let jittered = min(exponential, retry.maxDelay) * jitter.unit()
        guard let retryAfter else { return jittered }
        return max(retryAfter, jittered)
    }

    private func once(_ url: String, _ request: ProviderRequest, headers: [String: String]) async throws -> ProviderResponse {
        var http = HTTPClientRequest(url: url)
        http.method = HTTPMethod(rawValue: request.method.rawValue)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { http.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == .POST || request.method == .PUT || request.method == .PATCH {
            http.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let response = try await client.execute(http, timeout: .nanoseconds(Int64(retry.timeout.components.seconds) * 1_000_000_000))
        var body = try await response.body.collect(upTo: 32 << 20)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return ProviderResponse(status: Int(response.status.code), headers: headers, body: bytes)
    }

    /// Why a connection can certainly not be made (refused, or a host name that does not
    /// resolve), or nil for a failure that may pass (a reset, a timeout).
    static func unreachable(_ error: Error) -> String? {
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return "connection refused" }
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("errno: 111") { return "connection refused" }
        let dns = ["dnsAError", "dnsAAAAError", "Name or service not known", "No address associated", "nodename nor servname", "getaddrinfo"]
        if dns.contains(where: text.contains) { return "the host name does not resolve" }
        return nil
    }

    /// A connection error in words, without any header (which may carry a credential).
    static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

/// What a request sent that a provider may echo back (an error body that quotes the request's
/// headers): the value of every header that carries a credential, the credential after its
/// scheme (`Bearer x`), and both halves of Basic credentials. A provider's words reach messages
/// only with these cut out.
struct SentValues {
    let values: [String]

    static func carriesCredential(_ header: String) -> Bool {
        let name = header.lowercased()
        return ["auth", "key", "token", "secret", "signature", "cookie", "session", "password"].contains { name.contains($0) }
    }

    /// `values`: what else the request sent that is secret (a token grant's form values).
    init(headers: [String: String], values given: [String] = []) {
        var values = given
        for (name, value) in headers where Self.carriesCredential(name) {
            values.append(value)
            let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            values.append(parts[1])
            if parts[0].lowercased() == "basic", let data = Data(base64Encoded: parts[1]), let pair = String(data: data, encoding: .utf8) {
                let halves = pair.split(separator: ":", maxSplits: 1).map(String.init)
                values += halves + halves.compactMap { $0.removingPercentEncoding }
            }
        }
        // Longest first, so a value inside another is cut with it; short ones ("1", a grant
        // type's word) are not secrets and would cut words.
        self.values = Set(values.filter { $0.count >= 6 }).sorted { $0.count > $1.count }
    }

    func cut(_ text: String) -> String {
        values.reduce(SecretScanner.redact(text)) { $0.replacingOccurrences(of: $1, with: "(redacted)") }
    }

    func apply(_ error: ProviderError) -> ProviderError {
        let message = cut(error.message)
        return message == error.message ? error : ProviderError(error.kind, status: error.status, message: message)
    }
}

/// SplitMix64: seeded, so backoff jitter repeats from run to run in tests.
public final class SeededRandom: @unchecked Sendable {
    // @unchecked: the state is only touched under the lock.
    private var state: UInt64
    private let lock = NSLock()

    public init(seed: UInt64) { state = seed }

    public func next() -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
