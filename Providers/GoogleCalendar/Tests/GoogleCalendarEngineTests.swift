import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviderTesting
import Testing

/// What only Google Calendar shows of the engine's shared rules: a stale ETag (412) is read
/// again and applied once more; a create whose outcome is unknown blocks its ACL rule until it
/// is resolved; `quotaExceeded` is reported, not retried.
@Suite(.serialized) struct GoogleCalendarEngineTests {
    let fixture: GoogleCalendarFixture

    init() async throws { fixture = GoogleCalendarFixture(keyJSON: try await GoogleCalendarPeer.keyJSON()) }

    func engine(_ peer: GoogleCalendarPeer, _ variant: ContractVariant, state: String) async throws -> Reconciler {
        await EngineFixtures.reconciler(
            try EngineFixtures.state(fixture.files(variant)), endpoints: peer.endpoints, client: peer.client,
            credentials: fixture.credentials, stateDirectory: state)
    }

    func scratch() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("gcal-\(UUID().uuidString)").path }

    @Test func aStaleETagIsReadAgainAndAppliedOnce() async throws {
        let peer = try await GoogleCalendarPeer.start()
        defer { Task { await peer.stop() } }
        let state = scratch()
        let base = try await engine(peer, .base, state: state)
        let (first, observed) = await base.plan(id: "one")
        _ = await base.apply(first, observation: observed, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil)

        // The config moves Christmas to two days; the plan observes the event's ETag.
        let changed = try await engine(peer, .changed, state: state)
        let (plan, observation) = await changed.plan(id: "two", force: true)
        let update = try #require(plan.integrations[0].changes.first { $0.kind == "closure" && $0.action == .update })
        #expect(update.version != nil)
        // Meanwhile someone edits that event in Google Calendar: its ETag moves.
        let (calendar, event) = (update.remoteID!.split(separator: "/").map(String.init)[0], update.remoteID!.split(separator: "/").map(String.init)[1])
        let encoded = calendar.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let edited = try await peer.api(.PATCH, "/calendars/\(encoded)/events/\(event)", ["description": "vu à l'accueil"])
        #expect(edited.status == 200)

        let result = await changed.apply(plan, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil, force: true)
        #expect(result.count(.failed) == 0, "\(result.items.compactMap(\.reason))")
        let now = try await peer.api(.GET, "/calendars/\(encoded)/events/\(event)")
        #expect((now.json["end"] as? [String: Any])?["date"] as? String == "2026-12-27")
        #expect(now.json["description"] as? String == "vu à l'accueil", "a field SalonOps does not manage is left as it is")
        let (settled, _) = await changed.plan(id: "three")
        #expect(settled.changeCount == 0)
    }

    /// A run died after sending a rule's create: the next run reads the rule's scope again and
    /// knows. Made: taken, not made twice. Not made: created.
    @Test func aPendingRuleCreateIsSettledByReadingItsScope() async throws {
        let peer = try await GoogleCalendarPeer.start()
        defer { Task { await peer.stop() } }
        let state = scratch()
        let ledger = Ledger(stateDirectory: state, scope: "test")
        let rule = ResourceRef("acl", "staff:paris/alice|user:alice@belle-epoque.example")
        let first = try await engine(peer, .base, state: state)
        let (plan, observation) = await first.plan(id: "one")
        _ = await first.apply(plan, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil)
        let made = try #require(ledger.all(integration: "google-calendar")["acl/" + rule.key]?.remoteID)

        // The answer was lost: the ledger only knows a create began.
        try ledger.resolve(integration: "google-calendar", rule, remoteID: nil)
        try ledger.begin(integration: "google-calendar", rule)
        let (again, _) = await (try await engine(peer, .base, state: state)).plan(id: "two")
        #expect(again.integrations[0].changes.isEmpty, "\(again.integrations[0].changes.map(\.id))")
        #expect(ledger.all(integration: "google-calendar")["acl/" + rule.key] == Ledger.Entry(remoteID: made, pendingSince: nil))

        // The create never reached Google: the rule is gone, so it is made.
        let (calendar, id) = (made.split(separator: "/").map(String.init)[0], made.split(separator: "/").map(String.init)[1])
        #expect(try await peer.api(.DELETE, "/calendars/\(calendar.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/acl/\(id)").status == 204)
        try ledger.resolve(integration: "google-calendar", rule, remoteID: nil)
        try ledger.begin(integration: "google-calendar", rule)
        let (third, _) = await (try await engine(peer, .base, state: state)).plan(id: "three")
        #expect(third.integrations[0].changes.map(\.key) == [rule.key])
        #expect(third.integrations[0].changes.first?.action == .create)
    }

    /// A kind with nothing to read it back by stays blocked until someone resolves it.
    @Test func aPendingCreateOfALedgerKindBlocksUntilResolved() throws {
        let state = scratch()
        let ledger = Ledger(stateDirectory: state, scope: "test")
        let kind = ResourceKind(name: "thing", label: "chose", identity: .ledger)
        let ref = ResourceRef("thing", "t1")
        try ledger.begin(integration: "x", ref)
        let desired = DesiredResource(kind: "thing", key: "t1", title: "T1", fields: ["name": .string("T1")])
        var plan = Differ.diff(
            integration: "x", provider: "x", providerName: "X", kinds: [kind], desired: [desired], observed: [],
            options: DiffOptions(owner: "belle-epoque"))
        #expect(plan.changes.count == 1)
        ledger.block(&plan, kinds: [kind])
        #expect(plan.changes.isEmpty)
        #expect(plan.notes.contains { $0.key == "t1" && $0.message.contains("salonops ledger resolve x thing t1") })
        try ledger.resolve(integration: "x", ref, remoteID: nil)
        var free = Differ.diff(
            integration: "x", provider: "x", providerName: "X", kinds: [kind], desired: [desired], observed: [],
            options: DiffOptions(owner: "belle-epoque"))
        ledger.block(&free, kinds: [kind])
        #expect(free.changes.count == 1)
    }

    @Test func rulesAreOwnedThroughTheLedgerAndPrunedOnlyWhenRecorded() async throws {
        let peer = try await GoogleCalendarPeer.start()
        defer { Task { await peer.stop() } }
        let state = scratch()
        let reconciler = try await engine(peer, .base, state: state)
        let (plan, observation) = await reconciler.plan(id: "one")
        _ = await reconciler.apply(plan, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil)
        let recorded = Ledger(stateDirectory: state, scope: "test").all(integration: "google-calendar")
        #expect(recorded.keys.filter { $0.hasPrefix("acl/") }.count == plan.integrations[0].changes.filter { $0.kind == "acl" }.count)
        #expect(recorded.values.allSatisfy { $0.pendingSince == nil && $0.remoteID != nil })

        // Someone shares Alice's calendar with a colleague by hand: not SalonOps' rule.
        let calendars = try await peer.list("/users/me/calendarList")
        let alice = try #require(calendars.first { ($0["summary"] as? String)?.hasSuffix("Alice Martin") == true }?["id"] as? String)
        let encoded = alice.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try await peer.api(.POST, "/calendars/\(encoded)/acl", ["role": "reader", "scope": ["type": "user", "value": "colleague@belle-epoque.example"]]).status == 200)
        var files = fixture.files(.base)
        files["integrations/google-calendar.yaml"] = GoogleCalendarFixture.integration(prune: true)
        let pruning = await EngineFixtures.reconciler(
            try EngineFixtures.state(files), endpoints: peer.endpoints, client: peer.client,
            credentials: fixture.credentials, stateDirectory: state)
        let (again, _) = await pruning.plan(id: "two")
        #expect(again.integrations[0].changes.isEmpty, "the hand-made rule is unmanaged, never pruned: \(again.integrations[0].changes.map(\.id))")
        #expect(again.integrations[0].unmanaged == 1)
    }

    @Test func quotaExceededIsReportedAndNotRetried() async throws {
        let peer = try await GoogleCalendarPeer.start()
        defer { Task { await peer.stop() } }
        peer.emulator.failNextRequests(1)
        let reconciler = try await engine(peer, .base, state: scratch())
        let (plan, _) = await reconciler.plan(id: "quota")
        let error = try #require(plan.integrations[0].error)
        #expect(error.stage == .observe)
        #expect(error.message.contains("quotaExceeded"))
        #expect(!error.retryable, "usage limits are not a short-term limit")
        #expect(!error.description.contains("may succeed if retried"))
    }

    /// Everything the adapter sends is a method of the discovery document (as the sandbox's
    /// counters file it, by path template), and the responses it reads validate against it.
    @Test func theAdapterSpeaksTheDiscoveryDocument() async throws {
        guard let discovery = calendarDiscovery() else {
            Issue.record("google-calendar.v3.json not found in ../shared/specs")
            return
        }
        let peer = try await GoogleCalendarPeer.start()
        defer { Task { await peer.stop() } }
        let state = scratch()
        for variant in [ContractVariant.base, .changed, .smaller(prune: true)] {
            var files = fixture.files(variant)
            if case .smaller = variant { files["integrations/google-calendar.yaml"] = GoogleCalendarFixture.integration(prune: true) }
            let reconciler = await EngineFixtures.reconciler(
                try EngineFixtures.state(files), endpoints: peer.endpoints, client: peer.client,
                credentials: fixture.credentials, stateDirectory: state)
            let (plan, observation) = await reconciler.plan(id: "\(variant)", force: true)
            _ = await reconciler.apply(plan, observation: observation, pending: PendingLog(stateDirectory: state, scope: "t"), store: nil, force: true)
        }
        let stats = try await peer.raw(.GET, "/_sandbox/stats")
        let rows = (stats.json["requests"] as? [[String: Any]] ?? []).filter { $0["provider"] as? String == "google-calendar" }
        var methods = Set<String>()
        for row in rows {
            guard let method = row["method"] as? String, let path = row["path"] as? String, path.hasPrefix("/api/") else { continue }
            let known = discovery.methods.first { $0.httpMethod == method && "/api/" + $0.path == path }
            #expect(known != nil, "\(method) \(path) is no method of the discovery document")
            if let known { methods.insert(known.id) }
        }
        // Every kind, each way: list, insert, patch and delete.
        for id in [
            "calendar.calendarList.list", "calendar.calendars.insert", "calendar.calendars.patch", "calendar.calendars.delete",
            "calendar.acl.list", "calendar.acl.insert", "calendar.acl.delete", "calendar.events.list", "calendar.events.insert",
            "calendar.events.patch",
        ] {
            #expect(methods.contains(id), "\(id) was not exercised")
        }
    }
}
