import AsyncHTTPClient
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsSecrets

/// One integration's provider outside any run: the daemon's email alerts, sent after a run as
/// well as when a fetch fails and nothing runs. It keeps what the last run resolved (decrypted
/// credentials, URLs, traits) and its own limiter, and sends each request through a fresh
/// transport with its own deadline over the caller's HTTP client, so it outlives the run's
/// client and deadline.
public struct StandingSession: Sendable {
    public let integration: Integration
    public let provider: String
    let traits: ProviderTraits
    let urls: [String: String]
    let credentials: [String: Secret]
    let limiter: RateLimiter
    let retry: RetryPolicy

    /// Sends with the integration's auth, pacing and retries, within `deadline`.
    public func send(_ request: ProviderRequest, client: HTTPClient, deadline: Duration = .seconds(30)) async throws -> ProviderResponse {
        let auth = Authenticators.make(
            traits.auth, integration: integration.metadata.name,
            AuthContext(provider: provider, credentials: credentials, settings: SettingsReader(integration.settings?.value), tokens: nil))
        let transport = HTTPTransport(
            client: client, provider: provider, traits: traits, urls: urls, limiter: limiter, globalCap: AsyncSemaphore(traits.rate.maxInFlight),
            retry: retry, deadline: .now + deadline, authenticator: auth)
        return try await transport.send(request)
    }
}

extension Reconciler {
    /// The session of `integration` for use after this run (nil: not managed here, or it could
    /// not be connected: its error is the run's).
    public func standingSession(for integration: String) -> StandingSession? {
        guard case .success(let target)? = targets[integration] else { return nil }
        let transport = target.session.transport
        return StandingSession(
            integration: target.integration, provider: transport.provider, traits: transport.traits, urls: transport.urls,
            credentials: target.session.credentials, limiter: RateLimiter(policy: transport.traits.rate), retry: transport.retry)
    }
}
