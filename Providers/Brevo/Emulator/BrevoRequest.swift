import Foundation
import SalonOpsEmulatorKit

/// A request's JSON body and query, read the way Brevo checks them: a body that is not a JSON
/// object, a field of the wrong type or a query integer out of its range is a 400.
struct BrevoBody {
    let object: [(String, JSONValue)]

    init(_ request: EmulatorRequest, required: Bool = true) throws(BrevoError) {
        if request.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            guard !required else { throw .missing("Request body is missing") }
            object = []
            return
        }
        guard let value = try? JSONValue.parse(request.body), let pairs = value.pairs else { throw .invalid("Request body must be a JSON object") }
        object = pairs
    }

    subscript(_ key: String) -> JSONValue? { object.first { $0.0 == key }?.1 }

    var keys: [String] { object.map(\.0) }

    func string(_ key: String) throws(BrevoError) -> String? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let text = value.string else { throw .invalid("\(key) should be a string") }
        return text
    }

    func required(_ key: String) throws(BrevoError) -> String {
        guard let text = try string(key) else { throw .missing("\(key) is missing") }
        return text
    }

    func int(_ key: String) throws(BrevoError) -> Int? {
        guard let value = self[key], !value.isNull else { return nil }
        guard case .int(let number) = value else { throw .invalid("\(key) should be an integer") }
        return number
    }

    func bool(_ key: String) throws(BrevoError) -> Bool? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let flag = value.bool else { throw .invalid("\(key) should be a boolean") }
        return flag
    }

    func strings(_ key: String) throws(BrevoError) -> [String]? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let items = value.array else { throw .invalid("\(key) should be an array") }
        var out: [String] = []
        for item in items {
            guard let text = item.string else { throw .invalid("\(key) should be an array of strings") }
            out.append(text)
        }
        return out
    }
}

struct BrevoQuery {
    let parameters: QueryParameters

    init(_ request: EmulatorRequest) throws(BrevoError) {
        guard let parsed = QueryParameters(parsing: request.query) else { throw .invalid("Invalid query string") }
        parameters = parsed
    }

    subscript(_ name: String) -> String? { parameters[name] }

    /// An integer parameter within the spec's bounds, or its default.
    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(BrevoError) -> Int {
        guard let text = parameters[name] else { return fallback }
        guard let value = Int(text) else { throw .invalid("\(name) should be an integer") }
        guard range.contains(value) else {
            throw BrevoError(status: 400, code: .outOfRange, message: "\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// `sort`: `asc` or `desc` (the default: newest first).
    func ascending() throws(BrevoError) -> Bool {
        switch parameters["sort"] {
        case nil, "desc": return false
        case "asc": return true
        case let other?: throw .invalid("sort must be asc or desc, not '\(other)'")
        }
    }

    func oneOf(_ name: String, _ allowed: [String], default fallback: String) throws(BrevoError) -> String {
        guard let value = parameters[name] else { return fallback }
        guard allowed.contains(value) else { throw .invalid("\(name) must be one of \(allowed.joined(separator: ", ")), not '\(value)'") }
        return value
    }
}

enum BrevoFormat {
    /// A plausible address: something@domain.tld, no spaces (what Brevo's `format: email` asks).
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !text.contains(where: \.isWhitespace)
    }

    static func isURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else { return false }
        return true
    }

    /// "YYYY-MM-DDTHH:mm:ss.SSSZ", as Brevo writes `createdAt`.
    static func timestamp(_ date: Date) -> String { utc(date, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'") }

    /// `date` in UTC, in a fixed (POSIX) format.
    static func utc(_ date: Date, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
