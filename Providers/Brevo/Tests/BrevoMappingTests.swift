import Foundation
import SalonOpsBrevo
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsProviders
import Testing

/// The projection, the provider's rules, the email request and the wire format, with no socket.
@Suite struct BrevoMappingTests {
    static func harness(_ state: DesiredState? = nil, responder: FakeSession.Responder? = nil) throws -> AdapterHarness {
        try AdapterHarness(Brevo.self, integration: "brevo", in: state ?? ExampleConfig.state(), responder: responder)
    }

    /// A config with one Brevo Integration whose `settings:` block is `settings` (indented by the caller).
    static func load(_ settings: String) -> (DesiredState, [Diagnostic]) {
        let integration = """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: brevo}
            spec:
              provider: brevo
              enabled: true
              credentials:
                apiKey: {secret: "secrets/brevo.sops.yaml#brevo.api_key"}
              settings:
            \(settings)
            """
        let files = [
            "organization.yaml": EngineFixtures.organization, "establishments/paris.yaml": EngineFixtures.establishment("paris", "Paris"),
            "integrations/brevo.yaml": integration, "secrets/brevo.sops.yaml": EngineFixtures.encryptedOutline("brevo", "api_key"),
        ]
        let result = ConfigLoader.load(files.map { ConfigFile(path: $0.key, repositoryPath: $0.key, contents: Array($0.value.utf8)) }, catalog: Registry.catalog)
        return (result.state, result.diagnostics.filter { $0.severity == .error })
    }

    @Test func theExampleChainGetsItsFolderListsAndSender() throws {
        let projection = try Self.harness().projection()
        let byKind = Dictionary(grouping: projection.resources, by: \.kind)
        #expect(byKind["folder"]?.map(\.fields) == [["name": .string("SalonOps")]])
        #expect(byKind["list"]?.map(\.key) == ["newsletter", "clientes-fideles", "abonnees-eclat"])
        #expect(byKind["list"]?.allSatisfy { $0.references == ["folder": ResourceRef("folder", "folder")] && $0.naturalKey == $0.key } == true)
        let sender = try #require(byKind["sender"]?.first)
        #expect(sender.fields == ["name": .string("Belle Époque Instituts"), "email": .string("bonjour@belle-epoque.example")])
        #expect(sender.naturalKey == "bonjour@belle-epoque.example")
        #expect(byKind["webhook"] == nil, "the example declares no webhook")
        // The sender's validation is Brevo's: the plan says how, never that it is done.
        #expect(projection.notes.contains { $0.kind == "sender" && $0.message.contains("Senders, Domains & Dedicated IPs") })
        #expect(projection.notes.contains { $0.message.contains("BELLEEPOQUE") && $0.message.contains("not a Brevo resource") })
    }

    @Test func aWebhookTakesTheTypeItsEventsFit() throws {
        for (events, type) in [("[delivered, hardBounce]", "transactional"), ("[listAddition, delivered]", "marketing"), ("[sent, opened]", "transactional")] {
            let (state, errors) = Self.load("    webhook: {url: https://hooks.example/brevo, events: \(events)}")
            try #require(errors.isEmpty, "\(errors.map(\.headline))")
            let hook = try #require(try Self.harness(state).projection().resources.first { $0.kind == "webhook" })
            #expect(hook.fields["type"] == .string(type), "\(events)")
            #expect(hook.fields["channel"] == .string("email"))
            #expect(
                hook.fields["events"]
                    == .list(
                        events.dropFirst().dropLast().split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }.sorted { $0.description < $1.description }))
        }
    }

    @Test(arguments: ["BELLEEPOQUE", "Salon2", "33612345678", "123456789012345"])
    func anSMSSenderBrevoTakes(_ sender: String) {
        #expect(Self.load("    smsSender: \"\(sender)\"").1.isEmpty)
    }

    @Test(arguments: [
        ("BELLE EPOQUE", "characters Brevo does not take"), ("BelleÉpoque", "characters Brevo does not take"), ("BELLEEPOQUE1", "12 characters long"),
        ("1234567890123456", "16 digits long"), ("", "is empty"),
    ])
    func anSMSSenderBrevoRefusesIsAnErrorAtItsPlace(_ sender: String, _ problem: String) throws {
        let errors = Self.load("    contactLists: [newsletter]\n    smsSender: \"\(sender)\"").1.filter { $0.code == .providerRule }
        let error = try #require(errors.first, "'\(sender)' passed")
        #expect(errors.count == 1)
        #expect(error.code == .providerRule && error.message.contains(problem), "\(error.message)")
        // The value's own place: integrations/brevo.yaml, the line of smsSender, its value's column.
        #expect(error.location.file == "integrations/brevo.yaml" && error.location.line == 11 && error.location.column == 16, "\(error.location)")
        #expect(error.hint?.contains("at most 11 letters and digits") == true)
    }

    @Test func listsAndWebhookEventsAreChecked() throws {
        let twice = Self.load("    contactLists: [newsletter, vip, newsletter]").1
        #expect(twice.count == 1 && twice[0].message.contains("listed twice") && twice[0].location.line == 10)
        let mixed = Self.load("    webhook: {url: https://hooks.example/b, events: [sent, listAddition]}").1
        #expect(mixed.count == 1 && mixed[0].message.contains("either transactional or marketing"), "\(mixed.map(\.message))")
        let unknown = Self.load("    webhook: {url: https://hooks.example/b, events: [delivered, bounced]}").1
        #expect(unknown.count == 1 && unknown[0].message.contains("'bounced'"))
        let none = Self.load("    webhook: {url: https://hooks.example/b}").1
        #expect(none.count == 1 && none[0].message.contains("needs its events"))
    }

    @Test func theEmailRequestSendsFromTheConfiguredSender() throws {
        let harness = try Self.harness()
        let message = EmailMessage(to: ["gerante@belle-epoque.example"], subject: "Alerte", text: "Un run a échoué.", html: "<p>Un run a échoué.</p>", tags: ["salonops"])
        let request = try Brevo.emailRequest(message, integration: harness.integration)
        #expect(request.method == .POST && request.path == "/smtp/email" && request.endpoint == "api" && !request.retryable)
        let body = try JSONValue.parse(request.body)
        #expect(body.at("sender.name") == .string("Belle Époque Instituts") && body.at("sender.email") == .string("bonjour@belle-epoque.example"))
        #expect(body["to"] == .array([.object([("email", .string("gerante@belle-epoque.example"))])]))
        #expect(body["subject"] == .string("Alerte") && body["textContent"] == .string("Un run a échoué.") && body["htmlContent"] == .string("<p>Un run a échoué.</p>"))
        #expect(body["tags"] == .array([.string("salonops")]))
        let plain = try JSONValue.parse(try Brevo.emailRequest(EmailMessage(to: ["a@b.example"], subject: "s", text: "t"), integration: harness.integration).body)
        #expect(plain["htmlContent"] == nil && plain["tags"] == nil)

        let (state, _) = Self.load("    contactLists: [newsletter]")
        let noSender = try #require(state.integrations.first)
        #expect {
            try Brevo.emailRequest(message, integration: noSender)
        } throws: { error in
            guard let error = error as? ProviderError, case .invalid(let field) = error.kind else { return false }
            return field == "sender.email" && error.message.contains("settings.sender.email")
        }
    }

    @Test func answersAreClassifiedFromBrevosCodes() {
        func classify(_ status: Int, _ code: String?, headers: [String: String] = [:]) -> ResponseClass {
            let body = code.map { #"{"code":"\#($0)","message":"m"}"# } ?? ""
            return Brevo.traits.classify(ProviderResponse(status: status, headers: headers, body: Array(body.utf8)))
        }
        if case .retry(let after, let error) = classify(429, "too_many_requests", headers: ["x-sib-ratelimit-reset": "7"]) {
            #expect(after == .seconds(7) && error.kind == .rateLimited(retryAfter: .seconds(7)))
        } else {
            Issue.record("429 is retried")
        }
        if case .retry(_, let error) = classify(503, nil) { #expect(error.kind == .transient) } else { Issue.record("503 is retried") }
        if case .failure(let error) = classify(404, "document_not_found") { #expect(error.kind == .notFound) } else { Issue.record("404") }
        if case .failure(let error) = classify(401, "unauthorized") { #expect(error.kind == .auth) } else { Issue.record("401") }
        if case .failure(let error) = classify(400, "duplicate_parameter") {
            #expect(error.kind == .invalid(field: nil) && error.message.contains("adopt: true"))
        } else {
            Issue.record("a duplicate is refused, not taken")
        }
        if case .failure(let error) = classify(400, "missing_parameter") {
            #expect(error.kind == .invalid(field: nil) && error.message.contains("missing_parameter"))
        } else {
            Issue.record("400")
        }
        if case .failure(let error) = classify(402, "not_enough_credits") { #expect(error.kind == .permanent) } else { Issue.record("402") }
        if case .success = classify(204, nil) {} else { Issue.record("204") }
    }

    /// Brevo's published limits as the transport paces them: contacts in the bucket, the
    /// hourly budgets in keyed windows that senders, webhooks and the account count against.
    @Test func pacingFollowsThePublishedLimits() {
        let rate = Brevo.traits.rate
        #expect(rate.requestsPerSecond == 10 && rate.burst == 10)
        #expect(rate.keyed.contains { $0.prefix == "brevo-other" && $0.count == 100 && $0.per == .seconds(3600) })
        #expect(rate.keyed.contains { $0.prefix == "brevo-smtp" && $0.count == 300 && $0.per == .seconds(3600) })
        #expect(Brevo.traits.endpoint("api")?.url == "https://api.brevo.com/v3")
        #expect(Brevo.traits.auth == .header(name: "api-key", credential: "apiKey", prefix: ""))
    }
}
