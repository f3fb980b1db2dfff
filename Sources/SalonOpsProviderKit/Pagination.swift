import Foundation

/// How a provider pages a list, as data: adapters declare it and `Paginator` walks it.
public enum PageStyle: Sendable, Hashable {
    /// `limit` + `starting_after=<last id>` until `has_more` is false (Stripe).
    case cursorAfterID(limitParameter: String, limit: Int, cursorParameter: String, itemsKey: String, hasMoreKey: String)
    /// `maxResults` + `pageToken` until no `nextPageToken` (Google).
    case pageToken(sizeParameter: String, size: Int, tokenParameter: String, itemsKey: String, nextTokenKey: String)
    /// `limit` + `offset` until a short page.
    case offset(limitParameter: String, limit: Int, offsetParameter: String, itemsKey: String)
    /// `limit` + `offset` until the items read reach the total the answer states (Brevo's
    /// `count`): a collection of exactly `limit` items costs one page, not two.
    case offsetCounted(limitParameter: String, limit: Int, offsetParameter: String, itemsKey: String, countKey: String)
    /// The answer names the next page's URL (path below the endpoint) until it does not.
    case nextURL(itemsKey: String, nextKey: String)

    public static func stripe(limit: Int = 100) -> PageStyle {
        .cursorAfterID(limitParameter: "limit", limit: limit, cursorParameter: "starting_after", itemsKey: "data", hasMoreKey: "has_more")
    }

    public static func google(size: Int) -> PageStyle {
        .pageToken(sizeParameter: "maxResults", size: size, tokenParameter: "pageToken", itemsKey: "items", nextTokenKey: "nextPageToken")
    }
}

public enum Paginator {
    /// Every item of a list, page after page (a page depends on the one before). `path` may
    /// carry a query already. Bounded: a provider that never stops paging is an error.
    public static func all(
        _ session: any ProviderSession, endpoint: String = "api", path: String, style: PageStyle,
        headers: [String: String] = [:], maxPages: Int = 10_000
    ) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var next: String? = first(path, style)
        var pages = 0
        // `.offsetCounted`: the total the first page stated, and how often the listing restarted.
        var total: Int?
        var restarts = 0
        while let current = next {
            pages += 1
            guard pages <= maxPages else {
                throw ProviderError(.permanent, message: "\(path): more than \(maxPages) pages; stopping (a paging loop?)")
            }
            let page = try await session.send(ProviderRequest(.GET, current, endpoint: endpoint, headers: headers)).json()
            let pageItems: [JSONValue]
            switch style {
            case .cursorAfterID(_, _, let cursor, let itemsKey, let hasMoreKey):
                pageItems = page[itemsKey]?.array ?? []
                let more = page[hasMoreKey]?.bool ?? false
                next = more ? pageItems.last?["id"]?.string.map { with(path, style, (cursor, $0)) } : nil
            case .pageToken(_, _, let tokenParameter, let itemsKey, let nextTokenKey):
                pageItems = page[itemsKey]?.array ?? []
                next = page[nextTokenKey]?.string.map { with(path, style, (tokenParameter, $0)) }
            case .offset(_, let limit, let offsetParameter, let itemsKey):
                pageItems = page[itemsKey]?.array ?? []
                next = pageItems.count < limit ? nil : with(path, style, (offsetParameter, String(items.count + pageItems.count)))
            case .offsetCounted(_, let limit, let offsetParameter, let itemsKey, let countKey):
                // Offsets shift when the collection changes between pages (a removal makes the
                // next page skip an item): a total that moved means reading it again from the start.
                if let stated = page[countKey]?.int, let expected = total, stated != expected {
                    restarts += 1
                    guard restarts <= maxRestarts else {
                        throw ProviderError(.transient, message: "\(path): the collection changed while it was read, \(maxRestarts) times over")
                    }
                    items = []
                    total = nil
                    next = first(path, style)
                    continue
                }
                total = total ?? page[countKey]?.int
                pageItems = page[itemsKey]?.array ?? []
                let read = items.count + pageItems.count
                // Without a count, a short page ends the list, as with `.offset`.
                let more = page[countKey]?.int.map { read < $0 } ?? (pageItems.count >= limit)
                next = more && !pageItems.isEmpty ? with(path, style, (offsetParameter, String(read))) : nil
            case .nextURL(let itemsKey, let nextKey):
                pageItems = page[itemsKey]?.array ?? []
                next = page[nextKey]?.string
            }
            items += pageItems
        }
        return items
    }

    /// Whether reading `count` items one by one costs fewer requests than listing all `total`
    /// at `pageSize` a page (a change-scoped run's few locations or venues).
    public static func cheaperOneByOne(_ count: Int, of total: Int, pageSize: Int) -> Bool {
        count < (total + max(pageSize, 1) - 1) / max(pageSize, 1)
    }

    /// Restarts of an `.offsetCounted` listing whose total kept moving before it gives up.
    static let maxRestarts = 10

    static func first(_ path: String, _ style: PageStyle) -> String {
        switch style {
        case .cursorAfterID(let parameter, let limit, _, _, _), .offset(let parameter, let limit, _, _), .offsetCounted(let parameter, let limit, _, _, _):
            return append(path, [(parameter, String(limit))])
        case .pageToken(let parameter, let size, _, _, _):
            return append(path, [(parameter, String(size))])
        case .nextURL:
            return path
        }
    }

    static func with(_ path: String, _ style: PageStyle, _ cursor: (String, String)) -> String {
        append(first(path, style), [cursor])
    }

    /// Appends query items, percent-encoded.
    public static func append(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        let query = items.map { "\(Query.encode($0.0))=\(Query.encode($0.1))" }.joined(separator: "&")
        return path + (path.contains("?") ? "&" : "?") + query
    }
}

public enum Query {
    /// RFC 3986 unreserved characters stay; everything else is percent-encoded.
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }
}

/// Runs independent requests (collections, sub-collections) at once; the transport's limits
/// still pace them. Results keep the input order, so output stays deterministic.
public func concurrently<Input: Sendable, Output: Sendable>(_ inputs: [Input], _ body: @escaping @Sendable (Input) async throws -> Output) async throws -> [Output] {
    try await withThrowingTaskGroup(of: (Int, Output).self) { group in
        for (index, input) in inputs.enumerated() { group.addTask { (index, try await body(input)) } }
        var results = [Output?](repeating: nil, count: inputs.count)
        for try await (index, output) in group { results[index] = output }
        return results.map { $0! }
    }
}

extension Paginator {
    /// Every node of a GraphQL connection (Relay's `edges { node }` or `nodes`, with
    /// `pageInfo { hasNextPage endCursor }`), page after page: the query takes `$first` and
    /// `$after`, and `connection` is the dotted path of the connection under `data`
    /// (`products`, `shop.locations`). A provider's throttling inside a 200 is its classifier's
    /// to turn into a retry; `errors` without data fail the listing.
    public static func connection(
        _ session: any ProviderSession, endpoint: String = "api", path: String, query: String, variables: [(String, JSONValue)] = [],
        connection: String, pageSize: Int, cost: Double? = nil, maxPages: Int = 10_000
    ) async throws -> [JSONValue] {
        var nodes: [JSONValue] = []
        var after: JSONValue = .null
        for _ in 0..<maxPages {
            let body: JSONValue = .object([
                ("query", .string(query)), ("variables", .object(variables + [("first", .int(pageSize)), ("after", after)])),
            ])
            let answer = try await session.send(.json(.POST, path, body, endpoint: endpoint, retryable: true, cost: cost)).json()
            guard let page = answer.at("data." + connection) else {
                let message = answer["errors"]?.array?.first?["message"]?.string ?? "no data at \(connection)"
                throw ProviderError(.permanent, message: "GraphQL \(connection): \(message)")
            }
            nodes += page["nodes"]?.array ?? (page["edges"]?.array ?? []).compactMap { $0["node"] }
            guard page.at("pageInfo.hasNextPage")?.bool == true, let cursor = page.at("pageInfo.endCursor")?.string else { return nodes }
            after = .string(cursor)
        }
        throw ProviderError(.permanent, message: "GraphQL \(connection): more than \(maxPages) pages; stopping (a paging loop?)")
    }
}
