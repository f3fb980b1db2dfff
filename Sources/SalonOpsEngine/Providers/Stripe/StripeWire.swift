import Foundation
import SalonOpsCore

/// Stripe's wire format: form-encoded requests with bracketed nesting (`metadata[k]=v`,
/// `enabled_events[0]=a`), JSON responses, `{"error": {"message", "type", "code"}}` errors,
/// `limit` + `starting_after` pagination.
enum StripeWire {
    static let apiVersion = "2024-06-20"

    /// `application/x-www-form-urlencoded`, in the order given (stable requests, stable tests).
    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        Array(pairs.map { "\(encode($0.0, key: true))=\(encode($0.1, key: false))" }.joined(separator: "&").utf8)
    }

    static func encode(_ text: String, key: Bool) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        if key { allowed.insert(charactersIn: "[]") }
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Form pairs for desired fields: dotted names become brackets, lists become indexed.
    static func pairs(_ fields: [String: FieldValue], only names: Set<String>? = nil) -> [(String, String)] {
        var out: [(String, String)] = []
        for name in fields.keys.sorted() where names == nil || names!.contains(name) {
            let parts = name.split(separator: ".").map(String.init)
            let key = parts.first! + parts.dropFirst().map { "[\($0)]" }.joined()
            switch fields[name]! {
            case .string(let s): out.append((key, s))
            case .int(let i): out.append((key, String(i)))
            case .bool(let b): out.append((key, b ? "true" : "false"))
            case .list(let items):
                for (index, item) in items.enumerated() {
                    if case .string(let s) = item { out.append(("\(key)[\(index)]", s)) }
                }
            case .null: out.append((key, ""))
            case .secret: continue  // resolved by the caller, never serialised from a plan
            }
        }
        return out
    }

    static func json(_ body: [UInt8]) throws -> [String: JSONValue] {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            throw ProviderError(status: 0, message: "Stripe answered with something that is not a JSON object", retryable: false)
        }
        return object
    }

    /// Stripe's error object, as one line (its message never holds the API key).
    static func error(_ response: ProviderResponse) -> ProviderError {
        let retryable = response.status == 429 || response.status >= 500 || response.status == 409
        if let object = try? json(response.body), case .object(let error)? = object["error"] {
            var message = error["message"]?.string ?? "no message"
            if let type = error["type"]?.string { message += " (\(type)" + (error["code"]?.string.map { ", \($0)" } ?? "") + ")" }
            return ProviderError(status: response.status, message: message, retryable: retryable)
        }
        return ProviderError(status: response.status, message: "Stripe answered HTTP \(response.status)", retryable: retryable)
    }

    /// A Stripe object as an observed resource: `metadata` flattened to `metadata.<key>`
    /// (markers apart), expandable references reduced to ids.
    static func observed(_ object: [String: JSONValue], kind: String, fields names: [String], references: [String] = []) -> ObservedResource? {
        guard let id = object["id"]?.string else { return nil }
        var metadata: [String: String] = [:]
        if case .object(let pairs)? = object["metadata"] { for (k, v) in pairs { if let s = v.string { metadata[k] = s } } }
        var fields: [String: FieldValue] = [:]
        for name in names {
            if name.hasPrefix("metadata.") {
                if let value = metadata[String(name.dropFirst("metadata.".count))] { fields[name] = .string(value) }
                continue
            }
            var value: JSONValue? = .object(object)
            for part in name.split(separator: ".") {
                if case .object(let inner)? = value { value = inner[String(part)] } else { value = nil }
            }
            fields[name] = fieldValue(value ?? .null, name: name)
        }
        for (key, value) in metadata where !key.hasPrefix("salonops_") && fields["metadata.\(key)"] == nil {
            fields["metadata.\(key)"] = .string(value)
        }
        var refs: [String: String] = [:]
        for reference in references {
            switch object[reference] {
            case .string(let id)?: refs[reference] = id
            case .object(let inner)?: if let id = inner["id"]?.string { refs[reference] = id }
            default: break
            }
        }
        // localstripe keeps a boolean set by an update as the string "false": read both.
        let active = object["active"]?.bool ?? (object["active"]?.string).map { $0 != "false" } ?? true
        let title = object["name"]?.string ?? object["nickname"]?.string ?? object["description"]?.string ?? object["url"]?.string
            ?? metadata[StripeKinds.idKey] ?? id
        let natural = object["lookup_key"]?.string ?? object["name"]?.string ?? object["url"]?.string ?? object["description"]?.string
        return ObservedResource(kind: kind, remoteID: id, key: metadata[StripeKinds.idKey], owner: metadata[StripeKinds.ownerKey],
                                naturalKey: natural, fields: fields, references: refs, appliedDigest: metadata[StripeKinds.digestKey],
                                archived: !active, version: nil, title: title)
    }

    static func fieldValue(_ value: JSONValue, name: String) -> FieldValue {
        let percent = name == "percentage" || name == "percent_off"
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .string(let s) where booleanFields.contains(name) && (s == "true" || s == "false"):
            return .bool(s == "true")
        case .string(let s):
            // Percentages come back as numbers from Stripe and as strings from some peers.
            if percent, let d = Double(s) { return .string(decimalString(d)) }
            return .string(s)
        case .int(let i): return percent ? .string(String(i)) : .int(i)
        case .double(let d): return percent ? .string(decimalString(d)) : .int(Int64(d))
        case .array(let items):
            let values = items.map { fieldValue($0, name: name) }
            return .list(name == "enabled_events" ? values.sorted { $0.description < $1.description } : values)
        case .object: return .string("(object)")
        }
    }

    static let booleanFields: Set<String> = ["active", "inclusive", "livemode", "disabled"]

    /// 20.0 → "20", 5.5 → "5.5".
    static func decimalString(_ value: Double) -> String {
        if value == value.rounded() { return String(Int64(value)) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

/// Any JSON value, decoded strictly (a number never reads as a boolean).
enum JSONValue: Decodable, Equatable, Sendable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let i = try? single.decode(Int64.self) { self = .int(i) }
        else if let d = try? single.decode(Double.self) { self = .double(d) }
        else if let s = try? single.decode(String.self) { self = .string(s) }
        else if let a = try? single.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try single.decode([String: JSONValue].self)) }
    }

    var string: String? { if case .string(let s) = self { return s }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
}
