import Foundation

/// Who is decrypting and why: recorded in the audit log with every decryption.
public struct SecretsContext: Sendable {
    public var keys: AgeKeySources
    public var audit: AuditLog?
    public var command: String
    public var commit: String?
    public var now: @Sendable () -> Date

    public init(keys: AgeKeySources, audit: AuditLog?, command: String, commit: String? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.keys = keys
        self.audit = audit
        self.command = command
        self.commit = commit
        self.now = now
    }
}

/// A failure tied to one file: the message names it first.
public struct SecretsFileError: Error, CustomStringConvertible {
    public let file: String
    public let underlying: Error

    public var description: String { "\(file): \(underlying)" }

    static func wrap<T>(_ file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SecretsFileError { throw error } catch { throw SecretsFileError(file: file, underlying: error) }
    }
}

/// What the `salonops secrets` commands do, over files on disk. Every write is atomic.
public enum SecretsOperations {
    // MARK: reading

    public static func readFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecretsFileError(file: path, underlying: SopsError.badRule("no such file or not readable"))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Opens and decrypts a file's text, verifying the MAC, and records the access.
    public static func open(_ text: String, file: String, context: SecretsContext, keyPaths: [String]? = nil) throws -> (SopsFile, SopsFile.DataKey, SopsFile.Decrypted) {
        try SecretsFileError.wrap(file) {
            let sops = try SopsFile.parse(text)
            let identities = try context.keys.identities()
            let key = try sops.dataKey(using: identities)
            let decrypted = try sops.decrypt(with: key)
            try context.audit?.append(
                AuditLog.Entry(
                    time: context.now(), file: file, keyPaths: keyPaths ?? decrypted.keyPaths,
                    identity: key.openedBy, command: context.command, commit: context.commit))
            return (sops, key, decrypted)
        }
    }

    /// The whole plaintext (as `sops decrypt` prints it), or one value with `extract`.
    public static func decrypt(file: String, extract: String?, context: SecretsContext) throws -> String {
        let text = try readFile(file)
        let path = try extract.map(SopsPathComponent.parse)
        let (_, _, decrypted) = try open(text, file: file, context: context, keyPaths: path.map { [render($0)] })
        guard let path else { return SopsYAMLWriter.render(decrypted.documents) }
        return try SecretsFileError.wrap(file) {
            guard let value = decrypted.documents.first?.value(at: path) else { throw SopsError.keyPathNotFound(render(path)) }
            switch value {
            case .scalar(let scalar):
                // A scalar prints bare, as `sops decrypt --extract` does.
                switch scalar {
                case .string(let s), .time(let s): return s
                case .int(let i): return String(i)
                case .float(let f): return ScalarResolution.formatFloatForYAML(f)
                case .bool(let b): return b ? "true" : "false"
                case .null: return "null"
                }
            default:
                guard case .mapping = value else { return SopsYAMLWriter.render([.mapping([.entry(SopsKey("value"), value)])]) }
                return SopsYAMLWriter.render([value])
            }
        }
    }

    /// One value as a `Secret` (what providers get), from a file's text held in memory.
    public static func secret(in text: String, file: String, keyPath: String, context: SecretsContext) throws -> Secret {
        let path = try SopsPathComponent.parse(keyPath)
        let (_, key, decrypted) = try open(text, file: file, context: context, keyPaths: [render(path)])
        return try SecretsFileError.wrap(file) {
            guard case .scalar(let scalar) = decrypted.documents.first?.value(at: path) ?? .scalar(.null), scalar != .null else {
                throw SopsError.keyPathNotFound(render(path))
            }
            return Secret(scalar.plaintextBytes, fingerprintKey: try Secret.fingerprintKey(dataKey: key.bytes))
        }
    }

    static func render(_ path: [SopsPathComponent]) -> String {
        path.map { component in
            switch component {
            case .key(let k): k
            case .index(let i): "[\(i)]"
            }
        }.joined(separator: ".")
    }

    // MARK: writing

    /// Encrypts a plaintext file in place with the settings of its creation rule.
    public static func encrypt(file: String, settings: SopsFile.Settings, now: Date = Date()) throws {
        let text = try readFile(file)
        try SecretsFileError.wrap(file) {
            let documents = try SopsYAMLReader.parse(text)
            if (try? SopsFile.parse(text)) != nil { throw SopsError.alreadyEncrypted }
            let encrypted = try SopsFile.encrypt(documents, settings: settings, now: now)
            try AtomicFile.write(encrypted.render(), to: file)
        }
    }

    /// Writes a new encrypted file from plaintext YAML held in memory (the plaintext never
    /// touches the disk); refuses to replace a file that is there.
    public static func create(file: String, plaintext: String, settings: SopsFile.Settings, now: Date = Date()) throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw SecretsFileError(file: file, underlying: AlreadyThere())
        }
        try SecretsFileError.wrap(file) {
            let encrypted = try SopsFile.encrypt(try SopsYAMLReader.parse(plaintext), settings: settings, now: now)
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(encrypted.render(), to: file, mode: 0o600)
        }
    }

    struct AlreadyThere: Error, CustomStringConvertible {
        var description: String { "the file is already there (set one value in it with `salonops secrets set`)" }
    }

    /// Re-encrypts edited plaintext with the same data key: unchanged values keep their bytes.
    public static func reencrypt(file: String, original: (SopsFile, SopsFile.DataKey, SopsFile.Decrypted), plaintext: [SopsNode], now: Date) throws {
        try SecretsFileError.wrap(file) {
            let (sops, key, decrypted) = original
            let updated = try SopsFile.encrypt(plaintext, settings: settings(of: sops), reusing: (sops, key, decrypted), now: now)
            try AtomicFile.write(updated.render(), to: file)
        }
    }

    /// The settings a file was written with (its recipients, rule and MAC mode).
    public static func settings(of sops: SopsFile) throws -> SopsFile.Settings {
        let groups = try sops.metadata.keyGroups.map { try $0.age.map { try AgeRecipient($0.recipient) } }
        return SopsFile.Settings(
            groups: groups, shamirThreshold: sops.metadata.shamirThreshold,
            rule: sops.metadata.rule ?? .default, macOnlyEncrypted: sops.metadata.macOnlyEncrypted)
    }

    /// Sets one value (creating the keys on the way), keeping every other ciphertext unchanged.
    public static func set(file: String, keyPath: String, value: SopsScalar, context: SecretsContext) throws {
        let text = try readFile(file)
        let path = try SecretsFileError.wrap(file) { try SopsPathComponent.parse(keyPath) }
        let opened = try open(text, file: file, context: context, keyPaths: [render(path)])
        var documents = opened.2.documents
        try SecretsFileError.wrap(file) {
            guard !documents.isEmpty else { throw SopsError.topLevelNotMapping }
            try documents[0].setValue(.scalar(value), at: path)
        }
        try reencrypt(file: file, original: opened, plaintext: documents, now: context.now())
    }

    /// A new data key: every value is encrypted again, every recipient gets the new key.
    public static func rotate(file: String, settings newSettings: SopsFile.Settings? = nil, context: SecretsContext) throws {
        let text = try readFile(file)
        let (sops, _, decrypted) = try open(text, file: file, context: context)
        try SecretsFileError.wrap(file) {
            var settings = try newSettings ?? settings(of: sops)
            // The rule stays the file's own: changing it is a decision for `encrypt`, not `rotate`.
            settings.rule = sops.metadata.rule ?? .default
            settings.macOnlyEncrypted = sops.metadata.macOnlyEncrypted
            let rotated = try SopsFile.encrypt(decrypted.documents, settings: settings, now: context.now())
            try AtomicFile.write(rotated.render(), to: file)
        }
    }

    /// Makes a file's recipients those of its creation rule, keeping the data key (as
    /// `sops updatekeys`). Returns the recipients added and removed.
    public static func updateKeys(file: String, settings newSettings: SopsFile.Settings, context: SecretsContext) throws -> (added: [String], removed: [String]) {
        let text = try readFile(file)
        let opened = try open(text, file: file, context: context, keyPaths: [])
        let (sops, key, decrypted) = opened
        let before = Set(sops.metadata.recipients)
        let after = Set(newSettings.groups.flatMap { $0.map(\.description) })
        let sameLayout = newSettings.groups.count == sops.metadata.keyGroups.count && newSettings.shamirThreshold == sops.metadata.shamirThreshold
        if before == after && sameLayout { return ([], []) }
        try SecretsFileError.wrap(file) {
            var settings = newSettings
            settings.rule = sops.metadata.rule ?? .default
            settings.macOnlyEncrypted = sops.metadata.macOnlyEncrypted
            let updated = try SopsFile.encrypt(decrypted.documents, settings: settings, reusing: (sops, key, decrypted), now: context.now())
            try AtomicFile.write(updated.render(), to: file)
        }
        return (after.subtracting(before).sorted(), before.subtracting(after).sorted())
    }

    // MARK: finding files

    /// Every sops-encrypted YAML file under a folder (skipping `.git`), sorted.
    public static func encryptedFiles(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative == ".git" || relative.hasPrefix(".git/") || relative.contains("/.git/") { enumerator.skipDescendants(); continue }
            let name = (relative as NSString).lastPathComponent
            guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml"), name != CreationRules.fileName, name != ".sops.yml" else { continue }
            let path = (root as NSString).appendingPathComponent(relative)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            if text.contains("\nsops:") || text.hasPrefix("sops:"), SopsFile.isEncrypted(text) { files.append(path) }
        }
        return files.sorted()
    }
}
