import Foundation

/// An `allowed_signers` file (man ssh-keygen, "ALLOWED SIGNERS"): one key a line,
/// `principals [options] keytype base64key [comment]`, `#` comments and blank lines ignored.
/// Options: `namespaces="…"`, `valid-after="…"`, `valid-before="…"`. Stricter than
/// ssh-keygen, which skips a line it cannot read: here any such line is a located error, so a
/// typo never silently drops a key, and `cert-authority` is refused (certificates are not
/// verified).
public struct AllowedSigners: Sendable {
    public struct Entry: Sendable {
        /// 1-based line in the file.
        public let line: Int
        /// As written; not matched against anything (the key is what is trusted: docs/trust.md).
        public let principals: String
        /// A pattern-list (`*`, `?`, `!`), or nil for every namespace.
        public let namespaces: String?
        public let validAfter: Date?
        public let validBefore: Date?
        public let key: SSHPublicKey

        /// Whether `namespaces` lets the key sign for `namespace` (ssh's pattern-list rules).
        public func allows(namespace: String) -> Bool {
            namespaces.map { PatternList.matches(namespace, $0) } ?? true
        }

        /// Whether `time` falls in the window, both ends included (as ssh-keygen checks it).
        public func isValid(at time: Date) -> Bool {
            if let validAfter, time < validAfter { return false }
            if let validBefore, time > validBefore { return false }
            return true
        }
    }

    /// Where the file was read from, for messages.
    public let path: String
    public let entries: [Entry]

    /// Larger is not an allowed_signers file (a key is under 1 KiB a line).
    static let maximumBytes = 1 << 20

    public init(contentsOf path: String, timeZone: TimeZone = .current) throws(AllowedSignersError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw AllowedSignersError(path: path, line: 0, column: 0, message: "cannot read the file (\(error.localizedDescription))", hint: "check the --require-signed-by path")
        }
        guard data.count <= Self.maximumBytes else {
            throw AllowedSignersError(
                path: path, line: 0, column: 0, message: "the file is \(data.count) bytes, not an allowed_signers file", hint: "check the --require-signed-by path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AllowedSignersError(path: path, line: 0, column: 0, message: "the file is not UTF-8 text", hint: "check the --require-signed-by path")
        }
        try self.init(text: text, path: path, timeZone: timeZone)
    }

    /// `timeZone`: how `valid-after` and `valid-before` without a `Z` are read (ssh-keygen uses
    /// the system's).
    public init(text: String, path: String, timeZone: TimeZone = .current) throws(AllowedSignersError) {
        self.path = path
        var entries: [Entry] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = AllowedSignersLine(String(rawLine), number: index + 1, path: path, timeZone: timeZone)
            if let entry = try line.parse() { entries.append(entry) }
        }
        guard !entries.isEmpty else {
            throw AllowedSignersError(
                path: path, line: 1, column: 1, message: "the file lists no key, so every commit would be refused",
                hint: "add a line `PRINCIPAL ssh-ed25519 AAAA…` per trusted signer (the contents of their .pub file after the principal)")
        }
        self.entries = entries
    }

    /// The lines listing exactly this key.
    public func entries(for key: SSHPublicKey) -> [Entry] { entries.filter { $0.key.blob == key.blob } }
}

/// A line of the file that cannot be read, located as `file:line:col` (line 0: the whole file).
public struct AllowedSignersError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let column: Int
    public let message: String
    public let hint: String

    public var description: String {
        let location = line == 0 ? path : "\(path):\(line):\(column)"
        return "\(location): \(message) (\(hint))"
    }
}

/// ssh_config's PATTERNS: comma-separated globs (`*`, `?`), a leading `!` negating; a negated
/// match refuses whatever else matches.
enum PatternList {
    static func matches(_ text: String, _ list: String) -> Bool {
        var positive = false
        for pattern in list.split(separator: ",", omittingEmptySubsequences: true) {
            let negated = pattern.hasPrefix("!")
            guard glob(Array(text), Array(negated ? pattern.dropFirst() : pattern[...])) else { continue }
            if negated { return false }
            positive = true
        }
        return positive
    }

    static func glob(_ text: [Character], _ pattern: [Character]) -> Bool {
        var t = 0, p = 0
        var star: Int?, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = t
                p += 1
            } else if let star {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
