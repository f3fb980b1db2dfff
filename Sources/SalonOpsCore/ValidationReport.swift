import Foundation

/// What `validate` reports: where the config came from, what it holds, and every diagnostic.
/// Its JSON form is versioned (`schema`) and documented in docs/validate-json.md.
public struct ValidationReport: Sendable {
    public static let schema = "salonops.validate/v1"

    public struct Source: Sendable {
        public let repository: String
        public let commit: String
        public let refName: String?
        public let root: String
        public let fromWorktree: Bool

        public init(repository: String, commit: String, refName: String?, root: String, fromWorktree: Bool) {
            self.repository = repository
            self.commit = commit
            self.refName = refName
            self.root = root
            self.fromWorktree = fromWorktree
        }
    }

    public let source: Source
    public let state: DesiredState
    public let diagnostics: [Diagnostic]

    public init(source: Source, result: LoadResult) {
        self.source = source
        self.state = result.state
        self.diagnostics = result.diagnostics
    }

    public var isValid: Bool { diagnostics.errorCount == 0 }

    public var counts: [(String, Int)] {
        [
            ("organization", state.organization == nil ? 0 : 1), ("establishment", state.establishments.count),
            ("service", state.services.count), ("product", state.products.count), ("offer", state.offers.count),
            ("integration", state.integrations.count), ("encrypted file", state.encryptedFiles.count),
        ]
    }

    /// The line that says which commit was read: every command prints it.
    public var sourceLine: String {
        let short = String(source.commit.prefix(12))
        let ref = source.refName.map { " (\($0))" } ?? ""
        let root = source.root.isEmpty ? "" : ", path \(source.root)"
        let worktree = source.fromWorktree ? " + uncommitted changes from the work tree" : ""
        return "commit \(short)\(ref)\(worktree) of \(source.repository)\(root)"
    }

    public func renderText() -> String {
        var out = ""
        for d in diagnostics {
            out += d.headline + " [\(d.code.rawValue)]\n"
            if let hint = d.hint { out += "    hint: \(hint)\n" }
        }
        out += "\(sourceLine)\n"
        if source.fromWorktree {
            out += "note: --worktree read files as they are on disk, including changes not committed\n"
        }
        let summary = counts.filter { $0.1 > 0 || $0.0 == "organization" }
            .map { "\($0.1) \($0.0)\($0.1 == 1 ? "" : "s")" }.joined(separator: ", ")
        out += "\(state.documentCount) documents: \(summary)\n"
        let errors = diagnostics.errorCount, warnings = diagnostics.warningCount
        out += "\(isValid ? "valid" : "invalid"): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
        return out
    }

    /// One credential of `validate --credentials`: decrypted (shown by fingerprint) or not.
    public struct CredentialCheck: Sendable {
        public let integration: String
        public let name: String
        public let reference: String
        /// The fingerprint when it decrypted, else nil.
        public let fingerprint: String?
        /// Why it did not (never a value).
        public let error: String?

        public init(integration: String, name: String, reference: String, fingerprint: String?, error: String?) {
            self.integration = integration
            self.name = name
            self.reference = reference
            self.fingerprint = fingerprint
            self.error = error
        }
    }

    /// `credentials`: the checks of `--credentials`, when asked; a failed one makes the config
    /// invalid, in JSON as in text.
    public func renderJSON(credentials: [CredentialCheck]? = nil) -> String {
        let credentialsFailed = credentials?.contains { $0.error != nil } ?? false
        var object: [String: Any] = [
            "schema": Self.schema,
            "valid": isValid && !credentialsFailed,
            "source": [
                "repository": source.repository,
                "commit": source.commit,
                "ref": source.refName as Any? ?? NSNull(),
                "root": source.root,
                "worktree": source.fromWorktree,
            ] as [String: Any],
            "summary": [
                "documents": state.documentCount,
                "errors": diagnostics.errorCount,
                "warnings": diagnostics.warningCount,
                "organizations": state.organization == nil ? 0 : 1,
                "establishments": state.establishments.count,
                "services": state.services.count,
                "products": state.products.count,
                "offers": state.offers.count,
                "integrations": state.integrations.count,
                "encryptedFiles": state.encryptedFiles.count,
            ],
        ]
        if let credentials {
            object["credentials"] = credentials.map { check -> [String: Any] in
                [
                    "integration": check.integration, "name": check.name, "reference": check.reference,
                    "decrypted": check.error == nil, "fingerprint": check.fingerprint as Any? ?? NSNull(),
                    "error": check.error.map { SecretScanner.redact($0) } as Any? ?? NSNull(),
                ]
            }
        }
        object["diagnostics"] = diagnostics.map { d -> [String: Any] in
            [
                "severity": d.severity.rawValue, "code": d.code.rawValue, "file": d.location.file,
                "line": d.location.line, "column": d.location.column, "message": d.message,
                "hint": d.hint as Any? ?? NSNull(),
            ]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
