import Foundation
import SalonOpsEmulatorKit

/// The rules of `regularHours` and `specialHours` [C spec:bi `BusinessHours`, `TimePeriod`,
/// `TimeOfDay`, `SpecialHourPeriod`; notes §2.4], answered with the Business Information
/// `ErrorCode`s: REQUIRED_FIELD_MISSING_VALUE, INVALID_HOURS_VALUE, INVALID_TIME_SCHEDULE,
/// OVERLAPPED_SPECIAL_HOURS [R the enum; A which one each rule answers].
enum BusinessHoursValidation {
    static let days = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    static let daySeconds = 86_400
    static let weekSeconds = 7 * 86_400

    /// `regularHours.periods[]`: each period complete, its times valid, closing after opening on
    /// the same day or the next (overnight); periods may not overlap within the week.
    static func validateRegular(_ hours: JSONValue, field: String) throws(BusinessProfileStatus) {
        try JSONShape.members(of: hours, allowed: ["periods"], at: "location.regularHours")
        let periods = try JSONShape.list(hours["periods"], at: "location.regularHours.periods")
        var spans: [(start: Int, end: Int)] = []
        for (index, period) in periods.enumerated() {
            let at = "regularHours.periods[\(index)]"
            try JSONShape.members(of: period, allowed: ["openDay", "openTime", "closeDay", "closeTime"], at: "location.regularHours.periods[\(index)]")
            let openDay = try day(period["openDay"], at: at + ".openDay", field: field)
            let closeDay = try day(period["closeDay"], at: at + ".closeDay", field: field)
            let open = try seconds(period["openTime"], at: at + ".openTime", field: field)
            let close = try seconds(period["closeTime"], at: at + ".closeTime", field: field)
            let dayOffset = (closeDay - openDay + 7) % 7
            // "The closing time must occur after the opening time, for example later in the same
            // day, or on a subsequent day" [C TimePeriod]; more than the next day is refused [A].
            guard dayOffset <= 1, dayOffset * daySeconds + close > open else {
                throw .invalidLocation("INVALID_TIME_SCHEDULE", field: field, "\(at) closes before it opens.")
            }
            let start = openDay * daySeconds + open
            spans.append((start, start + dayOffset * daySeconds + close - open))
        }
        // [A] Overlapping periods are an invalid schedule ("Invalid or overlapping time schedule" [R]).
        for (i, a) in spans.enumerated() {
            for b in spans[(i + 1)...] where [-weekSeconds, 0, weekSeconds].contains(where: { a.start < b.end + $0 && b.start + $0 < a.end }) {
                throw .invalidLocation("INVALID_TIME_SCHEDULE", field: field, "regularHours has overlapping periods.")
            }
        }
    }

    /// `specialHours.specialHourPeriods[]`: a start date; `closed` for the whole day, otherwise both
    /// times; an end date on the start date or the next day, closing by 11:59 then; under 24 hours;
    /// no two periods of one date overlapping [C SpecialHourPeriod].
    static func validateSpecial(_ hours: JSONValue, field: String) throws(BusinessProfileStatus) {
        try JSONShape.members(of: hours, allowed: ["specialHourPeriods"], at: "location.specialHours")
        let periods = try JSONShape.list(hours["specialHourPeriods"], at: "location.specialHours.specialHourPeriods")
        var spans: [(day: Int, start: Int, end: Int)] = []
        for (index, period) in periods.enumerated() {
            let at = "specialHours.specialHourPeriods[\(index)]"
            try JSONShape.members(
                of: period, allowed: ["startDate", "endDate", "openTime", "closeTime", "closed"], at: "location.specialHours.specialHourPeriods[\(index)]")
            guard let startValue = period["startDate"], !startValue.isNull else {
                throw .invalidLocation("REQUIRED_FIELD_MISSING_VALUE", field: field, "\(at).startDate is required.")
            }
            let startDay = try date(startValue, at: at + ".startDate", field: field)
            let closed = try JSONShape.bool(period["closed"], at: "location.specialHours.specialHourPeriods[\(index)].closed") ?? false
            // "endDate, openTime, and closeTime are ignored" when closed [C].
            if closed {
                spans.append((startDay, startDay * daySeconds, (startDay + 1) * daySeconds))
                continue
            }
            guard let openValue = period["openTime"], !openValue.isNull, let closeValue = period["closeTime"], !closeValue.isNull else {
                throw .invalidLocation("REQUIRED_FIELD_MISSING_VALUE", field: field, "\(at) needs openTime and closeTime unless closed.")
            }
            let open = try seconds(openValue, at: at + ".openTime", field: field)
            let close = try seconds(closeValue, at: at + ".closeTime", field: field)
            var endDay = startDay
            if let endValue = period["endDate"], !endValue.isNull { endDay = try date(endValue, at: at + ".endDate", field: field) }
            let dayOffset = endDay - startDay
            guard dayOffset == 0 || dayOffset == 1 else {
                throw .invalidLocation("INVALID_TIME_SCHEDULE", field: field, "\(at).endDate must be startDate or the day after.")
            }
            let end = dayOffset * daySeconds + close
            guard end > open, end - open < daySeconds, dayOffset == 0 || close < 12 * 3600 else {
                throw .invalidLocation(
                    "INVALID_TIME_SCHEDULE", field: field,
                    "\(at) must close after it opens, within 24 hours, and by 11:59 on the day after startDate.")
            }
            spans.append((startDay, startDay * daySeconds + open, startDay * daySeconds + end))
        }
        for (i, a) in spans.enumerated() {
            for b in spans[(i + 1)...] where a.day == b.day && a.start < b.end && b.start < a.end {
                throw .invalidLocation("OVERLAPPED_SPECIAL_HOURS", field: field, "specialHours has overlapping periods on one date.")
            }
        }
    }

    /// A `DayOfWeek`, 0 for MONDAY; missing or DAY_OF_WEEK_UNSPECIFIED is a missing value.
    private static func day(_ value: JSONValue?, at: String, field: String) throws(BusinessProfileStatus) -> Int {
        guard let value, !value.isNull, value.string != "DAY_OF_WEEK_UNSPECIFIED" else {
            throw .invalidLocation("REQUIRED_FIELD_MISSING_VALUE", field: field, "\(at) is required.")
        }
        guard let name = value.string, let index = days.firstIndex(of: name) else {
            throw .invalidPayload("Invalid value at '\(at)' (type.googleapis.com/google.type.DayOfWeek), \(value.serialized)")
        }
        return index
    }

    /// A `TimeOfDay` as seconds after midnight, 0 (`{}`) to 86 400 (`{"hours": 24}`).
    static func seconds(_ value: JSONValue?, at: String, field: String) throws(BusinessProfileStatus) -> Int {
        guard let value, !value.isNull else { throw .invalidLocation("REQUIRED_FIELD_MISSING_VALUE", field: field, "\(at) is required.") }
        try JSONShape.members(of: value, allowed: ["hours", "minutes", "seconds", "nanos"], at: at)
        var parts: [String: Int] = [:]
        for name in ["hours", "minutes", "seconds", "nanos"] { parts[name] = try JSONShape.int(value[name], at: at + "." + name) ?? 0 }
        let (hours, minutes, secs, nanos) = (parts["hours"]!, parts["minutes"]!, parts["seconds"]!, parts["nanos"]!)
        // "Valid values are 00:00-24:00, where 24:00 represents midnight at the end of the specified day" [C].
        let inRange = (0...24).contains(hours) && (0...59).contains(minutes) && (0...59).contains(secs) && (0...999_999_999).contains(nanos)
        guard inRange, hours < 24 || (minutes == 0 && secs == 0 && nanos == 0) else {
            throw .invalidLocation("INVALID_HOURS_VALUE", field: field, "\(at) is not a time between 00:00 and 24:00.")
        }
        return hours * 3600 + minutes * 60 + secs
    }

    /// A complete `Date` as days since 1970-01-01.
    static func date(_ value: JSONValue, at: String, field: String) throws(BusinessProfileStatus) -> Int {
        try JSONShape.members(of: value, allowed: ["year", "month", "day"], at: at)
        let year = try JSONShape.int(value["year"], at: at + ".year") ?? 0
        let month = try JSONShape.int(value["month"], at: at + ".month") ?? 0
        let day = try JSONShape.int(value["day"], at: at + ".day") ?? 0
        let lengths = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= lengths[month - 1] else {
            throw .invalidLocation("INVALID_HOURS_VALUE", field: field, "\(at) is not a complete calendar date.")
        }
        return daysFromCivil(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
