/// Request counters served by `GET /_sandbox/stats`: one row per provider, method and path.
struct RequestStats: Sendable {
    struct Key: Hashable, Sendable {
        var provider: String
        var method: String
        var path: String
    }

    struct Row: Sendable {
        var count = 0
        var faulted = 0
    }

    private(set) var rows: [Key: Row] = [:]
    private(set) var total = 0
    /// POST and DELETE requests to provider paths (faulted ones included: each is a write attempt).
    private(set) var writes = 0

    mutating func record(provider: String, method: String, path: String, faulted: Bool) {
        rows[Key(provider: provider, method: method, path: path), default: Row()].count += 1
        if faulted { rows[Key(provider: provider, method: method, path: path), default: Row()].faulted += 1 }
        total += 1
        if method == "POST" || method == "DELETE" { writes += 1 }
    }

    var json: JSONValue {
        let sorted = rows.sorted {
            ($0.key.provider, $0.key.path, $0.key.method) < ($1.key.provider, $1.key.path, $1.key.method)
        }
        return .object([
            ("requests", .array(sorted.map { key, row in
                .object([
                    ("provider", .string(key.provider)), ("method", .string(key.method)), ("path", .string(key.path)),
                    ("count", .int(row.count)), ("faulted", .int(row.faulted)),
                ])
            })),
            ("total", .int(total)),
            ("writes", .int(writes)),
        ])
    }
}
