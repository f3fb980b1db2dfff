import SalonOpsEmulatorKit
import Foundation

/// RFC 3339 timestamps and dates as the Calendar API reads and writes them.
enum CalendarTime {
    struct LocalDateTime: Sendable, Equatable {
        var year, month, day, hour, minute, second: Int
        var nanosecond: Int
        /// Seconds east of UTC, `nil` when the text has no offset.
        var offset: Int?
    }

    /// `2026-12-25T09:30:00(.123)?(Z|+01:00)?`; `nil` when malformed.
    static func parseDateTime(_ text: String) -> LocalDateTime? {
        let chars = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= chars.count else { return nil }
            var value = 0
            for c in chars[start..<start + count] {
                guard (0x30...0x39).contains(c) else { return nil }
                value = value * 10 + Int(c - 0x30)
            }
            return value
        }
        guard chars.count >= 19, let year = digits(0, 4), chars[4] == UInt8(ascii: "-"), let month = digits(5, 2),
            chars[7] == UInt8(ascii: "-"), let day = digits(8, 2), chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t"),
            let hour = digits(11, 2), chars[13] == UInt8(ascii: ":"), let minute = digits(14, 2), chars[16] == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { return nil }
        var index = 19
        var nanosecond = 0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000_000, count = 0
            while index < chars.count, (0x30...0x39).contains(chars[index]) {
                nanosecond += Int(chars[index] - 0x30) * scale
                scale /= 10
                index += 1
                count += 1
            }
            guard count > 0, count <= 9 else { return nil }
        }
        var offset: Int?
        if index < chars.count {
            if chars[index] == UInt8(ascii: "Z") || chars[index] == UInt8(ascii: "z") {
                offset = 0
                index += 1
            } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") {
                let sign = chars[index] == UInt8(ascii: "-") ? -1 : 1
                guard let h = digits(index + 1, 2), index + 3 < chars.count, chars[index + 3] == UInt8(ascii: ":"),
                    let m = digits(index + 4, 2), h <= 23, m <= 59
                else { return nil }
                offset = sign * (h * 3600 + m * 60)
                index += 6
            } else {
                return nil
            }
        }
        guard index == chars.count, validDate(year, month, day), hour <= 23, minute <= 59, second <= 60 else { return nil }
        return LocalDateTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond,
            offset: offset)
    }

    /// `yyyy-mm-dd`; `nil` when malformed.
    static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), validDate(y, m, d)
        else { return nil }
        return (y, m, d)
    }

    private static func validDate(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// The instant a local date-time denotes: by its offset, else in `zone`.
    static func instant(_ local: LocalDateTime, zone: TimeZone?) -> Date? {
        var components = DateComponents(
            year: local.year, month: local.month, day: local.day, hour: local.hour,
            minute: local.minute, second: min(local.second, 59), nanosecond: local.nanosecond)
        var calendar = Calendar(identifier: .gregorian)
        if let offset = local.offset {
            guard let fixed = TimeZone(secondsFromGMT: offset) else { return nil }
            calendar.timeZone = fixed
        } else if let zone {
            calendar.timeZone = zone
        } else {
            return nil
        }
        components.timeZone = calendar.timeZone
        return calendar.date(from: components)
    }

    /// Midnight starting the date, in `zone`.
    static func startOfDay(_ date: (year: Int, month: Int, day: Int), zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(timeZone: zone, year: date.year, month: date.month, day: date.day))
    }

    /// An IANA zone name as Google accepts it (`Europe/Paris`, `UTC`); abbreviations and raw
    /// offsets like `GMT+1` are not zone names.
    static func zone(named name: String) -> TimeZone? {
        if name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Etc/GMT" { return TimeZone(identifier: "UTC") }
        guard name.contains("/"), TimeZone.knownTimeZoneIdentifiers.contains(name) else { return nil }
        return TimeZone(identifier: name)
    }

    /// `2026-12-01T10:00:00.000Z`, the form Google writes `created` and `updated` in.
    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = (c.nanosecond ?? 0) / 1_000_000
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))."
            + "\(pad(millis, 3))Z"
    }
}
