import Foundation
import SalonOpsProviders
import Testing
@testable import SalonOpsCore

/// Where credentials may go: `endpoint:` in the config (checked by validate), `--endpoint` and
/// `--sandbox` (checked by the CLI with the same policy, see ReconcileCommandTests).
@Suite struct EndpointPolicyTests {
    static let stripe = ["api.stripe.com"]

    @Test(arguments: [
        "https://api.stripe.com", "https://files.stripe.com/v1", "http://127.0.0.1:12111", "http://localhost:8080/stripe/api",
        "http://[::1]:9000", "https://stripe-mock.localhost", "https://sandbox.example.net",
    ])
    func safeEndpointsAreAllowed(url: String) {
        #expect(EndpointPolicy.problem(url, officialHosts: Self.stripe) == nil)
    }

    @Test(arguments: [
        ("http://192.0.2.10:8080", "plain http to 192.0.2.10"),
        ("http://api.stripe.com", "plain http to api.stripe.com"),
        ("https://ops:s3cret@127.0.0.1:9/", "carries a user name or password"),
        ("https://token@api.stripe.com", "carries a user name or password"),
        ("https://api.stripe.com.example.net", "looks like api.stripe.com"),
        ("https://stripe-api.com", "looks like api.stripe.com"),
        ("https://api.strlpe.com", "looks like api.stripe.com"),
        ("https://api.stripe.co", "looks like api.stripe.com"),
        ("ftp://api.stripe.com", "is not an http(s) URL"),
    ])
    func unsafeEndpointsAreRefusedWithTheFix(url: String, says: String) throws {
        let problem = try #require(EndpointPolicy.problem(url, officialHosts: Self.stripe))
        #expect(problem.message.contains(says), "\(problem)")
        #expect(!problem.message.contains("s3cret") && !problem.hint.contains("s3cret"))
        #expect(!problem.hint.isEmpty)
    }

    static func integration(_ name: String, endpoint: String? = nil, key: String = "secrets/stripe.sops.yaml#stripe.secret_key", extra: String = "") -> String {
        """
        apiVersion: salonops.io/v1
        kind: Integration
        metadata: {name: \(name)}
        spec:
          provider: stripe
          enabled: true
          credentials:
            secretKey: {secret: "\(key)"}
        \(endpoint.map { "  endpoint: \"\($0)\"" } ?? "")\(extra)
        """
    }

    @Test func validateRefusesAnUnsafeEndpointWhereItIsWritten() throws {
        let result = Fixtures.load(["o.yaml": Fixtures.organization, "stripe.yaml": Self.integration("stripe", endpoint: "http://pay:pw@203.0.113.5/")])
        let error = try #require(result.diagnostics.first { $0.code == .unsafeEndpoint })
        #expect(error.location.description == "stripe.yaml:9:13")
        #expect(error.message.contains("carries a user name or password"))
        #expect(!error.message.contains("pw@"))
        let lookAlike = Fixtures.load(["o.yaml": Fixtures.organization, "stripe.yaml": Self.integration("stripe", endpoint: "https://api-stripe.com")])
        #expect(lookAlike.diagnostics.first { $0.code == .unsafeEndpoint }?.message.contains("looks like api.stripe.com") == true)
    }

    /// Two Integrations on one account undo each other on every run: an error, unless their
    /// credentials (or, for Google Calendar, the delegated user) say they are different accounts.
    @Test func twoIntegrationsOnOneAccountAreAnError() throws {
        let same = Fixtures.load([
            "o.yaml": Fixtures.organization, "a.yaml": Self.integration("stripe-paris"), "b.yaml": Self.integration("stripe-lyon"),
        ])
        let error = try #require(same.diagnostics.first { $0.code == .sharedAccount })
        #expect(error.location.file == "b.yaml")
        #expect(error.message.contains("Integration 'stripe-lyon' manages the same Stripe account as 'stripe-paris' (a.yaml:3:18)"))
        #expect(error.hint?.contains("merge them into one Integration") == true)

        let apart = Fixtures.load([
            "o.yaml": Fixtures.organization, "a.yaml": Self.integration("stripe-paris"),
            "b.yaml": Self.integration("stripe-lyon", key: "secrets/stripe.sops.yaml#lyon.secret_key"),
        ])
        #expect(!apart.diagnostics.contains { $0.code == .sharedAccount })
        let disabled = Fixtures.load([
            "o.yaml": Fixtures.organization, "a.yaml": Self.integration("stripe-paris"),
            "b.yaml": Self.integration("stripe-lyon").replacingOccurrences(of: "enabled: true", with: "enabled: false"),
        ])
        #expect(!disabled.diagnostics.contains { $0.code == .sharedAccount })
    }

    @Test func googleCalendarAccountsAreTheirDelegatedUsers() {
        func calendar(_ name: String, user: String) -> String {
            """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: \(name)}
            spec:
              provider: google-calendar
              enabled: true
              credentials:
                serviceAccountKey: {secret: "secrets/google.sops.yaml#key"}
              settings: {delegatedUser: \(user)}
            """
        }
        let apart = Fixtures.load(["o.yaml": Fixtures.organization, "a.yaml": calendar("a", user: "paris@salon.fr"), "b.yaml": calendar("b", user: "lyon@salon.fr")])
        #expect(!apart.diagnostics.contains { $0.code == .sharedAccount })
        let same = Fixtures.load(["o.yaml": Fixtures.organization, "a.yaml": calendar("a", user: "paris@salon.fr"), "b.yaml": calendar("b", user: "paris@salon.fr")])
        #expect(same.diagnostics.first { $0.code == .sharedAccount }?.hint?.contains("set delegatedUser to the account each one manages") == true)
    }
}
