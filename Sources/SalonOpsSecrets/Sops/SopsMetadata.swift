import Foundation

/// Which values a file leaves in plaintext: at most one rule, as sops allows.
public enum EncryptionRule: Equatable, Sendable {
    case unencryptedSuffix(String)
    case encryptedSuffix(String)
    case unencryptedRegex(String)
    case encryptedRegex(String)
    case unencryptedCommentRegex(String)
    case encryptedCommentRegex(String)

    public static let `default` = EncryptionRule.unencryptedSuffix("_unencrypted")

    var metadataKey: String {
        switch self {
        case .unencryptedSuffix: "unencrypted_suffix"
        case .encryptedSuffix: "encrypted_suffix"
        case .unencryptedRegex: "unencrypted_regex"
        case .encryptedRegex: "encrypted_regex"
        case .unencryptedCommentRegex: "unencrypted_comment_regex"
        case .encryptedCommentRegex: "encrypted_comment_regex"
        }
    }

    var value: String {
        switch self {
        case .unencryptedSuffix(let v), .encryptedSuffix(let v), .unencryptedRegex(let v), .encryptedRegex(let v),
            .unencryptedCommentRegex(let v), .encryptedCommentRegex(let v):
            v
        }
    }

    static let keys = [
        "unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex",
        "unencrypted_comment_regex", "encrypted_comment_regex",
    ]

    static func make(key: String, value: String) -> EncryptionRule? {
        switch key {
        case "unencrypted_suffix": .unencryptedSuffix(value)
        case "encrypted_suffix": .encryptedSuffix(value)
        case "unencrypted_regex": .unencryptedRegex(value)
        case "encrypted_regex": .encryptedRegex(value)
        case "unencrypted_comment_regex": .unencryptedCommentRegex(value)
        case "encrypted_comment_regex": .encryptedCommentRegex(value)
        default: nil
        }
    }

    /// Checks a regex compiles, so a bad rule fails before any value is touched.
    func validated() throws -> EncryptionRule {
        switch self {
        case .unencryptedRegex(let p), .encryptedRegex(let p), .unencryptedCommentRegex(let p), .encryptedCommentRegex(let p):
            do { _ = try NSRegularExpression(pattern: p) } catch {
                throw SopsError.badRule("\(metadataKey) \"\(p)\" is not a valid regular expression")
            }
        default: break
        }
        return self
    }

    /// sops' decision for one leaf, from every component of its key path; for the comment
    /// rules, from the comments written just before the leaf and before each of its ancestors
    /// (a comment is among its own). A matching comment marks the value that follows it.
    func encrypts(path: [String], comment: String?, precedingComments: [String]) -> Bool {
        func matches(_ pattern: String, _ text: String) -> Bool {
            text.range(of: pattern, options: .regularExpression) != nil
        }
        switch self {
        case .unencryptedSuffix(let suffix):
            return !path.contains { $0.hasSuffix(suffix) }
        case .encryptedSuffix(let suffix):
            return path.contains { $0.hasSuffix(suffix) }
        case .unencryptedRegex(let pattern):
            return !path.contains { matches(pattern, $0) }
        case .encryptedRegex(let pattern):
            return path.contains { matches(pattern, $0) }
        case .unencryptedCommentRegex(let pattern):
            return !precedingComments.contains { matches(pattern, $0) }
        case .encryptedCommentRegex(let pattern):
            // The marking comments stay readable; so do the others.
            guard comment == nil else { return false }
            return precedingComments.contains { matches(pattern, $0) }
        }
    }
}

/// One recipient's copy of the data key: the age-encrypted (armored) 32-byte key.
public struct AgeKeyEntry: Equatable, Sendable {
    public var recipient: String
    public var enc: String
}

/// A key group: every group holds a share of the data key (the whole key when there is one group).
public struct KeyGroup: Equatable, Sendable {
    public var age: [AgeKeyEntry]
    /// Other key types in the group (pgp, kms, …): kept as they are when the file is rewritten.
    var otherKeys: [SopsItem]

    public init(age: [AgeKeyEntry]) {
        self.age = age
        self.otherKeys = []
    }

    var hasOtherKeys: Bool {
        otherKeys.contains {
            if case .entry(_, let v) = $0, v != .sequence([]), v != .scalar(.null) { return true }; return false
        }
    }
}

/// The `sops:` block of a file.
public struct SopsMetadata: Equatable, Sendable {
    public var keyGroups: [KeyGroup]
    /// Whether the groups are written under `key_groups:` (several groups, or the file had it so).
    public var usesKeyGroups: Bool
    public var shamirThreshold: Int?
    public var lastModified: String
    public var mac: String
    public var version: String
    public var rule: EncryptionRule?
    public var macOnlyEncrypted: Bool
    /// Top-level entries we do not use (kms, pgp, …), kept in their place.
    var otherEntries: [String: SopsNode]

    public var recipients: [String] { keyGroups.flatMap { $0.age.map(\.recipient) } }

    /// sops 3.10–3.12 write the fields in the struct order of their metadata type.
    static let fieldOrder = [
        "shamir_threshold", "key_groups", "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age",
        "lastmodified", "mac", "pgp", "unencrypted_suffix", "encrypted_suffix", "unencrypted_regex",
        "encrypted_regex", "unencrypted_comment_regex", "encrypted_comment_regex",
        "mac_only_encrypted", "version",
    ]

    public static let writtenVersion = "3.11.0"

    static func parse(_ node: SopsNode) throws -> SopsMetadata {
        guard case .mapping(let items) = node else { throw SopsError.malformedMetadata("`sops` must be a mapping") }
        var fields: [String: SopsNode] = [:]
        for case .entry(let key, let value) in items { fields[key.text] = value }

        func string(_ name: String, required: Bool) throws -> String? {
            guard let value = fields[name] else {
                if required { throw SopsError.malformedMetadata("no `\(name)`") }
                return nil
            }
            switch value {
            case .scalar(.string(let s)), .scalar(.time(let s)): return s
            case .scalar(.int(let i)): return String(i)
            case .scalar(.float(let f)): return GoFloat.format(f)
            default: throw SopsError.malformedMetadata("`\(name)` must be a string")
            }
        }

        let version = try string("version", required: true)!
        let major = version.split(separator: ".").first.flatMap { Int($0) }
        guard let major, version.split(separator: ".").count >= 2, version.split(separator: ".").allSatisfy({ Int($0.prefix { $0.isNumber }) != nil }) else {
            throw SopsError.unsupportedVersion(version)
        }
        guard major == 3 else { throw SopsError.unsupportedVersion(version) }

        var rule: EncryptionRule?
        for key in EncryptionRule.keys {
            guard let value = try string(key, required: false), !value.isEmpty else { continue }
            guard rule == nil else {
                throw SopsError.malformedMetadata("only one of unencrypted_suffix, encrypted_suffix, unencrypted_regex, encrypted_regex and the comment regexes may be set")
            }
            rule = try EncryptionRule.make(key: key, value: value)!.validated()
        }

        var groups: [KeyGroup] = []
        var usesKeyGroups = false
        if let keyGroups = fields["key_groups"], keyGroups != .scalar(.null) {
            guard case .sequence(let list) = keyGroups else { throw SopsError.malformedMetadata("`key_groups` must be a list") }
            usesKeyGroups = true
            for entry in list {
                if case .comment = entry { continue }
                // As sops reads them: a group is a mapping (`- age: […]`); anything else is refused
                // rather than skipped, so what is written back reads the same.
                guard case .mapping(let groupItems) = entry else { throw SopsError.malformedMetadata("each entry of `key_groups` must be a mapping (- age: …)") }
                var group = KeyGroup(age: [])
                for case .entry(let key, let value) in groupItems {
                    if key.text == "age" { group.age = try ageEntries(value) } else { group.otherKeys.append(.entry(key, value)) }
                }
                groups.append(group)
            }
        } else {
            groups = [KeyGroup(age: try fields["age"].map(ageEntries) ?? [])]
        }
        var threshold: Int?
        if let value = fields["shamir_threshold"] {
            guard case .scalar(.int(let t)) = value, t >= 1 else { throw SopsError.malformedMetadata("`shamir_threshold` must be a positive integer") }
            threshold = Int(t)
        }
        var macOnlyEncrypted = false
        if let value = fields["mac_only_encrypted"] {
            guard case .scalar(.bool(let b)) = value else { throw SopsError.malformedMetadata("`mac_only_encrypted` must be true or false") }
            macOnlyEncrypted = b
        }
        let known: Set<String> = Set(["age", "key_groups", "shamir_threshold", "lastmodified", "mac", "version", "mac_only_encrypted"] + EncryptionRule.keys)
        var others: [String: SopsNode] = [:]
        for (key, value) in fields where !known.contains(key) { others[key] = value }
        return SopsMetadata(
            keyGroups: groups, usesKeyGroups: usesKeyGroups, shamirThreshold: threshold,
            lastModified: try string("lastmodified", required: true)!, mac: try string("mac", required: true)!,
            version: version, rule: rule, macOnlyEncrypted: macOnlyEncrypted, otherEntries: others)
    }

    private static func ageEntries(_ node: SopsNode) throws -> [AgeKeyEntry] {
        if node == .scalar(.null) { return [] }
        guard case .sequence(let list) = node else { throw SopsError.malformedMetadata("`age` must be a list of {recipient, enc}") }
        return try list.compactMap { element in
            if case .comment = element { return nil }
            guard case .mapping(let items) = element else { throw SopsError.malformedMetadata("each `age` entry must be {recipient, enc}") }
            var recipient: String?, enc: String?
            for case .entry(let key, .scalar(.string(let value))) in items {
                if key.text == "recipient" { recipient = value }
                if key.text == "enc" { enc = value }
            }
            guard let recipient, let enc else { throw SopsError.malformedMetadata("an `age` entry lacks `recipient` or `enc`") }
            return AgeKeyEntry(recipient: recipient, enc: enc)
        }
    }

    func node() -> SopsNode {
        var fields: [String: SopsNode] = otherEntries
        func ageList(_ entries: [AgeKeyEntry]) -> SopsNode {
            .sequence(
                entries.map {
                    .mapping([
                        .entry(SopsKey("recipient"), .scalar(.string($0.recipient))),
                        .entry(SopsKey("enc"), .scalar(.string($0.enc))),
                    ])
                })
        }
        if usesKeyGroups || keyGroups.count > 1 {
            fields["key_groups"] = .sequence(
                keyGroups.map { group in
                    .mapping((group.age.isEmpty ? [] : [.entry(SopsKey("age"), ageList(group.age))]) + group.otherKeys)
                })
            if let shamirThreshold { fields["shamir_threshold"] = .scalar(.int(Int64(shamirThreshold))) }
        } else if let group = keyGroups.first {
            if !group.age.isEmpty { fields["age"] = ageList(group.age) }
            for case .entry(let key, let value) in group.otherKeys { fields[key.text] = value }
        }
        fields["lastmodified"] = .scalar(.string(lastModified))
        fields["mac"] = .scalar(.string(mac))
        if let rule { fields[rule.metadataKey] = .scalar(.string(rule.value)) }
        if macOnlyEncrypted { fields["mac_only_encrypted"] = .scalar(.bool(true)) }
        fields["version"] = .scalar(.string(version))
        var items: [SopsItem] = []
        for key in Self.fieldOrder { if let value = fields.removeValue(forKey: key) { items.append(.entry(SopsKey(key), value)) } }
        for key in fields.keys.sorted() { items.append(.entry(SopsKey(key), fields[key]!)) }
        return .mapping(items)
    }
}
