import SalonOpsPlanity
import SalonOpsProviderKit
import SalonOpsProviderTesting
import Testing

/// Planity on examples/salon-chain: what is projected, what a change of hours plans, what the
/// venues hold, and the booking webhook's secret kept write-only.
@Suite struct PlanityMappingTests {
    func harness(responder: FakeSession.Responder? = nil) throws -> AdapterHarness {
        try AdapterHarness(Planity.self, integration: "planity", in: try ExampleConfig.state(), responder: responder)
    }

    @Test func everyServiceStaffRoomAndClosureOfEachEstablishmentIsProjected() throws {
        let h = try harness()
        let resources = try h.projection().resources
        for establishment in h.state.establishments {
            let place = establishment.metadata.name
            let keys = Set(resources.filter { $0.establishment == place }.map { "\($0.kind) \($0.key)" })
            #expect(keys.contains("venue \(place)"))
            for service in h.state.offeredServices(at: establishment) { #expect(keys.contains("service \(place)/\(service.service.metadata.name)")) }
            for member in establishment.staff { #expect(keys.contains("staff \(place)/\(member.name)")) }
            for room in establishment.rooms { #expect(keys.contains("room \(place)/\(room.name)")) }
            for closure in establishment.closures { #expect(keys.contains("closure \(place)@\(closure.from)")) }
        }
        let stones = try #require(resources.first { $0.key == "bordeaux-chartrons/massage-pierres-chaudes" })
        #expect(stones.fields["durationMinutes"] == .int(90) && stones.fields["price.amount"] == .int(9900), "the override applies")
        #expect(stones.references["staff:hugo"] == ResourceRef("staff", "bordeaux-chartrons/hugo"))
        #expect(stones.references["room:cabine-vigne"] == ResourceRef("room", "bordeaux-chartrons/cabine-vigne"))
        #expect(resources.first { $0.kind == "venue" }?.fields["currency"] == nil, "Planity venues carry no currency")
        #expect(resources.filter { $0.kind == "webhook" }.count == 1)
        let notes = try h.projection().notes.map(\.message)
        #expect(notes.contains { $0.hasPrefix("massage-californien: the 15 min after the service (bufferAfter)") })
        #expect(Planity.spec.validate?(h.integration, h.state).isEmpty == true)
    }

    @Test func aChangeOfHoursIsAVenueUpdate() async throws {
        var state = try ExampleConfig.state()
        let index = try #require(state.establishments.firstIndex { $0.metadata.name == "paris-11" })
        let before = OpeningHoursField.value(state.establishments[index].hours)
        state.establishments[index].hours[.sunday] = [try OpeningPeriod.parse("10:00-13:00").get()]
        let h = try AdapterHarness(Planity.self, integration: "planity", in: state)
        let venue = try #require(try h.projection().resources.first { $0.kind == "venue" && $0.key == "paris-11" })
        let observed = ObservedResource(
            kind: "venue", remoteID: "pl-75011-4821", key: nil, owner: nil, fields: ["openingHours": before, "timeZone": .string("Europe/Paris")],
            version: "4", title: "Paris 11")
        let plan = Differ.diff(
            integration: "planity", provider: "planity", providerName: "Planity", kinds: h.adapter.kinds, desired: [venue], observed: [observed],
            options: DiffOptions(owner: h.owner))
        #expect(plan.changes.map(\.action) == [.update] && plan.changes.first?.fieldChanges.map(\.field) == ["openingHours"])
        await h.session.answer(.PATCH, "/v1/venues/pl-75011-4821", json: .object([("id", .string("pl-75011-4821")), ("version", .int(5))]))
        let outcome = try await h.apply(try #require(plan.changes.first), observed: observed)
        #expect(outcome.version == "5")
        let sent = try #require(await h.session.writes.first)
        #expect(sent.header("If-Match") == "\"4\"")
        let sunday = sent.json?.at("openingHours.periods")?.array?.last
        #expect(sunday?["day"]?.string == "SUN" && sunday?["open"]?.string == "10:00")
    }

    @Test func theWebhookSecretIsStoredWriteOnlyAndNeverPlanned() async throws {
        let h = try harness()
        let hook = try #require(try h.projection().resources.first { $0.kind == "webhook" })
        #expect(hook.fields["secret"] == nil)
        #expect(h.adapter.kinds.first { $0.name == "webhook" }?.writeOnlyFields == ["secret"])
        await h.session.answer(
            .POST, "/v1/webhooks",
            json: .object([("id", .string("whk_1")), ("url", .string("https://app.belle-epoque.example/hooks/planity")), ("secret", .string("whsec_test")), ("version", .int(1))]),
            status: 201)
        let outcome = try await h.apply(h.change(.create, hook))
        #expect(outcome.writeOnly["secret"] == Array("whsec_test".utf8))
        let plan = Differ.diff(
            integration: "planity", provider: "planity", providerName: "Planity", kinds: h.adapter.kinds, desired: [hook], observed: [],
            options: DiffOptions(owner: h.owner))
        #expect(!"\(plan)".contains("whsec"))
        #expect(await h.session.writes.first?.header("Idempotency-Key") == "plan-test/planity/webhook/webhook/create")
    }

    @Test func holdingsReadHoursClosedDaysAndServices() throws {
        let h = try harness()
        let desired = try h.projection().resources
        let observed = desired.filter { $0.establishment == "lyon-2" }.map {
            ObservedResource(
                kind: $0.kind, remoteID: $0.kind == "venue" ? "pl-69002-1377" : "pl-69002-1377/\($0.key)", key: $0.key, owner: h.owner, fields: $0.fields,
                title: $0.title)
        }
        let held = try #require(h.adapter.holdings(observed, in: h.state)["lyon-2"])
        let lyon = try #require(h.state.establishments.first { $0.metadata.name == "lyon-2" })
        let config = Holdings.config(of: lyon, in: h.state)
        #expect(held.hours == config.hours && held.closedDays == config.closedDays)
        #expect(held.services?.map(\.name) == config.services?.map(\.name))
        #expect(ConsistencyView.differences(config, held).isEmpty)
    }
}
