import Foundation

/// A JSON value read strictly: booleans are not numbers, integers are not decimals (Foundation's
/// `JSONSerialization` blurs both), so type checks against a schema mean what they say.
public indirect enum AnyJSON: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([AnyJSON])
    case object([String: AnyJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int.self) { self = .int(value); return }
        if let value = try? container.decode(Double.self) { self = .double(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([AnyJSON].self) { self = .array(value); return }
        self = .object(try container.decode([String: AnyJSON].self))
    }

    public static func parse(_ text: String) -> AnyJSON? { try? JSONDecoder().decode(AnyJSON.self, from: Data(text.utf8)) }

    public subscript(key: String) -> AnyJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var members: [String: AnyJSON]? { if case .object(let m) = self { return m } else { return nil } }
    public var items: [AnyJSON]? { if case .array(let a) = self { return a } else { return nil } }

    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A Google API discovery document (discovery v1: `resources.*.methods`, `parameters`, `schemas`),
/// used to check that what a test sends is a request the API declares, and that what an emulator
/// answers is what the API documents: an independent reading of the published spec, shared by the
/// Calendar and (later) Business Profile emulators' tests.
public struct DiscoveryDocument: Sendable {
    public struct Parameter: Sendable {
        public let name: String
        public let spec: AnyJSON
        public var location: String { spec["location"]?.string ?? "query" }
        public var required: Bool { spec["required"]?.bool ?? false }
        public var repeated: Bool { spec["repeated"]?.bool ?? false }
    }

    public struct Method: Sendable {
        public let id: String
        public let httpMethod: String
        /// Relative to `servicePath`, e.g. `calendars/{calendarId}/events`, or `v1/{+name}`.
        public let path: String
        public let parameters: [String: Parameter]
        public let request: String?
        public let response: String?
        public let pattern: NSRegularExpression
        public let literalCount: Int
        /// The path parameters in the order `pattern` captures them.
        public let pathParameters: [String]
    }

    public let name: String
    public let servicePath: String
    public let globalParameters: [String: Parameter]
    public let methods: [Method]
    public let schemas: [String: AnyJSON]

    public init(contentsOf url: URL) throws {
        guard let root = try? JSONDecoder().decode(AnyJSON.self, from: Data(contentsOf: url)) else {
            throw DiscoveryError("\(url.path) is not JSON")
        }
        name = root["name"]?.string ?? "?"
        servicePath = root["servicePath"]?.string ?? ""
        globalParameters = Self.parameters(root["parameters"])
        schemas = root["schemas"]?.members ?? [:]
        var found: [Method] = []
        Self.collect(root["resources"], into: &found)
        methods = found
    }

    private static func parameters(_ value: AnyJSON?) -> [String: Parameter] {
        var result: [String: Parameter] = [:]
        for (name, spec) in value?.members ?? [:] { result[name] = Parameter(name: name, spec: spec) }
        return result
    }

    private static func collect(_ resources: AnyJSON?, into methods: inout [Method]) {
        for (_, resource) in resources?.members ?? [:] {
            for (_, method) in resource["methods"]?.members ?? [:] {
                guard let id = method["id"]?.string, let http = method["httpMethod"]?.string, let path = method["path"]?.string else {
                    continue
                }
                var regex = "^"
                var literals = 0
                var names: [String] = []
                var rest = Substring(path)
                while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                    let literal = String(rest[..<open])
                    regex += NSRegularExpression.escapedPattern(for: literal)
                    literals += literal.split(separator: "/").count
                    let reserved = rest[rest.index(after: open)] == "+"
                    regex += reserved ? "(.+)" : "([^/]+)"
                    names.append(String(rest[rest.index(open, offsetBy: reserved ? 2 : 1)..<close]))
                    rest = rest[rest.index(after: close)...]
                }
                regex += NSRegularExpression.escapedPattern(for: String(rest)) + "$"
                literals += rest.split(separator: "/").count
                guard let pattern = try? NSRegularExpression(pattern: regex) else { continue }
                methods.append(
                    Method(
                        id: id, httpMethod: http, path: path, parameters: parameters(method["parameters"]),
                        request: method["request"]?["$ref"]?.string, response: method["response"]?["$ref"]?.string,
                        pattern: pattern, literalCount: literals, pathParameters: names))
            }
            collect(resource["resources"], into: &methods)
        }
    }

    /// The method serving `path` (relative to `servicePath`, not percent-encoded): of the templates
    /// that match, with each path parameter matching its own `pattern` where the document gives
    /// one (Business Information's `v1/{+name}` is `locations/[^/]+` for locations.get,
    /// `chains/[^/]+` for chains.get), the one with the most literal segments (`events/import`
    /// over `events/{eventId}`), then the first by id, so that the choice never depends on the
    /// order the document's members were read in.
    public func method(httpMethod: String, path: String) -> Method? {
        let range = NSRange(path.startIndex..., in: path)
        let candidates = methods.filter { method in
            guard method.httpMethod == httpMethod, let match = method.pattern.firstMatch(in: path, range: range) else { return false }
            for (index, name) in method.pathParameters.enumerated() where index + 1 < match.numberOfRanges {
                guard let pattern = method.parameters[name]?.spec["pattern"]?.string, let captured = Range(match.range(at: index + 1), in: path) else {
                    continue
                }
                let value = String(path[captured])
                guard let regex = try? NSRegularExpression(pattern: pattern),
                    regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
                else { return false }
            }
            return true
        }
        return candidates.min { ($0.literalCount, $1.id) > ($1.literalCount, $0.id) }
    }

    /// The method, and what is wrong with the request (empty: it is one the API declares).
    public func validateRequest(
        httpMethod: String, path: String, query: [(String, String)],
        body: String?
    ) -> (Method?, [String]) {
        guard let method = method(httpMethod: httpMethod, path: path) else {
            return (nil, ["no method of \(name) serves \(httpMethod) \(path)"])
        }
        var problems: [String] = []
        var seen: [String: Int] = [:]
        for (name, value) in query {
            seen[name, default: 0] += 1
            guard let parameter = method.parameters[name] ?? globalParameters[name], parameter.location == "query" else {
                problems.append("\(method.id) declares no query parameter \(name)")
                continue
            }
            problems += check(parameter: value, spec: parameter.spec, at: name)
        }
        for (name, count) in seen where count > 1 && !(method.parameters[name]?.repeated ?? false) {
            problems.append("\(name) is not repeated but given \(count) times")
        }
        for parameter in method.parameters.values where parameter.required && parameter.location == "query" && seen[parameter.name] == nil {
            problems.append("\(method.id) requires the query parameter \(parameter.name)")
        }
        switch (method.request, body) {
        case (let ref?, let text?):
            guard let value = AnyJSON.parse(text) else { problems.append("the body is not JSON"); break }
            problems += validate(value, against: .object(["$ref": .string(ref)]), at: "body", methodID: method.id)
        case (nil, let text?) where !text.isEmpty:
            problems.append("\(method.id) takes no body")
        default:
            break
        }
        return (method, problems)
    }

    /// What is wrong with an answer: a success against the method's response schema (or empty
    /// when it has none), an error against Google's envelope.
    public func validateResponse(status: Int, body: String, method: Method?, partial: Bool) -> [String] {
        if status >= 400 { return validateErrorEnvelope(status: status, body: body) }
        if status == 204 || status == 304 { return body.isEmpty ? [] : ["a \(status) answer with a body"] }
        guard let method else { return [] }
        guard let ref = method.response else {
            return body.isEmpty ? [] : ["\(method.id) documents no response body"]
        }
        guard let value = AnyJSON.parse(body) else { return ["the answer is not JSON"] }
        return validate(value, against: .object(["$ref": .string(ref)]), at: ref, methodID: nil)
    }

    /// `{"error":{"errors":[{domain, reason, message, locationType?, location?}], "code", "message"}}`.
    public func validateErrorEnvelope(status: Int, body: String) -> [String] {
        guard let value = AnyJSON.parse(body), let error = value["error"]?.members else { return ["not Google's error envelope: \(body)"] }
        var problems: [String] = []
        if value.members?.keys.sorted() != ["error"] { problems.append("members beside error") }
        if Set(error.keys) != ["errors", "code", "message"] { problems.append("error members \(error.keys.sorted())") }
        if error["code"] != .int(status) { problems.append("code \(String(describing: error["code"])) for status \(status)") }
        if error["message"]?.string == nil { problems.append("no message") }
        guard let items = error["errors"]?.items, !items.isEmpty else { return problems + ["no errors list"] }
        for item in items {
            guard let members = item.members else { problems.append("an errors item is not an object"); continue }
            for key in ["domain", "reason", "message"] where members[key]?.string == nil { problems.append("errors item without \(key)") }
            for (key, member) in members {
                if !["domain", "reason", "message", "locationType", "location"].contains(key) {
                    problems.append("errors item member \(key)")
                }
                if member.string == nil { problems.append("errors item member \(key) is not a string") }
            }
        }
        return problems
    }

    // MARK: Values

    /// A query value (always text on the wire) against a parameter's declared type.
    private func check(parameter value: String, spec: AnyJSON, at name: String) -> [String] {
        var problems: [String] = []
        switch spec["type"]?.string {
        case "boolean":
            if value != "true" && value != "false" { problems.append("\(name)=\(value) is not a boolean") }
        case "integer":
            if let number = Int(value) {
                if let minimum = spec["minimum"]?.string.flatMap(Int.init), number < minimum {
                    problems.append("\(name)=\(value) < \(minimum)")
                }
                if let maximum = spec["maximum"]?.string.flatMap(Int.init), number > maximum {
                    problems.append("\(name)=\(value) > \(maximum)")
                }
            } else {
                problems.append("\(name)=\(value) is not an integer")
            }
        case "number":
            if Double(value) == nil { problems.append("\(name)=\(value) is not a number") }
        default:
            if let format = spec["format"]?.string, !Self.matchesFormat(value, format) {
                problems.append("\(name)=\(value) is not a \(format)")
            }
            if let pattern = spec["pattern"]?.string, value.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(name)=\(value) does not match \(pattern)")
            }
        }
        if let allowed = spec["enum"]?.items?.compactMap(\.string), !allowed.contains(value) {
            problems.append("\(name)=\(value) is not one of \(allowed)")
        }
        return problems
    }

    /// A JSON value against a schema: `$ref`, types, formats, enums, known properties only;
    /// with `methodID`, the properties annotated as required for that method.
    public func validate(_ value: AnyJSON, against schema: AnyJSON, at path: String, methodID: String?) -> [String] {
        if let ref = schema["$ref"]?.string {
            guard let target = schemas[ref] else { return ["\(path): unknown schema \(ref)"] }
            return validate(value, against: target, at: path, methodID: methodID)
        }
        if value == .null { return [] }
        var problems: [String] = []
        let type = schema["type"]?.string ?? "any"
        switch (type, value) {
        case ("any", _): break
        case ("string", .string(let s)):
            // In a body, a date-time may omit its offset when a sibling timeZone names the zone
            // (spec:cal EventDateTime.dateTime); query parameters say "mandatory time zone offset".
            if let format = schema["format"]?.string, !Self.matchesFormat(s, format, offsetOptional: true) {
                problems.append("\(path): '\(s)' is not a \(format)")
            }
            if let allowed = schema["enum"]?.items?.compactMap(\.string), !allowed.contains(s) {
                problems.append("\(path): '\(s)' is not one of \(allowed)")
            }
        case ("integer", .int(let i)):
            if schema["format"]?.string == "int32", i < Int(Int32.min) || i > Int(Int32.max) {
                problems.append("\(path): \(i) is not an int32")
            }
        case ("number", .int), ("number", .double), ("boolean", .bool): break
        case ("array", .array(let items)):
            for (index, item) in items.enumerated() {
                problems += validate(item, against: schema["items"] ?? .object([:]), at: "\(path)[\(index)]", methodID: methodID)
            }
        case ("object", .object(let members)):
            let properties = schema["properties"]?.members ?? [:]
            for (key, member) in members {
                if let property = properties[key] {
                    problems += validate(member, against: property, at: "\(path).\(key)", methodID: methodID)
                } else if let additional = schema["additionalProperties"] {
                    problems += validate(member, against: additional, at: "\(path).\(key)", methodID: methodID)
                } else {
                    problems.append("\(path): unknown property \(key)")
                }
            }
            if let methodID {
                for (key, property) in properties where members[key] == nil || members[key] == .null {
                    let required = property["annotations"]?["required"]?.items?.compactMap(\.string) ?? []
                    if required.contains(methodID) { problems.append("\(path): \(key) is required by \(methodID)") }
                }
            }
        default:
            problems.append("\(path): a \(value.kind) where the schema has \(type)")
        }
        return problems
    }

    public static func matchesFormat(_ text: String, _ format: String, offsetOptional: Bool = false) -> Bool {
        switch format {
        case "date-time":
            let offset = offsetOptional ? "?" : ""
            return text.range(
                of: #"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"# + offset + "$",
                options: .regularExpression) != nil
        case "date":
            return text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil
        case "int64", "uint64":
            return Int64(text) != nil || UInt64(text) != nil
        default:
            return true
        }
    }
}

public struct DiscoveryError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
