import Foundation
import SalonOpsJSON
import Yams

/// The published specs the emulators are checked against: beside the package
/// (`../shared/specs`, CI and the main checkout), or the machine's copy. Never copied into the
/// repository.
public enum SharedSpecs {
    public static let directories = [
        ExampleConfig.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/specs"), URL(fileURLWithPath: "/work/shared/specs"),
    ]

    public static func locate(_ file: String) -> URL? {
        directories.map { $0.appendingPathComponent(file) }.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}

/// An OpenAPI 3.0 description read from YAML (or JSON, a subset of YAML), for checking what an
/// emulator accepts and answers against the provider's published spec. The subset checked:
/// `$ref` (components), `allOf`, `type` (with `nullable`), `required`, `enum`, `properties`
/// (an undeclared property is a problem unless the schema allows additional ones), `items`,
/// `format: email`, integer bounds; operations matched by path template and method, their
/// query and path parameters, request bodies and responses by status. Not provider-specific.
public final class OpenAPIDocument: @unchecked Sendable {
    // @unchecked: the parsed tree is never mutated after init.
    private let paths: [String: Any]
    private let components: [String: Any]
    private let templates: [(template: String, segments: [String])]

    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let root = Self.normalized(try Yams.load(yaml: text)) as? [String: Any] else {
            throw HarnessError("\(url.path) is not an OpenAPI document")
        }
        paths = root["paths"] as? [String: Any] ?? [:]
        components = root["components"] as? [String: Any] ?? [:]
        templates = paths.keys.map { ($0, $0.split(separator: "/").map(String.init)) }
        guard !paths.isEmpty else { throw HarnessError("\(url.path) has no paths") }
    }

    /// YAML mappings with any scalar keys (`200:` is an integer) as `[String: Any]`.
    static func normalized(_ value: Any?) -> Any? {
        switch value {
        case let map as [AnyHashable: Any]:
            var out: [String: Any] = [:]
            for (key, item) in map { out[String(describing: key.base)] = normalized(item) ?? NSNull() }
            return out
        case let map as [String: Any]: return map.mapValues { normalized($0) ?? NSNull() }
        case let list as [Any]: return list.map { normalized($0) ?? NSNull() }
        default: return value
        }
    }

    /// The template serving a concrete path (`/contacts/lists/3` → `/contacts/lists/{listId}`);
    /// a literal segment beats a parameter.
    public func template(_ method: String, _ path: String) -> String? {
        let segments = path.split(separator: "/").map(String.init)
        let matches = templates.filter { candidate in
            candidate.segments.count == segments.count && zip(candidate.segments, segments).allSatisfy { $0 == $1 || $0.hasPrefix("{") }
                && (paths[candidate.template] as? [String: Any])?[method.lowercased()] != nil
        }
        return matches.min { $0.segments.filter { $0.hasPrefix("{") }.count < $1.segments.filter { $0.hasPrefix("{") }.count }?.template
    }

    func operation(_ method: String, _ template: String) -> [String: Any]? {
        (paths[template] as? [String: Any])?[method.lowercased()] as? [String: Any]
    }

    /// A named schema of `components.schemas`.
    public func schema(_ name: String) -> [String: Any]? { (components["schemas"] as? [String: Any])?[name] as? [String: Any] }

    /// What is wrong with a request the way a client would send it: an operation for it, its
    /// path and query parameters (known, of their type, within bounds and enums), required
    /// query parameters present, and the JSON body against the request schema.
    public func problems(request method: String, _ path: String, query: [(String, String)] = [], body: String? = nil) -> [String] {
        guard let template = template(method, path), let operation = operation(method, template) else {
            return ["\(method) \(path): no such operation in the spec"]
        }
        var out: [String] = []
        let parameters = ((operation["parameters"] as? [Any]) ?? []).compactMap { resolve($0) }
        let pathValues = Dictionary(
            zip(template.split(separator: "/").map(String.init), path.split(separator: "/").map(String.init)).filter { $0.0.hasPrefix("{") }.map {
                (String($0.0.dropFirst().dropLast()), $0.1)
            }, uniquingKeysWith: { a, _ in a })
        for parameter in parameters {
            guard let name = parameter["name"] as? String, let place = parameter["in"] as? String else { continue }
            let schema = resolve(parameter["schema"]) ?? [:]
            switch place {
            case "path":
                if let value = pathValues[name] { out += scalarProblems(value, schema, at: "\(method) \(template) path \(name)") }
            case "query":
                let values = query.filter { $0.0 == name }.map(\.1)
                if values.isEmpty, parameter["required"] as? Bool == true { out.append("\(method) \(template): query \(name) is required") }
                for value in values { out += scalarProblems(value, schema, at: "\(method) \(template) query \(name)") }
            default: continue
            }
        }
        let known = Set(parameters.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String })
        for (name, _) in query where !known.contains(name) { out.append("\(method) \(template): query \(name) is not a parameter of the operation") }
        let requestBody = resolve(operation["requestBody"])
        let bodySchema = resolve(((requestBody?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"])
        if let body, !body.isEmpty {
            guard let bodySchema else { return out + ["\(method) \(template): the operation takes no JSON body"] }
            guard let value = try? JSONValue.parse(Array(body.utf8)) else { return out + ["\(method) \(template): the body is not JSON"] }
            out += problems(value, bodySchema, at: "\(method) \(template) body")
        } else if requestBody?["required"] as? Bool == true {
            out.append("\(method) \(template): a body is required")
        }
        return out
    }

    /// What is wrong with an answer: a status the operation declares (or `default`), and the
    /// JSON body against that response's schema (an empty body where it has none).
    public func problems(response method: String, _ path: String, status: Int, body: String) -> [String] {
        guard let template = template(method, path), let operation = operation(method, template) else {
            return ["\(method) \(path): no such operation in the spec"]
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let declared = resolve(responses[String(status)] ?? responses["default"]) else {
            return ["\(method) \(template): status \(status) is not one the spec declares (\(responses.keys.sorted().joined(separator: ", ")))"]
        }
        let schema = resolve(((declared["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"])
        guard let schema else {
            return body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [] : ["\(method) \(template) \(status): the spec declares no body, got \(body.prefix(80))"]
        }
        guard let value = try? JSONValue.parse(Array(body.utf8)) else { return ["\(method) \(template) \(status): the body is not JSON: \(body.prefix(80))"] }
        return problems(value, schema, at: "\(method) \(template) \(status)")
    }

    /// `value` against `schema`, with a path to each problem.
    public func problems(_ value: JSONValue, _ schema: [String: Any], at path: String) -> [String] {
        guard let schema = resolve(schema) else { return ["\(path): unresolvable schema"] }
        if value.isNull { return schema["nullable"] as? Bool == true || schema["type"] == nil ? [] : ["\(path): null where the spec has \(schema["type"] ?? "a value")"] }
        var out: [String] = []
        let parts = (schema["allOf"] as? [Any] ?? []).compactMap { resolve($0) }
        for part in parts { out += problems(value, asPart(part), at: path) }
        // Undeclared properties are judged against the schema and its parts together.
        if schema["partOfAllOf"] == nil { out += undeclared(value, flattened(schema), at: path) }
        if let type = schema["type"] as? String, let problem = typeProblem(value, type) { return out + ["\(path): \(problem)"] }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == Self.text(value) }) {
            out.append("\(path): '\(Self.text(value))' is not one of \(allowed.map { "\($0)" }.joined(separator: ", "))")
        }
        if schema["format"] as? String == "email", let text = value.string, !Self.looksLikeEmail(text) { out.append("\(path): '\(text)' is not an email") }
        if let object = value.pairs {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where value[name] == nil { out.append("\(path): required \(name) missing") }
            for (name, item) in object {
                if let property = properties[name] as? [String: Any] { out += problems(item, property, at: "\(path).\(name)") }
            }
        }
        if let array = value.array, let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { out += problems(item, items, at: "\(path)[\(index)]") }
        }
        return out
    }

    /// Properties none of the schemas declares, when one lists properties and none allows others.
    private func undeclared(_ value: JSONValue, _ parts: [[String: Any]], at path: String) -> [String] {
        guard let object = value.pairs else { return [] }
        let declaring = parts.filter { $0["properties"] != nil }
        guard !declaring.isEmpty, !parts.contains(where: { $0["additionalProperties"] != nil }) else { return [] }
        let known = Set(declaring.flatMap { ($0["properties"] as? [String: Any] ?? [:]).keys })
        return object.map(\.0).filter { !known.contains($0) }.map { "\(path): \($0) is not a property the spec declares" }
    }

    /// A schema and the parts of its `allOf`, theirs included.
    private func flattened(_ schema: [String: Any], depth: Int = 0) -> [[String: Any]] {
        guard depth < 16 else { return [schema] }
        return [schema] + (schema["allOf"] as? [Any] ?? []).compactMap { resolve($0) }.flatMap { flattened($0, depth: depth + 1) }
    }

    /// A part of an `allOf`: undeclared properties are left to the whole.
    private func asPart(_ schema: [String: Any]) -> [String: Any] {
        var copy = schema
        copy["partOfAllOf"] = true
        return copy
    }

    private func typeProblem(_ value: JSONValue, _ type: String) -> String? {
        let ok: Bool
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double): ok = true
        case ("integer", .double(let number)): ok = number == number.rounded()
        case ("object", _), ("array", _), ("string", _), ("boolean", _), ("integer", _), ("number", _): ok = false
        default: ok = true
        }
        return ok ? nil : "\(type) expected, got \(Self.text(value).prefix(40))"
    }

    static func text(_ value: JSONValue) -> String { value.string ?? value.serialized }

    /// A query or path value against a scalar schema.
    private func scalarProblems(_ text: String, _ schema: [String: Any], at path: String) -> [String] {
        var out: [String] = []
        switch schema["type"] as? String {
        case "integer":
            guard let number = Int(text) else { return ["\(path): '\(text)' is not an integer"] }
            if let minimum = Self.number(schema["minimum"]), Double(number) < minimum { out.append("\(path): \(number) is below \(minimum)") }
            if let maximum = Self.number(schema["maximum"]), Double(number) > maximum { out.append("\(path): \(number) is above \(maximum)") }
        case "boolean":
            if !["true", "false"].contains(text) { out.append("\(path): '\(text)' is not a boolean") }
        default: break
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == text }) {
            out.append("\(path): '\(text)' is not one of \(allowed.map { "\($0)" }.joined(separator: ", "))")
        }
        return out
    }

    /// Bounds may be written as numbers or as text (`"1E+2"`).
    static func number(_ value: Any?) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
    }

    /// A schema, parameter, response or request body with its `$ref` followed (components only).
    func resolve(_ value: Any?) -> [String: Any]? {
        guard var object = value as? [String: Any] else { return nil }
        var hops = 0
        while let reference = object["$ref"] as? String, hops < 32 {
            hops += 1
            let parts = reference.split(separator: "/").map(String.init)
            guard parts.count == 4, parts[0] == "#", parts[1] == "components",
                let target = (components[parts[2]] as? [String: Any])?[parts[3]] as? [String: Any]
            else { return nil }
            object = target
        }
        return object
    }
}
