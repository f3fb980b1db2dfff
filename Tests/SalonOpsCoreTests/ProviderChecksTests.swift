import Foundation
import SalonOpsProviders
import Testing
@testable import SalonOpsCore

/// What only a provider knows is checked by `validate` before any call: `ignore:` paths name
/// its kinds and fields, and its own rules run with locations and hints.
@Suite struct ProviderChecksTests {
    func load(ignore: String, extra: String = "") -> LoadResult {
        Fixtures.load([
            "organization.yaml": Fixtures.organization,
            "integration.yaml": """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: stripe}
            spec:
              provider: stripe
              enabled: false
              ignore: [\(ignore)]
            \(extra)
            """,
        ])
    }

    @Test func anIgnoreOfAKindTheProviderHasNotIsAnErrorAtItsPlace() {
        let result = load(ignore: "prodcut.name")
        let error = result.diagnostics.first { $0.code == .unknownIgnorePath }
        #expect(error?.severity == .error)
        #expect(error?.message.contains("Stripe has no resource kind 'prodcut'; did you mean 'product'?") == true, "\(String(describing: error))")
        #expect(error?.location.file == "integration.yaml" && error?.location.line == 7)
    }

    @Test func anIgnoreOfAFieldSalonOpsDoesNotManageIsAWarning() {
        let result = load(ignore: "product.images")
        let warning = result.diagnostics.first { $0.code == .unknownIgnorePath }
        #expect(warning?.severity == .warning)
        #expect(warning?.message.contains("has no effect") == true)
        #expect(!result.hasErrors)
    }

    @Test func knownPathsAndWholeKindsAreAccepted() {
        #expect(!load(ignore: "product.description, price, product.metadata.category").diagnostics.contains { $0.code == .unknownIgnorePath })
    }

    @Test func aProvidersOwnRuleRunsOnItsIntegration() {
        // Google Calendar warns when room calendars would be visible to the delegated user only.
        let result = Fixtures.load([
            "organization.yaml": Fixtures.organization,
            "establishment.yaml": """
            apiVersion: salonops.io/v1
            kind: Establishment
            metadata: {name: paris-11}
            spec:
              displayName: Paris 11
              address: {street: 1 rue de la Paix, postalCode: "75011", city: Paris, country: FR}
              hours: {monday: ["10:00-19:00"]}
              rooms: [{name: cabine-1}]
            """,
            "integration.yaml": """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: google-calendar}
            spec:
              provider: google-calendar
              enabled: true
              credentials:
                serviceAccountKey: {secret: "secrets/google.sops.yaml#google.key"}
              settings:
                delegatedUser: agendas@salon.example
            """,
        ])
        let rule = result.diagnostics.first { $0.code == .providerRule }
        #expect(rule?.severity == .warning)
        #expect(rule?.message.contains("room calendar(s) would be visible to the delegated user only") == true, "\(result.diagnostics.map(\.headline))")
        #expect(rule?.hint?.contains("readerGroup") == true)
    }
}
