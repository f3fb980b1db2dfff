/// How one provider's venue API is spoken: requests built and answers read for the neutral
/// values of VenueValues.swift. `VenueAdapter` is written against this alone, so replacing an
/// assumed contract with a partner's real one is a new conformance, and nothing else.
public protocol VenueWireFormat: Sendable {
    /// The countries and currencies the provider trades in, and what a venue carries.
    var market: VenueMarket { get }
    /// The largest page the provider serves.
    var maxPageSize: Int { get }
    /// The first page of a collection (`venue` nil for the account's venues and webhooks) and how
    /// to walk the rest.
    func list(_ kind: VenueItemKind, venue: String?, pageSize: Int) -> (path: String, style: PageStyle)
    /// One object read by id.
    func read(_ kind: VenueItemKind, id: String, venue: String?) -> ProviderRequest
    /// An object from the provider's JSON; nil when it is not one.
    func decode(_ kind: VenueItemKind, _ json: JSONValue) -> VenueItem?
    /// Creates an object; retry-safe through the key.
    func create(_ item: VenueItem, venue: String?, idempotencyKey: String) -> ProviderRequest
    /// Writes an existing object (`item.id`) conditionally on `item.version`.
    func update(_ item: VenueItem, venue: String?) -> ProviderRequest
    func delete(_ kind: VenueItemKind, id: String, venue: String?) -> ProviderRequest
    /// One cheap authenticated call.
    var check: ProviderRequest { get }
    /// The provider's answer as success, retry or a typed failure.
    func classify(_ response: ProviderResponse) -> ResponseClass
}
