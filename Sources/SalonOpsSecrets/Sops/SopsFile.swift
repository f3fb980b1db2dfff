import Foundation

/// A sops-encrypted YAML file: its documents as stored (encrypted leaves) and its metadata.
public struct SopsFile: Sendable {
    public var documents: [SopsNode]
    public var metadata: SopsMetadata

    public static func parse(_ text: String) throws -> SopsFile {
        var documents = try SopsYAMLReader.parse(text)
        guard !documents.isEmpty else { throw SopsError.notEncrypted }
        var metadataNode: SopsNode?
        for index in documents.indices {
            guard case .mapping(var items) = documents[index] else { throw SopsError.topLevelNotMapping }
            if let position = items.firstIndex(where: {
                if case .entry(let k, _) = $0 { return k.text == "sops" }; return false
            }),
                case .entry(_, let value) = items.remove(at: position)
            {
                if metadataNode == nil { metadataNode = value }
            }
            documents[index] = .mapping(items)
        }
        guard let metadataNode else { throw SopsError.notEncrypted }
        return SopsFile(documents: documents, metadata: try SopsMetadata.parse(metadataNode))
    }

    /// Whether the text is a sops file at all (has `sops:` metadata), without decrypting anything.
    public static func isEncrypted(_ text: String) -> Bool {
        (try? parse(text)) != nil
    }

    public func render() -> String {
        let metadataNode = metadata.node()
        return SopsYAMLWriter.render(
            documents.map { document in
                guard case .mapping(let items) = document else { return document }
                return .mapping(items + [.entry(SopsKey("sops"), metadataNode)])
            })
    }

    // MARK: data key

    /// The data key, and the recipient whose identity opened it (for the audit log).
    public struct DataKey: Sendable {
        public let bytes: [UInt8]
        public let openedBy: String
    }

    public func dataKey(using identities: [AgeIdentity]) throws -> DataKey {
        var shares: [[UInt8]] = []
        var openedBy: [String] = []
        for group in metadata.keyGroups {
            guard let (share, recipient) = try open(group, identities) else { continue }
            shares.append(share)
            openedBy.append(recipient)
            if metadata.keyGroups.count == 1 { return DataKey(bytes: share, openedBy: recipient) }
            if shares.count == threshold { break }
        }
        guard metadata.keyGroups.count > 1, shares.count >= threshold else {
            throw SopsError.noIdentityMatched(recipients: metadata.recipients)
        }
        let key = try Shamir.combine(shares)
        return DataKey(bytes: key, openedBy: openedBy.joined(separator: ","))
    }

    private var threshold: Int { metadata.shamirThreshold ?? metadata.keyGroups.count }

    private func open(_ group: KeyGroup, _ identities: [AgeIdentity]) throws -> ([UInt8], String)? {
        let own = Set(identities.map { $0.recipient.description })
        // Entries naming one of our identities first; then every entry, in case a file names a
        // recipient differently from how we derive it.
        let ordered = group.age.filter { own.contains($0.recipient) } + group.age.filter { !own.contains($0.recipient) }
        for entry in ordered {
            do {
                let key = try Age.decrypt(Array(entry.enc.utf8), identities: identities)
                guard !key.isEmpty else { throw SopsError.dataKeyUnreadable(recipient: entry.recipient, detail: "empty data key") }
                return (key, entry.recipient)
            } catch let error as AgeError {
                if own.contains(entry.recipient) {
                    throw SopsError.dataKeyUnreadable(recipient: entry.recipient, detail: error.description)
                }
            }
        }
        return nil
    }

    // MARK: decrypt

    /// The plaintext of the file, and what re-encryption needs to keep unchanged values identical.
    public struct Decrypted: Sendable {
        public var documents: [SopsNode]
        /// Key paths of every decrypted value (for the audit log; never values).
        public var keyPaths: [String]
        var stash: IVStash
    }

    public func decrypt(with dataKey: DataKey, verifyMAC: Bool = true) throws -> Decrypted {
        let rule = metadata.rule ?? .default
        var macInput = metadata.macOnlyEncrypted ? Crypto.sha256(Array("sops".utf8)) : []
        var stash = IVStash()
        var keyPaths: [String] = []
        let plaintext = try documents.enumerated().map { documentIndex, document in
            try LeafWalker.map(document, id: "\(documentIndex)") { leaf in
                let encrypts = rule.encrypts(path: leaf.aadPath, comment: leaf.commentText, precedingComments: leaf.precedingComments)
                let display = leaf.displayPath
                switch leaf.value {
                case .comment(let text):
                    guard encrypts, EncryptedValue.looksEncrypted(text) else { return leaf.value }
                    let value = try EncryptedValue(parsing: text, path: display)
                    let bytes = try SopsValueCipher.decrypt(value, key: dataKey.bytes, aad: leaf.aad, path: display)
                    stash.record(leaf.id, plaintext: bytes, type: "comment", iv: value.iv)
                    return .comment(String(decoding: bytes, as: UTF8.self))
                case .scalar(let scalar):
                    guard encrypts else {
                        if !metadata.macOnlyEncrypted { macInput += scalar.plaintextBytes }
                        return leaf.value
                    }
                    guard case .string(let text) = scalar, !text.isEmpty else {
                        // Empty strings and nulls are never encrypted; anything else must be.
                        if scalar == .string("") || scalar == .null { return leaf.value }
                        throw SopsError.malformedValue(path: display, detail: "a plaintext value where the rules say it is encrypted")
                    }
                    let value = try EncryptedValue(parsing: text, path: display)
                    let bytes = try SopsValueCipher.decrypt(value, key: dataKey.bytes, aad: leaf.aad, path: display)
                    if value.type == "comment" {
                        stash.record(leaf.id, plaintext: bytes, type: "comment", iv: value.iv)
                        return .comment(String(decoding: bytes, as: UTF8.self))
                    }
                    let typed = try SopsValueCipher.scalar(from: bytes, type: value.type, path: display)
                    stash.record(leaf.id, plaintext: bytes, type: value.type, iv: value.iv)
                    macInput += typed.plaintextBytes
                    keyPaths.append(display)
                    return .scalar(typed)
                }
            }
        }
        if verifyMAC {
            let expected = Array(Crypto.sha512(macInput).map { String(format: "%02X", $0) }.joined().utf8)
            let stored = try EncryptedValue(parsing: metadata.mac, path: "sops.mac")
            let storedMAC = try SopsValueCipher.decrypt(stored, key: dataKey.bytes, aad: metadata.lastModified, path: "sops.mac")
            guard Crypto.constantTimeEqual(storedMAC, expected) else { throw SopsError.macMismatch }
        }
        return Decrypted(documents: plaintext, keyPaths: keyPaths, stash: stash)
    }

    // MARK: encrypt

    /// Who can read a file and which values stay in plaintext.
    public struct Settings: Sendable, Equatable {
        public var groups: [[AgeRecipient]]
        public var shamirThreshold: Int?
        public var rule: EncryptionRule
        public var macOnlyEncrypted: Bool

        public init(groups: [[AgeRecipient]], shamirThreshold: Int? = nil, rule: EncryptionRule = .default, macOnlyEncrypted: Bool = false) {
            self.groups = groups
            self.shamirThreshold = shamirThreshold
            self.rule = rule
            self.macOnlyEncrypted = macOnlyEncrypted
        }
    }

    /// Encrypts plaintext documents. With `reusing`, the data key, its recipients' copies and the
    /// IVs of unchanged values are kept, so only edited values change in the file.
    public static func encrypt(
        _ plaintext: [SopsNode], settings: Settings, reusing previous: (file: SopsFile, key: DataKey, decrypted: Decrypted)? = nil,
        now: Date = Date()
    ) throws -> SopsFile {
        guard settings.groups.contains(where: { !$0.isEmpty }) else { throw SopsError.noRecipients }
        for document in plaintext { guard case .mapping = document else { throw SopsError.topLevelNotMapping } }
        let dataKey = try previous?.key.bytes ?? Crypto.randomBytes(32)
        let stash = previous?.decrypted.stash ?? IVStash()
        var macInput = settings.macOnlyEncrypted ? Crypto.sha256(Array("sops".utf8)) : []
        let rule = settings.rule
        let documents = try plaintext.enumerated().map { documentIndex, document in
            try LeafWalker.map(document, id: "\(documentIndex)") { leaf in
                let encrypts = rule.encrypts(path: leaf.aadPath, comment: leaf.commentText, precedingComments: leaf.precedingComments)
                switch leaf.value {
                case .comment(let text):
                    guard encrypts else { return leaf.value }
                    let bytes = Array(text.utf8)
                    let iv = stash.iv(for: leaf.id, plaintext: bytes, type: "comment")
                    let encrypted = try SopsValueCipher.encrypt(bytes, type: "comment", key: dataKey, aad: leaf.aad, iv: iv)
                    return leaf.inSequence ? .scalar(.string(encrypted)) : .comment(encrypted)
                case .scalar(let scalar):
                    if encrypts || !settings.macOnlyEncrypted { macInput += scalar.plaintextBytes }
                    guard encrypts, scalar != .null, scalar != .string("") else { return leaf.value }
                    let bytes = scalar.plaintextBytes
                    let iv = stash.iv(for: leaf.id, plaintext: bytes, type: scalar.sopsType)
                    return .scalar(.string(try SopsValueCipher.encrypt(bytes, type: scalar.sopsType, key: dataKey, aad: leaf.aad, iv: iv)))
                }
            }
        }
        let lastModified = rfc3339(now)
        let digest = Crypto.sha512(macInput).map { String(format: "%02X", $0) }.joined()
        let mac = try SopsValueCipher.encrypt(Array(digest.utf8), type: "str", key: dataKey, aad: lastModified)
        let groups = try keyGroups(for: settings, dataKey: dataKey, previous: previous?.file.metadata)
        let metadata = SopsMetadata(
            keyGroups: groups, usesKeyGroups: settings.groups.count > 1 || (previous?.file.metadata.usesKeyGroups ?? false),
            shamirThreshold: settings.groups.count > 1 ? settings.shamirThreshold : nil,
            lastModified: lastModified, mac: mac, version: SopsMetadata.writtenVersion,
            rule: settings.rule, macOnlyEncrypted: settings.macOnlyEncrypted,
            otherEntries: previous?.file.metadata.otherEntries ?? [:])
        return SopsFile(documents: documents, metadata: metadata)
    }

    /// Each group's copy of the data key (or of its share), keeping the previous copies for
    /// recipients that stay when the key and the group layout are unchanged.
    private static func keyGroups(for settings: Settings, dataKey: [UInt8], previous: SopsMetadata?) throws -> [KeyGroup] {
        let nonEmpty = settings.groups.filter { !$0.isEmpty }
        if nonEmpty.count == 1 {
            let kept = Dictionary(previous?.keyGroups.count == 1 ? previous!.keyGroups[0].age.map { ($0.recipient, $0.enc) } : [], uniquingKeysWith: { a, _ in a })
            var group = KeyGroup(
                age: try nonEmpty[0].map { recipient in
                    if let enc = kept[recipient.description] { return AgeKeyEntry(recipient: recipient.description, enc: enc) }
                    return AgeKeyEntry(recipient: recipient.description, enc: try armoredKey(dataKey, for: recipient))
                })
            if previous?.keyGroups.count == 1 { group.otherKeys = previous!.keyGroups[0].otherKeys }
            return [group]
        }
        // Several groups: a fresh split each time (shares of one split only combine with each other).
        let shares = try Shamir.split(dataKey, parts: nonEmpty.count, threshold: settings.shamirThreshold ?? nonEmpty.count)
        return try zip(nonEmpty, shares).map { recipients, share in
            KeyGroup(age: try recipients.map { AgeKeyEntry(recipient: $0.description, enc: try armoredKey(share, for: $0)) })
        }
    }

    private static func armoredKey(_ key: [UInt8], for recipient: AgeRecipient) throws -> String {
        String(decoding: try Age.encrypt(key, to: [recipient], armor: true), as: UTF8.self)
    }

    public static func rfc3339(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    /// `lastmodified` as a date (for rotation warnings).
    public var lastModifiedDate: Date? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: metadata.lastModified)
    }
}

/// IVs of decrypted values by leaf, so an unchanged value re-encrypts to the same bytes.
struct IVStash: Sendable {
    private var entries: [String: (plaintext: [UInt8], type: String, iv: [UInt8])] = [:]

    mutating func record(_ id: String, plaintext: [UInt8], type: String, iv: [UInt8]) {
        entries[id] = (plaintext, type, iv)
    }

    /// The old IV only for the very same plaintext and type at the same place (same AAD): GCM
    /// then gives the same ciphertext and reveals nothing new.
    func iv(for id: String, plaintext: [UInt8], type: String) -> [UInt8]? {
        guard let entry = entries[id], entry.plaintext == plaintext, entry.type == type else { return nil }
        return entry.iv
    }
}

/// Visits every leaf (scalar or comment) of a document in document order, as sops walks trees.
enum LeafWalker {
    enum Value: Equatable {
        case scalar(SopsScalar)
        case comment(String)
    }

    struct Leaf {
        /// Map keys from the root (list indexes are not part of sops' path).
        let aadPath: [String]
        /// A unique place in the document (list indexes included), for the IV stash.
        let id: String
        let value: Value
        /// A list element: an encrypted comment is then written as a plain `- ENC[…]` item.
        let inSequence: Bool
        /// Comments written just before this leaf and before each of its ancestors (for the
        /// comment-regex rules).
        let precedingComments: [String]

        var aad: String { aadPath.map { $0 + ":" }.joined().isEmpty ? ":" : aadPath.map { $0 + ":" }.joined() }
        var displayPath: String { aadPath.isEmpty ? "(top level)" : aadPath.joined(separator: ".") }
        var commentText: String? { if case .comment(let t) = value { return t }; return nil }
    }

    static func map(_ node: SopsNode, id: String, _ transform: (Leaf) throws -> Value) throws -> SopsNode {
        try visit(node, aadPath: [], id: id, transform)
    }

    private static func visit(
        _ node: SopsNode, aadPath: [String], id: String, inSequence: Bool = false, comments: [String] = [],
        _ transform: (Leaf) throws -> Value
    ) throws -> SopsNode {
        switch node {
        case .mapping(let items):
            var pending: [String] = []
            return .mapping(
                try items.enumerated().map { index, item in
                    switch item {
                    case .comment(let text):
                        pending.append(text)
                        let result = try transform(
                            Leaf(
                                aadPath: aadPath, id: id + "/#\(index)", value: .comment(text), inSequence: false,
                                precedingComments: comments + pending))
                        guard case .comment(let t) = result else { throw SopsError.malformedValue(path: aadPath.joined(separator: "."), detail: "a comment became a value") }
                        return .comment(t)
                    case .entry(let key, let value):
                        defer { pending = [] }
                        return .entry(key, try visit(value, aadPath: aadPath + [key.text], id: id + "/" + key.text, comments: comments + pending, transform))
                    }
                })
        case .sequence(let elements):
            var pending: [String] = []
            return .sequence(
                try elements.enumerated().map { index, element in
                    var isComment = false
                    if case .comment(let text) = element { pending.append(text); isComment = true }
                    defer { if !isComment { pending = [] } }
                    return try visit(element, aadPath: aadPath, id: id + "/[\(index)]", inSequence: true, comments: comments + pending, transform)
                })
        case .comment(let text):
            // sops writes an encrypted comment inside a list as a plain item `- ENC[…,type:comment]`.
            switch try transform(Leaf(aadPath: aadPath, id: id, value: .comment(text), inSequence: inSequence, precedingComments: comments)) {
            case .comment(let t): return .comment(t)
            case .scalar(let s): return .scalar(s)
            }
        case .scalar(let scalar):
            switch try transform(Leaf(aadPath: aadPath, id: id, value: .scalar(scalar), inSequence: inSequence, precedingComments: comments)) {
            case .scalar(let s): return .scalar(s)
            case .comment(let t):
                guard inSequence else { throw SopsError.malformedValue(path: aadPath.joined(separator: "."), detail: "a comment where a value was expected") }
                return .comment(t)
            }
        }
    }
}
