import Foundation
/// Google's partial-response `fields` parameter: `kind,items(id,summary),nextPageToken`,
/// `items/start/date`, `*`. Selects members of a JSON answer; arrays apply the selection to
/// each element (developers.google.com/…/performance#partial-response, the same syntax on every
/// discovery API).
public enum FieldSelection {
    public indirect enum Node: Sendable, Equatable {
        /// The whole value.
        case all
        /// Only these members, each with its own selection.
        case members([String: Node])
    }

    public static func isValid(_ text: String) -> Bool { parse(text) != nil }

    public static func parse(_ text: String) -> Node? {
        var parser = Parser(chars: Array(text.filter { !$0.isWhitespace }))
        guard !parser.chars.isEmpty, let node = parser.list(), parser.index == parser.chars.count else { return nil }
        return node
    }

    public static func apply(_ node: Node, to value: JSONValue) -> JSONValue {
        guard case .members(let selected) = node else { return value }
        switch value {
        case .array(let items):
            return .array(items.map { apply(node, to: $0) })
        case .object(let fields):
            if let everything = selected["*"] {
                return .object(fields.map { ($0.0, apply(selected[$0.0] ?? everything, to: $0.1)) })
            }
            return .object(fields.compactMap { key, member in selected[key].map { (key, apply($0, to: member)) } })
        default:
            return value
        }
    }

    private struct Parser {
        public let chars: [Character]
        public var index = 0

        /// `item (, item)*` up to a `)` or the end.
        public mutating func list() -> Node? {
            var members: [String: Node] = [:]
            while true {
                guard let (path, sub) = item() else { return nil }
                merge(path[...], sub, into: &members)
                if index < chars.count, chars[index] == "," {
                    index += 1
                    continue
                }
                return .members(members)
            }
        }

        /// `name(/name)*` optionally followed by `(list)`.
        public mutating func item() -> ([String], Node)? {
            var path: [String] = []
            while true {
                let start = index
                while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" || chars[index] == "*" {
                    index += 1
                }
                guard index > start else { return nil }
                path.append(String(chars[start..<index]))
                if index < chars.count, chars[index] == "/" {
                    index += 1
                    continue
                }
                break
            }
            if index < chars.count, chars[index] == "(" {
                index += 1
                guard let sub = list(), index < chars.count, chars[index] == ")" else { return nil }
                index += 1
                return (path, sub)
            }
            return (path, .all)
        }

        private func merge(_ path: ArraySlice<String>, _ leaf: Node, into members: inout [String: Node]) {
            guard let head = path.first else { return }
            let rest = path.dropFirst()
            let child: Node =
                rest.isEmpty
                ? leaf
                : {
                    var inner: [String: Node] = [:]
                    if case .members(let existing)? = members[head] { inner = existing }
                    merge(rest, leaf, into: &inner)
                    return .members(inner)
                }()
            if case .all? = members[head] { return }
            if case .members(let existing)? = members[head], case .members(let added) = child {
                members[head] = .members(existing.merging(added) { old, _ in old })
            } else {
                members[head] = child
            }
        }
    }
}
