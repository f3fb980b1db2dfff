import Foundation
import SalonOpsYAML
import Yams

/// Reads YAML into sops trees. libyaml (through Yams) parses; it does not report comments, so a
/// line scan finds them and places each where go-yaml (what sops uses) would: a comment on its
/// own line goes before the next key or list item, or at the end of the container it is indented
/// into; a comment after a value goes before that value's key.
enum SopsYAMLReader {
    static func parse(_ text: String) throws -> [SopsNode] {
        if let exceeded = YAMLBounds.check(text) {
            throw SopsError.malformedYAML(line: exceeded.line, column: exceeded.column, detail: "\(exceeded.message); \(exceeded.hint)")
        }
        let documents: [Node]
        do {
            // The basic resolver: types are resolved here as go-yaml does (ScalarResolution), so
            // Yams need not match every plain scalar against its own patterns.
            documents = Array(try Yams.compose_all(yaml: text, .basic))
        } catch let error as YamlError {
            throw malformed(error)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        let comments = CommentScanner.scan(lines)
        let documentStarts = documentStartLines(lines)
        var result: [SopsNode] = []
        for (index, document) in documents.enumerated() {
            // Comments belong to the document whose lines hold them.
            let first = documentStarts.indices.contains(index) ? documentStarts[index] : 0
            let last = documentStarts.indices.contains(index + 1) ? documentStarts[index + 1] : Int.max
            let own = comments.filter { $0.line >= first && $0.line < last }
            var builder = TreeBuilder(lines: lines)
            builder.collectAnchors(document)
            builder.place(own)
            result.append(try builder.build(document))
        }
        return result
    }

    private static func documentStartLines(_ lines: [[Unicode.Scalar]]) -> [Int] {
        var starts = [0]
        for (index, line) in lines.enumerated() where index > 0 {
            if line.starts(with: "---".unicodeScalars), line.count == 3 || line[3] == " " || line[3] == "\t" { starts.append(index + 1) }
        }
        return starts
    }

    static func malformed(_ error: YamlError) -> SopsError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .malformedYAML(line: mark.line, column: mark.column, detail: problem)
        default:
            return .malformedYAML(line: 0, column: 0, detail: "\(error)")
        }
    }
}

/// A comment found by the line scan: 1-based line, 0-based column of `#`, the text after `#`.
struct ScannedComment {
    let line: Int
    let column: Int
    let text: String
    let ownLine: Bool
}

enum CommentScanner {
    static func scan(_ lines: [[Unicode.Scalar]]) -> [ScannedComment] {
        var found: [ScannedComment] = []
        var blockThreshold: Int?  // inside a block scalar: lines indented more than this belong to it
        var quote: Unicode.Scalar?  // inside a quoted scalar that spans lines
        for (index, line) in lines.enumerated() {
            let indentation = line.prefix { $0 == " " }.count
            let blank = line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
            if let threshold = blockThreshold {
                if blank || indentation > threshold { continue }
                blockThreshold = nil
            }
            var position = 0
            var commentStart: Int?
            var previous: Unicode.Scalar = " "
            while position < line.count {
                let c = line[position]
                if let open = quote {
                    if open == "\"" && c == "\\" { position += 2; continue }
                    if c == open {
                        if open == "'" && position + 1 < line.count && line[position + 1] == "'" { position += 2; continue }
                        quote = nil
                    }
                } else if c == "#" && (position == 0 || previous == " " || previous == "\t") {
                    commentStart = position
                    break
                } else if (c == "\"" || c == "'") && startsToken(line, position) {
                    quote = c
                }
                previous = c
                position += 1
            }
            if let start = commentStart {
                var text = String(String.UnicodeScalarView(line[(start + 1)...]))
                if text.hasSuffix("\r") { text.removeLast() }
                found.append(ScannedComment(line: index + 1, column: start, text: text, ownLine: start == indentation))
            }
            if quote == nil, let threshold = blockScalarThreshold(Array(line[..<(commentStart ?? line.count)])) {
                blockThreshold = threshold
            }
        }
        return found
    }

    /// A quote opens a scalar only where a token starts: line start, or after an indicator and space.
    private static func startsToken(_ line: [Unicode.Scalar], _ position: Int) -> Bool {
        var index = position - 1
        while index >= 0, line[index] == " " || line[index] == "\t" { index -= 1 }
        guard index >= 0 else { return true }
        return [":", "-", "[", "{", ",", "?"].contains(line[index])
    }

    /// When the line ends with a block scalar indicator (`|`, `>-`, …), the column its content must
    /// be indented beyond: the key's column, or the dash's for a list item.
    private static func blockScalarThreshold(_ content: [Unicode.Scalar]) -> Int? {
        var end = content.count
        while end > 0, content[end - 1] == " " || content[end - 1] == "\t" || content[end - 1] == "\r" { end -= 1 }
        var start = end
        while start > 0, "+-0123456789".unicodeScalars.contains(content[start - 1]) { start -= 1 }
        guard start > 0, content[start - 1] == "|" || content[start - 1] == ">", end - start <= 2 else { return nil }
        let indicator = start - 1
        guard indicator == 0 || content[indicator - 1] == " " else { return nil }
        var before = indicator
        while before > 0, content[before - 1] == " " { before -= 1 }
        let leading = Array(content[..<before])
        var column = leading.prefix { $0 == " " }.count
        var rest = Array(leading.dropFirst(column))
        // Skip list dashes; the last one is the parent if no key follows.
        var lastDash = -1
        while rest.first == "-", rest.count == 1 || rest[1] == " " {
            lastDash = column
            let skip = 1 + rest.dropFirst().prefix { $0 == " " }.count
            column += skip
            rest.removeFirst(skip)
        }
        if rest.isEmpty { return lastDash >= 0 ? lastDash : -1 }
        return column
    }
}

/// Builds the tree, placing comments: pass one records every key and list item (an anchor) in
/// document order; comments are assigned to anchors or containers; pass two builds the nodes.
struct TreeBuilder {
    let lines: [[Unicode.Scalar]]

    struct Anchor {
        let line: Int
        let column: Int
        let container: Int
        /// Container ids from the innermost outwards, with the column their items start at.
        let chain: [(id: Int, column: Int)]
    }

    private var anchors: [Anchor] = []
    private var before: [Int: [String]] = [:]  // anchor index → comments written before it
    private var atEnd: [Int: [String]] = [:]  // container id → comments written at its end
    private var nextContainer = 0
    private var nextAnchor = 0
    private var aliases: [String: SopsNode] = [:]

    init(lines: [[Unicode.Scalar]]) { self.lines = lines }

    // MARK: pass one

    mutating func collectAnchors(_ node: Node) {
        nextContainer = 0
        visit(node, chain: [])
    }

    private mutating func visit(_ node: Node, chain: [(id: Int, column: Int)]) {
        switch node {
        case .mapping(let mapping):
            let id = nextContainer; nextContainer += 1
            guard mapping.style != .flow, let firstKey = mapping.first?.key.mark else { return }
            let own = [(id: id, column: firstKey.column - 1)] + chain
            for (key, value) in mapping {
                let mark = key.mark ?? firstKey
                anchors.append(Anchor(line: mark.line, column: mark.column - 1, container: id, chain: own))
                visit(value, chain: own)
            }
        case .sequence(let sequence):
            let id = nextContainer; nextContainer += 1
            guard sequence.style != .flow, let firstMark = sequence.first?.mark else { return }
            let own = [(id: id, column: dashColumn(firstMark))] + chain
            for element in sequence {
                let mark = element.mark ?? firstMark
                anchors.append(Anchor(line: mark.line, column: dashColumn(mark), container: id, chain: own))
                visit(element, chain: own)
            }
        case .scalar, .alias:
            return
        }
    }

    /// The column of the `-` that introduces a list item starting at `mark`.
    private func dashColumn(_ mark: Mark) -> Int {
        let line = lines.indices.contains(mark.line - 1) ? lines[mark.line - 1] : []
        var index = min(mark.column - 2, line.count - 1)
        while index >= 0 {
            if line[index] == "-" { return index }
            if line[index] != " " { break }
            index -= 1
        }
        return max(mark.column - 3, 0)
    }

    mutating func place(_ comments: [ScannedComment]) {
        for comment in comments {
            if !comment.ownLine {
                // After a value: before the outermost key or item that starts on that line (go-yaml
                // puts `- m: # c` before the list item, not before `m`), or the last one that
                // started before it.
                if let index = anchors.firstIndex(where: { $0.line == comment.line }) ?? anchors.lastIndex(where: { $0.line <= comment.line }) {
                    before[index, default: []].append(comment.text)
                } else if let first = anchors.indices.first {
                    before[first, default: []].append(comment.text)
                } else {
                    atEnd[0, default: []].append(comment.text)
                }
                continue
            }
            guard let next = anchors.firstIndex(where: { $0.line > comment.line }) else {
                // Nothing follows: the end of the container the comment is indented into.
                let previous = anchors.last
                let target = previous?.chain.first(where: { $0.column <= comment.column })?.id ?? 0
                atEnd[target, default: []].append(comment.text)
                continue
            }
            let nextAnchor = anchors[next]
            if comment.column <= nextAnchor.column || next == 0 {
                before[next, default: []].append(comment.text)
                continue
            }
            let previous = anchors[next - 1]
            let target = previous.chain.first(where: { $0.column <= comment.column })?.id ?? nextAnchor.container
            if target == nextAnchor.container || nextAnchor.chain.contains(where: { $0.id == target }) {
                before[next, default: []].append(comment.text)
            } else {
                atEnd[target, default: []].append(comment.text)
            }
        }
    }

    // MARK: pass two

    mutating func build(_ node: Node) throws -> SopsNode {
        nextContainer = 0
        nextAnchor = 0
        let tree = try convert(node, path: "")
        guard case .mapping = tree else { throw SopsError.topLevelNotMapping }
        return tree
    }

    private mutating func convert(_ node: Node, path: String) throws -> SopsNode {
        let converted: SopsNode
        switch node {
        case .scalar(let scalar):
            converted = .scalar(scalar.style == .plain ? ScalarResolution.resolvePlain(scalar.string) : .string(scalar.string))
        case .alias(let alias):
            guard let target = aliases[alias.anchor.rawValue] else {
                throw SopsError.malformedYAML(line: alias.mark?.line ?? 0, column: alias.mark?.column ?? 0, detail: "unknown alias *\(alias.anchor.rawValue)")
            }
            return target
        case .mapping(let mapping):
            let id = nextContainer; nextContainer += 1
            let counted = mapping.style != .flow && !mapping.isEmpty
            var items: [SopsItem] = []
            var seen = Set<String>()
            for (key, value) in mapping {
                if counted { items += comments(before: nextAnchor); nextAnchor += 1 }
                guard case .scalar(let keyScalar) = key else {
                    throw SopsError.malformedYAML(line: key.mark?.line ?? 0, column: key.mark?.column ?? 0, detail: "mapping keys must be scalars in a sops file")
                }
                // sops keeps string keys only ("Tree contains a non-string key"): a plain key that
                // YAML reads as a number, boolean, date or null (an empty `? `) is refused.
                if keyScalar.style == .plain {
                    let resolved = ScalarResolution.resolvePlain(keyScalar.string)
                    if case .string = resolved {
                    } else {
                        let shown = keyScalar.string.isEmpty ? "an empty key" : "the key `\(keyScalar.string)`"
                        throw SopsError.malformedYAML(
                            line: key.mark?.line ?? 0, column: key.mark?.column ?? 0,
                            detail: "\(shown) is not a string; sops files take string keys only: quote it (\"\(keyScalar.string)\")")
                    }
                }
                guard seen.insert(keyScalar.string).inserted else {
                    throw SopsError.malformedYAML(line: key.mark?.line ?? 0, column: key.mark?.column ?? 0, detail: "duplicate key \"\(keyScalar.string)\"")
                }
                items.append(.entry(SopsKey(keyScalar.string), try convert(value, path: path + keyScalar.string + ":")))
            }
            items += (atEnd[id] ?? []).map(SopsItem.comment)
            converted = .mapping(items)
        case .sequence(let sequence):
            let id = nextContainer; nextContainer += 1
            let counted = sequence.style != .flow && !sequence.isEmpty
            var elements: [SopsNode] = []
            for element in sequence {
                if counted {
                    elements += comments(before: nextAnchor).map {
                        if case .comment(let t) = $0 { return .comment(t) }; return .comment("")
                    }; nextAnchor += 1
                }
                elements.append(try convert(element, path: path))
            }
            elements += (atEnd[id] ?? []).map(SopsNode.comment)
            converted = .sequence(elements)
        }
        if let anchor = node.anchor { aliases[anchor.rawValue] = converted }
        return converted
    }

    private func comments(before anchor: Int) -> [SopsItem] {
        (before[anchor] ?? []).map(SopsItem.comment)
    }
}

private extension Node {
    var anchor: Yams.Anchor? {
        switch self {
        case .scalar(let s): s.anchor
        case .mapping(let m): m.anchor
        case .sequence(let s): s.anchor
        case .alias: nil
        }
    }
}
