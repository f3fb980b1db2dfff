import Foundation
import SalonOpsBrevo
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsProviderTesting
import Testing
import SalonOpsEmulatorKit

/// The adapter against a fake session: the requests it sends (checked against the spec), its
/// paging, and the rules it keeps that Brevo would not (a folder is deleted with its lists).
@Suite struct BrevoAdapterTests {
    static func lists(_ count: Int, folder: Int = 1) -> [JSONValue] {
        (1...max(count, 1)).prefix(count).map {
            .object([
                ("id", .int($0)), ("name", .string("liste-\($0)")), ("totalBlacklisted", .int(0)), ("totalSubscribers", .int(0)), ("uniqueSubscribers", .int(0)),
                ("folderId", .int(folder)),
            ])
        }
    }

    /// A fake Brevo answering listings from `lists` by `limit`/`offset`, with the total as `count`.
    static func responder(lists: [JSONValue], folders: [JSONValue] = [.object([("id", .int(1)), ("name", .string("SalonOps"))])], senders: [JSONValue] = [])
        -> FakeSession.Responder
    {
        { request in
            func page(_ items: [JSONValue], _ key: String) -> ProviderResponse {
                let limit = Int(request.query("limit") ?? "10")!, offset = Int(request.query("offset") ?? "0")!
                let slice = offset < items.count ? Array(items[offset..<min(items.count, offset + limit)]) : []
                return FakeSession.json(.object([(key, .array(slice)), ("count", .int(items.count))]))
            }
            switch (request.method, request.route) {
            case (.GET, "/contacts/lists"): return page(lists, "lists")
            case (.GET, "/contacts/folders"): return page(folders, "folders")
            case (.GET, "/senders"): return FakeSession.json(.object([("senders", .array(senders))]))
            case (.GET, "/webhooks"): return FakeSession.json(.object([("webhooks", .array([]))]))
            case (.GET, "/account"): return FakeSession.json(.object([("companyName", .string("Belle Époque")), ("plan", .array([.object([("type", .string("free"))])]))]))
            case (.POST, _): return FakeSession.json(.object([("id", .int(9))]), status: 201)
            default: return FakeSession.empty()
            }
        }
    }

    @Test(arguments: [(0, 1), (49, 1), (50, 1), (51, 2), (150, 3)])
    func listsAreReadInAsFewPagesAsTheCountAllows(_ total: Int, _ pages: Int) async throws {
        let harness = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state(), responder: Self.responder(lists: Self.lists(total)))
        let observed = try await harness.observe()
        #expect(observed.filter { $0.kind == "list" }.count == total)
        let reads = await harness.session.requests(.GET, "/contacts/lists")
        #expect(reads.count == pages)
        #expect(reads.allSatisfy { $0.query("limit") == "50" && $0.query("sort") == "asc" })
        // Senders once, webhooks once per type: three of the hundred an hour.
        let budget = await harness.session.sent.filter { $0.rateKeys == ["brevo-other"] }.map(\.path).sorted()
        #expect(budget == ["/senders", "/webhooks?type=marketing", "/webhooks?type=transactional"])
        #expect(observed.first { $0.kind == "list" }.map { $0.remoteID == "contacts/lists/1" && $0.references == ["folder": "contacts/folders/1"] } ?? (total == 0))
    }

    /// Someone deletes a list between two pages: offsets shift, so a listing whose total moved
    /// is read again from the start rather than miss the list that slid into the page read.
    @Test func aListingWhoseTotalMovedIsReadAgain() async throws {
        let before = Self.lists(3), after = Array(Self.lists(3).dropFirst())
        let reads = Locked(0)
        let harness = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state(), options: ["pageSize": "2"]) { request in
            guard request.route == "/contacts/lists" else { return try await Self.responder(lists: [])(request) }
            // The first page sees three lists; from then on the first is gone.
            let current = reads.withLock { count -> [JSONValue] in
                count += 1
                return count == 1 ? before : after
            }
            return try await Self.responder(lists: current)(request)
        }
        let names = try await harness.observe(Scope(kinds: ["list"])).map { $0.fields["name"] }
        #expect(names == [.string("liste-2"), .string("liste-3")])
        #expect(await harness.session.requests(.GET, "/contacts/lists").map { $0.query("offset") ?? "0" } == ["0", "2", "0"])
    }

    /// A change-scoped run (an establishment changed) has nothing to do at Brevo, whose
    /// resources depend on no establishment: no resource, no request of the hourly budget.
    @Test func aRunNarrowedToEstablishmentsCostsNothing() async throws {
        let harness = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state(), responder: Self.responder(lists: Self.lists(3)))
        for scope in [Scope(establishments: ["lyon-2"]), Scope(establishments: [])] {
            #expect(try harness.projection(scope).resources.isEmpty)
            #expect(try await harness.observe(scope).isEmpty)
        }
        #expect(await harness.session.sent.isEmpty)
        #expect(try harness.projection(Scope(kinds: ["list"])).resources.count == 3)
    }

    @Test func aFolderStillHoldingSomeoneElsesListIsNotDeleted() async throws {
        let harness = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state()) { request in
            request.route == "/contacts/folders/1/lists"
                ? FakeSession.json(.object([("lists", .array([.object([("id", .int(4)), ("name", .string("VIP de Lyon"))])])), ("count", .int(1))]))
                : FakeSession.empty()
        }
        let folder = ObservedResource(
            kind: "folder", remoteID: "contacts/folders/1", key: "folder", owner: "belle-epoque", fields: ["name": .string("SalonOps")], title: "SalonOps")
        await #expect {
            _ = try await harness.apply(harness.change(.delete, nil, kind: "folder", key: "folder", observed: folder))
        } throws: { error in
            (error as? ProviderError)?.message.contains("VIP de Lyon") == true
        }
        #expect(await harness.session.requests(.DELETE, "/contacts/folders/1").isEmpty)
    }

    @Test func aListMovedAndRenamedTakesOneRequestForEach() async throws {
        let harness = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state(), responder: Self.responder(lists: []))
        let desired = try #require(try harness.projection().resources.first { $0.key == "newsletter" })
        let observed = ObservedResource(
            kind: "list", remoteID: "contacts/lists/3", key: nil, owner: nil, naturalKey: "lettre", fields: ["name": .string("lettre")],
            references: ["folder": "contacts/folders/8"],
            title: "lettre")
        let change = harness.change(.adopt, desired, observed: observed, fields: ["name", "folder"])
        _ = try await harness.apply(change, remoteIDs: [ResourceRef("folder", "folder"): "contacts/folders/1"])
        let puts = await harness.session.requests(.PUT, "/contacts/lists/3").compactMap(\.json)
        #expect(puts == [.object([("folderId", .int(1))]), .object([("name", .string("newsletter"))])])
    }

    /// Each create and update the adapter sends, against the spec's request schemas.
    @Test(.enabled(if: brevoSpec != nil, "needs shared/specs/brevo-v3.openapi.yml"))
    func whatTheAdapterSendsFollowsTheSpec() async throws {
        let spec = try #require(brevoSpec)
        let (state, errors) = BrevoMappingTests.load(
            "    sender: {name: Belle Époque, email: bonjour@belle-epoque.example}\n    contactLists: [newsletter]\n    webhook: {url: https://hooks.example/b, events: [delivered, hardBounce]}"
        )
        try #require(errors.isEmpty)
        let harness = try AdapterHarness(Brevo.self, integration: "brevo", in: state, responder: Self.responder(lists: []))
        let folder = ResourceRef("folder", "folder")
        let collections = ["folder": "contacts/folders", "list": "contacts/lists", "sender": "senders", "webhook": "webhooks"]
        for resource in try harness.projection().resources {
            let observed = ObservedResource(
                kind: resource.kind, remoteID: "\(collections[resource.kind]!)/7", key: resource.key, owner: harness.owner, fields: [:],
                references: resource.kind == "list" ? ["folder": "contacts/folders/2"] : [:],
                title: resource.title)
            for change in [
                harness.change(.create, resource),
                harness.change(.update, resource, observed: observed, fields: Array(resource.fields.keys) + (resource.kind == "list" ? ["folder"] : [])),
            ] {
                _ = try await harness.apply(change, remoteIDs: [folder: "contacts/folders/1"])
            }
        }
        _ = try await harness.adapter.check(harness.session)
        let sent = await harness.session.sent
        #expect(sent.filter { $0.method == .POST }.count == 4 && sent.filter { $0.method == .PUT }.count == 5)
        for request in sent {
            let path = request.route
            let body = request.json.map(\.serialized)
            let problems = spec.problems(request: request.method.rawValue, path, query: request.query.map { ($0.name, $0.value) }, body: body)
            #expect(problems.isEmpty, "\(request): \(problems)")
        }
    }

    @Test(arguments: [(true, "validated"), (false, "NOT validated yet")])
    func checkProvesTheKeyAndSaysWhetherTheSenderIsValidated(_ active: Bool, _ said: String) async throws {
        let sender = JSONValue.object([("id", .int(1)), ("name", .string("Belle Époque")), ("email", .string("bonjour@belle-epoque.example")), ("active", .bool(active))])
        let harness = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state(), responder: Self.responder(lists: [], senders: [sender]))
        let summary = try await harness.adapter.check(harness.session)
        #expect(summary.hasPrefix("account of Belle Époque, free plan; sender bonjour@belle-epoque.example \(said)"), "\(summary)")
        #expect(await harness.session.sent.map(\.path) == ["/account", "/senders"])
    }

    /// A create whose outcome is unknown: found again only where the config's names leave no doubt.
    @Test func aListWhoseCreateWasLostIsFoundInTheOneFolderOfItsName() async throws {
        let ours = JSONValue.object([("id", .int(1)), ("name", .string("SalonOps"))]), another = JSONValue.object([("id", .int(2)), ("name", .string("SalonOps"))])
        let lists: [JSONValue] = [
            .object([("id", .int(5)), ("name", .string("newsletter")), ("folderId", .int(1))]), .object([("id", .int(6)), ("name", .string("newsletter")), ("folderId", .int(3))]),
        ]
        let one = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state(), responder: Self.responder(lists: lists, folders: [ours]))
        #expect(try await one.adapter.read(ResourceRef("list", "newsletter"), remoteID: nil, one.session)?.remoteID == "contacts/lists/5")
        #expect(try await one.adapter.read(ResourceRef("folder", "folder"), remoteID: nil, one.session)?.remoteID == "contacts/folders/1")
        let two = try AdapterHarness(Brevo.self, integration: "brevo", in: ExampleConfig.state(), responder: Self.responder(lists: lists, folders: [ours, another]))
        #expect(try await two.adapter.read(ResourceRef("folder", "folder"), remoteID: nil, two.session) == nil)
    }
}
