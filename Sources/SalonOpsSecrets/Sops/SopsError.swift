/// What can go wrong reading or writing a sops file: one line each, never quoting a value.
public enum SopsError: Error, Equatable, CustomStringConvertible {
    case malformedYAML(line: Int, column: Int, detail: String)
    case topLevelNotMapping
    case notEncrypted
    case alreadyEncrypted
    case unsupportedVersion(String)
    case malformedMetadata(String)
    case malformedValue(path: String, detail: String)
    case noIdentityMatched(recipients: [String])
    case dataKeyUnreadable(recipient: String, detail: String)
    case valueAuthenticationFailed(path: String)
    case macMismatch
    case badKeyPath(String)
    case keyPathNotFound(String)
    case noRecipients
    case badRule(String)

    public var description: String {
        switch self {
        case .malformedYAML(let line, let column, let detail):
            return "malformed YAML at \(line):\(column): \(detail)"
        case .topLevelNotMapping:
            return "the top level of a sops YAML file must be a mapping (key: value)"
        case .notEncrypted:
            return "not a sops file: it has no `sops:` metadata (encrypt it first with `salonops secrets encrypt`)"
        case .alreadyEncrypted:
            return "the file is already encrypted (it has `sops:` metadata); use `salonops secrets edit` or `set`"
        case .unsupportedVersion(let version):
            return "unsupported sops version \"\(version)\": this reads files written by sops 3.x"
        case .malformedMetadata(let detail):
            return "malformed sops metadata: \(detail)"
        case .malformedValue(let path, let detail):
            return "malformed encrypted value at \(path): \(detail)"
        case .noIdentityMatched(let recipients):
            let list = recipients.isEmpty ? "none" : recipients.joined(separator: ", ")
            return "no age identity at hand matches this file's recipients (\(list)); set SOPS_AGE_KEY_FILE or --age-key-file to one of their keys"
        case .dataKeyUnreadable(let recipient, let detail):
            return "the data key for \(recipient) cannot be decrypted: \(detail)"
        case .valueAuthenticationFailed(let path):
            return "the value at \(path) does not authenticate: it was altered, moved to another key, or belongs to another file"
        case .macMismatch:
            return
                "MAC mismatch: a value was changed, added, removed or reordered outside sops/salonops; restore the file from git history and make the change again with `salonops secrets set` or `edit`"
        case .badKeyPath(let detail):
            return "bad key path: \(detail)"
        case .keyPathNotFound(let path):
            return "key path \(path) is not in the file"
        case .noRecipients:
            return "no age recipients: add a creation rule for this file to .sops.yaml, or pass --age age1…"
        case .badRule(let detail):
            return detail
        }
    }
}
