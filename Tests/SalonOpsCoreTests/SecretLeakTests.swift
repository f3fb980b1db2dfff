import Testing
@testable import SalonOpsCore

/// Canary secrets planted in every place a value can be written; none may reach a message.
@Suite struct SecretLeakTests {
    static let canaries = [
        "sk_live_CANARYc4n4ryC4N4RYcanary0001",
        "rk_live_CANARYc4n4ryC4N4RYcanary0002",
        "whsec_CANARYc4n4ryC4N4RYcanary0003",
        "xkeysib-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-CANARY0004abcdef",
        "1//0CANARYc4n4ryC4N4RYcanary0005-abcdefghijklmnop",
        "shpat_0123456789abcdef0123456789abcdef",
        "AGE-SECRET-KEY-1CANARYC4N4RYCANARYC4N4RYCANARYC4N4RYCANARYC4N4RYCANARY6",
    ]

    static let stripeHeader = "apiVersion: salonops.io/v1\nkind: Integration\nmetadata: {name: stripe}\nspec:\n  provider: stripe\n"

    /// No diagnostic, and neither rendering of the report, carries `canary`.
    static func expectNotQuoted(_ canary: String, in result: LoadResult, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for diagnostic in result.diagnostics {
            #expect(
                !diagnostic.message.contains(canary) && !(diagnostic.hint ?? "").contains(canary), "leaked in \(diagnostic.headline)", sourceLocation: sourceLocation)
        }
        let report = ValidationReport(source: .init(repository: ".", commit: String(repeating: "0", count: 40), refName: nil, root: "", fromWorktree: false), result: result)
        #expect(!report.renderText().contains(canary), sourceLocation: sourceLocation)
        #expect(!report.renderJSON().contains(canary), sourceLocation: sourceLocation)
    }

    @Test(arguments: canaries)
    func aCanaryNeverAppearsInDiagnostics(canary: String) {
        let integration =
            Self.stripeHeader + """
                  enabled: \(canary)
                  credentials:
                    secretKey: \(canary)
                  settings:
                    statementDescriptor: \(canary)
                    webhook: {url: \(canary)}
                # \(canary)
                """
        let sops = "stripe:\n    key_unencrypted: \(canary)\nsops:\n    version: 3.11.0\n"
        let result = Fixtures.load(["o.yaml": Fixtures.organization, "stripe.yaml": integration, "secrets/s.sops.yaml": sops])
        #expect(result.hasErrors)
        #expect(result.diagnostics.contains { $0.code == .secretInPlaintext })
        #expect(result.diagnostics.contains { $0.code == .plaintextCredential })
        Self.expectNotQuoted(canary, in: result)
    }

    /// Credentials of providers the scanner has no pattern for: a random API token, an AWS key,
    /// a base64 secret. Planted where a value is quoted back: a `secret:` written as a literal,
    /// a key used as a field name (unknown field), a token given to a boolean field (wrong
    /// type), a name, a reference, a setting, an establishment list; none reaches a message.
    static let randomCanaries = [
        "Qx7vT2mK9pL4wZ8rN3bY6cF1hJ5dS0aE", "AKIAIOSFODNN7CANARY1", "pk_CANARY_9fK2mQ7xL4pW8zR3", "dGhpcy1pcy1hLXNlY3JldC1DQU5BUlktOTk5OTk5OTk=",
    ]

    @Test(arguments: randomCanaries)
    func aCredentialOfAnyShapeIsNeverQuotedBack(canary: String) {
        let integration =
            Self.stripeHeader + """
                  enabled: \(canary)
                  prune: \(canary)
                  establishments: [\(canary)]
                  credentials:
                    secretKey: {secret: \(canary)}
                    other: {secret: "secrets/\(canary).sops.yaml#\(canary)"}
                  \(canary): true
                  settings:
                    \(canary): x
                ---
                apiVersion: salonops.io/v1
                kind: \(canary)
                metadata: {name: \(canary)}
                """
        let result = Fixtures.load(["o.yaml": Fixtures.organization, "stripe.yaml": integration])
        #expect(result.diagnostics.errorCount >= 5, "\(Fixtures.lines(result))")
        Self.expectNotQuoted(canary, in: result)
    }

    /// What a config's messages quote and must stay readable: names, paths, commit ids, fields.
    @Test(arguments: [
        "secrets/stripe.sops.yaml#stripe.secret_key", "6dbce8942f4c2f4a9d0f1b3e6c7a8b9d0e1f2a3b", "paris-11-belle-epoque-oberkampf",
        "calendarPerStaffAndRoomSettings", "https://example.fr/webhooks/stripe/2026-12-01", "soin-visage-hydratant-75-minutes",
    ])
    func wordsIdsAndPathsAreStillQuoted(text: String) {
        #expect(SecretScanner.redact(text, randomTokens: true) == text)
        #expect(!SecretScanner.mustNotQuote(text))
    }

    @Test func scannerFindsKeysButNotLookAlikes() {
        #expect(SecretScanner.looksSecret("sk_live_abcdefghijklmnop1234"))
        #expect(!SecretScanner.looksSecret("sk_live_short"))
        #expect(!SecretScanner.looksSecret("desk_live_abcdefghijklmnop1234"))
        #expect(!SecretScanner.looksSecret("https://example.fr/webhooks/stripe"))
        #expect(!SecretScanner.looksSecret("-----BEGIN CERTIFICATE-----"))
        #expect(SecretScanner.looksSecret("-----BEGIN RSA PRIVATE KEY-----"))
        // A lone 32-hex value is not a Twilio token unless an account SID is next to it.
        #expect(!SecretScanner.looksSecret("0123456789abcdef0123456789abcdef"))
        #expect(SecretScanner.looksSecret("AC0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef"))
    }
}
