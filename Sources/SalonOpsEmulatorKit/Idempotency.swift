/// Stored results of requests sent with an idempotency key, per scope (Stripe: per API key).
/// A retry with the same key, endpoint and parameters replays the stored response; the same key
/// with another endpoint or other parameters is refused; one still running answers "in flight".
public struct IdempotencyStore: Sendable {
    public enum Lookup: Sendable {
        case proceed
        case replay(EmulatorResponse)
        case endpointMismatch(original: String)
        case parameterMismatch
        case inFlight
    }

    private struct Entry: Sendable {
        var endpoint: String
        var fingerprint: String
        var response: EmulatorResponse?
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    private static func slot(_ scope: String, _ key: String) -> String { scope + "\u{0}" + key }

    /// Looks the key up; on `.proceed` the key is marked in flight until `finish` or `abandon`.
    public mutating func begin(scope: String, key: String, endpoint: String, fingerprint: String) -> Lookup {
        let slot = Self.slot(scope, key)
        if let entry = entries[slot] {
            if entry.endpoint != endpoint { return .endpointMismatch(original: entry.endpoint) }
            if entry.fingerprint != fingerprint { return .parameterMismatch }
            guard let response = entry.response else { return .inFlight }
            return .replay(response)
        }
        entries[slot] = Entry(endpoint: endpoint, fingerprint: fingerprint, response: nil)
        return .proceed
    }

    public mutating func finish(scope: String, key: String, response: EmulatorResponse) {
        entries[Self.slot(scope, key)]?.response = response
    }

    /// Forgets a key whose request is not to be remembered (e.g. it failed validation).
    public mutating func abandon(scope: String, key: String) {
        entries[Self.slot(scope, key)] = nil
    }
}
