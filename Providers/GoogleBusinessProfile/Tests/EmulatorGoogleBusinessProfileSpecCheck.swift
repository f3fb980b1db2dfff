import Foundation
import SalonOpsProviderTesting

/// Requests and answers against the Business Profile discovery documents, on top of the shared
/// `DiscoveryDocument` validator. Two things differ from Calendar: several Business Information
/// methods share one path template (`v1/{+name}` is chains.get, locations.get and
/// locations.getAttributes), told apart here by their path parameters' `pattern`; and errors come
/// in google.rpc.Status, not Calendar's "v1" envelope.
enum GBPSpecCheck {
    /// The method serving `path`: of the templates matching it, those whose path parameters match
    /// their declared patterns, the one with the most literal segments.
    static func method(_ document: DiscoveryDocument, httpMethod: String, path: String) -> DiscoveryDocument.Method? {
        let range = NSRange(path.startIndex..., in: path)
        return document.methods.filter { method in
            guard method.httpMethod == httpMethod, let match = method.pattern.firstMatch(in: path, range: range) else { return false }
            let names = pathParameterNames(method.path)
            return names.enumerated().allSatisfy { index, name in
                guard let group = Range(match.range(at: index + 1), in: path), let pattern = method.parameters[name]?.spec["pattern"]?.string else {
                    return true
                }
                return String(path[group]).range(of: pattern, options: .regularExpression) != nil
            }
        }.max { $0.literalCount < $1.literalCount }
    }

    static func pathParameterNames(_ template: String) -> [String] {
        var names: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]).trimmingCharacters(in: CharacterSet(charactersIn: "+")))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// The method, and what is wrong with the request (empty: one the API declares).
    static func request(
        _ document: DiscoveryDocument, method httpMethod: String, path: String, query: [(String, String)], body: String?
    ) -> (DiscoveryDocument.Method?, [String]) {
        guard let method = method(document, httpMethod: httpMethod, path: path) else {
            return (nil, ["no method of \(document.name) serves \(httpMethod) \(path)"])
        }
        var problems: [String] = []
        var counts: [String: Int] = [:]
        for (name, value) in query {
            counts[name, default: 0] += 1
            guard let parameter = method.parameters[name] ?? document.globalParameters[name], parameter.location == "query" else {
                problems.append("\(method.id) declares no query parameter \(name)")
                continue
            }
            problems += check(value, parameter.spec, name: name)
        }
        for (name, count) in counts where count > 1 && !(method.parameters[name]?.repeated ?? false) {
            problems.append("\(name) is not repeated but given \(count) times")
        }
        switch (method.request, body) {
        case (let ref?, let text?):
            guard let value = AnyJSON.parse(text) else { return (method, problems + ["the body is not JSON"]) }
            problems += document.validate(value, against: .object(["$ref": .string(ref)]), at: "body", methodID: method.id)
        case (nil, let text?) where !text.isEmpty:
            problems.append("\(method.id) takes no body")
        default:
            break
        }
        return (method, problems)
    }

    /// A query value against its declared type, format and enum.
    private static func check(_ value: String, _ spec: AnyJSON, name: String) -> [String] {
        var problems: [String] = []
        switch spec["type"]?.string {
        case "boolean" where value != "true" && value != "false": problems.append("\(name)=\(value) is not a boolean")
        case "integer" where Int32(value) == nil: problems.append("\(name)=\(value) is not an int32")
        default: break
        }
        if let allowed = spec["enum"]?.items?.compactMap(\.string), !allowed.contains(value) {
            problems.append("\(name)=\(value) is not one of \(allowed)")
        }
        return problems
    }

    /// What is wrong with an answer: a success against the method's response schema, an error
    /// against google.rpc.Status.
    static func response(_ document: DiscoveryDocument, status: Int, body: String, method: DiscoveryDocument.Method?, partial: Bool) -> [String] {
        if status >= 400 { return rpcStatus(status: status, body: body) }
        guard let method, let ref = method.response else { return [] }
        guard let value = AnyJSON.parse(body) else { return ["the answer is not JSON"] }
        return document.validate(value, against: .object(["$ref": .string(ref)]), at: ref, methodID: nil)
    }

    /// The canonical codes and their HTTP statuses (google/rpc/code.proto).
    static let canonicalStatuses: [String: Int] = [
        "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400, "UNAUTHENTICATED": 401, "PERMISSION_DENIED": 403,
        "NOT_FOUND": 404, "ABORTED": 409, "ALREADY_EXISTS": 409, "RESOURCE_EXHAUSTED": 429, "CANCELLED": 499, "UNKNOWN": 500,
        "INTERNAL": 500, "DATA_LOSS": 500, "UNIMPLEMENTED": 501, "UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504,
    ]

    /// `{"error":{"code","message","status","details"?}}` with typed details (AIP-193).
    static func rpcStatus(status: Int, body: String) -> [String] {
        guard let value = AnyJSON.parse(body), let error = value["error"]?.members else { return ["not google.rpc.Status: \(body)"] }
        var problems: [String] = []
        if value.members?.keys.sorted() != ["error"] { problems.append("members beside error") }
        if !Set(error.keys).isSubset(of: ["code", "message", "status", "details"]) { problems.append("error members \(error.keys.sorted())") }
        if error["code"] != .int(status) { problems.append("code \(String(describing: error["code"])) for status \(status)") }
        if error["message"]?.string?.isEmpty != false { problems.append("no message") }
        if let name = error["status"]?.string {
            if canonicalStatuses[name] != status { problems.append("status \(name) for HTTP \(status)") }
        } else {
            problems.append("no status")
        }
        for detail in error["details"]?.items ?? [] {
            guard let members = detail.members, let type = members["@type"]?.string else { problems.append("a detail without @type"); continue }
            switch type {
            case "type.googleapis.com/google.rpc.ErrorInfo":
                if members["reason"]?.string == nil || members["domain"]?.string == nil { problems.append("ErrorInfo without reason or domain") }
                if let metadata = members["metadata"], metadata.members?.values.allSatisfy({ $0.string != nil }) != true {
                    problems.append("ErrorInfo metadata is not a string map")
                }
            case "type.googleapis.com/google.rpc.BadRequest":
                let violations = members["fieldViolations"]?.items ?? []
                if violations.isEmpty || !violations.allSatisfy({ $0["field"]?.string != nil && $0["description"]?.string != nil }) {
                    problems.append("BadRequest without field violations")
                }
            default:
                problems.append("unexpected detail type \(type)")
            }
        }
        return problems
    }
}
