/// Weekly opening hours as one field value, the same for every provider that carries them, so
/// that plans print them alike and the consistency view reads them back alike: a list of
/// `{day, opens, closes}` objects (`day` as the config writes it, `monday`…; times `HH:MM`, with
/// `24:00` for midnight at the end of the day), sorted by day then opening time. Each adapter
/// converts it to and from its wire format (GBP's `TimePeriod`, a venue's `{day: "MON"}`).
public enum OpeningHoursField {
    public struct Period: Sendable, Hashable {
        public var day: Weekday
        public var opens: String
        public var closes: String

        public init(day: Weekday, opens: String, closes: String) {
            self.day = day
            self.opens = opens
            self.closes = closes
        }
    }

    /// The config's week as periods, in order.
    public static func periods(_ week: [Weekday: [OpeningPeriod]]) -> [Period] {
        Weekday.allCases.flatMap { day in
            (week[day] ?? []).sorted { $0.opens < $1.opens }.map { Period(day: day, opens: $0.opens.description, closes: $0.closes.description) }
        }
    }

    public static func value(_ periods: [Period]) -> FieldValue {
        .list(
            sorted(periods).map { period in
                .object([FieldEntry("day", .string(period.day.rawValue)), FieldEntry("opens", .string(period.opens)), FieldEntry("closes", .string(period.closes))])
            })
    }

    public static func value(_ week: [Weekday: [OpeningPeriod]]) -> FieldValue { value(periods(week)) }

    /// The periods of a value this type made (or an adapter read back); nil when it is not one.
    public static func periods(_ value: FieldValue?) -> [Period]? {
        guard case .list(let items)? = value else { return nil }
        var periods: [Period] = []
        for item in items {
            guard case .object(let entries) = item else { return nil }
            func text(_ name: String) -> String? {
                if case .string(let s)? = entries.first(where: { $0.name == name })?.value { return s }
                return nil
            }
            guard let day = text("day").flatMap(Weekday.init(rawValue:)), let opens = text("opens"), let closes = text("closes") else { return nil }
            periods.append(Period(day: day, opens: opens, closes: closes))
        }
        return periods
    }

    /// For the consistency view: every day present, periods `HH:MM-HH:MM` in order.
    public static func holdings(_ value: FieldValue?) -> [String: [String]]? {
        guard let periods = periods(value) else { return nil }
        return Dictionary(
            uniqueKeysWithValues: Weekday.allCases.map { day in (day.rawValue, sorted(periods).filter { $0.day == day }.map { "\($0.opens)-\($0.closes)" }) })
    }

    static func sorted(_ periods: [Period]) -> [Period] {
        periods.sorted { ($0.day, $0.opens, $0.closes) < ($1.day, $1.opens, $1.closes) }
    }
}
