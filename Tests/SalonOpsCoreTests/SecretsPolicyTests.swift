import Foundation
import Testing
@testable import SalonOpsCore
import SalonOpsProviders

/// validate's checks of encrypted files against `.sops.yaml`, and of `rotateAfter`, without keys.
@Suite struct SecretsPolicyTests {
    static let integration = """
        apiVersion: salonops.io/v1
        kind: Integration
        metadata:
          name: stripe
        spec:
          provider: stripe
          enabled: true
          credentials:
            secretKey:
              secret: secrets/stripe.sops.yaml#stripe.secret_key
              rotateAfter: 90d
        """

    static func encrypted(recipients: [String], lastModified: String = "2026-01-01T00:00:00Z") -> String {
        """
        stripe:
            secret_key: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]
        sops:
            age:
        \(recipients.map { "        - recipient: \($0)\n          enc: x" }.joined(separator: "\n"))
            lastmodified: "\(lastModified)"
            mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]
            version: 3.11.0
        """
    }

    static func load(rules: String?, recipients: [String], now: Date) -> LoadResult {
        var files = [
            Fixtures.file("organization.yaml", Fixtures.organization), Fixtures.file("stripe.yaml", integration),
            Fixtures.file("secrets/stripe.sops.yaml", encrypted(recipients: recipients)),
        ]
        if let rules { files.append(Fixtures.file(".sops.yaml", rules)) }
        return ConfigLoader.load(files, catalog: Registry.catalog, now: now)
    }

    static let written = ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z")!
    static let rules = "creation_rules:\n  - path_regex: secrets/.*\n    age: age1aaa, age1bbb\n"

    @Test func matchingRecipientsAndAFreshKeyGiveNothing() {
        let result = Self.load(rules: Self.rules, recipients: ["age1bbb", "age1aaa"], now: Self.written.addingTimeInterval(89 * 86_400))
        #expect(result.diagnostics.isEmpty, "\(Fixtures.lines(result))")
    }

    @Test func anOverdueKeyIsAWarning() {
        let result = Self.load(rules: Self.rules, recipients: ["age1aaa", "age1bbb"], now: Self.written.addingTimeInterval(91 * 86_400))
        #expect(
            Fixtures.lines(result) == [
                "stripe.yaml:10:15: warning: Integration 'stripe' credential 'secretKey' is due for rotation: 'secrets/stripe.sops.yaml' was last written on 2026-01-01, more than rotateAfter (90d) ago [rotation-due]"
            ])
        #expect(!result.hasErrors)
    }

    @Test func recipientsOtherThanTheRulesAreAnError() {
        let result = Self.load(rules: Self.rules, recipients: ["age1aaa"], now: Self.written)
        #expect(
            Fixtures.lines(result) == [
                "secrets/stripe.sops.yaml:1:1: error: 'secrets/stripe.sops.yaml' lacks age1bbb compared with the rule at .sops.yaml:2:5 [recipients-mismatch]"
            ])
    }

    @Test func aFileNoRuleMatchesIsAWarningAndBadRulesAreErrors() {
        let unmatched = Self.load(rules: "creation_rules:\n  - path_regex: other/.*\n    age: age1aaa\n", recipients: ["age1aaa"], now: Self.written)
        #expect(Fixtures.lines(unmatched) == ["secrets/stripe.sops.yaml:1:1: warning: no creation rule in '.sops.yaml' matches 'secrets/stripe.sops.yaml' [recipients-mismatch]"])
        let noList = Self.load(rules: "rules: []\n", recipients: ["age1aaa"], now: Self.written)
        #expect(Fixtures.lines(noList) == [".sops.yaml:1:1: error: .sops.yaml has no creation_rules list (it has 'rules', which sops ignores) [sops-rules]"])
        let badRegex = Self.load(rules: "creation_rules:\n  - path_regex: '(['\n    age: age1aaa\n", recipients: ["age1aaa"], now: Self.written)
        #expect(Fixtures.lines(badRegex) == [".sops.yaml:2:17: error: path_regex '([' is not a valid regular expression [sops-rules]"])
    }

    /// A misspelt field (`agee:`) once gave a recipient error for every encrypted file, with the
    /// wrong remedy: now one error, where it is written, and no comparison with a rule not read.
    @Test func anUnknownFieldInARuleIsReportedOnceWhereItIs() {
        let result = Self.load(rules: "creation_rules:\n  - path_regex: secrets/.*\n    agee: age1aaa\n", recipients: ["age1aaa"], now: Self.written)
        #expect(Fixtures.lines(result) == [".sops.yaml:3:5: error: unknown field 'agee' in a creation rule of .sops.yaml; did you mean 'age'? [sops-rules]"])
        let top = Self.load(rules: "creation_rules:\n  - age: age1aaa\nstore: {}\n", recipients: ["age1aaa"], now: Self.written)
        #expect(Fixtures.lines(top) == [".sops.yaml:3:1: error: unknown field 'store' in .sops.yaml; did you mean 'stores'? [sops-rules]"])
    }
}
