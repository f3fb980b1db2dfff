/// What a venue-based booking marketplace holds (docs/assumed-venue-api.md), in neutral terms:
/// a `VenueWireFormat` turns these into requests and answers back into them, so the adapter
/// never sees a field name of the wire.
public enum VenueItemKind: String, Sendable, Hashable, CaseIterable {
    case venue, staff, room, service, closure, webhook

    /// Whether the collection lives under a venue (the webhook subscription is the account's).
    public var perVenue: Bool { self != .webhook && self != .venue }
}

/// One venue: bound by id from the settings, never created nor deleted by SalonOps.
public struct VenueProfile: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var country: String?
    public var timeZone: String?
    public var currency: String?
    public var locale: String?
    public var hours: [OpeningHoursField.Period]

    public init(id: String, name: String? = nil, country: String? = nil, timeZone: String?, currency: String? = nil, locale: String? = nil, hours: [OpeningHoursField.Period]) {
        self.id = id
        self.name = name
        self.country = country
        self.timeZone = timeZone
        self.currency = currency
        self.locale = locale
        self.hours = hours
    }
}

public struct VenueStaff: Sendable, Hashable {
    public var name: String
    public var role: String?
    public var email: String?

    public init(name: String, role: String?, email: String?) {
        self.name = name
        self.role = role
        self.email = email
    }
}

public struct VenueRoom: Sendable, Hashable {
    public var name: String
    public var capacity: Int

    public init(name: String, capacity: Int) {
        self.name = name
        self.capacity = capacity
    }
}

public struct VenueService: Sendable, Hashable {
    public var name: String
    public var category: String
    public var durationMinutes: Int
    /// Minor units of `currency`.
    public var price: Int64
    public var currency: String
    /// Basis points (2000 = 20 %).
    public var vatRate: Int
    public var bookable: Bool
    /// Ids at the provider, within the venue.
    public var staffIDs: [String]
    public var roomIDs: [String]

    public init(
        name: String, category: String, durationMinutes: Int, price: Int64, currency: String, vatRate: Int, bookable: Bool, staffIDs: [String],
        roomIDs: [String]
    ) {
        self.name = name
        self.category = category
        self.durationMinutes = durationMinutes
        self.price = price
        self.currency = currency
        self.vatRate = vatRate
        self.bookable = bookable
        self.staffIDs = staffIDs
        self.roomIDs = roomIDs
    }
}

/// Closed from `startDate` to `endDate`, both included (ISO dates).
public struct VenueClosure: Sendable, Hashable {
    public var startDate: String
    public var endDate: String
    public var reason: String?

    public init(startDate: String, endDate: String, reason: String?) {
        self.startDate = startDate
        self.endDate = endDate
        self.reason = reason
    }
}

/// The subscription that sends bookings to the salon's app. Its signing secret is returned once,
/// on create, and never read back.
public struct VenueWebhook: Sendable, Hashable {
    public var url: String
    public var events: [String]
    public var secret: String?

    public init(url: String, events: [String], secret: String? = nil) {
        self.url = url
        self.events = events
        self.secret = secret
    }
}

/// One object of any kind, as the wire format reads or writes it.
public struct VenueItem: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case venue(VenueProfile)
        case staff(VenueStaff)
        case room(VenueRoom)
        case service(VenueService)
        case closure(VenueClosure)
        case webhook(VenueWebhook)
    }

    /// The provider's id (nil before it is created).
    public var id: String?
    public var content: Content
    /// Free-form metadata: where SalonOps' markers go.
    public var metadata: [String: String]
    /// The optimistic-concurrency version, as the provider gives it.
    public var version: String?

    public init(id: String?, _ content: Content, metadata: [String: String] = [:], version: String? = nil) {
        self.id = id
        self.content = content
        self.metadata = metadata
        self.version = version
    }

    public var kind: VenueItemKind {
        switch content {
        case .venue: .venue
        case .staff: .staff
        case .room: .room
        case .service: .service
        case .closure: .closure
        case .webhook: .webhook
        }
    }
}

/// Where a provider trades: what the mapping validates and the venue kind carries.
public struct VenueMarket: Sendable, Hashable {
    /// ISO 3166 codes of the countries it has venues in, each with its currency.
    public var currencies: [String: String]
    /// Whether each venue's currency and locale are set from the config (Treatwell, in 13
    /// countries); otherwise the venue's country fixes them (Planity).
    public var venueSetsCurrencyAndLocale: Bool

    public init(currencies: [String: String], venueSetsCurrencyAndLocale: Bool) {
        self.currencies = currencies
        self.venueSetsCurrencyAndLocale = venueSetsCurrencyAndLocale
    }

    public var countries: [String] { currencies.keys.sorted() }
}
