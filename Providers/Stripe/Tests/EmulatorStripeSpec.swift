import Foundation
import SalonOpsProviderTesting
import SalonOpsSandbox
import SalonOpsTestSupport

/// Stripe's OpenAPI description (stripe-spec3.json, API 2020-08-27) and its current example objects
/// (stripe-fixtures3.json), for checking what the emulator answers and what a test sends it:
/// - a response against the operation's `200` (or `default`, the error) schema: required
///   properties present, types and enums respected, no property the schema does not declare
///   unless it is newer than the spec, i.e. the current fixture object of that type has it (then
///   its type must match the fixture's where the fixture's value is not null);
/// - a request's form parameters against the operation's `requestBody` (POST) or query
///   `parameters` (GET, DELETE): known names, nested hashes and lists, values that parse as the
///   declared type, enums.
/// Found at `<package root>/../shared/specs` (CI, the main checkout) or `/work/shared/specs`.
final class StripeSpec: @unchecked Sendable {
    // @unchecked: the parsed JSON is never mutated after init.
    private let paths: [String: Any]
    private let schemas: [String: Any]
    private let fixtures: [String: Any]
    /// `paths` keys split into segments, for matching concrete paths (`/v1/prices/price_1` →
    /// `/v1/prices/{price}`).
    private let templates: [(template: String, segments: [String])]

    static let shared: Result<StripeSpec, SpecMissing> = {
        for directory in SharedSpecs.directories {
            let spec = directory.appendingPathComponent("stripe-spec3.json")
            let fixtures = directory.appendingPathComponent("stripe-fixtures3.json")
            guard FileManager.default.fileExists(atPath: spec.path), FileManager.default.fileExists(atPath: fixtures.path) else { continue }
            do { return .success(try StripeSpec(spec: spec, fixtures: fixtures)) } catch {
                return .failure(SpecMissing(description: "\(spec.path) unreadable: \(error)"))
            }
        }
        return .failure(
            SpecMissing(
                description: "stripe-spec3.json and stripe-fixtures3.json not found in "
                    + SharedSpecs.directories.map(\.path).joined(separator: " or ")))
    }()

    static var available: Bool { (try? shared.get()) != nil }

    struct SpecMissing: Error, CustomStringConvertible { let description: String }

    private init(spec: URL, fixtures fixturesURL: URL) throws {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: spec)) as? [String: Any] ?? [:]
        paths = root["paths"] as? [String: Any] ?? [:]
        schemas = (root["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        let fixtureRoot = try JSONSerialization.jsonObject(with: Data(contentsOf: fixturesURL)) as? [String: Any] ?? [:]
        fixtures = fixtureRoot["resources"] as? [String: Any] ?? [:]
        templates = paths.keys.map { ($0, $0.split(separator: "/").map(String.init)) }
        guard !paths.isEmpty, !schemas.isEmpty, !fixtures.isEmpty else { throw SpecMissing(description: "no paths, schemas or fixtures") }
    }

    /// The operation serving `method path` (path without the `/stripe` prefix or a query).
    func operation(_ method: String, _ path: String) -> (template: String, operation: [String: Any])? {
        let segments = path.split(separator: "/").map(String.init)
        let matches = templates.filter { candidate in
            candidate.segments.count == segments.count && zip(candidate.segments, segments).allSatisfy { $0 == $1 || $0.hasPrefix("{") }
        }
        // A literal segment beats a parameter (`/v1/prices/search` over `/v1/prices/{price}`).
        let best = matches.max { $0.segments.filter { $0.hasPrefix("{") }.count > $1.segments.filter { $0.hasPrefix("{") }.count }
        guard let best, let operation = (paths[best.template] as? [String: Any])?[method.lowercased()] as? [String: Any] else { return nil }
        return (best.template, operation)
    }

    /// A named component schema, e.g. `price`.
    func schema(_ name: String) -> [String: Any]? { schemas[name] as? [String: Any] }

    /// The enum of `POST /v1/webhook_endpoints` `enabled_events[]`.
    var webhookEventTypes: [String] {
        let body = requestBody(operation("POST", "/v1/webhook_endpoints")?.operation ?? [:])
        let property = (body["properties"] as? [String: Any])?["enabled_events"] as? [String: Any]
        return (property?["items"] as? [String: Any])?["enum"] as? [String] ?? []
    }

    // MARK: responses

    /// Every way `body` departs from the operation's schema for `status`.
    func checkResponse(_ method: String, _ path: String, status: Int, body: String) -> [String] {
        let place = "\(method) \(path) → \(status)"
        guard let (template, operation) = operation(method, path) else { return ["\(place): no such operation in the spec"] }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        let response = (responses[String(status)] ?? responses["default"]) as? [String: Any]
        let content = (response?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        guard let schema = content?["schema"] as? [String: Any] else {
            return ["\(place): the spec declares no JSON answer for \(template)"]
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) else {
            return ["\(place): the body is not JSON"]
        }
        return check(value, against: schema, at: place + " ", fixture: nil)
    }

    /// `fixture`: the current example of the same place, which licenses properties newer than the
    /// spec. A `$ref` to a component that has a fixture of its own switches to that fixture.
    private func check(_ value: Any, against original: [String: Any], at path: String, fixture originalFixture: Any?) -> [String] {
        var schema = original, fixture = originalFixture
        while let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last ?? "")
            guard let resolved = schemas[name] as? [String: Any] else { return ["\(path): unresolvable \(ref)"] }
            schema = resolved
            if let own = fixtures[name] { fixture = own }
        }
        if value is NSNull {
            return schema["nullable"] as? Bool == true ? [] : ["\(path): null, which the spec does not allow"]
        }
        if let branches = schema["anyOf"] as? [[String: Any]] {
            var closest: [String]? = nil
            for branch in branches {
                let violations = check(value, against: branch, at: path, fixture: fixture)
                if violations.isEmpty { return [] }
                if closest == nil || violations.count < closest!.count { closest = violations }
            }
            return closest ?? []
        }
        var violations: [String] = []
        if let type = schema["type"] as? String, Self.kind(of: value) != type, !(type == "number" && Self.kind(of: value) == "integer") {
            return ["\(path): \(Self.kind(of: value)) where the spec has \(type)"]
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { Self.same($0, value) }) {
            violations.append("\(path): \(value) is none of the spec's \(allowed.map { "\($0)" }.joined(separator: ", "))")
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            let additional = schema["additionalProperties"]
            let fixtureObject = fixture as? [String: Any]
            for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                let at = path + "." + name
                if let declared = properties[name] as? [String: Any] {
                    violations += check(member, against: declared, at: at, fixture: fixtureObject?[name])
                } else if let declared = additional as? [String: Any] {
                    violations += check(member, against: declared, at: at, fixture: nil)
                } else if additional as? Bool == true {
                    continue
                } else if let example = fixtureObject?[name] {
                    // Newer than the spec: the current object has it; types must agree where known.
                    if !(example is NSNull), !(member is NSNull), Self.broadKind(of: example) != Self.broadKind(of: member) {
                        violations.append("\(at): \(Self.kind(of: member)) where the current fixture has \(Self.kind(of: example))")
                    }
                } else {
                    violations.append("\(at): not in the 2020-08-27 schema nor in the current fixture object")
                }
            }
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                violations.append("\(path).\(name): required by the spec, missing")
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            let example = (fixture as? [Any])?.first
            for (index, item) in array.enumerated() {
                violations += check(item, against: items, at: "\(path)[\(index)]", fixture: example)
            }
        }
        return violations
    }

    /// JSON's type as OpenAPI names it; a boolean (NSNumber of objCType "c") is never a number.
    static func kind(of value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case is String: return "string"
        case let number as NSNumber:
            let type = String(cString: number.objCType)
            if type == "c" || type == "B" { return "boolean" }
            return type == "d" || type == "f" ? "number" : "integer"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "unknown"
        }
    }

    private static func broadKind(of value: Any) -> String {
        let kind = kind(of: value)
        return kind == "integer" ? "number" : kind
    }

    private static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as String, y as String): return x == y
        case let (x as NSNumber, y as NSNumber): return kind(of: x) == kind(of: y) && x == y
        default: return false
        }
    }

    // MARK: requests

    /// Every way `form` departs from the operation's parameters: names, nesting, types, enums,
    /// and (for a request body) the required names. `newer`: top-level names added to the API after
    /// 2020-08-27 that the caller vouches for (each with its source where the test lists it).
    func checkRequest(_ method: String, _ path: String, _ form: [(String, String)], newer: Set<String> = []) -> [String] {
        let place = "\(method) \(path)"
        guard let (_, operation) = operation(method, path) else { return ["\(place): no such operation in the spec"] }
        var top: [String: [String: Any]] = [:]
        var required: [String] = []
        if method == "GET" || method == "DELETE" {
            for case let parameter as [String: Any] in operation["parameters"] as? [Any] ?? [] where parameter["in"] as? String == "query" {
                if let name = parameter["name"] as? String { top[name] = parameter["schema"] as? [String: Any] ?? [:] }
            }
        } else {
            let body = requestBody(operation)
            for (name, schema) in body["properties"] as? [String: Any] ?? [:] { top[name] = schema as? [String: Any] ?? [:] }
            required = body["required"] as? [String] ?? []
        }
        var violations: [String] = []
        for (name, value) in form {
            let segments = Self.segments(of: name)
            guard let first = segments.first else { continue }
            if newer.contains(first) { continue }
            guard let schema = top[first] else {
                violations.append("\(place): parameter \(first) is not in the spec")
                continue
            }
            if let problem = walk(schema, Array(segments.dropFirst())[...], value: value, name: first) {
                violations.append("\(place): \(name)=\(value): \(problem)")
            }
        }
        let given = Set(form.compactMap { Self.segments(of: $0.0).first })
        for name in required where !given.contains(name) { violations.append("\(place): required parameter \(name) not sent") }
        return violations
    }

    private func requestBody(_ operation: [String: Any]) -> [String: Any] {
        let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any]
        return (content?["application/x-www-form-urlencoded"] as? [String: Any])?["schema"] as? [String: Any] ?? [:]
    }

    /// `a[b][]` → `["a", "b", ""]`.
    static func segments(of name: String) -> [String] {
        guard let open = name.firstIndex(of: "[") else { return [name] }
        var segments = [String(name[..<open])]
        var rest = name[open...]
        while rest.first == "[", let close = rest.firstIndex(of: "]") {
            segments.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return segments
    }

    /// nil when `value` at `path` below `schema` is acceptable, else why not.
    private func walk(_ original: [String: Any], _ path: ArraySlice<String>, value: String, name: String) -> String? {
        var schema = original
        while let ref = schema["$ref"] as? String {
            schema = schemas[String(ref.split(separator: "/").last ?? "")] as? [String: Any] ?? [:]
        }
        if let branches = schema["anyOf"] as? [[String: Any]] {
            var first: String? = nil
            for branch in branches {
                guard let problem = walk(branch, path, value: value, name: name) else { return nil }
                first = first ?? problem
            }
            return first
        }
        let type = schema["type"] as? String
        guard let segment = path.first else {
            switch type {
            case "integer": if Int(value) == nil { return "not an integer" }
            case "number": if Double(value) == nil { return "not a number" }
            case "boolean": if value != "true" && value != "false" { return "not a boolean" }
            case "object": return "a plain value where the spec has a hash"
            case "array": return "a plain value where the spec has an array"
            default: break
            }
            if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { ($0 as? String) == value }) {
                return "none of the spec's \(allowed.count) values"
            }
            return nil
        }
        switch type {
        case "object":
            if let declared = (schema["properties"] as? [String: Any])?[segment] as? [String: Any] {
                return walk(declared, path.dropFirst(), value: value, name: name + "[\(segment)]")
            }
            if let declared = schema["additionalProperties"] as? [String: Any] {
                return walk(declared, path.dropFirst(), value: value, name: name + "[\(segment)]")
            }
            if schema["properties"] == nil, schema["additionalProperties"] == nil { return nil }
            return "\(name)[\(segment)] is not in the spec"
        case "array":
            guard segment.isEmpty || Int(segment) != nil else { return "\(name)[\(segment)]: an array takes [] or [N]" }
            return walk(schema["items"] as? [String: Any] ?? [:], path.dropFirst(), value: value, name: name + "[\(segment)]")
        default:
            return "\(name) is not a hash or an array in the spec"
        }
    }
}
