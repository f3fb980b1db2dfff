import Foundation
import SalonOpsYAML
import Yams

/// `.sops.yaml`: which recipients and which encryption rule apply to a file, by path. The first
/// rule whose `path_regex` matches the file's path (relative to the `.sops.yaml` folder) wins; a
/// rule without `path_regex` matches every file, as in sops.
public struct CreationRules: Sendable {
    public struct Rule: Sendable, Equatable {
        public var pathRegex: String?
        public var settings: SopsFile.Settings
        /// Where the rule is written, for messages.
        public var line: Int
    }

    public var rules: [Rule]
    /// The `.sops.yaml` file these came from.
    public var path: String

    public static let fileName = ".sops.yaml"

    /// Finds `.sops.yaml` in the file's folder or the nearest one above it.
    public static func find(for file: String) -> String? {
        var directory = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<64 {
            let candidate = directory.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
        return nil
    }

    public static func load(path: String) throws -> CreationRules {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SopsError.badRule("\(path): cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, path: path)
    }

    /// The fields sops reads in a creation rule (sops' config.go).
    public static let ruleFields =
        [
            "path_regex", "age", "key_groups", "shamir_threshold", "mac_only_encrypted",
            "pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "aws_profile",
        ] + EncryptionRule.keys

    public static func parse(_ text: String, path: String) throws -> CreationRules {
        func fail(_ line: Int, _ column: Int, _ message: String) -> SopsError {
            .badRule("\(path):\(line):\(column): malformed \(fileName): \(message)")
        }
        if let exceeded = YAMLBounds.check(text) { throw fail(exceeded.line, exceeded.column, "\(exceeded.message); \(exceeded.hint)") }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            if case .malformedYAML(let line, let column, let detail) = SopsYAMLReader.malformed(error) { throw fail(line, column, detail) }
            throw fail(0, 0, "\(error)")
        }
        guard let root, case .mapping(let top) = root else { throw fail(1, 1, "expected a mapping with `creation_rules:`") }
        guard let list = top["creation_rules"] else {
            throw fail(1, 1, "no `creation_rules:` list (add one rule per group of files: `- path_regex: …` and `age: age1…`)")
        }
        guard case .sequence(let entries) = list else {
            throw fail(list.mark?.line ?? 1, list.mark?.column ?? 1, "`creation_rules` must be a list")
        }
        var rules: [Rule] = []
        for entry in entries {
            let line = entry.mark?.line ?? 0, column = entry.mark?.column ?? 0
            guard case .mapping(let fields) = entry else { throw fail(line, column, "each creation rule must be a mapping") }
            let known = Set(Self.ruleFields)
            for (key, _) in fields {
                let name = key.string ?? ""
                guard known.contains(name) else {
                    throw fail(key.mark?.line ?? line, key.mark?.column ?? column, "unknown field `\(name)` in a creation rule")
                }
            }
            var pathRegex: String?
            if let value = fields["path_regex"] {
                guard let pattern = value.string else { throw fail(value.mark?.line ?? line, value.mark?.column ?? column, "`path_regex` must be a string") }
                do { _ = try NSRegularExpression(pattern: pattern) } catch {
                    throw fail(value.mark?.line ?? line, value.mark?.column ?? column, "`path_regex` \"\(pattern)\" is not a valid regular expression")
                }
                pathRegex = pattern
            }
            func recipients(_ node: Node) throws -> [AgeRecipient] {
                let texts: [String]
                switch node {
                case .scalar(let scalar): texts = scalar.string.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                case .sequence(let items): texts = items.compactMap(\.string).flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } }
                default: throw fail(node.mark?.line ?? line, node.mark?.column ?? column, "`age` must be a recipient list")
                }
                return try texts.filter { !$0.isEmpty }.map { text in
                    do { return try AgeRecipient(text) } catch {
                        throw fail(node.mark?.line ?? line, node.mark?.column ?? column, "\"\(text.prefix(12))…\" is not an age recipient (age1…): \(error)")
                    }
                }
            }
            var groups: [[AgeRecipient]] = []
            if let value = fields["key_groups"] {
                guard case .sequence(let groupNodes) = value else { throw fail(value.mark?.line ?? line, value.mark?.column ?? column, "`key_groups` must be a list") }
                for groupNode in groupNodes {
                    guard case .mapping(let groupFields) = groupNode else {
                        throw fail(groupNode.mark?.line ?? line, groupNode.mark?.column ?? column, "each key group must be a mapping with `age:`")
                    }
                    groups.append(try groupFields["age"].map(recipients) ?? [])
                }
            } else if let value = fields["age"] {
                groups = [try recipients(value)]
            }
            var rule: EncryptionRule = .default
            var ruleCount = 0
            for key in EncryptionRule.keys {
                guard let value = fields[key] else { continue }
                ruleCount += 1
                guard ruleCount == 1 else {
                    throw fail(value.mark?.line ?? line, value.mark?.column ?? column, "only one of \(EncryptionRule.keys.joined(separator: ", ")) may be set in a rule")
                }
                do { rule = try EncryptionRule.make(key: key, value: value.string ?? "")!.validated() } catch let error as SopsError {
                    throw fail(value.mark?.line ?? line, value.mark?.column ?? column, error.description)
                }
            }
            var threshold: Int?
            if let value = fields["shamir_threshold"] {
                guard let t = value.int, t >= 1 else { throw fail(value.mark?.line ?? line, value.mark?.column ?? column, "`shamir_threshold` must be a positive integer") }
                threshold = t
            }
            let macOnlyEncrypted = fields["mac_only_encrypted"]?.bool ?? false
            rules.append(
                Rule(
                    pathRegex: pathRegex,
                    settings: SopsFile.Settings(
                        groups: groups, shamirThreshold: threshold, rule: rule,
                        macOnlyEncrypted: macOnlyEncrypted), line: line))
        }
        return CreationRules(rules: rules, path: path)
    }

    /// The rule for a file: its path is taken relative to the folder of `.sops.yaml`.
    public func rule(for file: String) throws -> Rule {
        let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        let relative = absolute.hasPrefix(base + "/") ? String(absolute.dropFirst(base.count + 1)) : absolute
        return try rule(forRelativePath: relative)
    }

    public func rule(forRelativePath relative: String) throws -> Rule {
        for rule in rules {
            guard let pattern = rule.pathRegex else { return rule }
            if relative.range(of: pattern, options: .regularExpression) != nil { return rule }
        }
        throw SopsError.badRule("\(path): no creation rule matches \(relative); add a rule whose path_regex matches it")
    }
}
