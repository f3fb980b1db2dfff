import SalonOpsYAML

/// Where something sits in the config repository: a repository-relative path and a 1-based line
/// and column, as editors and CI annotations expect.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

extension SourceLocation {
    public init(_ exceeded: YAMLLimitExceeded, file: String) {
        self.init(file: file, line: exceeded.line, column: exceeded.column)
    }
}

public enum Severity: String, Sendable, Codable, Comparable {
    case error
    case warning

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .error && rhs == .warning
    }
}

/// Stable identifiers for each class of problem; part of the versioned JSON output.
public enum DiagnosticCode: String, Sendable, Codable, CaseIterable {
    case yamlSyntax = "yaml-syntax"
    case yamlLimit = "yaml-limit"
    case duplicateKey = "duplicate-key"
    case encoding = "encoding"
    case notAMapping = "not-a-mapping"
    case apiVersion = "api-version"
    case unknownKind = "unknown-kind"
    case unknownField = "unknown-field"
    case missingField = "missing-field"
    case wrongType = "wrong-type"
    case invalidName = "invalid-name"
    case invalidValue = "invalid-value"
    case duplicateName = "duplicate-name"
    case organizationCount = "organization-count"
    case danglingReference = "dangling-reference"
    case unknownProvider = "unknown-provider"
    case hoursInverted = "hours-inverted"
    case hoursOverlap = "hours-overlap"
    case closureInverted = "closure-inverted"
    case invalidMoney = "invalid-money"
    case invalidDuration = "invalid-duration"
    case invalidTimezone = "invalid-timezone"
    case invalidPercent = "invalid-percent"
    case invalidDate = "invalid-date"
    case plaintextCredential = "plaintext-credential"
    case secretInPlaintext = "secret-in-plaintext"
    case credentialFileMissing = "credential-file-missing"
    case credentialKeyMissing = "credential-key-missing"
    case credentialNotEncrypted = "credential-not-encrypted"
    case missingCredential = "missing-credential"
    case emptyCatalogue = "empty-catalogue"
    case noOpeningHours = "no-opening-hours"
    case sopsRules = "sops-rules"
    case recipientsMismatch = "recipients-mismatch"
    case rotationDue = "rotation-due"
    case unknownIgnorePath = "unknown-ignore-path"
    case providerRule = "provider-rule"
    case referencesUnchecked = "references-unchecked"
    case unsafeEndpoint = "unsafe-endpoint"
    case sharedAccount = "shared-account"
    case symbolicLink = "symbolic-link"
}

/// One finding of `validate`: what is wrong, where, and how to fix it.
public struct Diagnostic: Sendable, Hashable {
    public let severity: Severity
    public let code: DiagnosticCode
    public let location: SourceLocation
    public let message: String
    public let hint: String?
    /// A name looked for and not found (a reference, the Organization): possibly declared in a
    /// file that did not parse, so held back while one does not.
    public let mayBeCausedByAnUnreadableFile: Bool

    public init(
        _ severity: Severity, _ code: DiagnosticCode, at location: SourceLocation, _ message: String, hint: String? = nil, unresolvedName: Bool = false
    ) {
        self.mayBeCausedByAnUnreadableFile = unresolvedName
        self.severity = severity
        self.code = code
        self.location = location
        // The one choke point: whatever a check quoted, a credential never reaches output.
        self.message = SecretScanner.redact(message, randomTokens: true)
        self.hint = hint.map { SecretScanner.redact($0, randomTokens: true) }
    }

    /// The compiler-style line: `file:line:col: error: message`.
    public var headline: String {
        "\(location): \(severity.rawValue): \(message)"
    }
}

extension Array where Element == Diagnostic {
    public var errorCount: Int { filter { $0.severity == .error }.count }
    public var warningCount: Int { filter { $0.severity == .warning }.count }

    /// Stable order for output: by file, line, column, then errors first.
    public func sortedForOutput() -> [Diagnostic] {
        sorted { a, b in
            if a.location != b.location { return a.location < b.location }
            if a.severity != b.severity { return a.severity < b.severity }
            return a.message < b.message
        }
    }
}

/// Collects diagnostics for one file (or one cross-file pass); not shared between threads.
public final class DiagnosticSink {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func error(_ code: DiagnosticCode, at location: SourceLocation, _ message: String, hint: String? = nil, unresolvedName: Bool = false) {
        diagnostics.append(Diagnostic(.error, code, at: location, message, hint: hint, unresolvedName: unresolvedName))
    }

    public func warning(_ code: DiagnosticCode, at location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, code, at: location, message, hint: hint))
    }

    public func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }
}
