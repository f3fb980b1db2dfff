import SalonOpsYAML
import Yams

/// What `validate` can see of a sops-encrypted file without any key: its map keys, which values
/// are encrypted, and its `sops` metadata.
public struct EncryptedFileOutline: Sendable, Hashable {
    public enum Leaf: Sendable, Hashable {
        case encrypted
        /// A value left in clear text (e.g. by `unencrypted_suffix`).
        case plaintext
        case empty
        case list
        case map
    }

    /// Repository-relative path, for messages.
    public let repositoryPath: String
    public let hasSopsMetadata: Bool
    public let recipients: [String]
    public let lastModified: String?
    /// Every key path in the document (maps and leaves), joined with '.'.
    public let entries: [String: Leaf]
    public let location: SourceLocation

    /// Reads the outline; a file that is not YAML gives an outline with no sops metadata.
    public static func read(_ bytes: [UInt8], repositoryPath: String, sink: DiagnosticSink) -> EncryptedFileOutline {
        let start = SourceLocation(file: repositoryPath, line: 1, column: 1)
        var entries: [String: Leaf] = [:]
        var recipients: [String] = []
        var lastModified: String?
        var hasSops = false
        guard let text = String(validating: bytes, as: UTF8.self) else {
            sink.error(.encoding, at: start, "encrypted file is not UTF-8 text", hint: "sops writes UTF-8 YAML; re-create it with 'salonops secrets encrypt'")
            return EncryptedFileOutline(repositoryPath: repositoryPath, hasSopsMetadata: false, recipients: [], lastModified: nil, entries: [:], location: start)
        }
        if let exceeded = YAMLBounds.check(text) {
            sink.error(.yamlLimit, at: SourceLocation(exceeded, file: repositoryPath), exceeded.message, hint: exceeded.hint)
            return EncryptedFileOutline(repositoryPath: repositoryPath, hasSopsMetadata: false, recipients: [], lastModified: nil, entries: [:], location: start)
        }
        do {
            let parser = try Parser(yaml: text)
            if let root = try parser.nextRoot(), case .mapping(let mapping) = root {
                for (key, value) in mapping {
                    guard let name = key.string else { continue }
                    if name == "sops" {
                        hasSops = true
                        if case .mapping(let meta) = value {
                            lastModified = meta["lastmodified"]?.string
                            recipients = ageRecipients(meta)
                        }
                    } else {
                        collect(value, path: name, into: &entries, file: repositoryPath, sink: sink)
                    }
                }
            }
        } catch {
            sink.error(.yamlSyntax, at: start, "encrypted file is not valid YAML", hint: "restore it from git history or re-create it with 'salonops secrets encrypt'")
        }
        return EncryptedFileOutline(
            repositoryPath: repositoryPath, hasSopsMetadata: hasSops, recipients: recipients,
            lastModified: lastModified, entries: entries, location: start)
    }

    static func ageRecipients(_ meta: Node.Mapping) -> [String] {
        var result: [String] = []
        func entries(_ node: Node?) {
            guard case .sequence(let list)? = node else { return }
            for item in list { if let r = item["recipient"]?.string { result.append(r) } }
        }
        entries(meta["age"])
        if case .sequence(let groups)? = meta["key_groups"] {
            for group in groups { entries(group["age"]) }
        }
        return result
    }

    static func collect(_ node: Node, path: String, into entries: inout [String: Leaf], file: String, sink: DiagnosticSink) {
        switch node {
        case .mapping(let mapping):
            entries[path] = .map
            for (key, value) in mapping {
                if let name = key.string { collect(value, path: "\(path).\(name)", into: &entries, file: file, sink: sink) }
            }
        case .sequence:
            entries[path] = .list
        case .scalar(let scalar):
            if scalar.string.hasPrefix("ENC[") {
                entries[path] = .encrypted
            } else if scalar.string.isEmpty || node.isNullScalar {
                entries[path] = .empty
            } else {
                // A value left in clear that looks like a credential is found by the loader's
                // scan of the whole text (comments included).
                entries[path] = .plaintext
            }
        case .alias:
            entries[path] = .plaintext
        }
    }

    /// Leaf paths (not maps), for "did you mean" on a wrong key path.
    public var leafPaths: [String] {
        entries.filter { $0.value != .map }.keys.sorted()
    }
}
