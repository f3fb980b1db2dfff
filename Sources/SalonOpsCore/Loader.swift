import Foundation
import Dispatch
import SalonOpsYAML
import Yams

/// The result of loading a config root: the model, and every problem found on the way.
public struct LoadResult: Sendable {
    public var state: DesiredState
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// YAML files → desired state. Each file is parsed on its own (in parallel); cross-file checks
/// run afterwards in `Validator`.
public enum ConfigLoader {
    /// `now` is when credentials' `rotateAfter` is measured from.
    /// `catalog`: the providers a config may name (the registry's), injected.
    public static func load(_ files: [ConfigFile], catalog: ProviderCatalog, now: Date = Date()) -> LoadResult {
        let ordered = files.sorted { $0.path < $1.path }
        let results = parallelMap(ordered) { parseFile($0, catalog: catalog) }
        var state = DesiredState()
        var diagnostics: [Diagnostic] = []
        var unreadable: [UnreadableFile] = []
        for (file, result) in zip(ordered, results) {
            if let error = result.unreadableAt { unreadable.append(UnreadableFile(path: file.path, role: file.role, error: error)) }
            diagnostics.append(contentsOf: result.diagnostics)
            state.documentCount += result.documentCount
            if let outline = result.outline { state.encryptedFiles[result.path] = outline }
            if let rules = result.rules { state.sopsRules[result.path] = rules }
            for document in result.documents {
                switch document {
                case .organization(let org):
                    if let first = state.organization {
                        diagnostics.append(
                            Diagnostic(
                                .error, .organizationCount, at: org.metadata.location,
                                "a second Organization '\(org.metadata.name)'; the first is '\(first.metadata.name)' at \(first.metadata.location)",
                                hint: "a config repository declares exactly one Organization: merge them or remove one"))
                    } else {
                        state.organization = org
                    }
                case .establishment(let e): state.establishments.append(e)
                case .service(let s): state.services.append(s)
                case .product(let p): state.products.append(p)
                case .offer(let o): state.offers.append(o)
                case .integration(let i): state.integrations.append(i)
                }
            }
        }
        diagnostics.append(
            contentsOf: Validator.validate(
                state, configFilePaths: Set(ordered.map(\.path)), catalog: catalog, now: now,
                unreadable: unreadable))
        return LoadResult(state: state, diagnostics: diagnostics.sortedForOutput())
    }

    // MARK: One file

    enum Document: Sendable {
        case organization(Organization)
        case establishment(Establishment)
        case service(Service)
        case product(Product)
        case offer(Offer)
        case integration(Integration)
    }

    struct FileResult: Sendable {
        let path: String
        var documents: [Document] = []
        var documentCount = 0
        var outline: EncryptedFileOutline?
        var rules: SopsRulesOutline?
        var diagnostics: [Diagnostic] = []
        /// Where the file stopped being readable as YAML, if it did: what it declares is unknown.
        var unreadableAt: SourceLocation?
    }

    static func parseFile(_ file: ConfigFile, catalog: ProviderCatalog) -> FileResult {
        let sink = DiagnosticSink()
        var result = parseFile(file, catalog: catalog, sink: sink)
        result.diagnostics = sink.diagnostics
        let unreadableCodes: Set<DiagnosticCode> = [.yamlSyntax, .yamlLimit, .encoding, .duplicateKey]
        result.unreadableAt = sink.diagnostics.first { $0.severity == .error && unreadableCodes.contains($0.code) }?.location
        return result
    }

    static func parseFile(_ file: ConfigFile, catalog: ProviderCatalog, sink: DiagnosticSink) -> FileResult {
        var result = FileResult(path: file.path)
        let start = SourceLocation(file: file.repositoryPath, line: 1, column: 1)
        switch file.special {
        case .symbolicLink(let target)?:
            reportLink(file, target: target, sink: sink)
            return result
        case .tooLarge(let bytes)?:
            // Too large to look through; a YAML file is refused, anything else is not read.
            if file.role != .other {
                let exceeded = YAMLLimitExceeded.tooLarge(bytes: bytes)
                sink.error(.yamlLimit, at: start, exceeded.message, hint: exceeded.hint)
            }
            return result
        case nil:
            break
        }
        switch file.role {
        case .other:
            // Not read as config, but a credential committed in a README or a key file is still
            // a leak: text files are looked through (binary ones, with a NUL early on, are not).
            if !file.contents.prefix(8000).contains(0) {
                sink.append(contentsOf: SecretScanner.diagnostics(for: file.contents, file: file.repositoryPath))
            }
            return result
        case .encrypted:
            // sops encrypts values and comments; what is left in clear must not be a credential.
            sink.append(contentsOf: SecretScanner.diagnostics(for: file.contents, file: file.repositoryPath, inEncryptedFile: true))
            result.outline = EncryptedFileOutline.read(file.contents, repositoryPath: file.repositoryPath, sink: sink)
            return result
        case .sopsRules, .config:
            break
        }
        guard let text = decodeText(file, sink: sink) else { return result }
        let exceeded = YAMLBounds.check(text)
        // Plaintext credentials are looked for in the raw text, comments included (not in a file
        // too large to read at all).
        if exceeded?.limit != .bytes { sink.append(contentsOf: SecretScanner.diagnostics(for: file.contents, file: file.repositoryPath)) }
        if let exceeded {
            sink.error(.yamlLimit, at: SourceLocation(exceeded, file: file.repositoryPath), exceeded.message, hint: exceeded.hint)
            return result
        }
        let reader = NodeReader(file: file.repositoryPath, sink: sink)
        do {
            let parser = try Parser(yaml: text)
            while let root = try parser.nextRoot() {
                if file.role == .sopsRules {
                    result.rules = SopsRulesOutline.read(text, path: file.path, repositoryPath: file.repositoryPath, sink: sink)
                    break
                }
                if root.isNullScalar { continue }  // an empty document between `---` lines
                result.documentCount += 1
                if let document = DocumentDecoder(reader: reader, catalog: catalog).decode(root) {
                    result.documents.append(document)
                }
            }
        } catch let error as YamlError {
            report(error, file: file.repositoryPath, sink: sink)
        } catch {
            sink.error(.yamlSyntax, at: start, "could not parse YAML: \(error)")
        }
        return result
    }

    /// A link is never followed (a commit's link may point anywhere on the machine that reads
    /// it): one that leaves the config tree is refused; one inside is named, as not read.
    static func reportLink(_ file: ConfigFile, target: String, sink: DiagnosticSink) {
        let start = SourceLocation(file: file.repositoryPath, line: 1, column: 1)
        var depth = file.path.split(separator: "/").count - 1
        var leaves = target.hasPrefix("/")
        for part in target.split(separator: "/") where !leaves {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { leaves = true }
        }
        if leaves {
            sink.error(
                .symbolicLink, at: start, "a symbolic link to '\(target)', outside the config tree: SalonOps reads only what is committed under its root",
                hint: "remove the link and commit the file itself under the config root")
        } else if file.role != .other {
            sink.warning(
                .symbolicLink, at: start, "a symbolic link to '\(target)': not read (links are never followed; the file is read at its own path if it is in the tree)",
                hint: "remove the link, or commit the file itself here")
        }
    }

    /// The file's text, or nil after an `encoding` error that names the first unreadable byte.
    static func decodeText(_ file: ConfigFile, sink: DiagnosticSink) -> String? {
        let bytes = TextEncoding.strippingBOM(file.contents)
        if let order = TextEncoding.utf16Order(bytes) {
            // Checked before UTF-8: ASCII in UTF-16 is valid UTF-8 with a NUL in every other byte.
            sink.error(
                .encoding, at: SourceLocation(file: file.repositoryPath, line: 1, column: 1), "file is UTF-16 (\(order.rawValue)) text; SalonOps reads UTF-8",
                hint: "save it as UTF-8 (in the editor's encoding menu, or `iconv -f UTF-16 -t UTF-8`)")
            return nil
        }
        if let offset = TextEncoding.firstInvalidUTF8Offset(bytes) {
            let (line, column) = TextEncoding.position(ofByte: offset, in: bytes)
            let byte = bytes[offset]
            // Latin-1 and Windows-1252 agree on the letters French text uses (é is 0xE9 in both).
            let guess = byte >= 0xA0 ? " ('\(Character(Unicode.Scalar(byte)))' in Latin-1 or Windows-1252)" : ""
            sink.error(
                .encoding, at: SourceLocation(file: file.repositoryPath, line: line, column: column),
                "byte 0x\(String(byte, radix: 16, uppercase: true)) is not UTF-8\(guess): the file is not UTF-8 text",
                hint: "save it as UTF-8 (in the editor's encoding menu, or `iconv -f WINDOWS-1252 -t UTF-8`)")
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func report(_ error: YamlError, file: String, sink: DiagnosticSink) {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        let hint = "check indentation (spaces, not tabs), quotes and ':' after each key"
        switch error {
        case let .parser(_, problem, mark, _) where problem.hasPrefix("Maximum nesting level"):
            // libyaml's own bound (1,000 levels), met before ours when its scanner reads ahead.
            let exceeded = YAMLLimitExceeded.tooDeep(line: mark.line, column: mark.column)
            sink.error(.yamlLimit, at: at(mark), exceeded.message, hint: exceeded.hint)
        case let .scanner(_, problem, mark, yaml) where problem.hasPrefix("found character that cannot start any token") && tabBefore(mark, in: yaml):
            sink.error(
                .yamlSyntax, at: at(mark), "a tab character: YAML indents with spaces only",
                hint: "replace the tab with spaces (set your editor to insert spaces in YAML files)")
        case let .parser(_, problem, mark, _) where problem.hasPrefix("found incompatible YAML document"):
            // Not an indentation problem: a `%YAML 2.0` (or other non-1.x) directive.
            sink.error(
                .yamlSyntax, at: at(mark), "YAML syntax error: the %YAML directive names a version other than 1.x",
                hint: "remove the '%YAML' line (and the '---' after it if nothing else needs it): SalonOps reads YAML 1.1 and 1.2")
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            sink.error(.yamlSyntax, at: at(mark), "YAML syntax error: \(problem)\(while_)", hint: syntaxHint(problem, context: context) ?? hint)
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let first = context.mark
            let second = duplicates.first.flatMap { repeatedKey($0, after: first, in: context.text) }
            let location = second.map { SourceLocation(file: file, line: $0.line, column: $0.column) } ?? at(first)
            sink.error(
                .duplicateKey, at: location,
                "key \(names) appears more than once in the same mapping\(second == nil ? "" : " (first at line \(first.line))")",
                hint: "YAML keeps only one value per key: remove or merge the duplicates")
        case let .reader(problem, offset, value, yaml):
            // Yams turns libyaml's byte offset into a count of Characters, where CRLF is one:
            // back to bytes, then lines and columns as an editor counts them.
            let index = yaml.index(yaml.startIndex, offsetBy: offset ?? 0, limitedBy: yaml.endIndex) ?? yaml.endIndex
            let bytes = Array(yaml.utf8)
            let (line, column) = TextEncoding.position(ofByte: yaml.utf8.distance(from: yaml.utf8.startIndex, to: index), in: bytes)
            let location = SourceLocation(file: file, line: line, column: column)
            if problem.hasPrefix("control characters") {
                sink.error(
                    .encoding, at: location, "control character \(TextEncoding.describe(UInt32(bitPattern: value))) is not allowed in YAML",
                    hint: "delete it (it is invisible in most editors; `cat -A` shows it); only tabs and line breaks may appear")
            } else {
                sink.error(.encoding, at: location, "cannot read file: \(problem)", hint: "save it as UTF-8 without control characters")
            }
        default:
            sink.error(.yamlSyntax, at: SourceLocation(file: file, line: 1, column: 1), "could not parse YAML: \(error)", hint: hint)
        }
    }

    /// Whether the line of `mark` has a tab up to and at the mark (what libyaml cannot start a
    /// token with).
    static func tabBefore(_ mark: Mark, in yaml: String) -> Bool {
        let line = yaml.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).dropFirst(mark.line - 1).first ?? ""
        return line.prefix(mark.column).contains("\t")
    }

    /// A remedy for the syntax errors whose cause is known; nil for the general advice.
    static func syntaxHint(_ problem: String, context: YamlError.Context?) -> String? {
        if problem.hasPrefix("found undefined alias") {
            return "define the anchor first ('&name' on an earlier value), or quote the value if '*' is part of the text"
        }
        if context?.text == "while scanning a quoted scalar", let opened = context?.mark {
            return "close the quote opened at line \(opened.line), column \(opened.column) (or escape a quote inside it)"
        }
        return nil
    }

    /// Where a block-style key is written again at the same indentation after its first
    /// occurrence: libyaml only reports the first one.
    static func repeatedKey(_ key: String, after first: Mark, in yaml: String) -> (line: Int, column: Int)? {
        let indent = String(repeating: " ", count: first.column - 1)
        var lineNumber = 0
        // Any line break: CRLF is one Character, and a file saved with CR-only line ends has no "\n".
        for line in yaml.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            guard lineNumber > first.line else { continue }
            if line.hasPrefix(indent + key + ":") || line.hasPrefix(indent + "\"" + key + "\":") {
                return (lineNumber, first.column)
            }
        }
        return nil
    }

    /// Maps in parallel on all cores, keeping order; the work items are independent files.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        guard items.count > 8 else { return items.map(transform) }
        var results = [R?](repeating: nil, count: items.count)
        let chunks = Swift.min(items.count, 64)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var index = chunk
                while index < items.count {
                    out[index] = transform(items[index])
                    index += chunks
                }
            }
        }
        return results.map { $0! }
    }
}
