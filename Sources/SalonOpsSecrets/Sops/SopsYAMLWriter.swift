import Foundation
import Yams

/// Writes sops trees the way sops 3.x writes YAML (go-yaml v3, 4-space indent, comments as `#…`
/// lines), so a file we write and one sops writes differ only in ciphertexts. The layout is ours;
/// whether and how a string is quoted is libyaml's emitter's decision (Yams), which go-yaml ports.
enum SopsYAMLWriter {
    static func render(_ documents: [SopsNode]) -> String {
        var out = ""
        for (index, document) in documents.enumerated() {
            if index > 0 { out += "---\n" }
            switch document {
            case .mapping(let items) where !items.isEmpty:
                writeMapping(items, keyColumn: 0, blockIndent: 0, firstInline: false, into: &out)
            case .mapping:
                out += "{}\n"
            default:
                writeValue(document, into: &out)
            }
        }
        return out
    }

    private static func spaces(_ count: Int) -> String { String(repeating: " ", count: count) }

    /// `blockIndent`: the indentation nested blocks and block scalars step in from (a list item's
    /// dash column for a mapping that starts on the dash line, else the key column).
    private static func writeMapping(_ items: [SopsItem], keyColumn: Int, blockIndent: Int, firstInline: Bool, into out: inout String) {
        for (index, item) in items.enumerated() {
            if !(firstInline && index == 0) { out += spaces(keyColumn) }
            switch item {
            case .comment(let text):
                out += "#" + text + "\n"
            case .entry(let key, let value):
                out += renderKey(key) + ":"
                writeNested(value, blockIndent: blockIndent, keyColumn: keyColumn, into: &out)
            }
        }
    }

    private static func writeSequence(_ elements: [SopsNode], dashColumn: Int, firstInline: Bool, into out: inout String) {
        for (index, element) in elements.enumerated() {
            if !(firstInline && index == 0) { out += spaces(dashColumn) }
            switch element {
            case .comment(let text):
                out += "#" + text + "\n"
            case .mapping(let items) where !items.isEmpty:
                out += "- "
                writeMapping(items, keyColumn: dashColumn + 2, blockIndent: dashColumn, firstInline: true, into: &out)
            case .sequence(let inner) where !inner.isEmpty:
                out += "- "
                writeSequence(inner, dashColumn: dashColumn + 2, firstInline: true, into: &out)
            default:
                out += "-"
                writeInlineOrBlock(element, contentColumn: dashColumn + 2, parentIndent: dashColumn, into: &out)
            }
        }
    }

    /// After `key:`: a nested block on the next lines, or ` value` on the same line.
    private static func writeNested(_ value: SopsNode, blockIndent: Int, keyColumn: Int, into out: inout String) {
        switch value {
        case .mapping(let items) where !items.isEmpty:
            out += "\n"
            writeMapping(items, keyColumn: blockIndent + 4, blockIndent: blockIndent + 4, firstInline: false, into: &out)
        case .sequence(let elements) where !elements.isEmpty:
            out += "\n"
            writeSequence(elements, dashColumn: blockIndent + 4, firstInline: false, into: &out)
        default:
            writeInlineOrBlock(value, contentColumn: blockIndent + 4, parentIndent: keyColumn, into: &out)
        }
    }

    /// ` value\n`, or ` |` and the block scalar's lines at `contentColumn`. `parentIndent`: the
    /// indentation of the node holding it (the key's column), which an explicit indentation
    /// indicator counts from.
    private static func writeInlineOrBlock(_ value: SopsNode, contentColumn: Int, parentIndent: Int, into out: inout String) {
        switch value {
        case .mapping: out += " {}\n"
        case .sequence: out += " []\n"
        case .comment(let text): out += " #" + text + "\n"
        case .scalar(let scalar):
            switch renderScalar(scalar) {
            case .inline(let text):
                out += " " + text + "\n"
            case .block(let header, let lines):
                out += " " + reindented(header, by: contentColumn - parentIndent) + "\n"
                for line in lines { out += line.isEmpty ? "\n" : spaces(contentColumn) + line + "\n" }
            }
        }
    }

    private static func writeValue(_ value: SopsNode, into out: inout String) {
        var text = ""
        writeInlineOrBlock(value, contentColumn: 4, parentIndent: 0, into: &text)
        out += String(text.dropFirst())
    }

    /// A block header's indentation indicator (`|4-`: libyaml's, for content 4 in from a key at
    /// column 0; libyaml writes one when the first line starts with a space or is blank) set to
    /// where the content is written here, relative to its parent.
    static func reindented(_ header: String, by indentation: Int) -> String {
        guard let digit = header.firstIndex(where: \.isNumber) else { return header }
        return String(header[..<digit]) + String(indentation) + String(header[header.index(after: digit)...])
    }

    enum Rendered: Equatable {
        case inline(String)
        case block(header: String, lines: [String])
    }

    static func renderKey(_ key: SopsKey) -> String {
        if case .inline(let text) = renderString(key.text) { return text }
        return renderQuoted(key.text)
    }

    static func renderScalar(_ scalar: SopsScalar) -> Rendered {
        switch scalar {
        case .string(let s): return renderString(s)
        case .int(let i): return .inline(String(i))
        case .float(let f): return .inline(ScalarResolution.formatFloatForYAML(f))
        case .bool(let b): return .inline(b ? "true" : "false")
        case .time(let t): return .inline(t)
        case .null: return .inline("null")
        }
    }

    static func renderString(_ s: String) -> Rendered {
        if !s.contains("\n") {
            if isPlainSafe(s) { return .inline(s) }
            return .inline(emitWithLibYAML(s, style: ScalarResolution.stringNeedsQuotes(s) ? .doubleQuoted : .plain).first ?? renderQuoted(s))
        }
        let lines = emitWithLibYAML(s, style: .literal)
        guard let header = lines.first, header.hasPrefix("|") || header.hasPrefix(">") else {
            return .inline(lines.first ?? renderQuoted(s))
        }
        // libyaml indents the block by 4 under the key; re-indent to our column.
        return .block(header: header, lines: lines.dropFirst().map { $0.count >= 4 ? String($0.dropFirst(4)) : "" })
    }

    private static func renderQuoted(_ s: String) -> String {
        emitWithLibYAML(s, style: .doubleQuoted).first ?? "\"\""
    }

    /// Whether libyaml's emitter would write this one-line string plain (its analysis of a
    /// scalar for block context, which go-yaml ports): answered here for the common case without
    /// running the emitter; anything unusual is left to libyaml.
    static func isPlainSafe(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last, first != " ", last != " ", last != ":" else { return false }
        if "-?:,[]{}#&*!|>'\"%@`.".unicodeScalars.contains(first) { return false }
        for (index, scalar) in scalars.enumerated() {
            switch scalar.value {
            case 0x20...0x7E:
                if scalar == ":", index + 1 < scalars.count, scalars[index + 1] == " " { return false }
                if scalar == "#", index > 0, scalars[index - 1] == " " { return false }
            case 0xA0...0x2027, 0x202A...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD, 0x10000...0x10FFFF:
                continue
            default:
                return false  // controls, tabs, line and paragraph separators, BOM: libyaml decides
            }
        }
        return !ScalarResolution.stringNeedsQuotes(s)
    }

    /// The scalar as libyaml writes it as a mapping value: the lines after `k: `, unindented by 4.
    static func emitWithLibYAML(_ s: String, style: Node.Scalar.Style) -> [String] {
        let node = Node.mapping(Node.Mapping([(Node("k"), Node.scalar(Node.Scalar(s, .implicit, style)))]))
        guard let text = try? Yams.serialize(node: node, indent: 4, width: -1, allowUnicode: true) else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if lines.last == "..." { lines.removeLast() }
        guard var first = lines.first, first.hasPrefix("k: ") else { return [] }
        first.removeFirst(3)
        lines[0] = first
        return lines
    }
}
