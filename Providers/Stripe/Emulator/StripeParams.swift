import SalonOpsEmulatorKit
import Foundation

/// Typed, strict access to a request's form parameters with Stripe's rules and messages:
/// unknown names are refused, plain values must parse as the documented type, an empty string
/// unsets a nullable field and is refused for a required one. `prefix` names nested hashes in
/// messages (`recurring[interval]`).
struct StripeParams {
    let fields: [FormField]
    let prefix: String?

    init(_ form: FormParameters) {
        self.fields = form.fields
        self.prefix = nil
    }

    init(fields: [FormField], prefix: String) {
        self.fields = fields
        self.prefix = prefix
    }

    func qualified(_ name: String) -> String { prefix.map { "\($0)[\(name)]" } ?? name }

    func value(_ name: String) -> FormValue? { fields.first { $0.name == name }?.value }

    func has(_ name: String) -> Bool { value(name) != nil }

    /// Refuses any parameter not in `allowed`; `unsupported` ones are real Stripe parameters the
    /// sandbox does not implement (said so in the message). `expand` is always accepted.
    func allowOnly(_ allowed: Set<String>, unsupported: Set<String> = []) throws(StripeError) {
        for field in fields {
            if allowed.contains(field.name) || (prefix == nil && field.name == "expand") { continue }
            if unsupported.contains(field.name) { throw .unsupportedParameter(qualified(field.name)) }
            throw .unknownParameter(qualified(field.name))
        }
    }

    /// A plain string, or nil when absent. A hash or list here is a type error.
    func string(_ name: String) throws(StripeError) -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let s) = value else {
            throw .invalid("Invalid string: \(qualified(name)) must be a string, not a hash or an array.", param: qualified(name))
        }
        return s
    }

    func requiredString(_ name: String) throws(StripeError) -> String {
        guard let s = try string(name) else { throw .missing(qualified(name)) }
        guard !s.isEmpty else { throw .emptyString(qualified(name)) }
        return s
    }

    /// A string that must not be empty when present.
    func nonEmptyString(_ name: String) throws(StripeError) -> String? {
        guard let s = try string(name) else { return nil }
        guard !s.isEmpty else { throw .emptyString(qualified(name)) }
        return s
    }

    /// For nullable fields: nil when absent, `.some(nil)` for an empty string (unset), else the value.
    func nullableString(_ name: String, maxLength: Int? = nil) throws(StripeError) -> String?? {
        guard let s = try string(name) else { return nil }
        if s.isEmpty { return .some(nil) }
        if let maxLength, s.count > maxLength {
            throw .invalid("Invalid \(qualified(name)): must be at most \(maxLength) characters", param: qualified(name))
        }
        return .some(s)
    }

    func int(_ name: String) throws(StripeError) -> Int? {
        guard let s = try nonEmptyString(name) else { return nil }
        guard let i = Int(s) else { throw .invalid("Invalid integer: \(s)", param: qualified(name), code: "parameter_invalid_integer") }
        return i
    }

    /// A nullable integer: nil when absent, `.some(nil)` for an empty string.
    func nullableInt(_ name: String) throws(StripeError) -> Int?? {
        guard let s = try string(name) else { return nil }
        if s.isEmpty { return .some(nil) }
        guard let i = Int(s) else { throw .invalid("Invalid integer: \(s)", param: qualified(name), code: "parameter_invalid_integer") }
        return .some(i)
    }

    func bool(_ name: String) throws(StripeError) -> Bool? {
        guard let s = try nonEmptyString(name) else { return nil }
        switch s {
        case "true": return true
        case "false": return false
        default: throw .invalid("Invalid boolean: \(s)", param: qualified(name))
        }
    }

    func decimal(_ name: String) throws(StripeError) -> Double? {
        guard let s = try nonEmptyString(name) else { return nil }
        let allowed = CharacterSet(charactersIn: "0123456789.-")
        guard s.unicodeScalars.allSatisfy(allowed.contains), let d = Double(s), d.isFinite else {
            throw .invalid("Invalid decimal: \(s)", param: qualified(name))
        }
        return d
    }

    func oneOf(_ name: String, _ allowed: [String]) throws(StripeError) -> String? {
        guard let s = try nonEmptyString(name) else { return nil }
        guard allowed.contains(s) else {
            let list = allowed.count > 1 ? allowed.dropLast().joined(separator: ", ") + ", or " + allowed.last! : allowed[0]
            throw .invalid("Invalid \(qualified(name)): must be one of \(list)", param: qualified(name))
        }
        return s
    }

    /// A list of plain strings: `name[]=a&name[]=b` or `name[0]=a&name[1]=b`. An empty string
    /// (`name=`) is the empty list.
    func stringList(_ name: String) throws(StripeError) -> [String]? {
        guard let value = value(name) else { return nil }
        if case .string(let s) = value, s.isEmpty { return [] }
        guard let items = value.listItems else {
            throw .invalid("Invalid array: \(qualified(name)) must be an array (\(qualified(name))[]=…)", param: qualified(name))
        }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw .invalid("Invalid \(qualified(name))[\(index)]: must be a string", param: "\(qualified(name))[\(index)]")
            }
            strings.append(s)
        }
        return strings
    }

    /// A nested hash (`recurring[interval]=month`), as parameters of its own.
    func hash(_ name: String) throws(StripeError) -> StripeParams? {
        guard let value = value(name) else { return nil }
        guard case .map(let fields) = value else {
            throw .invalid("Invalid hash: \(qualified(name)) must be a hash (\(qualified(name))[key]=…)", param: qualified(name))
        }
        return StripeParams(fields: fields, prefix: qualified(name))
    }

    /// `metadata`: nil when absent; otherwise the change to apply (Stripe's rules: keys are
    /// merged into the existing metadata, `metadata[k]=` removes `k`, `metadata=` removes all).
    func metadata() throws(StripeError) -> MetadataChange? {
        guard let value = value("metadata") else { return nil }
        switch value {
        case .string(let s):
            guard s.isEmpty else {
                throw .invalid("Invalid hash: metadata must be a hash (metadata[key]=value)", param: "metadata")
            }
            return MetadataChange(clearAll: true, entries: [])
        case .list:
            throw .invalid("Invalid hash: metadata must be a hash (metadata[key]=value)", param: "metadata")
        case .map(let fields):
            var entries: [(String, String?)] = []
            for field in fields {
                guard case .string(let v) = field.value else {
                    throw .invalid("Invalid value for metadata[\(field.name)]: metadata values must be strings", param: "metadata[\(field.name)]")
                }
                guard field.name.count <= 40 else {
                    throw .invalid("Metadata keys can have a maximum length of 40 characters.", param: "metadata[\(field.name)]")
                }
                guard v.count <= 500 else {
                    throw .invalid("Metadata values can have a maximum length of 500 characters.", param: "metadata[\(field.name)]")
                }
                entries.append((field.name, v.isEmpty ? nil : v))
            }
            return MetadataChange(clearAll: false, entries: entries)
        }
    }
}

struct MetadataChange {
    var clearAll: Bool
    /// nil value: remove the key.
    var entries: [(String, String?)]

    func apply(to metadata: inout [String: String]) throws(StripeError) {
        var updated = clearAll ? [:] : metadata
        for (key, value) in entries { updated[key] = value }
        guard updated.count <= 50 else {
            throw .invalid("Metadata can have a maximum of 50 keys.", param: "metadata")
        }
        metadata = updated
    }
}

/// `limit`, `starting_after`, `ending_before`, checked as Stripe checks them.
struct ListParameters {
    var limit = 10
    var startingAfter: String?
    var endingBefore: String?

    static let names: Set<String> = ["limit", "starting_after", "ending_before"]

    init(_ params: StripeParams) throws(StripeError) {
        if let limit = try params.int("limit") {
            guard (1...100).contains(limit) else {
                throw .invalid("Invalid limit: must be between 1 and 100", param: "limit")
            }
            self.limit = limit
        }
        startingAfter = try params.nonEmptyString("starting_after")
        endingBefore = try params.nonEmptyString("ending_before")
        if startingAfter != nil, endingBefore != nil {
            throw .exclusive(["starting_after", "ending_before"])
        }
    }
}
