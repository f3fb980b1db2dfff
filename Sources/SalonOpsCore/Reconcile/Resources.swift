/// A field's value, as the diff compares it and plans show it. Maps are flattened into dotted
/// field names (`metadata.category`), so ignore rules and field changes name one path each.
public indirect enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case list([FieldValue])
    /// A block replaced whole, its entries in order (opening hours: `openDay`, `openTime`…).
    case object([FieldEntry])
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
        case .object(let entries): return "{" + entries.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "}"
        case .null: return "null"
        case .secret(_, let fingerprint): return "(secret \(fingerprint))"
        }
    }

    /// The text of a string value; nil for any other.
    public var text: String? { if case .string(let s) = self { return s }; return nil }

    /// Equality for the diff: secrets compare by fingerprint.
    func sameValue(as other: FieldValue) -> Bool {
        switch (self, other) {
        case let (.secret(_, a), .secret(_, b)): return a == b
        default: return self == other
        }
    }
}

/// One named entry of an object value.
public struct FieldEntry: Sendable, Hashable, Codable {
    public let name: String
    public let value: FieldValue

    public init(_ name: String, _ value: FieldValue) {
        self.name = name
        self.value = value
    }
}

/// A resource by SalonOps' identity: the same key may name a product and its price, so a
/// reference always says which kind it means.
public struct ResourceRef: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let kind: String
    public let key: String

    public init(_ kind: String, _ key: String) {
        self.kind = kind
        self.key = key
    }

    public var description: String { "\(kind) \(key)" }
    public static func < (a: ResourceRef, b: ResourceRef) -> Bool { (a.kind, a.key) < (b.kind, b.key) }
}

/// One type of resource a provider manages, and the rules the diff follows for it.
public struct ResourceKind: Sendable, Hashable {
    public enum Removal: Sendable, Hashable {
        /// `DELETE` removes it.
        case delete
        /// It cannot be deleted; removal sets this field to `value` (Stripe `active: false`,
        /// Shopify `status: ARCHIVED`); re-adding it to the config restores it.
        case archive(field: String, value: FieldValue)
        /// Never removed, only reported.
        case never

        public static func archive(field: String) -> Removal { .archive(field: field, value: .bool(false)) }
    }

    /// How SalonOps recognises what it made.
    public enum Identity: Sendable, Hashable {
        /// Markers (owner, key, digest) on the resource: in free-form metadata, in extended
        /// properties, or in a tag in a text field such as a description.
        case marker(MarkerPlace)
        /// A remote id derived from the key, so a retried create finds its resource.
        case deterministicID
        /// Matched by a natural key (an ACL rule's scope); ownership from the ledger.
        case naturalKey
        /// An existing remote resource named in the Integration's settings (a GBP location).
        case configured(setting: String)
        /// Nothing on the resource: the engine's ledger in the state directory maps key to
        /// remote id; an unfinished create blocks that resource until resolved.
        case ledger
    }

    public enum MarkerPlace: Sendable, Hashable {
        case metadata, extendedProperty, descriptionTag
    }

    /// What SalonOps may do to resources of this kind.
    public enum Management: String, Sendable, Hashable, Codable {
        /// Create, update, replace, delete.
        case full
        /// Update what exists (bound by id); never create nor delete.
        case updateOnly
        /// Take over what exists (by natural key); never create.
        case adoptOnly
        /// Read and compare only: differences are findings to correct by hand.
        case observeOnly
    }

    /// How an update is written.
    public enum UpdateStyle: Sendable, Hashable {
        /// Only the changed fields (PATCH, Stripe's POST).
        case partial
        /// The changed top-level blocks with a mask naming them (Google's `updateMask`).
        case fieldMask
        /// The whole resource, from the raw observed payload with the changes applied (PUT).
        case wholeResource
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
    /// Every field SalonOps sets or compares (dotted paths): `ignore:` rules are checked
    /// against them by `validate`.
    public let fields: Set<String>
    public let identity: Identity
    public let management: Management
    public let updateStyle: UpdateStyle

    public init(
        name: String, label: String, fields: Set<String> = [], immutableFields: Set<String> = [], writeOnlyFields: Set<String> = [],
        sensitiveFields: Set<String> = [], dependsOn: [String] = [], removal: Removal = .delete,
        moneyFields: [String: String] = [:], fieldLabels: [String: String] = [:], identity: Identity = .marker(.metadata),
        management: Management = .full, updateStyle: UpdateStyle = .partial
    ) {
        self.fields = fields.union(immutableFields).union(writeOnlyFields).union(sensitiveFields).union(moneyFields.keys).union(fieldLabels.keys)
        self.identity = identity
        self.management = management
        self.updateStyle = updateStyle
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
    /// Field → another desired resource it points at (a price's product); the provider puts
    /// the remote id in at apply time.
    public var references: [String: ResourceRef]
    /// How an unmarked resource is recognised for adoption (`adopt: true`): a lookup key or name.
    public var naturalKey: String?
    /// For a kind bound by settings (`identity: .configured`): the remote id it must match.
    public var remoteID: String?

    public var ref: ResourceRef { ResourceRef(kind, key) }

    public init(
        kind: String, key: String, establishment: String? = nil, title: String, fields: [String: FieldValue],
        references: [String: ResourceRef] = [:], naturalKey: String? = nil, remoteID: String? = nil
    ) {
        self.remoteID = remoteID
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
    public var digest: String { StableDigest.of(fields: fields, references: references.mapValues(\.description)) }
}

/// What a provider reports it has.
public struct ObservedResource: Sendable, Hashable, Codable {
    public let kind: String
    public let remoteID: String
    /// The `salonops_id` marker, when SalonOps made or adopted it.
    public var key: String?
    /// The `salonops_owner` marker: which organization's config manages it.
    public var owner: String?
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
    /// The provider's payload as read (JSON text), for kinds updated whole (`.wholeResource`).
    public var raw: String?

    public init(
        kind: String, remoteID: String, key: String?, owner: String?, naturalKey: String? = nil, fields: [String: FieldValue],
        references: [String: String] = [:], appliedDigest: String? = nil, archived: Bool = false, version: String? = nil, title: String,
        raw: String? = nil
    ) {
        self.raw = raw
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
        case .object(let entries): return "{" + entries.map { "\($0.name)=\(canonical($0.value))" }.joined(separator: ",") + "}"
        default: return value.description
        }
    }
}

/// In JSON (plans, reports) a field value is the plain JSON value; a secret is
/// `{"secret": fingerprint, "reference": "file#key"}`; an object keeps its order as
/// `{"entries": [{"name": …, "value": …}]}`.
extension FieldValue: Codable {
    private enum SecretKeys: String, CodingKey { case secret, reference }
    private enum ObjectKeys: String, CodingKey { case entries }

    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: ObjectKeys.self), object.contains(.entries) {
            self = .object(try object.decode([FieldEntry].self, forKey: .entries))
            return
        }
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
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? single.decode(Int64.self) {
            self = .int(i)
        } else {
            self = .string(try single.decode(String.self))
        }
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
        case .object(let entries):
            var object = encoder.container(keyedBy: ObjectKeys.self)
            try object.encode(entries, forKey: .entries)
        case .string(let s): var single = encoder.singleValueContainer(); try single.encode(s)
        case .int(let i): var single = encoder.singleValueContainer(); try single.encode(i)
        case .bool(let b): var single = encoder.singleValueContainer(); try single.encode(b)
        case .null: var single = encoder.singleValueContainer(); try single.encodeNil()
        }
    }
}
