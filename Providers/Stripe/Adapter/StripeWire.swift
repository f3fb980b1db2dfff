import Foundation
import SalonOpsProviderKit

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
            case .object(let entries):
                out += pairs(Dictionary(entries.map { ("\(name).\($0.name)", $0.value) }, uniquingKeysWith: { a, _ in a }))
            case .null: out.append((key, ""))
            case .secret: continue  // resolved by the caller, never serialised from a plan
            }
        }
        return out
    }

    /// What an answer means, from Stripe's error object
    /// (https://docs.stripe.com/error-handling): 429 and 5xx recover, and so does a 409 (an
    /// idempotent request still in flight, a lock timeout); the rest is typed for the engine.
    static func classify(_ response: ProviderResponse) -> ResponseClass {
        guard !(200..<300).contains(response.status) else { return .success }
        let error = response.body.isEmpty ? nil : (try? JSONValue.parse(response.body))?["error"]
        var message = error?["message"]?.string ?? "Stripe answered HTTP \(response.status)"
        let type = error?["type"]?.string, code = error?["code"]?.string, param = error?["param"]?.string
        if let type { message += " (\(type)" + (code.map { ", \($0)" } ?? "") + ")" }
        let status = response.status
        switch status {
        case 429:
            return .retry(after: ResponseClass.retryAfter(response), ProviderError(.rateLimited(retryAfter: ResponseClass.retryAfter(response)), status: status, message: message))
        case 409, 500...599: return .retry(after: ResponseClass.retryAfter(response), ProviderError(.transient, status: status, message: message))
        case 401, 403: return .failure(ProviderError(.auth, status: status, message: message))
        case 404: return .failure(ProviderError(.notFound, status: status, message: message))
        default:
            if code == "resource_already_exists" { return .failure(ProviderError(.alreadyExists, status: status, message: message)) }
            if code == "resource_missing" { return .failure(ProviderError(.notFound, status: status, message: message)) }
            return .failure(ProviderError(status == 400 ? .invalid(field: param) : .permanent, status: status, message: message))
        }
    }

    /// A Stripe object as an observed resource: `metadata` flattened to `metadata.<key>`
    /// (markers apart), expandable references reduced to ids.
    static func observed(_ object: JSONValue, kind: String, fields names: [String], references: [String] = []) -> ObservedResource? {
        guard let id = object["id"]?.string else { return nil }
        var metadata: [String: String] = [:]
        for (k, v) in object["metadata"]?.pairs ?? [] { if let s = v.string { metadata[k] = s } }
        var fields: [String: FieldValue] = [:]
        for name in names {
            if name.hasPrefix("metadata.") {
                if let value = metadata[String(name.dropFirst("metadata.".count))] { fields[name] = .string(value) }
                continue
            }
            fields[name] = fieldValue(object.at(name) ?? .null, name: name)
        }
        for (key, value) in metadata where !key.hasPrefix("salonops_") && fields["metadata.\(key)"] == nil {
            fields["metadata.\(key)"] = .string(value)
        }
        var refs: [String: String] = [:]
        for reference in references {
            switch object[reference] {
            case .string(let id)?: refs[reference] = id
            case .object?: if let id = object[reference]?["id"]?.string { refs[reference] = id }
            default: break
            }
        }
        // localstripe keeps a boolean set by an update as the string "false": read both.
        let active = object["active"]?.bool ?? (object["active"]?.string).map { $0 != "false" } ?? true
        let title =
            object["name"]?.string ?? object["nickname"]?.string ?? object["description"]?.string ?? object["url"]?.string
            ?? metadata[StripeKinds.idKey] ?? id
        let natural = object["lookup_key"]?.string ?? object["name"]?.string ?? object["url"]?.string ?? object["description"]?.string
        return ObservedResource(
            kind: kind, remoteID: id, key: metadata[StripeKinds.idKey], owner: metadata[StripeKinds.ownerKey],
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
        case .int(let i): return percent ? .string(String(i)) : .int(Int64(i))
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
