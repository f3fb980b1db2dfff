/// The providers SalonOps knows, what credentials each needs and the shape of its `settings`.
/// Each provider's issue refines its entry; the loader checks every Integration against it.
public indirect enum SettingType: Sendable, Hashable {
    case string
    case bool
    case int
    /// An absolute `https` URL.
    case url
    case email
    case oneOf([String])
    case list(SettingType)
    case object([SettingField])
    /// A map whose keys are establishment names, e.g. one Planity venue id per establishment.
    case establishmentMap(SettingType)

    var description: String {
        switch self {
        case .string: "a text value"
        case .bool: "true or false"
        case .int: "a whole number"
        case .url: "an https URL"
        case .email: "an email address"
        case .oneOf(let values): "one of \(values.joined(separator: ", "))"
        case .list: "a list"
        case .object: "a mapping"
        case .establishmentMap: "a mapping from establishment names to values"
        }
    }
}

public struct SettingField: Sendable, Hashable {
    public let name: String
    public let type: SettingType
    public let required: Bool

    public init(_ name: String, _ type: SettingType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }
}

/// Provider-specific checks `salonops validate` runs on an Integration before any call (Google
/// Business Profile's special-hours rules), with locations and hints like every diagnostic.
public typealias ProviderValidation = @Sendable (_ integration: Integration, _ state: DesiredState) -> [Diagnostic]

public struct ProviderSpec: Sendable {
    /// The value of `spec.provider`.
    public let id: String
    /// The name shown to people ("Google Business Profile").
    public let displayName: String
    /// Credential names an enabled integration must reference.
    public let credentials: [String]
    public let settings: [SettingField]
    /// The kinds an adapter manages (empty: no adapter yet); `ignore:` paths are checked
    /// against their fields.
    public let kinds: [ResourceKind]
    public let validate: ProviderValidation?
    /// Settings that choose, within one set of credentials, which account an Integration
    /// manages (Google Calendar's `delegatedUser`); none when the credentials are the account.
    public let accountSettings: [String]
    /// The hosts of the provider's real API (from its adapter's endpoints; empty before it has
    /// one): an `endpoint:` that imitates one is refused.
    public var officialHosts: [String] = []
    /// Per credential, where its value is found in the provider's dashboard, for
    /// `salonops integrations add` (a credential without one gets a generic line).
    public let credentialHelp: [String: String]

    public init(
        id: String, displayName: String, credentials: [String], settings: [SettingField], kinds: [ResourceKind] = [],
        accountSettings: [String] = [], validate: ProviderValidation? = nil, credentialHelp: [String: String] = [:]
    ) {
        self.credentialHelp = credentialHelp
        self.accountSettings = accountSettings
        self.id = id
        self.displayName = displayName
        self.credentials = credentials
        self.settings = settings
        self.kinds = kinds
        self.validate = validate
    }
}

extension ProviderSpec {
    /// A credential's key in its encrypted file (`secretKey` → `secret_key`), as the loader's
    /// hints and `salonops integrations add` write it.
    public static func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}

extension SettingField {
    /// A webhook the provider calls: its URL and the events it sends.
    public static let webhook = SettingField("webhook", .object([SettingField("url", .url, required: true), SettingField("events", .list(.string))]))
}

/// The providers a config may name: built from the provider registry and given to the loader
/// (the core holds no provider of its own).
public struct ProviderCatalog: Sendable {
    public let all: [ProviderSpec]
    private let byID: [String: ProviderSpec]

    public init(_ specs: [ProviderSpec]) {
        all = specs.sorted { $0.id < $1.id }
        byID = Dictionary(specs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func spec(_ id: String) -> ProviderSpec? { byID[id] }

    /// The display name, or the id for an unknown provider.
    public func displayName(_ id: String) -> String { byID[id]?.displayName ?? id }
}
