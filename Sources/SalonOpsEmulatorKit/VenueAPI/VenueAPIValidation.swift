import Foundation

/// The checks the assumed contract promises, on a whole object (a create's body, or an update
/// merged into what is stored): required fields, lengths and ranges, references within the venue.
enum VenueAPIValidation {
    /// Writable fields of each collection, and their defaults on create.
    static let defaults: [String: [(String, JSONValue)]] = [
        "staff": [("name", .null), ("role", .null), ("email", .null)],
        "resources": [("name", .null), ("capacity", .int(1))],
        "services": [
            ("name", .null), ("category", .null), ("durationMinutes", .null), ("price", .null), ("vatRate", .null), ("bookable", .bool(true)),
            ("staffIds", .array([])), ("resourceIds", .array([])),
        ],
        "closures": [("startDate", .null), ("endDate", .null), ("reason", .null)],
        "webhooks": [("url", .null), ("events", .null)],
    ]
    static let events: Set<String> = ["booking.created", "booking.updated", "booking.cancelled"]
    static let days = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

    /// Names outside `writable` are refused (read-only ones with a word saying so).
    static func fields(_ body: JSONValue, writable: [String]) throws(VenueAPIError) -> [(String, JSONValue)] {
        guard let pairs = body.objectFields else { throw .invalid("body", "a JSON object is required") }
        for (name, _) in pairs where !writable.contains(name) && name != "metadata" {
            throw .invalid(name, ["id", "version", "country", "secret"].contains(name) ? "read-only" : "unknown field")
        }
        return pairs
    }

    static func text(_ object: JSONValue, _ name: String, max: Int = 120, optional: Bool = false) throws(VenueAPIError) {
        let value = object[name] ?? .null
        if value.isNull, optional { return }
        guard let s = value.stringValue, (1...max).contains(s.count) else {
            throw .invalid(name, value.isNull ? "required" : "a text of 1 to \(max) characters")
        }
    }

    static func integer(_ object: JSONValue, _ name: String, in range: ClosedRange<Int>) throws(VenueAPIError) -> Int {
        guard case .int(let value)? = object.at(name), range.contains(value) else {
            throw .invalid(name, object.at(name)?.isNull ?? true ? "required" : "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func metadata(_ object: JSONValue) throws(VenueAPIError) {
        guard let value = object["metadata"], !value.isNull else { return }
        guard let pairs = value.objectFields, pairs.count <= 20 else { throw .invalid("metadata", "an object of at most 20 keys") }
        for (key, entry) in pairs {
            guard (1...40).contains(key.count), let s = entry.stringValue, s.count <= 500 else {
                throw .invalid("metadata.\(key)", "keys of 1 to 40 characters, text values of at most 500")
            }
        }
    }

    /// `venueCurrency`, `staff`, `resources`: the venue's, for services.
    static func check(
        _ collection: String, _ object: JSONValue, venueCurrency: String, staff: Set<String>, resources: Set<String>
    ) throws(VenueAPIError) {
        try metadata(object)
        switch collection {
        case "staff":
            try text(object, "name")
            try text(object, "role", optional: true)
            if let email = object["email"], !email.isNull, email.stringValue?.contains("@") != true { throw .invalid("email", "an email address") }
        case "resources":
            try text(object, "name")
            _ = try integer(object, "capacity", in: 1...50)
        case "services":
            try text(object, "name")
            try text(object, "category", max: 60)
            let minutes = try integer(object, "durationMinutes", in: 5...720)
            if minutes % 5 != 0 { throw .invalid("durationMinutes", "a multiple of 5") }
            _ = try integer(object, "price.amount", in: 0...Int(Int32.max))
            guard object.at("price.currency")?.stringValue == venueCurrency else { throw .invalid("price.currency", "the venue's currency, \(venueCurrency)") }
            _ = try integer(object, "vatRate", in: 0...10000)
            guard object["bookable"]?.boolValue != nil else { throw .invalid("bookable", "true or false") }
            for (name, known) in [("staffIds", staff), ("resourceIds", resources)] {
                guard let ids = object[name]?.arrayValue?.map(\.stringValue), ids.allSatisfy({ $0 != nil }) else { throw .invalid(name, "a list of ids") }
                if let stranger = ids.compactMap({ $0 }).first(where: { !known.contains($0) }) { throw .invalid(name, "\(stranger) is not in this venue") }
            }
        case "closures":
            guard let start = day(object["startDate"]) else { throw .invalid("startDate", "an ISO date, YYYY-MM-DD") }
            guard let end = day(object["endDate"]) else { throw .invalid("endDate", "an ISO date, YYYY-MM-DD") }
            let span = Calendar.utc.dateComponents([.day], from: start, to: end).day ?? 0
            guard span >= 0 else { throw .invalid("endDate", "on or after startDate") }
            guard span < 366 else { throw .invalid("endDate", "a closure lasts at most 366 days") }
            try text(object, "reason", max: 200, optional: true)
        default:
            guard let url = object["url"]?.stringValue, url.hasPrefix("https://"), url.count <= 2000 else { throw .invalid("url", "an https URL") }
            guard let list = object["events"]?.arrayValue, !list.isEmpty, list.allSatisfy({ $0.stringValue.map(events.contains) == true }) else {
                throw .invalid("events", "one or more of \(events.sorted().joined(separator: ", "))")
            }
        }
    }

    static func day(_ value: JSONValue?) -> Date? {
        guard let text = value?.stringValue, text.count == 10 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let date = formatter.date(from: text), formatter.string(from: date) == text else { return nil }
        return date
    }

    /// A venue after a PATCH: hours, time zone, and where writable, currency and locale.
    static func venue(_ object: JSONValue, countryCurrency: String?, currencyWritable: Bool) throws(VenueAPIError) {
        try metadata(object)
        guard let zone = object["timeZone"]?.stringValue, TimeZone(identifier: zone) != nil else { throw .invalid("timeZone", "an IANA time zone") }
        guard let periods = object.at("openingHours.periods")?.arrayValue else { throw .invalid("openingHours.periods", "a list of periods") }
        var byDay: [String: [(Int, Int)]] = [:]
        for (index, period) in periods.enumerated() {
            let field = "openingHours.periods[\(index)]"
            guard let day = period["day"]?.stringValue, days.contains(day) else { throw .invalid(field + ".day", "one of \(days.joined(separator: ", "))") }
            guard let open = minutes(period["open"], closing: false) else { throw .invalid(field + ".open", "a time HH:MM") }
            guard let close = minutes(period["close"], closing: true), close > open else { throw .invalid(field + ".close", "a time HH:MM after open (24:00 allowed)") }
            if byDay[day, default: []].contains(where: { open < $0.1 && $0.0 < close }) { throw .invalid(field, "overlaps another period of \(day)") }
            byDay[day, default: []].append((open, close))
        }
        guard currencyWritable else { return }
        if let countryCurrency, object["currency"]?.stringValue != countryCurrency { throw .invalid("currency", "the venue's country uses \(countryCurrency)") }
        guard let locale = object["locale"]?.stringValue, locale.wholeMatch(of: /[a-z]{2}-[A-Z]{2}/) != nil else { throw .invalid("locale", "a locale such as fr-FR") }
    }

    static func minutes(_ value: JSONValue?, closing: Bool) -> Int? {
        guard let text = value?.stringValue, let match = text.wholeMatch(of: /([0-2][0-9]):([0-5][0-9])/), let hour = Int(match.1), let minute = Int(match.2) else { return nil }
        if hour == 24, minute == 0, closing { return 1440 }
        return hour < 24 ? hour * 60 + minute : nil
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
