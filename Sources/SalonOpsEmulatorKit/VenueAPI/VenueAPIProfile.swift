/// What differs between the providers that speak the assumed venue contract
/// (docs/assumed-venue-api.md), as the emulator reads that document: where they trade, whether
/// a venue's currency and locale are writable, and their published (assumed) rate limits.
public struct VenueAPIProfile: Sendable {
    /// The provider id (`planity`, `treatwell`): the sandbox's first path segment.
    public var id: String
    /// Country → its currency, for the countries the provider has venues in.
    public var currencies: [String: String]
    /// Treatwell: `currency` and `locale` are set per venue; Planity: fixed by the country.
    public var venueCurrencyWritable: Bool
    /// Sustained requests per second per API key, and the burst allowed in any one second.
    public var requestsPerSecond: Int
    public var burst: Int
    /// Locale of a venue the sandbox makes on first access.
    public var defaultLocale: String

    public init(id: String, currencies: [String: String], venueCurrencyWritable: Bool, requestsPerSecond: Int, burst: Int, defaultLocale: String = "fr-FR") {
        self.id = id
        self.currencies = currencies
        self.venueCurrencyWritable = venueCurrencyWritable
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.defaultLocale = defaultLocale
    }
}

/// A venue the sandbox starts with (option `venues=<id>[:<country>[:<currency>]],…`).
public struct SeedVenue: Sendable, Hashable {
    public var id: String
    public var country: String
    public var currency: String

    public init(id: String, country: String = "FR", currency: String = "EUR") {
        self.id = id
        self.country = country
        self.currency = currency
    }
}

/// The emulator's options, parsed.
public struct VenueAPIOptions: Sendable {
    /// Empty: any venue id asked for is made on first access (FR, EUR, fr-FR, Europe/Paris).
    public var venues: [SeedVenue] = []
    /// Empty: any non-empty bearer is accepted, all as one account. Otherwise each key is its own
    /// account, and the seeded venues belong to the first key's.
    public var apiKeys: [String] = []
    public var requestsPerSecond: Int?
    public var burst: Int?

    public init() {}

    public static let names = ["apiKeys", "burst", "requestsPerSecond", "venues"]

    public init(_ options: [String: String], provider: String) throws {
        for name in options.keys.sorted() where !Self.names.contains(name) {
            throw EmulatorOptionError("\(provider) has no option '\(name)' (\(Self.names.joined(separator: ", ")))")
        }
        for entry in (options["venues"] ?? "").split(separator: ",").map(String.init) {
            let parts = entry.split(separator: ":").map(String.init)
            guard (1...3).contains(parts.count), !parts[0].isEmpty else { throw EmulatorOptionError("venues '\(entry)': write <venueId>[:<country>[:<currency>]]") }
            venues.append(SeedVenue(id: parts[0], country: parts.count > 1 ? parts[1].uppercased() : "FR", currency: parts.count > 2 ? parts[2].uppercased() : "EUR"))
        }
        apiKeys = (options["apiKeys"] ?? "").split(separator: ",").map(String.init)
        for (name, keyPath) in [("requestsPerSecond", \VenueAPIOptions.requestsPerSecond), ("burst", \VenueAPIOptions.burst)] {
            guard let text = options[name] else { continue }
            guard let value = Int(text), value > 0 else { throw EmulatorOptionError("\(name) '\(text)': a whole number above 0") }
            self[keyPath: keyPath] = value
        }
    }
}
