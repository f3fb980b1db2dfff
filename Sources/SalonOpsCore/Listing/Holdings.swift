/// What one establishment shows the public at one place: its weekly hours, the days it is
/// closed, and the services it sells with their prices and durations. The config has one; each
/// provider that carries any of these has one, read back from what it reports, so that
/// `salonops status` can set them side by side (ConsistencyView). A nil part is one the provider
/// does not carry at all, never "empty".
public struct Holdings: Sendable, Hashable, Codable {
    /// Weekday (`monday`…) → periods `HH:MM-HH:MM`, all seven days present (an empty list: closed).
    public var hours: [String: [String]]?
    /// Closed days, ISO dates, sorted.
    public var closedDays: [String]?
    /// By service name (the catalogue's metadata name), sorted.
    public var services: [HeldService]?

    public init(hours: [String: [String]]? = nil, closedDays: [String]? = nil, services: [HeldService]? = nil) {
        self.hours = hours
        self.closedDays = closedDays
        self.services = services
    }

    /// Weekly hours from typed periods: every day present, periods in order.
    public static func hours(_ week: [Weekday: [OpeningPeriod]]) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: Weekday.allCases.map { day in (day.rawValue, (week[day] ?? []).sorted { $0.opens < $1.opens }.map(\.description)) })
    }

    /// Every day of each closure, sorted and unique.
    public static func closedDays(_ closures: [Closure]) -> [String] {
        Set(closures.flatMap { LocalDate.days(from: $0.from, through: $0.to) }.map(\.description)).sorted()
    }

    /// What the config says of one establishment.
    public static func config(of establishment: Establishment, in state: DesiredState) -> Holdings {
        Holdings(
            hours: hours(establishment.hours), closedDays: closedDays(establishment.closures),
            services: state.offeredServices(at: establishment).map {
                HeldService(
                    name: $0.service.metadata.name, title: $0.service.displayName, price: $0.price.minorUnits,
                    currency: $0.price.currency.code, durationMinutes: $0.duration.minutes)
            })
    }
}

/// One service as a place holds it. A nil price or duration: the place does not carry it.
public struct HeldService: Sendable, Hashable, Codable {
    public var name: String
    public var title: String
    public var price: Int64?
    public var currency: String?
    public var durationMinutes: Int?

    public init(name: String, title: String, price: Int64? = nil, currency: String? = nil, durationMinutes: Int? = nil) {
        self.name = name
        self.title = title
        self.price = price
        self.currency = currency
        self.durationMinutes = durationMinutes
    }
}

/// A service as one establishment sells it: its own price and duration where the establishment
/// overrides the catalogue's.
public struct OfferedService: Sendable, Hashable {
    public let service: Service
    public let price: Money
    public let duration: ServiceDuration
}

extension DesiredState {
    /// The catalogue services an establishment sells, by name, with its overrides applied.
    public func offeredServices(at establishment: Establishment) -> [OfferedService] {
        services.filter { establishment.catalogue.services.includes($0.metadata.name) }.sorted { $0.metadata.name < $1.metadata.name }.map { service in
            let override = establishment.overrides.first {
                if case .service(let ref) = $0.target { return ref.value == service.metadata.name }
                return false
            }
            return OfferedService(service: service, price: override?.price ?? service.price, duration: override?.duration ?? service.duration)
        }
    }

    /// The establishments an Integration covers, by name.
    public func establishments(of integration: Integration) -> [Establishment] {
        establishments.filter { integration.establishments.includes($0.metadata.name) }.sorted { $0.metadata.name < $1.metadata.name }
    }
}

extension LocalDate {
    /// Every day from `first` to `last`, both included (bounded: a closure is at most a few
    /// months; the validator refuses a reversed range).
    public static func days(from first: LocalDate, through last: LocalDate) -> [LocalDate] {
        var days: [LocalDate] = []
        var day = first
        while day <= last && days.count < 3660 {
            days.append(day)
            day = day.next
        }
        return days
    }

    /// `25/12/2026`, as the owner reads a date.
    public var french: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(day))/\(two(month))/\(year)"
    }
}

extension Weekday {
    /// The French name the owner's summary uses.
    public var french: String {
        switch self {
        case .monday: "lundi"
        case .tuesday: "mardi"
        case .wednesday: "mercredi"
        case .thursday: "jeudi"
        case .friday: "vendredi"
        case .saturday: "samedi"
        case .sunday: "dimanche"
        }
    }
}
