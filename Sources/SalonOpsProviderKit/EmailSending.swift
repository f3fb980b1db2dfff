/// An email SalonOps sends on its own behalf (the daemon's alerts): plain text, an optional
/// HTML part, and tags the provider files it under.
public struct EmailMessage: Sendable, Equatable {
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String?
    public var tags: [String]

    public init(to: [String], subject: String, text: String, html: String? = nil, tags: [String] = []) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.tags = tags
    }
}

/// A provider that can send such an email through an integration's own session (its auth,
/// base URL, pacing and retries are the transport's).
public protocol EmailSending: ProviderModule {
    /// The request that sends `message` from the integration's configured sender; throws a
    /// ProviderError naming the setting when the integration cannot send (no sender).
    static func emailRequest(_ message: EmailMessage, integration: Integration) throws -> ProviderRequest
}
