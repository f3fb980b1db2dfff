import Foundation

/// Where age identities come from, with sops' own names, in sops' order: `SOPS_AGE_KEY` (the key
/// text), `SOPS_AGE_KEY_FILE`, then the default keys file; `--age-key-file` adds one more.
public struct AgeKeySources: Sendable {
    public var environment: [String: String]
    public var keyFile: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, keyFile: String? = nil) {
        self.environment = environment
        self.keyFile = keyFile
    }

    /// `$XDG_CONFIG_HOME/sops/age/keys.txt`, else `~/.config/sops/age/keys.txt`.
    public var defaultKeyFile: String {
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/sops/age/keys.txt" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.config/sops/age/keys.txt"
    }

    /// Every identity at hand. A named source that cannot be read is an error (a typo in a path
    /// must not look like "no key"); the default file may be absent.
    public func identities() throws -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        if let file = keyFile { identities += try read(file, source: "--age-key-file") }
        if let text = environment["SOPS_AGE_KEY"], !text.isEmpty {
            do { identities += try AgeKeyFile.parse(text) } catch {
                throw KeySourceError.unreadable(source: "SOPS_AGE_KEY", detail: "\(error)")
            }
        }
        if let file = environment["SOPS_AGE_KEY_FILE"], !file.isEmpty { identities += try read(file, source: "SOPS_AGE_KEY_FILE") }
        if FileManager.default.fileExists(atPath: defaultKeyFile) { identities += try read(defaultKeyFile, source: "the default keys file") }
        return identities
    }

    private func read(_ path: String, source: String) throws -> [AgeIdentity] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeySourceError.unreadable(source: "\(source) \(path)", detail: "no such file or not readable")
        }
        do { return try AgeKeyFile.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw KeySourceError.unreadable(source: "\(source) \(path)", detail: "\(error)")
        }
    }
}

public enum KeySourceError: Error, CustomStringConvertible, Equatable {
    case unreadable(source: String, detail: String)
    case none(recipients: [String])

    public var description: String {
        switch self {
        case .unreadable(let source, let detail):
            "cannot read age identities from \(source): \(detail); point it at a file made by age-keygen (one 'AGE-SECRET-KEY-1…' line per identity, '#' comments)"
        case .none(let recipients): SopsError.noIdentityMatched(recipients: recipients).description
        }
    }
}
