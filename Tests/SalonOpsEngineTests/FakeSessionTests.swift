import Foundation
import SalonOpsEmulatorKit
import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsSandbox
import Testing
@testable import SalonOpsEngine

/// The FakeSession reads answers the way the real transport does: the same scripts of answers,
/// sent through `HTTPTransport` to a loopback peer and through a FakeSession, end the same way
/// (the same answer or the same typed error) after the same number of tries.
@Suite struct FakeSessionTests {
    struct Script: Sendable, CustomTestStringConvertible {
        let name: String
        let method: ProviderRequest.Method
        let retryable: Bool?
        let statuses: [Int]
        var testDescription: String { name }
    }

    static let scripts = [
        Script(name: "a read retried through two 503s", method: .GET, retryable: nil, statuses: [503, 503, 200]),
        Script(name: "a read that never recovers stops at maxAttempts, then the run's budget", method: .GET, retryable: nil, statuses: [503, 503, 503, 503]),
        Script(
            name: "a write without an idempotency key is not sent again after a 500", method: .POST, retryable: nil,
            statuses: [500, 200]),
        Script(name: "a throttled write was not carried out: sent again", method: .POST, retryable: nil, statuses: [429, 200]),
        Script(name: "an idempotent write is retried", method: .POST, retryable: true, statuses: [502, 200]),
        Script(name: "a 404 is final", method: .DELETE, retryable: true, statuses: [404, 200]),
        Script(name: "a 401 under a static scheme is final", method: .GET, retryable: nil, statuses: [401, 200]),
    ]

    static let traits = ProviderTraits(
        endpoints: [Endpoint("api", "https://api.invalid")], auth: .none,
        rate: RatePolicy(requestsPerSecond: 1000, burst: 1000), maxAttempts: 3, retryBudget: RetryBudget(retriesPerRun: 2, maxAttemptsPerRequest: 10)
    ) { response in
        switch response.status {
        case 200..<300: return .success
        case 429:
            let after = Duration.milliseconds(1)
            return .retry(after: after, ProviderError(.rateLimited(retryAfter: after), status: 429, message: "slow down"))
        case 500...599: return .retry(after: nil, ProviderError(.transient, status: response.status, message: "try again"))
        case 404: return .failure(ProviderError(.notFound, status: 404, message: "gone"))
        case 401: return .failure(ProviderError(.auth, status: 401, message: "who are you"))
        default: return .failure(ProviderError(.permanent, status: response.status, message: "no"))
        }
    }

    /// How a send ended: the status returned, or the error's kind and status.
    static func outcome(_ body: () async throws -> ProviderResponse) async -> String {
        do { return "answer \(try await body().status)" } catch let error as ProviderError {
            return "error \(error.kind) \(error.status)"
        } catch {
            return "other \(error)"
        }
    }

    @Test(arguments: scripts)
    func theFakeEndsAsTheTransportDoes(_ script: Script) async throws {
        let request = ProviderRequest(script.method, "/thing", retryable: script.retryable)
        let responses = script.statuses.map { FakeSession.json(.object([("status", .int($0))]), status: $0) }

        let fake = FakeSession(traits: Self.traits, owner: "o")
        await fake.answer(FakeSession.Route(script.method, "/thing"), responses)
        let fakeOutcome = await Self.outcome { try await fake.send(request) }
        let fakeTries = await fake.sent.count

        let peer = ScriptedPeer(statuses: script.statuses)
        let (realOutcome, realTries) = try await withSandbox(SandboxConfiguration(emulators: [peer])) { sandbox in
            let transport = HTTPTransport(
                client: sandbox.client, provider: ScriptedPeer.providerID, traits: Self.traits,
                urls: ["api": sandbox.server.baseURL + "/" + ScriptedPeer.providerID + "/api"],
                limiter: RateLimiter(policy: Self.traits.rate), globalCap: AsyncSemaphore(4),
                retry: RetryPolicy(
                    baseDelay: .milliseconds(1), maxDelay: .milliseconds(5),
                    timeout: .seconds(10)),
                deadline: .now + .seconds(30), authenticator: StaticAuth { [:] })
            return (await Self.outcome { try await transport.send(request) }, peer.tries)
        }

        #expect(fakeOutcome == realOutcome)
        #expect(fakeTries == realTries)
    }

    @Test func aDroppedConnectionIsRetriedOnlyWhenTheRequestAllowsIt() async throws {
        let flag = Flag()
        let fake = FakeSession(traits: Self.traits, owner: "o") { _ in
            if await flag.flip() { throw FakeSession.Dropped() }
            return FakeSession.json(.object([]), status: 200)
        }
        #expect(await Self.outcome { try await fake.send(ProviderRequest(.GET, "/a")) } == "answer 200")
        #expect(await fake.sent.count == 2)
        await fake.clearRecord()
        #expect(await Self.outcome { try await fake.send(ProviderRequest(.POST, "/a")) } == "error transient 0")
        #expect(await fake.sent.count == 1)
    }

    @Test func anUnknownEndpointOrRouteIsNotAProviderAnswer() async throws {
        let fake = FakeSession(traits: Self.traits, owner: "o")
        #expect(await Self.outcome { try await fake.send(ProviderRequest(.GET, "/a", endpoint: "oauth")) } == "error permanent 0")
        await #expect(throws: FakeSession.Unanswered.self) { try await fake.send(ProviderRequest(.GET, "/nowhere")) }
        #expect(throws: ProviderError.self) { try fake.credential("apiKey") }
    }
}

/// Flips between true and false, starting with true: every other answer is dropped.
actor Flag {
    private var next = true
    func flip() -> Bool {
        defer { next.toggle() }
        return next
    }
}

/// Answers `/api/thing` with the scripted statuses in turn (the last one repeats), counting tries.
final class ScriptedPeer: ProviderEmulator {
    static let providerID = "scripted"
    let id = ScriptedPeer.providerID
    private let statuses: [Int]
    private let count = Locked(0)

    init(statuses: [Int]) { self.statuses = statuses }

    var tries: Int { count.withLock { $0 } }

    func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        let index = count.withLock { count -> Int in
            count += 1
            return count - 1
        }
        let status = statuses[min(index, statuses.count - 1)]
        return .json(status, .object([("status", .int(status))]))
    }

    func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse { .json(503, .object([])) }
    func reset() {}
}
