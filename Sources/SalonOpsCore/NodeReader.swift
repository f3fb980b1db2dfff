import Yams

/// Reads typed values out of Yams nodes for one file, turning every problem into a located
/// diagnostic instead of throwing, so one run reports every error.
final class NodeReader {
    let file: String
    let sink: DiagnosticSink

    init(file: String, sink: DiagnosticSink) {
        self.file = file
        self.sink = sink
    }

    func location(_ node: Node?) -> SourceLocation {
        let mark = node?.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ code: DiagnosticCode, _ node: Node?, _ message: String, hint: String? = nil) {
        sink.error(code, at: location(node), message, hint: hint)
    }

    func warning(_ code: DiagnosticCode, _ node: Node?, _ message: String, hint: String? = nil) {
        sink.warning(code, at: location(node), message, hint: hint)
    }

    func report(_ failure: ValueError, _ node: Node?, field: String) {
        error(failure.code, node, "\(field): \(failure.message)", hint: failure.hint)
    }

    // MARK: Mappings

    /// A mapping's fields, with checks for required and unknown keys.
    struct Fields {
        let reader: NodeReader
        let node: Node
        /// Human name of what this mapping is, e.g. "Service 'soin-visage' spec".
        let context: String
        let pairs: [(key: String, keyNode: Node, value: Node)]

        func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

        subscript(_ key: String) -> Node? {
            pairs.first { $0.key == key }?.value
        }

        func keyNode(_ key: String) -> Node? {
            pairs.first { $0.key == key }?.keyNode
        }

        /// The value, or a `missing-field` error at the mapping itself.
        func required(_ key: String, hint: String? = nil) -> Node? {
            if let value = self[key], !value.isNullScalar { return value }
            // A misspelt key is already reported by `rejectUnknown` with this key as its suggestion.
            if pairs.contains(where: { $0.key != key && Suggestions.closest(to: $0.key, among: [key]).first == key }) { return nil }
            reader.error(.missingField, node, "\(context) is missing required field '\(key)'", hint: hint ?? "add '\(key):'")
            return nil
        }

        /// Reports every key that is not in `known`, with the closest known key as a suggestion.
        func rejectUnknown(_ known: [String]) {
            for pair in pairs where !known.contains(pair.key) {
                let suggestion = Suggestions.didYouMean(pair.key, among: known)
                reader.error(
                    .unknownField, pair.keyNode, "unknown field '\(pair.key)' in \(context)\(suggestion)",
                    hint: "fields allowed here: \(known.joined(separator: ", "))")
            }
        }
    }

    func fields(_ node: Node?, context: String, hint: String? = nil) -> Fields? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            let shape =
                if case .sequence = node { "drop the '- ' in front of the fields" } else { "put its fields on the lines below, indented, one 'key: value' each" }
            error(.wrongType, node, "\(context) must be a mapping (key: value lines), not \(node.kindDescription)", hint: hint ?? shape)
            return nil
        }
        var pairs: [(String, Node, Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                error(.wrongType, key, "\(context) has a key that is not a plain name")
                continue
            }
            pairs.append((scalar.string, key, value))
        }
        return Fields(reader: self, node: node, context: context, pairs: pairs.map { (key: $0.0, keyNode: $0.1, value: $0.2) })
    }

    // MARK: Scalars

    func string(_ node: Node?, field: String, hint: String? = nil) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, !node.isNullScalar else {
            error(
                .wrongType, node, "\(field) must be a text value, not \(node.kindDescription)",
                hint: hint ?? "write one value after the colon; quote it if it starts with '[', '{' or '-', or holds ': '")
            return nil
        }
        return scalar.string
    }

    func nonEmptyString(_ node: Node?, field: String, hint: String? = nil) -> String? {
        guard let value = string(node, field: field, hint: hint) else { return nil }
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            error(.invalidValue, node, "\(field) must not be empty", hint: hint ?? "write its value after the colon, or remove the line if the field is optional")
            return nil
        }
        return value
    }

    func bool(_ node: Node?, field: String) -> Bool? {
        guard let node else { return nil }
        if case .scalar(let scalar) = node, scalar.style == .plain {
            switch scalar.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        error(
            .wrongType, node, "\(field) must be true or false, not \(node.valueDescription)", hint: "write \(field.split(separator: ".").last ?? ""): true or false, without quotes"
        )
        return nil
    }

    /// `example`: a sensible value, shown in the hint (a number written in words or out of range
    /// is fixed by seeing one).
    func int(_ node: Node?, field: String, range: ClosedRange<Int>, example: Int? = nil) -> Int? {
        guard let node else { return nil }
        let leaf = field.split(separator: ".").last.map(String.init) ?? field
        let bounded = range.lowerBound > Int.min && range.upperBound < Int.max
        let sample = example ?? (range.contains(1) ? 1 : range.lowerBound)
        let shown = bounded ? "a whole number from \(range.lowerBound) to \(range.upperBound)" : "a whole number"
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            error(.wrongType, node, "\(field) must be a whole number, not \(node.valueDescription)", hint: "write \(shown) in digits, without quotes, e.g. \(leaf): \(sample)")
            return nil
        }
        guard range.contains(value) else {
            error(.invalidValue, node, "\(field) must be between \(range.lowerBound) and \(range.upperBound), not \(value)", hint: "write \(shown), e.g. \(leaf): \(sample)")
            return nil
        }
        return value
    }

    /// A scalar parsed by one of the value types; a parse failure becomes a diagnostic.
    func parsed<T>(_ node: Node?, field: String, _ parse: (String) -> Result<T, ValueError>) -> T? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, !node.isNullScalar else {
            error(.wrongType, node, "\(field) must be a single value, not \(node.valueDescription)", hint: "write one value after the colon, not a list or a mapping")
            return nil
        }
        switch parse(scalar.string) {
        case .success(let value): return value
        case .failure(let failure):
            report(failure, node, field: field)
            return nil
        }
    }

    func oneOf<E: RawRepresentable & CaseIterable>(_ node: Node?, field: String, _: E.Type, hint: String? = nil) -> E? where E.RawValue == String {
        guard let text = string(node, field: field) else { return nil }
        if let value = E(rawValue: text) { return value }
        let allowed = E.allCases.map(\.rawValue)
        let leaf = field.split(separator: ".").last.map(String.init) ?? field
        error(
            .invalidValue, node, "\(field) must be one of \(allowed.joined(separator: ", ")), not '\(text)'\(Suggestions.didYouMean(text, among: allowed))",
            hint: hint ?? "write one of the values as is, lowercase, e.g. \(leaf): \(allowed.first ?? "")")
        return nil
    }

    func name(_ node: Node?, field: String) -> NameReference? {
        guard let text = nonEmptyString(node, field: field) else { return nil }
        return NameReference(text, at: location(node))
    }

    // MARK: Sequences

    func sequence(_ node: Node?, field: String) -> [Node]? {
        guard let node else { return nil }
        if node.isNullScalar { return [] }
        guard case .sequence(let sequence) = node else {
            error(.wrongType, node, "\(field) must be a list, not \(node.valueDescription)", hint: "write a YAML list: [a, b] or one '- item' per line")
            return nil
        }
        return Array(sequence)
    }

    func names(_ node: Node?, field: String) -> [NameReference]? {
        sequence(node, field: field)?.enumerated().compactMap { index, item in name(item, field: "\(field)[\(index)]") }
    }

    /// `all` or a list of names.
    func selection(_ node: Node?, field: String) -> Selection? {
        guard let node else { return nil }
        if case .scalar(let scalar) = node, scalar.string == "all" { return .all }
        if case .scalar = node, !node.isNullScalar {
            error(.wrongType, node, "\(field) must be 'all' or a list of names, not \(node.valueDescription)", hint: "write all, or the names in brackets: [paris-11, lyon-2]")
            return nil
        }
        return names(node, field: field).map { .only($0) }
    }
}

extension Node {
    var isNullScalar: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// "a list", "a mapping", "the text 'x'", for messages.
    var kindDescription: String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar: isNullScalar ? "empty" : "a single value"
        case .alias: "an alias"
        }
    }

    /// Like `kindDescription`, quoting a scalar's text unless it looks like a credential.
    var valueDescription: String {
        if case .scalar(let scalar) = self, !isNullScalar {
            if SecretScanner.mustNotQuote(scalar.string) { return "a value that looks like a credential (not shown)" }
            let text = scalar.string.count > 40 ? String(scalar.string.prefix(37)) + "..." : scalar.string
            return "'\(text)'"
        }
        return kindDescription
    }
}
