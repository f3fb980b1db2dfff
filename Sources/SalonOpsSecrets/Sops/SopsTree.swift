import Foundation

/// A sops document as sops itself holds it: ordered mappings and sequences whose leaves are typed
/// scalars, with YAML comments kept as items of their container (sops encrypts them too).
public indirect enum SopsNode: Equatable, Sendable {
    case mapping([SopsItem])
    case sequence([SopsNode])
    case scalar(SopsScalar)
    /// A comment line inside a sequence (the text after `#`).
    case comment(String)
}

public enum SopsItem: Equatable, Sendable {
    case entry(SopsKey, SopsNode)
    /// A comment line inside a mapping (the text after `#`).
    case comment(String)
}

/// A mapping key (sops keeps string keys only).
public struct SopsKey: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var text: String

    public init(_ text: String) { self.text = text }

    public var description: String { text }
}

/// A leaf. Encrypted leaves are `.string("ENC[…]")` until decrypted.
public enum SopsScalar: Equatable, Sendable {
    case string(String)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    /// A YAML timestamp, held in the RFC 3339 form sops encrypts and prints.
    case time(String)
    case null

    /// The sops type name written in `ENC[…,type:T]`.
    var sopsType: String {
        switch self {
        case .string: "str"
        case .int: "int"
        case .float: "float"
        case .bool: "bool"
        case .time: "time"
        case .null: "str"
        }
    }

    /// The bytes sops encrypts and feeds to the MAC for this value (Go's `ToBytes`).
    public var plaintextBytes: [UInt8] {
        switch self {
        case .string(let s): Array(s.utf8)
        case .int(let i): Array(String(i).utf8)
        case .float(let f): Array(GoFloat.format(f).utf8)
        case .bool(let b): Array((b ? "True" : "False").utf8)
        case .time(let t): Array(t.utf8)
        case .null: []
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest digits that read back exactly, never
/// an exponent (sops writes floats that way, so the MAC and ciphertexts depend on it).
enum GoFloat {
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Swift's description is also shortest round-trip; only the notation differs.
        var text = "\(value)"
        var negative = false
        if text.hasPrefix("-") { negative = true; text.removeFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        var integerPart = text
        var fraction = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = String(text[..<dot])
            fraction = String(text[text.index(after: dot)...])
        }
        var digits = integerPart + fraction
        var pointPosition = integerPart.count + exponent
        // Normalise: strip leading zeros of the digit string, keeping the point in place.
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); pointPosition -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        var result: String
        if pointPosition <= 0 {
            result = "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            result = digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: pointPosition)
            result = digits[..<index] + "." + digits[index...]
        }
        if result.contains("."), result.hasSuffix("0") {
            while result.hasSuffix("0") { result.removeLast() }
            if result.hasSuffix(".") { result.removeLast() }
        }
        return negative ? "-" + result : result
    }
}

extension SopsNode {
    /// The mapping items of a top-level document (sops requires a mapping there).
    var items: [SopsItem]? {
        if case .mapping(let items) = self { return items }
        return nil
    }

    /// The value at a key path (map keys only, as `--extract '["a"]["b"]'` gives them; integer
    /// components index sequences, comments not counted).
    public func value(at path: [SopsPathComponent]) -> SopsNode? {
        guard let first = path.first else { return self }
        switch (self, first) {
        case (.mapping(let items), .key(let key)):
            for case .entry(let k, let v) in items where k.text == key { return v.value(at: Array(path.dropFirst())) }
            return nil
        case (.sequence(let elements), .index(let index)):
            let values = elements.filter {
                if case .comment = $0 { return false }; return true
            }
            guard values.indices.contains(index) else { return nil }
            return values[index].value(at: Array(path.dropFirst()))
        default:
            return nil
        }
    }

    /// Sets the value at a key path, creating mappings on the way as `sops set` does.
    public mutating func setValue(_ newValue: SopsNode, at path: [SopsPathComponent]) throws {
        guard let first = path.first else { self = newValue; return }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.mapping(var items), .key(let key)):
            if let index = items.firstIndex(where: {
                if case .entry(let k, _) = $0 { return k.text == key }; return false
            }),
                case .entry(let k, var child) = items[index]
            {
                try child.setValue(newValue, at: rest)
                items[index] = .entry(k, child)
            } else {
                var child = SopsNode.mapping([])
                try child.setValue(newValue, at: rest)
                items.append(.entry(SopsKey(key), child))
            }
            self = .mapping(items)
        case (.sequence(var elements), .index(let index)):
            let positions = elements.indices.filter {
                if case .comment = elements[$0] { return false }; return true
            }
            guard positions.indices.contains(index) else {
                throw SopsError.badKeyPath("index \(index) is past the end of a list of \(positions.count)")
            }
            try elements[positions[index]].setValue(newValue, at: rest)
            self = .sequence(elements)
        default:
            throw SopsError.badKeyPath("\(first) does not lead into a \(first.isIndex ? "list" : "mapping") there")
        }
    }
}

public enum SopsPathComponent: Equatable, Sendable, CustomStringConvertible {
    case key(String)
    case index(Int)

    var isIndex: Bool { if case .index = self { return true }; return false }

    public var description: String {
        switch self {
        case .key(let k): "[\"\(k)\"]"
        case .index(let i): "[\(i)]"
        }
    }

    /// Parses sops' `--extract` form: `["stripe"]["secret_key"]`, `["list"][0]`; a plain
    /// dotted path `stripe.secret_key` is also taken (the config's `secret:` references use it).
    public static func parse(_ text: String) throws -> [SopsPathComponent] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("[") else {
            let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
                throw SopsError.badKeyPath("write the key path as [\"a\"][\"b\"] or a.b")
            }
            return parts.map { .key($0) }
        }
        var components: [SopsPathComponent] = []
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else {
                throw SopsError.badKeyPath("expected [\"key\"] or [index]; write the key path as [\"a\"][\"b\"]")
            }
            let inside = rest[rest.index(after: rest.startIndex)..<close]
            if inside.count >= 2, inside.first == "\"", inside.last == "\"" {
                components.append(.key(String(inside.dropFirst().dropLast())))
            } else if let index = Int(inside), index >= 0 {
                components.append(.index(index))
            } else {
                throw SopsError.badKeyPath("\(inside) is neither a quoted key nor an index")
            }
            rest = rest[rest.index(after: close)...]
        }
        guard !components.isEmpty else { throw SopsError.badKeyPath("the key path is empty") }
        return components
    }
}
