/// The desired state of a salon business, as declared in its config repository (schema v1).
/// Every value that a later check may complain about keeps the location it came from.

public let configAPIVersion = "salonops.io/v1"

public enum DocumentKind: String, Sendable, CaseIterable {
    case organization = "Organization"
    case establishment = "Establishment"
    case service = "Service"
    case product = "Product"
    case offer = "Offer"
    case integration = "Integration"

    /// "a" or "an", for messages.
    public var article: String {
        self == .organization || self == .establishment || self == .offer || self == .integration ? "an" : "a"
    }
}

/// A value and where it was written.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public let value: Value
    public let location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// A reference by name to another document (or to a staff member, room, ...).
public typealias NameReference = Located<String>

/// Either every item of a kind, or an explicit list of names.
public enum Selection: Sendable, Hashable {
    case all
    case only([NameReference])

    public func includes(_ name: String) -> Bool {
        switch self {
        case .all: true
        case .only(let refs): refs.contains { $0.value == name }
        }
    }
}

public struct Metadata: Sendable, Hashable {
    public let name: String
    public let labels: [String: String]
    /// Location of the `metadata.name` value (or of the document when it has none).
    public let location: SourceLocation
}

public enum DriftMode: String, Sendable, CaseIterable {
    case observe, warn, correct
}

// MARK: - Organization

public struct Organization: Sendable, Hashable {
    public struct Defaults: Sendable, Hashable {
        public var currency: Currency
        public var timezone: String
        public var locale: String
    }

    public struct Safety: Sendable, Hashable {
        public var maxUpdatePercent: Int
        public var maxDeletePercent: Int
        public var minManagedResources: Int

        public static let standard = Safety(maxUpdatePercent: 30, maxDeletePercent: 10, minManagedResources: 10)
    }

    public let metadata: Metadata
    public var displayName: String
    public var defaults: Defaults
    public var safety: Safety
    public var drift: DriftMode

    public static let standardDefaults = Defaults(currency: Currency(code: "EUR")!, timezone: "Europe/Paris", locale: "fr-FR")
}

// MARK: - Establishment

public struct Address: Sendable, Hashable {
    public var street: String
    public var postalCode: String?
    public var city: String
    public var country: String
}

public struct Closure: Sendable, Hashable {
    public let from: LocalDate
    public let to: LocalDate
    public let reason: String?
    public let location: SourceLocation
}

public struct StaffMember: Sendable, Hashable {
    public let name: String
    public let displayName: String
    public let role: String?
    public let email: String?
    public let services: [NameReference]
    public let location: SourceLocation
}

public struct Room: Sendable, Hashable {
    public let name: String
    public let displayName: String?
    public let capacity: Int
    public let services: [NameReference]
    public let location: SourceLocation
}

public struct CatalogueOverride: Sendable, Hashable {
    public enum Target: Sendable, Hashable {
        case service(NameReference)
        case product(NameReference)
    }

    public let target: Target
    public let price: Money?
    public let duration: ServiceDuration?
    public let location: SourceLocation
}

public struct CatalogueSelection: Sendable, Hashable {
    public var services: Selection = .all
    public var products: Selection = .all
    public var offers: Selection = .all
}

public struct Establishment: Sendable, Hashable {
    public let metadata: Metadata
    public var displayName: String
    /// Nil when the document does not say: the Organization default applies.
    public var timezone: String?
    public var address: Address
    public var phone: String?
    public var email: String?
    public var website: String?
    /// Opening periods per weekday, sorted; a missing day is closed.
    public var hours: [Weekday: [OpeningPeriod]]
    public var closures: [Closure]
    public var catalogue: CatalogueSelection
    public var overrides: [CatalogueOverride]
    public var rooms: [Room]
    public var staff: [StaffMember]
}

// MARK: - Catalogue

public struct Service: Sendable, Hashable {
    public let metadata: Metadata
    public var displayName: String
    public var category: String
    public var description: String?
    public var duration: ServiceDuration
    public var price: Money
    public var vatRate: Percentage
    public var bufferAfter: ServiceDuration?
    public var bookableOnline: Bool
}

public struct Product: Sendable, Hashable {
    public let metadata: Metadata
    public var displayName: String
    public var sku: String
    public var price: Money
    public var vatRate: Percentage
    public var category: String?
    public var brand: String?
    public var description: String?
}

public struct Offer: Sendable, Hashable {
    public enum OfferType: String, Sendable, CaseIterable {
        case package, voucher, promotion, membership
    }

    public enum Discount: Sendable, Hashable {
        case percent(Percentage)
        case amount(Money)
    }

    public enum Recurrence: String, Sendable, CaseIterable {
        case monthly, yearly
    }

    public struct Inclusion: Sendable, Hashable {
        public let service: NameReference
        public let quantity: Int
    }

    public struct Restrictions: Sendable, Hashable {
        public var establishments: [NameReference] = []
        public var days: [Weekday] = []
        public var newClientsOnly: Bool = false
        public var minSpend: Money?
    }

    public let metadata: Metadata
    public var displayName: String
    public var description: String?
    public var type: OfferType
    public var price: Money?
    public var includes: [Inclusion]
    public var discount: Discount?
    public var appliesToServices: [NameReference]
    public var appliesToProducts: [NameReference]
    public var code: String?
    public var recurring: Recurrence?
    public var validity: CalendarPeriod?
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?
    public var quantity: Int?
    public var restrictions: Restrictions
}

// MARK: - Integrations

/// `secret: <file>#<key.path>`: where a credential lives inside an encrypted file.
public struct SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// Path of the encrypted file, relative to the config root.
    public let file: String
    /// Map keys from the file's top level down to the value.
    public let keyPath: [String]

    public var description: String { "\(file)#\(keyPath.joined(separator: "."))" }

    public static func parse(_ text: String) -> Result<SecretReference, ValueError> {
        let hint = "write 'secret: <encrypted file>#<key.path>', e.g. 'secrets/stripe.sops.yaml#stripe.secret_key'"
        let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .failure(ValueError(.invalidValue, "secret reference '\(text)' needs a file and a key path separated by '#'", hint: hint))
        }
        let keys = parts[1].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard keys.allSatisfy({ !$0.isEmpty }) else {
            return .failure(ValueError(.invalidValue, "secret reference '\(text)' has an empty key in its path", hint: hint))
        }
        var file = String(parts[0])
        while file.hasPrefix("./") { file.removeFirst(2) }
        return .success(SecretReference(file: file, keyPath: keys))
    }
}

public struct CredentialReference: Sendable, Hashable {
    public let name: String
    public let reference: SecretReference
    public let rotateAfter: CalendarPeriod?
    public let location: SourceLocation
}

/// A provider-specific settings value, kept as parsed YAML so each provider's schema can check it.
public indirect enum SettingValue: Sendable, Hashable {
    case scalar(String)
    case list([Located<SettingValue>])
    case map([(key: Located<String>, value: Located<SettingValue>)])

    public static func == (a: SettingValue, b: SettingValue) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.map(x), .map(y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// The text of a top-level scalar setting, if there is one.
    public func scalar(at key: String) -> String? {
        guard case .map(let pairs) = self, case .scalar(let text)? = pairs.first(where: { $0.key.value == key })?.value.value else { return nil }
        return text
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .scalar(let s): hasher.combine(0); hasher.combine(s)
        case .list(let l): hasher.combine(1); hasher.combine(l)
        case .map(let m):
            hasher.combine(2)
            for pair in m { hasher.combine(pair.key); hasher.combine(pair.value) }
        }
    }
}

/// An Integration's own safety thresholds; unset ones come from the Organization.
public struct SafetyOverride: Sendable, Hashable {
    public var maxUpdatePercent: Int?
    public var maxDeletePercent: Int?
    public var minManagedResources: Int?

    public init(maxUpdatePercent: Int? = nil, maxDeletePercent: Int? = nil, minManagedResources: Int? = nil) {
        self.maxUpdatePercent = maxUpdatePercent
        self.maxDeletePercent = maxDeletePercent
        self.minManagedResources = minManagedResources
    }
}

public struct Integration: Sendable, Hashable {
    public let metadata: Metadata
    public var provider: Located<String>
    public var enabled: Bool
    public var establishments: Selection
    public var credentials: [CredentialReference]
    public var settings: Located<SettingValue>?
    /// Nil when the document does not say: the Organization's drift mode applies.
    public var drift: DriftMode?
    public var prune: Bool
    public var adopt: Bool
    public var ignore: [Located<String>]
    public var endpoint: Located<String>?
    /// Overrides of the Organization's safety thresholds for this integration only.
    public var safety: SafetyOverride = SafetyOverride()
    /// Establishment names used as keys in provider settings (`venueIds`, `locationIds`, ...).
    public var settingsEstablishmentKeys: [NameReference]
    /// Where `suspended: true` is written; nil when the document does not suspend it. A
    /// suspended integration is validated but neither planned nor applied.
    public var suspended: SourceLocation? = nil
}

// MARK: - The whole repository

/// Everything loaded from one config root at one commit.
public struct DesiredState: Sendable, Hashable {
    public var organization: Organization?
    public var establishments: [Establishment] = []
    public var services: [Service] = []
    public var products: [Product] = []
    public var offers: [Offer] = []
    public var integrations: [Integration] = []
    /// Structure of every encrypted (`*.sops.yaml`) file, by path relative to the config root.
    public var encryptedFiles: [String: EncryptedFileOutline] = [:]
    /// Every `.sops.yaml` under the config root, by path relative to it.
    public var sopsRules: [String: SopsRulesOutline] = [:]
    /// Number of YAML documents read as config.
    public var documentCount = 0

    public init() {}

    public func effectiveTimezone(of establishment: Establishment) -> String {
        establishment.timezone ?? organization?.defaults.timezone ?? Organization.standardDefaults.timezone
    }

    /// The Organization's thresholds with the Integration's overrides.
    public func effectiveSafety(of integration: Integration) -> Organization.Safety {
        var safety = organization?.safety ?? .standard
        if let v = integration.safety.maxUpdatePercent { safety.maxUpdatePercent = v }
        if let v = integration.safety.maxDeletePercent { safety.maxDeletePercent = v }
        if let v = integration.safety.minManagedResources { safety.minManagedResources = v }
        return safety
    }

    public func effectiveDrift(of integration: Integration) -> DriftMode {
        integration.drift ?? organization?.drift ?? .warn
    }
}
