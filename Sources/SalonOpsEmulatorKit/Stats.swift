/// Request counters served by `GET /_sandbox/stats`: one row per provider, method and path.
public struct RequestStats: Sendable {
    public struct Key: Hashable, Sendable {
        var provider: String
        var method: String
        var path: String
    }

    public struct Row: Sendable {
        var count = 0
        var faulted = 0
    }

    public private(set) var rows: [Key: Row] = [:]

    public init() {}
    private(set) var total = 0
    /// Requests the provider calls writes (faulted ones included: each is a write attempt).
    private(set) var writes = 0

    public mutating func record(provider: String, method: String, path: String, faulted: Bool, write: Bool) {
        rows[Key(provider: provider, method: method, path: path), default: Row()].count += 1
        if faulted { rows[Key(provider: provider, method: method, path: path), default: Row()].faulted += 1 }
        total += 1
        if write { writes += 1 }
    }

    public var json: JSONValue {
        let sorted = rows.sorted {
            ($0.key.provider, $0.key.path, $0.key.method) < ($1.key.provider, $1.key.path, $1.key.method)
        }
        return .object([
            (
                "requests",
                .array(
                    sorted.map { key, row in
                        .object([
                            ("provider", .string(key.provider)), ("method", .string(key.method)), ("path", .string(key.path)),
                            ("count", .int(row.count)), ("faulted", .int(row.faulted)),
                        ])
                    })
            ),
            ("total", .int(total)),
            ("writes", .int(writes)),
        ])
    }
}
