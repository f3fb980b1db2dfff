import Foundation
import SalonOpsEngine
import SalonOpsProviderTesting
import Testing

/// Google Business Profile through the shared contract suite, against its emulator. Locations
/// are bound, never created or deleted: the first apply updates them, and the suite's orphan,
/// prune, adoption and duplicate flows do not apply (a listing SalonOps does not bind is the
/// account's, counted as unmanaged).
struct GoogleBusinessProfileFixture: ContractFixture {
    let provider = "google-business-profile"
    let integration = "google-business-profile"
    let replaces = false  // every block of a location can change in place
    let integrationFile = "integrations/google-business-profile.yaml"
    let boundKinds: Set<String> = ["location"]

    var credentials: [String: [String: String]] { ["google-business-profile": GoogleBusinessProfilePeer.credentials] }

    func options(_ variant: ContractVariant) -> [String: [String: String]] {
        variant == .large ? ["google-business-profile": ["pageSize": "2"]] : [:]
    }

    static func establishment(_ name: String, thursday: String, closures: [String]) -> String {
        """
        apiVersion: salonops.io/v1
        kind: Establishment
        metadata: {name: \(name)}
        spec:
          displayName: Salon \(name)
          timezone: Europe/Paris
          address: {street: 1 rue de la Paix, postalCode: "75011", city: Paris, country: FR}
          phone: "+33199001142"
          website: https://www.belle-epoque.example/\(name)
          hours:
            tuesday: ["10:00-13:00", "14:00-19:00"]
            thursday: ["\(thursday)"]
            saturday: ["09:30-24:00"]
          closures:
        \(closures.map { "    - \($0)" }.joined(separator: "\n"))
        """
    }

    static func integration(_ establishments: [String], drift: String) -> String {
        let ids = establishments.enumerated().map { "      \($0.element): \"\(GoogleBusinessProfilePeer.locationIDs[$0.offset])\"" }.joined(separator: "\n")
        return """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: google-business-profile}
            spec:
              provider: google-business-profile
              enabled: true
              credentials:
                clientId: {secret: "secrets/gbp.sops.yaml#gbp.client_id"}
                clientSecret: {secret: "secrets/gbp.sops.yaml#gbp.client_secret"}
                refreshToken: {secret: "secrets/gbp.sops.yaml#gbp.refresh_token"}
              settings:
                accountId: \(GoogleBusinessProfilePeer.account)
                locationIds:
            \(ids)
                publishPhone: true
                publishWebsite: true
              drift: \(drift)
            """
    }

    func files(_ variant: ContractVariant) -> [String: String] {
        var thursday = "10:00-21:00", closures = ["{date: 2026-12-25, reason: Noël}", "{from: 2027-08-09, to: 2027-08-12, reason: Été}"]
        var names = ["paris", "lyon"]
        var drift = "correct"
        switch variant {
        case .base, .adopting, .smaller: break
        case .changed:
            thursday = "10:00-20:00"
            closures.append("{date: 2027-05-01}")
        case .large: names = ["paris", "lyon", "bordeaux", "lille", "nantes"]
        case .drift(let mode): drift = mode
        }
        var files = [
            "organization.yaml": EngineFixtures.organization, integrationFile: Self.integration(names, drift: drift),
            "secrets/gbp.sops.yaml": EngineFixtures.encryptedOutline("gbp", "client_id", "client_secret", "refresh_token"),
        ]
        for name in names { files["establishments/\(name).yaml"] = Self.establishment(name, thursday: thursday, closures: closures) }
        return files
    }

    func start(faults: String?, seed: UInt64?) async throws -> GoogleBusinessProfilePeer { try await GoogleBusinessProfilePeer.start(faults: faults, seed: seed ?? 11) }

    /// The owner changes Paris' hours in Business Profile.
    func drift(_ peer: GoogleBusinessProfilePeer) async throws -> (kind: String, key: String, field: String) {
        let location = GoogleBusinessProfilePeer.locationIDs[0]
        let body: [String: Any] = [
            "regularHours": ["periods": [["openDay": "MONDAY", "openTime": ["hours": 9], "closeDay": "MONDAY", "closeTime": ["hours": 12]]]]
        ]
        let reply = try await peer.api(.PATCH, "/v1/\(location)?updateMask=regularHours", body)
        try #require(reply.status == 200, "\(reply.body)")
        return ("location", "paris", "regularHours")
    }

    /// Locations carrying this config's markers in their labels.
    func owned(_ peer: GoogleBusinessProfilePeer) async throws -> [String: Int] {
        let marked = try await peer.locations().filter { (($0["labels"] as? [String]) ?? []).contains("salonops_owner=belle-epoque") }
        return marked.isEmpty ? [:] : ["location": marked.count]
    }
}

@Suite(.serialized) struct GoogleBusinessProfileContractTests {
    let suite = ContractSuite(GoogleBusinessProfileFixture())

    @Test func updatesEachLocationThenNothingToDo() async throws { try await suite.createThenNothingToDo() }
    @Test func updateInPlace() async throws { try await suite.updateAndReplace() }
    @Test func driftIsFoundAndCorrected() async throws { try await suite.driftIsFoundAndCorrected() }
    @Test func safetyThresholdsRefuseUnlessForced() async throws { try await suite.safetyThresholdsRefuseUnlessForced() }
    /// Throttling as Business Profile answers it (429 `RESOURCE_EXHAUSTED`) and outages: a PATCH
    /// with the same mask and body is safe to send again.
    @Test func faultsConvergeWithoutDuplicates() async throws { try await suite.faultsConvergeWithoutDuplicates("429=0.2,503=0.1") }
    @Test func pagesThroughLargeCollections() async throws { try await suite.pagesThroughLargeCollections() }
    @Test func aScopedRunReadsOnlyItsEstablishment() async throws { try await suite.aScopedRunReadsOnlyItsEstablishment() }
    @Test func convergesInOneRunUnderAStormOfFaults() async throws {
        let retries = try await suite.convergesInOneRunUnderAStorm("429=0.2,503=0.2,reset=0.02,slow=0.2", seeds: Array(1...10))
        #expect(retries.count == 10 && retries.values.allSatisfy { $0.sent > 0 }, "\(retries)")
    }
}
