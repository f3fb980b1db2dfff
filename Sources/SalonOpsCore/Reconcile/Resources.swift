/// A field's value, as the diff compares it and plans show it. Maps are flattened into dotted
/// field names (`metadata.category`), so ignore rules and field changes name one path each.
public indirect enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case list([FieldValue])
    case null
    /// A secret, known only by its fingerprint: the value itself is fetched at apply time from
    /// `reference` (`file#key.path`) and never stored in a plan.
    case secret(reference: String, fingerprint: String)

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .null: return "null"
        case .secret(_, let fingerprint): return "(secret \(fingerprint))"
        }
    }

    /// Equality for the diff: secrets compare by fingerprint.
    func sameValue(as other: FieldValue) -> Bool {
        switch (self, other) {
        case let (.secret(_, a), .secret(_, b)): return a == b
        default: return self == other
        }
    }
}

/// One type of resource a provider manages, and the rules the diff follows for it.
public struct ResourceKind: Sendable, Hashable {
    public enum Removal: Sendable, Hashable {
        /// `DELETE` removes it.
        case delete
        /// It cannot be deleted; removal sets this boolean field to false (Stripe prices, tax rates).
        case archive(field: String)
        /// Read-only provider: never removed, only reported.
        case never
    }

    public let name: String
    /// The word the owner's summary uses (French): "prix", "produit", "coupon"…
    public let label: String
    /// A change to one of these means create a new resource and retire the old (replace).
    public let immutableFields: Set<String>
    /// Returned once by the provider (a signing secret): never compared, never shown.
    public let writeOnlyFields: Set<String>
    /// Compared and shown by fingerprint only.
    public let sensitiveFields: Set<String>
    /// Kinds whose changes must be applied before this one's (a price after its product).
    public let dependsOn: [String]
    public let removal: Removal
    /// Amount field → currency field, so plans print "65,00 €" rather than 6500.
    public let moneyFields: [String: String]
    /// Owner-facing names of fields (French), for the summary.
    public let fieldLabels: [String: String]

    public init(name: String, label: String, immutableFields: Set<String> = [], writeOnlyFields: Set<String> = [],
                sensitiveFields: Set<String> = [], dependsOn: [String] = [], removal: Removal = .delete,
                moneyFields: [String: String] = [:], fieldLabels: [String: String] = [:]) {
        self.name = name
        self.label = label
        self.immutableFields = immutableFields
        self.writeOnlyFields = writeOnlyFields
        self.sensitiveFields = sensitiveFields
        self.dependsOn = dependsOn
        self.removal = removal
        self.moneyFields = moneyFields
        self.fieldLabels = fieldLabels
    }
}

/// What the config says should exist at a provider, projected from the model by the provider.
public struct DesiredResource: Sendable, Hashable, Codable {
    public let kind: String
    /// SalonOps' own identity for it, stable across runs (`salonops_id` at the provider).
    public let key: String
    /// The establishment it belongs to, for the summary (nil: account-level).
    public let establishment: String?
    /// What the owner calls it: « Soin visage 60 min ».
    public let title: String
    public var fields: [String: FieldValue]
    /// Field → key of another desired resource it points at (a price's product); the provider
    /// puts the remote id in at apply time.
    public var references: [String: String]
    /// How an unmarked resource is recognised for adoption (`adopt: true`): a lookup key or name.
    public var naturalKey: String?

    public init(kind: String, key: String, establishment: String? = nil, title: String, fields: [String: FieldValue],
                references: [String: String] = [:], naturalKey: String? = nil) {
        self.kind = kind
        self.key = key
        self.establishment = establishment
        self.title = title
        self.fields = fields
        self.references = references
        self.naturalKey = naturalKey
    }

    /// A stable digest of what SalonOps sets (fields and references), written on the resource
    /// at apply time: when the resource later differs but still carries the digest of the
    /// current config, someone changed it behind SalonOps' back (drift).
    public var digest: String { StableDigest.of(fields: fields, references: references) }
}

/// What a provider reports it has.
public struct ObservedResource: Sendable, Hashable, Codable {
    public let kind: String
    public let remoteID: String
    /// The `salonops_id` marker, when SalonOps made or adopted it.
    public let key: String?
    /// The `salonops_owner` marker: which organization's config manages it.
    public let owner: String?
    public let naturalKey: String?
    public var fields: [String: FieldValue]
    /// Field → remote id of another resource (a price's product id).
    public var references: [String: String]
    /// The `salonops_digest` marker written at the last apply.
    public let appliedDigest: String?
    /// Archived (inactive, retired by a replace): history, never matched or counted.
    public let archived: Bool
    /// An optimistic-concurrency token (ETag, SyncToken) to send back with an update.
    public let version: String?
    /// For the summary when the resource is not in the config (orphans, unmanaged).
    public let title: String

    public init(kind: String, remoteID: String, key: String?, owner: String?, naturalKey: String? = nil, fields: [String: FieldValue],
                references: [String: String] = [:], appliedDigest: String? = nil, archived: Bool = false, version: String? = nil, title: String) {
        self.kind = kind
        self.remoteID = remoteID
        self.key = key
        self.owner = owner
        self.naturalKey = naturalKey
        self.fields = fields
        self.references = references
        self.appliedDigest = appliedDigest
        self.archived = archived
        self.version = version
        self.title = title
    }
}

/// FNV-1a (64-bit) over a canonical text: stable across processes and machines (Swift's
/// `Hasher` is seeded per process). For change detection, not security.
public enum StableDigest {
    public static func of(fields: [String: FieldValue], references: [String: String]) -> String {
        var text = ""
        for key in fields.keys.sorted() { text += "f:\(key)=\(canonical(fields[key]!))\n" }
        for key in references.keys.sorted() { text += "r:\(key)=\(references[key]!)\n" }
        return of(text)
    }

    public static func of(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func canonical(_ value: FieldValue) -> String {
        switch value {
        case .secret(_, let fingerprint): return "secret:\(fingerprint)"
        case .list(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
        default: return value.description
        }
    }
}

/// In JSON (plans, reports) a field value is the plain JSON value; a secret is
/// `{"secret": fingerprint, "reference": "file#key"}`.
extension FieldValue: Codable {
    private enum SecretKeys: String, CodingKey { case secret, reference }

    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: SecretKeys.self) {
            self = .secret(reference: try object.decode(String.self, forKey: .reference), fingerprint: try object.decode(String.self, forKey: .secret))
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [FieldValue] = []
            while !list.isAtEnd { items.append(try list.decode(FieldValue.self)) }
            self = .list(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let i = try? single.decode(Int64.self) { self = .int(i) }
        else { self = .string(try single.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .secret(let reference, let fingerprint):
            var object = encoder.container(keyedBy: SecretKeys.self)
            try object.encode(fingerprint, forKey: .secret)
            try object.encode(reference, forKey: .reference)
        case .list(let items):
            var list = encoder.unkeyedContainer()
            for item in items { try list.encode(item) }
        case .string(let s): var single = encoder.singleValueContainer(); try single.encode(s)
        case .int(let i): var single = encoder.singleValueContainer(); try single.encode(i)
        case .bool(let b): var single = encoder.singleValueContainer(); try single.encode(b)
        case .null: var single = encoder.singleValueContainer(); try single.encodeNil()
        }
    }
}
