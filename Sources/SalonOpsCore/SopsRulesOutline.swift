import Foundation
import Yams

/// What `validate` needs from a `.sops.yaml` without any key: each creation rule's `path_regex`
/// and the age recipients it names (as text; the secrets target checks their encoding).
public struct SopsRulesOutline: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public let pathRegex: String?
        public let recipients: Set<String>
        public let location: SourceLocation
    }

    /// Repository-relative path of the `.sops.yaml`.
    public let repositoryPath: String
    /// Path relative to the config root of the folder holding it ("" for the root itself).
    public let directory: String
    /// Empty when the file is broken: its one error is reported where it is, and no encrypted
    /// file is compared with rules that were not read as written.
    public let rules: [Rule]

    /// The fields sops reads at the top of a `.sops.yaml` and in a creation rule (sops' config.go;
    /// `CreationRules.ruleFields` in the secrets module is the same list, tested).
    public static let topFields = ["creation_rules", "destination_rules", "stores"]
    public static let ruleFields = [
        "path_regex", "age", "key_groups", "shamir_threshold", "mac_only_encrypted", "pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri",
        "aws_profile", "unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex", "unencrypted_comment_regex",
        "encrypted_comment_regex",
    ]

    public static func read(_ text: String, path: String, repositoryPath: String, sink: DiagnosticSink) -> SopsRulesOutline {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : ""
        let start = SourceLocation(file: repositoryPath, line: 1, column: 1)
        func at(_ node: Node) -> SourceLocation {
            SourceLocation(file: repositoryPath, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        }
        var rules: [Rule] = []
        let empty = SopsRulesOutline(repositoryPath: repositoryPath, directory: directory, rules: [])
        guard let root = try? Yams.compose(yaml: text), case .mapping(let top) = root else {
            // A YAML syntax error is reported by the loader's YAML pass; here only the shape.
            return empty
        }
        let unknown = top.compactMap { key, _ in topFields.contains(key.string ?? "") ? nil : key }
        guard let list = top["creation_rules"] else {
            // One error: the missing list, naming what was written instead.
            let written = unknown.isEmpty ? "" : " (it has \(unknown.map { "'\($0.string ?? "?")'" }.joined(separator: ", ")), which sops ignores)"
            sink.error(
                .sopsRules, at: unknown.first.map(at) ?? start, ".sops.yaml has no creation_rules list\(written)",
                hint: "add 'creation_rules:' with one rule per group of files ('- path_regex: ...' and 'age: age1...')")
            return empty
        }
        var broken = false
        for key in unknown {
            broken = true
            sink.error(
                .sopsRules, at: at(key), "unknown field '\(key.string ?? "?")' in .sops.yaml\(Suggestions.didYouMean(key.string ?? "", among: topFields))",
                hint: "sops reads \(topFields.joined(separator: ", ")) at the top; fix the name, or sops and salonops would both ignore what it holds")
        }
        guard case .sequence(let entries) = list else {
            sink.error(.sopsRules, at: at(list), "creation_rules must be a list", hint: "write each rule as '- path_regex: ...'")
            return empty
        }
        for entry in entries {
            guard case .mapping(let fields) = entry else {
                sink.error(.sopsRules, at: at(entry), "a creation rule must be a mapping", hint: "write '- path_regex: ...' and 'age: age1...'")
                broken = true
                continue
            }
            for (key, _) in fields where !ruleFields.contains(key.string ?? "") {
                broken = true
                sink.error(
                    .sopsRules, at: at(key),
                    "unknown field '\(key.string ?? "?")' in a creation rule of .sops.yaml\(Suggestions.didYouMean(key.string ?? "", among: ruleFields))",
                    hint: "fields a rule may have: \(ruleFields.joined(separator: ", "))")
            }
            var pathRegex: String?
            if let node = fields["path_regex"] {
                pathRegex = node.string
                if let pattern = pathRegex, (try? NSRegularExpression(pattern: pattern)) == nil {
                    sink.error(.sopsRules, at: at(node), "path_regex '\(pattern)' is not a valid regular expression", hint: "fix the pattern (RE2 syntax, as sops uses)")
                    broken = true
                }
            }
            var recipients = Set<String>()
            func collect(_ node: Node?) {
                switch node {
                case .scalar(let scalar)?:
                    for part in scalar.string.split(separator: ",") {
                        let text = part.trimmingCharacters(in: .whitespacesAndNewlines)
                        if !text.isEmpty { recipients.insert(text) }
                    }
                case .sequence(let items)?: items.forEach { collect($0) }
                default: break
                }
            }
            collect(fields["age"])
            if case .sequence(let groups)? = fields["key_groups"] {
                for case .mapping(let group) in groups { collect(group["age"]) }
            }
            rules.append(Rule(pathRegex: pathRegex, recipients: recipients, location: at(entry)))
        }
        return broken ? empty : SopsRulesOutline(repositoryPath: repositoryPath, directory: directory, rules: rules)
    }

    /// The first rule matching a file given relative to the config root, as sops picks it.
    public func rule(forConfigPath path: String) -> Rule? {
        guard directory.isEmpty || path.hasPrefix(directory + "/") else { return nil }
        let relative = directory.isEmpty ? path : String(path.dropFirst(directory.count + 1))
        return rules.first { rule in
            guard let pattern = rule.pathRegex else { return true }
            return relative.range(of: pattern, options: .regularExpression) != nil
        }
    }
}
