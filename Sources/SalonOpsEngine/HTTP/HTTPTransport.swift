import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsCore

/// How a provider's requests are paced and retried.
public struct TransportPolicy: Sendable {
    /// Token bucket: sustained requests per second, and the burst allowed.
    public var requestsPerSecond: Double
    public var burst: Int
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var timeout: Duration
    public var seed: UInt64

    public init(requestsPerSecond: Double = 25, burst: Int = 25, maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(200),
                maxDelay: Duration = .seconds(10), timeout: Duration = .seconds(30), seed: UInt64 = 0x5A10_0B5) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
        self.seed = seed
    }

    /// Stripe's test mode allows 25 requests per second.
    public static let stripe = TransportPolicy()
}

/// Counts what a run asked of each provider (reported in status.json; the benchmark reads it).
public actor RequestCounter {
    public private(set) var reads = 0
    public private(set) var writes = 0
    public private(set) var retries = 0

    public init() {}

    func record(_ method: ProviderRequest.Method) { if method == .GET { reads += 1 } else { writes += 1 } }
    func recordRetry() { retries += 1 }
    public var total: Int { reads + writes }
}

/// HTTP for provider adapters (AsyncHTTPClient): a token bucket per provider, retries on 429,
/// 5xx and connection errors with capped exponential backoff and full jitter, `Retry-After`
/// honoured, idempotency keys kept across retries by the request itself.
public final class HTTPTransport: Sendable {
    let client: HTTPClient
    let baseURL: String
    let policy: TransportPolicy
    let bucket: TokenBucket
    let jitter: SeededRandom
    public let counter = RequestCounter()

    public init(client: HTTPClient, baseURL: String, policy: TransportPolicy) {
        self.client = client
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.policy = policy
        self.bucket = TokenBucket(rate: policy.requestsPerSecond, burst: policy.burst)
        self.jitter = SeededRandom(seed: policy.seed)
    }

    public func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        var attempt = 0
        while true {
            attempt += 1
            try await bucket.take()
            await counter.record(request.method)
            let outcome: Result<ProviderResponse, Error>
            do { outcome = .success(try await once(request)) } catch { outcome = .failure(error) }
            let retryAfter: Duration?
            switch outcome {
            case .success(let response):
                let transient = response.status == 429 || (500...599).contains(response.status)
                guard transient, attempt < policy.maxAttempts, request.retryable || response.status == 429 || response.status == 503 else {
                    return response
                }
                retryAfter = response.headers["retry-after"].flatMap(Double.init).map { .milliseconds(Int64($0 * 1000)) }
            case .failure(let error):
                guard request.retryable, attempt < policy.maxAttempts, !(error is CancellationError) else {
                    throw ProviderError(status: 0, message: "no answer from \(host): \(Self.describe(error))", retryable: true)
                }
                retryAfter = nil
            }
            await counter.recordRetry()
            try await Task.sleep(for: delay(attempt: attempt, retryAfter: retryAfter))
        }
    }

    var host: String { URL(string: baseURL)?.host ?? baseURL }

    /// Full jitter over a capped exponential, but never less than the server's Retry-After.
    func delay(attempt: Int, retryAfter: Duration?) -> Duration {
        let exponential = policy.baseDelay * Int(1 << min(attempt - 1, 16))
        let capped = min(exponential, policy.maxDelay)
        let jittered = capped * jitter.unit()
        guard let retryAfter else { return jittered }
        return min(max(retryAfter, jittered), policy.maxDelay * 3)
    }

    private func once(_ request: ProviderRequest) async throws -> ProviderResponse {
        var http = HTTPClientRequest(url: baseURL + request.path)
        http.method = HTTPMethod(rawValue: request.method.rawValue)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == .POST { http.body = .bytes(ByteBuffer(bytes: request.body)) }
        let response = try await client.execute(http, timeout: .nanoseconds(Int64(policy.timeout.components.seconds) * 1_000_000_000))
        var body = try await response.body.collect(upTo: 32 << 20)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return ProviderResponse(status: Int(response.status.code), headers: headers, body: bytes)
    }

    /// A connection error in words, without any header (which may carry a credential).
    static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

/// A token bucket: `take()` waits until a token is free.
actor TokenBucket {
    let rate: Double
    let burst: Double
    var tokens: Double
    var last: ContinuousClock.Instant

    init(rate: Double, burst: Int) {
        self.rate = max(rate, 0.001)
        self.burst = Double(max(burst, 1))
        self.tokens = Double(max(burst, 1))
        self.last = .now
    }

    func take() async throws {
        for _ in 0..<100_000 {
            let now = ContinuousClock.now
            let elapsed = now - last
            last = now
            tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            if tokens >= 1 {
                tokens -= 1
                return
            }
            let wait = (1 - tokens) / rate
            try await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 1))
        }
    }
}

/// SplitMix64: seeded, so backoff jitter repeats from run to run in tests.
final class SeededRandom: @unchecked Sendable {
    // @unchecked: the state is only touched under the lock.
    private var state: UInt64
    private let lock = NSLock()

    init(seed: UInt64) { state = seed }

    func next() -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
