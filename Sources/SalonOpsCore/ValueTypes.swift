import Foundation

/// Why a scalar did not parse as the value type a field expects; becomes a diagnostic.
public struct ValueError: Error, Sendable, Equatable {
    public let code: DiagnosticCode
    public let message: String
    public let hint: String?

    public init(_ code: DiagnosticCode, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }
}

// MARK: - Durations

/// A booking duration (`45m`, `1h30`), kept in whole minutes.
public struct ServiceDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let minutes: Int

    public init(minutes: Int) { self.minutes = minutes }

    public static func < (a: ServiceDuration, b: ServiceDuration) -> Bool { a.minutes < b.minutes }

    /// Canonical form: `45m`, `1h`, `1h30`.
    public var description: String {
        let (h, m) = minutes.quotientAndRemainder(dividingBy: 60)
        if h == 0 { return "\(m)m" }
        return m == 0 ? "\(h)h" : "\(h)h\(m < 10 ? "0" : "")\(m)"
    }

    static let hint = "write minutes or hours, e.g. 45m, 1h, 1h30"

    public static func parse(_ text: String) -> Result<ServiceDuration, ValueError> {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        var hours = 0, minutes = 0
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        guard let first = Int(digits), digits.count <= 4 else {
            return .failure(ValueError(.invalidDuration, "'\(quoted(text))' is not a duration", hint: hint))
        }
        var rest = s.dropFirst(digits.count)
        if rest.hasPrefix("h") {
            hours = first
            rest = rest.dropFirst()
            if !rest.isEmpty {
                let tail = rest.hasSuffix("m") ? rest.dropLast() : rest
                guard let m = Int(tail), tail.count <= 2, tail.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    return .failure(ValueError(.invalidDuration, "'\(quoted(text))' is not a duration", hint: hint))
                }
                guard m < 60 else {
                    return .failure(
                        ValueError(
                            .invalidDuration, "'\(quoted(text))' has \(m) minutes after the hours",
                            hint: "minutes after hours must be below 60: write \(ServiceDuration(minutes: first * 60 + m))"))
                }
                minutes = m
            }
        } else if rest == "m" || rest == "min" {
            minutes = first
        } else {
            return .failure(ValueError(.invalidDuration, "'\(quoted(text))' is not a duration", hint: hint))
        }
        let total = hours * 60 + minutes
        guard total > 0 else {
            return .failure(ValueError(.invalidDuration, "duration '\(quoted(text))' must be longer than zero", hint: hint))
        }
        guard total <= 24 * 60 else {
            return .failure(
                ValueError(.invalidDuration, "duration '\(quoted(text))' is longer than a day", hint: "a service lasts at most 24h; split longer programmes into several services"))
        }
        return .success(ServiceDuration(minutes: total))
    }
}

/// A calendar period (`30d`, `12w`, `6mo`, `1y`): how long an offer stays valid or a key may live.
public struct CalendarPeriod: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: String, Sendable { case days = "d", weeks = "w", months = "mo", years = "y" }
    public let count: Int
    public let unit: Unit

    public var description: String { "\(count)\(unit.rawValue)" }

    /// Upper bound in days, for comparisons such as "older than rotateAfter".
    public var approximateDays: Int {
        switch unit {
        case .days: count
        case .weeks: count * 7
        case .months: count * 31
        case .years: count * 366
        }
    }

    public static func parse(_ text: String) -> Result<CalendarPeriod, ValueError> {
        let s = text.trimmingCharacters(in: .whitespaces)
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        let hint = "write a count and a unit: 30d, 12w, 6mo or 1y"
        guard let n = Int(digits), digits.count <= 4, let unit = Unit(rawValue: String(s.dropFirst(digits.count))) else {
            return .failure(ValueError(.invalidValue, "'\(quoted(text))' is not a period", hint: hint))
        }
        guard n > 0 else {
            return .failure(ValueError(.invalidValue, "period '\(quoted(text))' must be longer than zero", hint: hint))
        }
        return .success(CalendarPeriod(count: n, unit: unit))
    }
}

// MARK: - Money

/// An ISO 4217 currency and its number of minor digits.
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let minorDigits: Int

    public var description: String { code }

    public init?(code: String) {
        guard let digits = Currency.table[code] else { return nil }
        self.code = code
        self.minorDigits = digits
    }

    /// Active ISO 4217 codes; every one has 2 minor digits except those listed with another count.
    static let table: [String: Int] = {
        let codes = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP \
            BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR \
            FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES \
            KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR \
            MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF \
            SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS \
            UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
            """
        var table = [String: Int]()
        for code in codes.split(separator: " ") { table[String(code)] = 2 }
        for code in ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"] { table[code] = 0 }
        for code in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] { table[code] = 3 }
        for code in ["CLF", "UYW"] { table[code] = 4 }
        return table
    }()

    public static var allCodes: [String] { table.keys.sorted() }
}

/// An amount of money in integer minor units (cents for EUR), never a floating-point number.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The largest amount any provider here accepts (Stripe: 99,999,999 minor units).
    public static let maximumMinorUnits: Int64 = 99_999_999

    /// Canonical form: `65.00 EUR`.
    public var description: String {
        let digits = currency.minorDigits
        guard digits > 0 else { return "\(minorUnits) \(currency.code)" }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let (whole, fraction) = minorUnits.quotientAndRemainder(dividingBy: scale)
        let fractionText = String(fraction)
        return "\(whole).\(String(repeating: "0", count: digits - fractionText.count))\(fractionText) \(currency.code)"
    }

    public static func parse(_ text: String) -> Result<Money, ValueError> {
        let example = "write an amount and an ISO 4217 currency, e.g. '65.00 EUR'"
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            if parts.count == 1, Double(parts[0].replacingOccurrences(of: ",", with: ".")) != nil {
                return .failure(ValueError(.invalidMoney, "amount '\(quoted(text))' has no currency", hint: example))
            }
            return .failure(ValueError(.invalidMoney, "'\(quoted(text))' is not an amount of money", hint: example))
        }
        var amount = String(parts[0])
        let code = String(parts[1])
        guard let currency = Currency(code: code) else {
            let suggestion = Suggestions.didYouMean(code.uppercased(), among: Currency.allCodes)
            return .failure(ValueError(.invalidMoney, "unknown currency '\(code)'\(suggestion)", hint: "use an ISO 4217 code such as EUR, GBP, CHF or USD"))
        }
        if amount.hasPrefix("-") {
            return .failure(ValueError(.invalidMoney, "amount '\(quoted(text))' is negative", hint: "prices are zero or more; model a discount as a promotion Offer"))
        }
        if amount.contains(",") {
            return .failure(
                ValueError(.invalidMoney, "amount '\(quoted(text))' uses ',' as decimal separator", hint: "write '\(amount.replacingOccurrences(of: ",", with: ".")) \(code)'"))
        }
        if amount.hasPrefix("+") { amount.removeFirst() }
        let pieces = amount.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), !pieces[0].isEmpty,
            pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            pieces.count == 1 || !pieces[1].isEmpty
        else {
            return .failure(ValueError(.invalidMoney, "'\(quoted(text))' is not an amount of money", hint: example))
        }
        let fraction = pieces.count == 2 ? String(pieces[1]) : ""
        guard fraction.count <= currency.minorDigits else {
            return .failure(
                ValueError(
                    .invalidMoney, "amount '\(quoted(text))' has \(fraction.count) decimal places but \(code) has \(currency.minorDigits)",
                    hint: "round it to \(currency.minorDigits) decimal places"))
        }
        let padded = fraction + String(repeating: "0", count: currency.minorDigits - fraction.count)
        guard pieces[0].count <= 12, let minor = Int64(String(pieces[0]) + padded), minor <= maximumMinorUnits else {
            return .failure(
                ValueError(.invalidMoney, "amount '\(quoted(text))' is too large", hint: "providers accept at most \(Money(minorUnits: maximumMinorUnits, currency: currency))"))
        }
        return .success(Money(minorUnits: minor, currency: currency))
    }
}

// MARK: - Percentages

/// A rate such as VAT (`20%`, `5.5%`), in basis points (2000 = 20 %).
public struct Percentage: Sendable, Hashable, CustomStringConvertible {
    public let basisPoints: Int

    public init(basisPoints: Int) { self.basisPoints = basisPoints }

    public var description: String {
        let (whole, fraction) = basisPoints.quotientAndRemainder(dividingBy: 100)
        if fraction == 0 { return "\(whole)%" }
        let f = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(whole).\(f)%"
    }

    public static func parse(_ text: String) -> Result<Percentage, ValueError> {
        let hint = "write a percentage such as '20%' or '5.5%'"
        let s = text.trimmingCharacters(in: .whitespaces)
        guard s.hasSuffix("%") else {
            return .failure(ValueError(.invalidPercent, "'\(quoted(text))' is not a percentage", hint: hint))
        }
        let number = s.dropLast().trimmingCharacters(in: .whitespaces)
        let pieces = number.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), !pieces[0].isEmpty, pieces[0].count <= 3,
            pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            pieces.count == 1 || (1...2).contains(pieces[1].count),
            let whole = Int(pieces[0])
        else {
            return .failure(ValueError(.invalidPercent, "'\(quoted(text))' is not a percentage", hint: hint))
        }
        let fraction = pieces.count == 2 ? Int(pieces[1].padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0 : 0
        let bp = whole * 100 + fraction
        guard bp <= 10_000 else {
            return .failure(ValueError(.invalidPercent, "percentage '\(quoted(text))' is above 100%", hint: hint))
        }
        return .success(Percentage(basisPoints: bp))
    }
}

// MARK: - Calendar

public enum Weekday: String, Sendable, CaseIterable, Comparable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    public static func < (a: Weekday, b: Weekday) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A time of day in minutes since midnight; 24:00 is allowed as a closing time.
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let minutes: Int

    public init(minutes: Int) { self.minutes = minutes }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }

    public var description: String {
        let (h, m) = minutes.quotientAndRemainder(dividingBy: 60)
        return "\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
    }

    static func parse(_ text: Substring) -> TimeOfDay? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m),
            h < 24 || m == 0
        else { return nil }
        return TimeOfDay(minutes: h * 60 + m)
    }
}

/// One opening period of a day (`10:00-13:00`).
public struct OpeningPeriod: Sendable, Hashable, CustomStringConvertible {
    public let opens: TimeOfDay
    public let closes: TimeOfDay

    public init(opens: TimeOfDay, closes: TimeOfDay) {
        self.opens = opens
        self.closes = closes
    }

    public var description: String { "\(opens)-\(closes)" }

    public func overlaps(_ other: OpeningPeriod) -> Bool {
        opens < other.closes && other.opens < closes
    }

    public static func parse(_ text: String) -> Result<OpeningPeriod, ValueError> {
        let hint = "write 24-hour times as 'HH:MM-HH:MM', e.g. '10:00-13:00'"
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let opens = TimeOfDay.parse(parts[0]), let closes = TimeOfDay.parse(parts[1]), opens.minutes < 24 * 60 else {
            return .failure(ValueError(.invalidValue, "'\(quoted(text))' is not an opening period", hint: hint))
        }
        guard opens < closes else {
            return .failure(
                ValueError(
                    .hoursInverted, "opening period '\(quoted(text))' closes before it opens",
                    hint: opens == closes ? "an empty period is not needed: remove it" : "swap the times, or split a period that crosses midnight into two days"))
        }
        return .success(OpeningPeriod(opens: opens, closes: closes))
    }
}

/// A calendar date with no time zone (`2026-12-25`).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The day after (Google Calendar's exclusive end of an all-day event).
    public var next: LocalDate {
        if day < Self.daysIn(month: month, year: year) { return LocalDate(year: year, month: month, day: day + 1) }
        return month < 12 ? LocalDate(year: year, month: month + 1, day: 1) : LocalDate(year: year + 1, month: 1, day: 1)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func parse(_ text: String) -> Result<LocalDate, ValueError> {
        let hint = "write dates as YYYY-MM-DD, e.g. 2026-12-25"
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else {
            return .failure(ValueError(.invalidDate, "'\(quoted(text))' is not a date", hint: hint))
        }
        guard (1...12).contains(m), (1...daysIn(month: m, year: y)).contains(d) else {
            return .failure(ValueError(.invalidDate, "'\(quoted(text))' is not a real calendar date", hint: hint))
        }
        return .success(LocalDate(year: y, month: m, day: d))
    }
}

// MARK: - Time zones

public enum TimeZones {
    /// The IANA identifiers Foundation knows (from ICU's tz data).
    public static let known: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers)

    public static func validate(_ identifier: String) -> Result<String, ValueError> {
        if known.contains(identifier) { return .success(identifier) }
        let suggestion = Suggestions.didYouMean(identifier, among: known)
        return .failure(ValueError(.invalidTimezone, "unknown time zone '\(identifier)'\(suggestion)", hint: "use an IANA time zone name such as Europe/Paris"))
    }
}

/// A value as messages quote it: long ones cut, so a 200,000-character scalar does not become a
/// 200 KB error line.
func quoted(_ text: String) -> String {
    text.count > 60 ? String(text.prefix(57)) + "..." : text
}
