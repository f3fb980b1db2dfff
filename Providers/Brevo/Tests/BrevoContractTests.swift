import Foundation
import SalonOpsEngine
import SalonOpsProviderTesting
import Testing

/// Brevo through the shared contract suite, against its emulator.
struct BrevoFixture: ContractFixture {
    let provider = "brevo"
    let integration = "brevo"
    /// A webhook whose events move from transactional to marketing changes its type.
    let replaces = true
    let integrationFile = "integrations/brevo.yaml"
    static let sender = "bonjour@belle-epoque.example"
    static let hook = "https://hooks.belle-epoque.example/brevo"

    var credentials: [String: [String: String]] { ["brevo": ["apiKey": BrevoPeer.apiKey]] }

    func options(_ variant: ContractVariant) -> [String: [String: String]] {
        variant == .large ? ["brevo": ["pageSize": "2"]] : [:]
    }

    static func integration(lists: [String], senderName: String, events: [String]?, drift: String = "correct", prune: Bool = false, adopt: Bool = false) -> String {
        let webhook = events.map { "\n    webhook:\n      url: \(hook)\n      events: [\($0.joined(separator: ", "))]" } ?? ""
        return """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: brevo}
            spec:
              provider: brevo
              enabled: true
              credentials:
                apiKey: {secret: "secrets/brevo.sops.yaml#brevo.api_key"}
              drift: \(drift)
              prune: \(prune)
              adopt: \(adopt)
              settings:
                sender: {name: \(senderName), email: \(sender)}
                contactLists: [\(lists.joined(separator: ", "))]
                smsSender: BELLEEPOQUE\(webhook)
            """
    }

    func files(_ variant: ContractVariant) -> [String: String] {
        var lists = ["newsletter", "clientes-fideles"], name = "Belle Époque"
        var events: [String]? = ["delivered", "hardBounce", "softBounce"]
        var drift = "correct", prune = false, adopt = false
        switch variant {
        case .base: break
        case .changed:
            name = "Belle Époque Instituts"
            // listAddition is a marketing event: the webhook's type changes, so it is replaced.
            events = ["delivered", "listAddition"]
        case .smaller(let withPrune):
            lists = ["newsletter"]
            events = nil
            prune = withPrune
        case .large: lists = (1...7).map { "liste-\($0)" }
        case .drift(let mode): drift = mode
        case .adopting: adopt = true
        }
        return [
            "organization.yaml": EngineFixtures.organization,
            "establishments/paris.yaml": EngineFixtures.establishment("paris", "Paris"),
            integrationFile: Self.integration(lists: lists, senderName: name, events: events, drift: drift, prune: prune, adopt: adopt),
            "secrets/brevo.sops.yaml": EngineFixtures.encryptedOutline("brevo", "api_key"),
        ]
    }

    func start(faults: String?, seed: UInt64?) async throws -> BrevoPeer { try await BrevoPeer.start(faults: faults, seed: seed ?? 7) }

    /// Someone points the webhook elsewhere in Brevo's dashboard (its description, and so its
    /// tag, untouched).
    func drift(_ peer: BrevoPeer) async throws -> (kind: String, key: String, field: String) {
        let hook = try #require(try await peer.webhooks().first { $0["url"] as? String == Self.hook })
        let reply = try await peer.api(.PUT, "/webhooks/\(try #require(hook["id"] as? Int))", ["url": "https://elsewhere.example/hook"])
        try #require(reply.status == 204, "\(reply.body)")
        return ("webhook", "webhook", "url")
    }

    /// The loyal clients' list, made by hand in a folder of someone's before SalonOps.
    func makeUnmarked(_ peer: BrevoPeer) async throws -> (kind: String, key: String) {
        let folder = try await peer.api(.POST, "/contacts/folders", ["name": "Mes listes"])
        try #require(folder.status == 201, "\(folder.body)")
        let list = try await peer.api(.POST, "/contacts/lists", ["name": "clientes-fideles", "folderId": try #require(folder.json["id"] as? Int)])
        try #require(list.status == 201, "\(list.body)")
        return ("list", "clientes-fideles")
    }

    /// A second webhook with the first one's description, tag included (two applies at once).
    func makeDuplicate(_ peer: BrevoPeer) async throws -> (kind: String, key: String, remoteID: String) {
        let hook = try #require(try await peer.webhooks().first { $0["url"] as? String == Self.hook })
        let reply = try await peer.api(
            .POST, "/webhooks", ["url": Self.hook, "events": hook["events"] as? [String] ?? [], "description": hook["description"] as? String ?? "", "type": "transactional"])
        try #require(reply.status == 201, "\(reply.body)")
        return ("webhook", "webhook", "webhooks/\(try #require(reply.json["id"] as? Int))")
    }

    /// What SalonOps holds, read through Brevo's API: the folder of its name, the lists in it,
    /// the configured sender, and webhooks tagged with this config's owner.
    func owned(_ peer: BrevoPeer) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let folders = try await peer.all("/contacts/folders", "folders").filter { $0["name"] as? String == "SalonOps" }
        let ids = Set(folders.compactMap { $0["id"] as? Int })
        if !folders.isEmpty { counts["folder"] = folders.count }
        let lists = try await peer.all("/contacts/lists", "lists").filter { ids.contains($0["folderId"] as? Int ?? -1) }
        if !lists.isEmpty { counts["list"] = lists.count }
        let senders = (try await peer.api(.GET, "/senders").json["senders"] as? [[String: Any]] ?? []).filter { $0["email"] as? String == Self.sender }
        if !senders.isEmpty { counts["sender"] = senders.count }
        let hooks = try await peer.webhooks().filter { ($0["description"] as? String)?.contains("[salonops owner=belle-epoque ") == true }
        if !hooks.isEmpty { counts["webhook"] = hooks.count }
        return counts
    }
}

@Suite(.serialized) struct BrevoContractTests {
    let suite = ContractSuite(BrevoFixture())

    @Test func createThenNothingToDo() async throws { try await suite.createThenNothingToDo() }
    @Test func updateAndReplace() async throws { try await suite.updateAndReplace() }
    @Test func driftIsFoundAndCorrected() async throws { try await suite.driftIsFoundAndCorrected() }
    @Test func orphansAreKeptThenPruned() async throws { try await suite.orphansAreKeptThenPruned() }
    @Test func aScopedRunReadsOnlyItsEstablishment() async throws { try await suite.aScopedRunReadsOnlyItsEstablishment() }
    @Test func adoptsOnlyWhenAsked() async throws { try await suite.adoptsOnlyWhenAsked() }
    @Test func safetyThresholdsRefuseUnlessForced() async throws { try await suite.safetyThresholdsRefuseUnlessForced() }
    /// Brevo's own throttling (429 with `x-sib-ratelimit-reset`) and outages before the
    /// handler (503): nothing was made, so a create is sent again.
    @Test func faultsConvergeWithoutDuplicates() async throws { try await suite.faultsConvergeWithoutDuplicates("429=0.2,503=0.1") }
    @Test func pagesThroughLargeCollections() async throws { try await suite.pagesThroughLargeCollections() }
    @Test func duplicatesAreReportedThenRetired() async throws { try await suite.duplicatesAreReportedThenRetired() }
    /// Twenty seeds of throttling, outages, lost answers, slow answers and someone else's lists
    /// appearing and going while the pages are read; each converges in one run (a create whose
    /// answer was lost is read back before it is sent again; a listing whose total moved between
    /// its pages is read again).
    @Test func convergesInOneRunUnderAStormOfFaults() async throws {
        let retries = try await suite.convergesInOneRunUnderAStorm("429=0.2,503=0.2,reset=0.02,churn=0.1,slow=0.2", seeds: Array(1...20))
        #expect(retries.count == 20 && retries.values.allSatisfy { $0.sent > 0 }, "\(retries)")
    }
}
