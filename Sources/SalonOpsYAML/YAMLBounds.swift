import CYaml

/// What one YAML file may hold before any tree is built from it. A tree is the wrong place to
/// check: Yams resolves an alias by sharing the anchored node, so a "billion laughs" costs
/// nothing to compose and an exponential time to walk or to hash (a mapping keyed by an
/// alias hashes the whole expansion when Yams looks for duplicate keys). libyaml's event
/// stream, read once, sees every alias before it is expanded.
public struct YAMLLimits: Sendable, Equatable {
    /// The file's size in bytes.
    public var maxBytes: Int
    /// Collections inside collections (Yams composes recursively: this bounds its stack).
    public var maxDepth: Int
    /// Values in all documents once every alias is expanded, as a reader walks them.
    public var maxNodes: Int
    /// Documents separated by `---`.
    public var maxDocuments: Int

    public init(maxBytes: Int = 8 << 20, maxDepth: Int = 64, maxNodes: Int = 250_000, maxDocuments: Int = 1_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxDocuments = maxDocuments
    }

    /// For config files, sops files and `.sops.yaml` alike: far above anything a salon chain
    /// writes (the largest example file has a few hundred values), far below a hang.
    public static let standard = YAMLLimits()
}

/// A YAML file over one of `YAMLLimits`, at the event that crossed it.
public struct YAMLLimitExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Limit: String, Sendable { case bytes, depth, nodes, documents }
    public let limit: Limit
    /// 1-based, as editors count.
    public let line: Int
    public let column: Int
    public let message: String
    public let hint: String

    public var description: String { "\(line):\(column): \(message)" }

    /// A file of `bytes`, over `limits.maxBytes` (the git source lists such files unread).
    public static func tooLarge(bytes: Int, limits: YAMLLimits = .standard) -> YAMLLimitExceeded {
        YAMLLimitExceeded(
            limit: .bytes, line: 1, column: 1,
            message: "the file is \(YAMLBounds.megabytes(bytes)), over the \(YAMLBounds.megabytes(limits.maxBytes)) limit for one YAML file",
            hint: "split it into several files (each establishment, catalogue or integration can have its own)")
    }

    /// Collections nested past `limits.maxDepth` (also what libyaml's own 1,000-level bound says).
    public static func tooDeep(line: Int, column: Int, limits: YAMLLimits = .standard) -> YAMLLimitExceeded {
        YAMLLimitExceeded(
            limit: .depth, line: line, column: column, message: "collections are nested more than \(limits.maxDepth) levels deep",
            hint: "flatten it: no SalonOps file needs more than a dozen levels")
    }
}

public enum YAMLBounds {
    /// Nil when `text` keeps within `limits`, or when it is not YAML at all: a syntax error is
    /// left to the parser proper, which reports it with its own words.
    public static func check(_ text: String, limits: YAMLLimits = .standard) -> YAMLLimitExceeded? {
        let size = text.utf8.count
        if size > limits.maxBytes { return .tooLarge(bytes: size, limits: limits) }
        return EventReader(text).scan(limits)
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}

/// Owns one libyaml parser and the bytes it reads (libyaml keeps a pointer to its input).
private final class EventReader {
    private var parser = yaml_parser_t()
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let ready: Bool

    init(_ text: String) {
        let bytes = Array(text.utf8)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        ready = yaml_parser_initialize(&parser) == 1
        if ready { yaml_parser_set_input_string(&parser, input.baseAddress, bytes.count) }
    }

    deinit {
        if ready { yaml_parser_delete(&parser) }
        input.deallocate()
    }

    /// An open collection: where its count started, its anchor, how deep it reaches below.
    private struct Frame {
        let nodesBefore: Int
        let anchor: String?
        var height = 0
    }

    /// What an anchor stands for: the values it expands to and how deep it reaches.
    private struct Anchored {
        let nodes: Int
        let height: Int
    }

    func scan(_ limits: YAMLLimits) -> YAMLLimitExceeded? {
        guard ready else { return nil }
        var stack: [Frame] = []
        var anchors: [String: Anchored] = [:]
        var nodes = 0, documents = 0
        var event = yaml_event_t()

        func exceeded(_ limit: YAMLLimitExceeded.Limit, _ message: String, _ hint: String) -> YAMLLimitExceeded {
            YAMLLimitExceeded(
                limit: limit, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1, message: message, hint: hint)
        }
        /// A value of `height` levels placed in the innermost open collection.
        func place(height: Int) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].height = max(stack[stack.count - 1].height, height + 1)
        }
        func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }

        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                anchors = [:]  // anchors are per document
                if documents > limits.maxDocuments {
                    return exceeded(
                        .documents, "more than \(limits.maxDocuments) YAML documents in one file", "split the file; each '---' starts a document")
                }
            case YAML_SCALAR_EVENT:
                nodes += 1
                if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = Anchored(nodes: 1, height: 0) }
                place(height: 0)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                nodes += 1
                let anchor = event.type == YAML_SEQUENCE_START_EVENT ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                stack.append(Frame(nodesBefore: nodes - 1, anchor: anchor))
                if stack.count > limits.maxDepth {
                    return .tooDeep(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1, limits: limits)
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { continue }
                if let anchor = frame.anchor { anchors[anchor] = Anchored(nodes: nodes - frame.nodesBefore, height: frame.height) }
                place(height: frame.height)
            case YAML_ALIAS_EVENT:
                let alias = name(event.data.alias.anchor) ?? ""
                // An unknown alias is the parser's error to report.
                let target = anchors[alias] ?? Anchored(nodes: 1, height: 0)
                let (sum, overflow) = nodes.addingReportingOverflow(target.nodes)
                nodes = overflow ? Int.max : sum
                place(height: target.height)
                if stack.count + target.height > limits.maxDepth {
                    return exceeded(
                        .depth, "alias '*\(alias)' nests collections more than \(limits.maxDepth) levels deep",
                        "write the values out instead of nesting aliases")
                }
            default:
                break
            }
            if nodes > limits.maxNodes {
                return exceeded(
                    .nodes,
                    "the file expands to more than \(limits.maxNodes) values once its aliases are resolved (an alias bomb, or a file too large for one YAML file)",
                    "write the values out instead of repeating aliases, or split the file; SalonOps refuses YAML that grows past this limit")
            }
        }
    }
}
