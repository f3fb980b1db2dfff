import AsyncHTTPClient
import Foundation
import SalonOpsCore
import SalonOpsSecrets
import SalonOpsTestSupport
import SalonOpsEngine
import SalonOpsProviders

/// A small salon config, in memory, and the helpers to reconcile it against a Stripe peer.
public enum EngineFixtures {
    public static let organization = """
        apiVersion: salonops.io/v1
        kind: Organization
        metadata: {name: belle-epoque}
        spec:
          displayName: Belle Époque
        """

    public static func establishment(_ name: String, _ display: String, overrides: String = "") -> String {
        """
        apiVersion: salonops.io/v1
        kind: Establishment
        metadata: {name: \(name)}
        spec:
          displayName: \(display)
          address: {street: 1 rue de la Paix, postalCode: "75011", city: Paris, country: FR}
          hours:
            monday: ["10:00-19:00"]
        \(overrides)
        """
    }

    public static func service(_ name: String, _ display: String, price: String, vat: String = "20%") -> String {
        """
        apiVersion: salonops.io/v1
        kind: Service
        metadata: {name: \(name)}
        spec:
          displayName: \(display)
          category: soins-visage
          duration: 60m
          price: "\(price)"
          vatRate: "\(vat)"
        """
    }

    public static let offers = """
        apiVersion: salonops.io/v1
        kind: Offer
        metadata: {name: bienvenue}
        spec:
          displayName: Bienvenue -15 %
          type: promotion
          discount: "15%"
          appliesTo: {services: [soin-visage]}
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata: {name: abonnement-eclat}
        spec:
          displayName: Abonnement Éclat
          type: membership
          price: "49.00 EUR"
          recurring: monthly
          includes:
            - {service: soin-visage}
        """

    public static func integration(drift: String = "correct", prune: Bool = false, adopt: Bool = false, webhook: Bool = true, extra: String = "") -> String {
        """
        apiVersion: salonops.io/v1
        kind: Integration
        metadata: {name: stripe}
        spec:
          provider: stripe
          enabled: true
          establishments: all
          credentials:
            secretKey: {secret: "secrets/stripe.sops.yaml#stripe.secret_key"}
          drift: \(drift)
          prune: \(prune)
          adopt: \(adopt)
        \(webhook ? "  settings:\n    webhook:\n      url: https://app.example/webhooks/stripe\n      events: [checkout.session.completed, charge.refunded]" : "")
        \(extra)
        """
    }

    /// The outline of an encrypted file holding `section.<key>` for each key (what validate reads
    /// with no key).
    public static func encryptedOutline(_ section: String, _ keys: String...) -> String {
        """
        \(section):
        \(keys.map { "    \($0): ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]" }.joined(separator: "\n"))
        sops:
            lastmodified: "2026-11-01T00:00:00Z"
            mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]
            version: 3.11.0
        """
    }

    public static let encryptedOutline = encryptedOutline("stripe", "secret_key")

    /// The files of the config, overridable one by one.
    public static func files(services: [String]? = nil, integration: String? = nil, paris: String = "") -> [String: String] {
        var files = [
            "organization.yaml": organization,
            "establishments/paris-11.yaml": establishment("paris-11", "Paris 11", overrides: paris),
            "establishments/lyon-2.yaml": establishment("lyon-2", "Lyon 2"),
            "offers.yaml": offers,
            "integrations/stripe.yaml": integration ?? Self.integration(),
            "secrets/stripe.sops.yaml": encryptedOutline,
        ]
        let services =
            services ?? [
                service("soin-visage", "Soin visage 60 min", price: "65.00 EUR"),
                service("epilation-jambes", "Épilation jambes", price: "30.00 EUR", vat: "20%"),
                service("massage", "Massage relaxant", price: "80.00 EUR", vat: "10%"),
            ]
        files["services.yaml"] = services.joined(separator: "\n---\n")
        return files
    }

    public static func state(_ files: [String: String]) throws -> DesiredState {
        let result = ConfigLoader.load(files.map { ConfigFile(path: $0.key, repositoryPath: $0.key, contents: Array($0.value.utf8)) }, catalog: Registry.catalog)
        let errors = result.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw FixtureError(message: errors.map(\.headline).joined(separator: "\n")) }
        return result.state
    }

    public struct FixtureError: Error, CustomStringConvertible { public let message: String; public var description: String { message } }

    public static let apiKey = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"

    /// Fast retries, generous rates: tests exercise the logic, the benchmark the pacing.
    public static let testLimits = EngineLimits(runDeadline: .seconds(120), retry: RetryPolicy(baseDelay: .milliseconds(5), maxDelay: .milliseconds(100)))

    /// An engine for one config against peers: `endpoints` per provider (`stripe=URL`), decrypted
    /// credentials given directly, connect options for partial peers.
    public static func reconciler(
        _ state: DesiredState, endpoints: Endpoints, client: HTTPClient, credentials: [String: [String: String]],
        options: [String: [String: String]] = [:], stateDirectory: String? = nil, retireDuplicates: Bool = false, previous: DesiredState? = nil
    ) async -> Reconciler {
        let secrets = credentials.mapValues { $0.mapValues { Secret(Array($0.utf8), fingerprintKey: Array("test fingerprint key".utf8)) } }
        // The ledger lives in the state directory: a scratch one unless the test keeps its own.
        let directory = stateDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("engine-state-\(UUID().uuidString)").path
        let ledger = Ledger(stateDirectory: directory, scope: "test")
        return await Reconciler(
            state: state, commit: String(repeating: "a", count: 40), repository: "test", providers: Registry.providers,
            endpoints: endpoints, client: client, credentials: secrets, credentialErrors: [:], limiters: RateLimiterRegistry(),
            limits: testLimits, options: options, ledger: ledger, retireDuplicates: retireDuplicates, previous: previous)
    }

    /// The Stripe-only fixture's engine (`managed`: the kinds a partial peer has).
    public static func reconciler(_ state: DesiredState, stripeURL: String, client: HTTPClient, managed: Set<String>? = nil) async -> Reconciler {
        let options = managed.map { ["stripe": ["kinds": $0.sorted().joined(separator: ","), "omit": "coupon.name"]] } ?? [:]
        return await reconciler(
            state, endpoints: Endpoints(overrides: ["stripe": stripeURL]), client: client,
            credentials: ["stripe": ["secretKey": apiKey]], options: options)
    }
}
