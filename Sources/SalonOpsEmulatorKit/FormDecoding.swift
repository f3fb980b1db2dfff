import Foundation

/// A decoded `application/x-www-form-urlencoded` parameter in the bracket nesting that Stripe (and
/// Rack) use: `metadata[k]=v` is a hash, `enabled_events[]=a` a list, `enabled_events[0]=a` a hash
/// with integer keys that a list parameter also accepts (see `FormValue.listItems`).
public indirect enum FormValue: Sendable, Equatable {
    case string(String)
    case list([FormValue])
    case map([FormField])

    public static func == (lhs: FormValue, rhs: FormValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        case let (.map(a), .map(b)): return a == b
        default: return false
        }
    }

    /// The items of a list parameter: `a[]=x&a[]=y`, or `a[0]=x&a[1]=y` (ordered by index).
    /// `nil` when the value is not list-shaped.
    public var listItems: [FormValue]? {
        switch self {
        case .list(let items): return items
        case .map(let fields):
            var indexed: [(Int, FormValue)] = []
            for field in fields {
                guard let index = Int(field.name), index >= 0 else { return nil }
                indexed.append((index, field.value))
            }
            return indexed.sorted { $0.0 < $1.0 }.map(\.1)
        case .string: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

public struct FormField: Sendable, Equatable {
    public var name: String
    public var value: FormValue
}

/// The top level of a decoded form, fields in first-seen order.
public struct FormParameters: Sendable, Equatable {
    public var fields: [FormField] = []
    /// The raw `(name, value)` pairs, decoded, in request order (for idempotency fingerprints).
    public var pairs: [(String, String)] = []

    public init(fields: [FormField] = [], pairs: [(String, String)] = []) {
        self.fields = fields
        self.pairs = pairs
    }

    public static func == (lhs: FormParameters, rhs: FormParameters) -> Bool {
        lhs.fields == rhs.fields
    }

    public subscript(name: String) -> FormValue? {
        fields.first { $0.name == name }?.value
    }

    public var names: [String] { fields.map(\.name) }

    /// A canonical text of the parameters: pairs stably sorted by name, so `a=1&b=2` and
    /// `b=2&a=1` match while the order of `list[]` items still counts.
    public var fingerprint: String {
        let sorted = pairs.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        return sorted.map { "\($0.element.0)=\($0.element.1)" }.joined(separator: "&")
    }

    /// Adds the fields of `other` that this one lacks (used to merge a query string into a body).
    public mutating func merge(_ other: FormParameters) {
        for field in other.fields where self[field.name] == nil { fields.append(field) }
        pairs.append(contentsOf: other.pairs)
    }
}

public struct FormDecodingError: Error, Sendable, Equatable {
    public var message: String
    public var parameter: String?
}

public enum FormDecoder {
    public static func decode(_ text: String) throws(FormDecodingError) -> FormParameters {
        var result = FormParameters()
        var root: FormValue? = .map([])
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let (rawName, rawValue): (Substring, Substring)
            if let eq = part.firstIndex(of: "=") {
                (rawName, rawValue) = (part[..<eq], part[part.index(after: eq)...])
            } else {
                (rawName, rawValue) = (part, "")
            }
            let name = try unescape(rawName), value = try unescape(rawValue)
            guard !name.isEmpty else { continue }
            result.pairs.append((name, value))
            try insert(value, at: path(of: name)[...], into: &root, fullName: name)
        }
        if case .map(let fields) = root { result.fields = fields }
        return result
    }

    /// `a[b][]` → `["a", "b", ""]`; a name with unbalanced brackets is taken literally.
    public static func path(of name: String) -> [String] {
        guard let open = name.firstIndex(of: "["), open != name.startIndex else { return [name] }
        var segments = [String(name[..<open])]
        var rest = name[open...]
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return [name] }
            segments.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return segments
    }

    private static func unescape(_ s: Substring) throws(FormDecodingError) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        guard let decoded = spaced.removingPercentEncoding else {
            throw FormDecodingError(message: "Invalid URL-encoded request: malformed percent-encoding in `\(s)`.")
        }
        return decoded
    }

    private static func insert(
        _ value: String, at path: ArraySlice<String>, into node: inout FormValue?,
        fullName: String
    ) throws(FormDecodingError) {
        guard let head = path.first else {
            node = .string(value)
            return
        }
        let rest = path.dropFirst()
        let conflict = FormDecodingError(
            message: "Invalid parameters: `\(fullName)` mixes a list, a hash and a plain value under one name.",
            parameter: fullName)
        if head.isEmpty {
            var items: [FormValue]
            switch node {
            case nil: items = []
            case .list(let existing)?: items = existing
            default: throw conflict
            }
            if rest.isEmpty {
                items.append(.string(value))
            } else {
                // `a[][k]=v`: fill the last hash unless it already has `k` (Rack's rule).
                var last: FormValue? = nil
                if case .map(let fields)? = items.last, let key = rest.first, !fields.contains(where: { $0.name == key }) {
                    last = items.removeLast()
                }
                try insert(value, at: rest, into: &last, fullName: fullName)
                if let last { items.append(last) }
            }
            node = .list(items)
            return
        }
        var fields: [FormField]
        switch node {
        case nil: fields = []
        case .map(let existing)?: fields = existing
        default: throw conflict
        }
        if let index = fields.firstIndex(where: { $0.name == head }) {
            var child: FormValue? = fields[index].value
            if rest.isEmpty, case .string? = child {
                child = nil  // a repeated plain name: the last value wins
            }
            try insert(value, at: rest, into: &child, fullName: fullName)
            fields[index].value = child ?? .string("")
        } else {
            var child: FormValue? = nil
            try insert(value, at: rest, into: &child, fullName: fullName)
            fields.append(FormField(name: head, value: child ?? .string("")))
        }
        node = .map(fields)
    }
}

extension String {
    /// Without leading and trailing white space.
    public var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
