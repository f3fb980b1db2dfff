import Foundation

/// How sops' YAML library (go-yaml v3) reads plain scalars and decides when a string must be
/// quoted. Matching it matters: the type decides the encrypted bytes and the MAC, and quoting
/// decides whether our output is byte-for-byte what `sops decrypt` prints.
enum ScalarResolution {
    /// The value of an unquoted scalar.
    static func resolvePlain(_ text: String) -> SopsScalar {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        guard let first = text.unicodeScalars.first, "+-.0123456789".unicodeScalars.contains(first) else { return .string(text) }
        if let time = timestamp(text) { return .time(time) }
        let plain = text.replacingOccurrences(of: "_", with: "")
        if let int = goParseInt(plain) { return .int(int) }
        if isYAMLFloat(plain), let double = Double(plain) { return .float(double) }
        return .string(text)
    }

    /// Whether a string may be written unquoted: only if reading it back gives the same string,
    /// and it is not one of YAML 1.1's other booleans or sexagesimal numbers (go-yaml quotes those).
    static func stringNeedsQuotes(_ text: String) -> Bool {
        if case .string = resolvePlain(text) {} else { return true }
        return oldBooleans.contains(text) || isBase60Float(text)
    }

    private static let oldBooleans: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
        "n", "N", "no", "No", "NO", "off", "Off", "OFF",
    ]

    /// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, 0x / 0o / 0b prefixes, a leading 0 for octal.
    static func goParseInt(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if body.first == "+" || body.first == "-" { negative = body.first == "-"; body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        var radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16; body = body.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8; body = body.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2; body = body.dropFirst(2)
        } else if body.count > 1, body.first == "0" {
            radix = 8; body = body.dropFirst()
        }
        guard !body.isEmpty, let magnitude = UInt64(body, radix: radix) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
    private static func isYAMLFloat(_ text: String) -> Bool {
        var scalars = Array(text.utf8)[...]
        if let first = scalars.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { scalars = scalars.dropFirst() }
        func digits() -> Int {
            var count = 0
            while let c = scalars.first, c >= 48, c <= 57 { scalars = scalars.dropFirst(); count += 1 }
            return count
        }
        if scalars.first == UInt8(ascii: ".") {
            scalars = scalars.dropFirst()
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if scalars.first == UInt8(ascii: ".") { scalars = scalars.dropFirst(); _ = digits() }
        }
        if let e = scalars.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            scalars = scalars.dropFirst()
            if let s = scalars.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }

    /// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
    private static func isBase60Float(_ text: String) -> Bool {
        // Cheap refusal first: this runs for every string written.
        guard text.contains(":"), let first = text.unicodeScalars.first, "+-0123456789".unicodeScalars.contains(first) else { return false }
        return base60.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private static let base60 = try! NSRegularExpression(pattern: #"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$"#)
    private static let timestampPattern = try! NSRegularExpression(
        pattern: #"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]*)?[ \t]*(Z|[-+][0-9]{1,2}(?::?[0-9]{2})?)?)?$"#)

    /// A YAML timestamp in the forms go-yaml accepts, as Go's RFC 3339 (seconds, `Z` for UTC).
    static func timestamp(_ text: String) -> String? {
        guard text.utf8.count >= 8, text.utf8.dropFirst(4).first == UInt8(ascii: "-"),
            let match = timestampPattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ i: Int) -> String? {
            guard let range = Range(match.range(at: i), in: text) else { return nil }
            return String(text[range])
        }
        guard let year = Int(group(1)!), let month = Int(group(2)!), let day = Int(group(3)!),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let date = String(format: "%04d-%02d-%02d", year, month, day)
        guard let hourText = group(4) else { return date + "T00:00:00Z" }
        guard let hour = Int(hourText), let minute = Int(group(5)!), let second = Int(group(6)!),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var zone = "Z"
        if let offset = group(7), offset != "Z" {
            let sign = offset.first!
            let digits = offset.dropFirst().replacingOccurrences(of: ":", with: "")
            let hours = Int(digits.prefix(digits.count > 2 ? digits.count - 2 : digits.count)) ?? 0
            let minutes = digits.count > 2 ? Int(digits.suffix(2)) ?? 0 : 0
            zone = (hours == 0 && minutes == 0) ? "Z" : String(format: "%@%02d:%02d", String(sign), hours, minutes)
        }
        return date + String(format: "T%02d:%02d:%02d", hour, minute, second) + zone
    }

    /// go-yaml's float output: Go's `FormatFloat(f, 'g', -1, 64)`, with YAML's names for the specials.
    static func formatFloatForYAML(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        let fixed = GoFloat.format(value)
        // Shortest 'g': exponent form when the decimal exponent is < -4 or >= 6 (Go's rule for
        // shortest formatting).
        var digits = fixed.filter(\.isNumber)
        let negative = fixed.hasPrefix("-")
        let integerDigits = fixed.split(separator: ".").first.map { $0.filter(\.isNumber) } ?? ""
        var exponent: Int
        if integerDigits.allSatisfy({ $0 == "0" }) {
            let leadingZeros = digits.prefix { $0 == "0" }.count
            exponent = -(leadingZeros)
            digits.removeFirst(leadingZeros)
        } else {
            let stripped = integerDigits.drop { $0 == "0" }
            exponent = stripped.count - 1
            digits = String(digits.drop { $0 == "0" })
        }
        while digits.count > 1, digits.hasSuffix("0") { digits.removeLast() }
        if exponent >= 6 || exponent < -4 {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let sign = exponent < 0 ? "-" : "+"
            let magnitude = abs(exponent)
            return (negative ? "-" : "") + mantissa + "e" + sign + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        return fixed
    }
}
