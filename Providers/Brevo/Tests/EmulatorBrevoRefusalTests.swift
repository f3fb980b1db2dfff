import Foundation
import SalonOpsBrevoEmulator
import SalonOpsEmulatorKit
import SalonOpsProviderTesting
import Testing

/// Each rule the emulator enforces, broken once: answered with Brevo's status and error code.
@Suite struct EmulatorBrevoRefusalTests {
    struct Refusal: Sendable, CustomTestStringConvertible {
        let rule: String
        let method: String
        let path: String
        let query: [(String, String)]
        let body: String
        let status: Int
        let code: String

        init(_ rule: String, _ method: String, _ path: String, query: [(String, String)] = [], _ body: String = "", _ status: Int = 400, _ code: String) {
            self.rule = rule
            self.method = method
            self.path = path
            self.query = query
            self.body = body
            self.status = status
            self.code = code
        }

        var testDescription: String { rule }
    }

    /// Made before each refusal: folder 1 holding list 1, sender 1 (validated), webhook 1.
    static func seeded() async throws -> BrevoExchanges {
        let brevo = try BrevoExchanges(options: ["authenticatedDomains": "belle-epoque.example"])
        for (path, body) in [
            ("/contacts/folders", #"{"name":"SalonOps"}"#), ("/contacts/lists", #"{"name":"newsletter","folderId":1}"#),
            ("/senders", #"{"name":"Belle Époque","email":"bonjour@belle-epoque.example"}"#),
            ("/webhooks", #"{"url":"https://hooks.example/brevo","events":["delivered"]}"#),
        ] {
            let created = await brevo.send("POST", path, json: body)
            try #require(created.status == 201, "\(path): \(created.body)")
        }
        return brevo
    }

    static let refusals: [Refusal] = [
        Refusal("a folder needs a name", "POST", "/contacts/folders", "{}", 400, "missing_parameter"),
        Refusal("a body must be JSON", "POST", "/contacts/folders", "name=x", 400, "invalid_parameter"),
        Refusal("folders page at most 50", "GET", "/contacts/folders", query: [("limit", "51")], "", 400, "out_of_range"),
        Refusal("sort is asc or desc", "GET", "/contacts/lists", query: [("sort", "up")], "", 400, "invalid_parameter"),
        Refusal("an unknown folder", "GET", "/contacts/folders/99", "", 404, "document_not_found"),
        Refusal("a list needs its folder", "POST", "/contacts/lists", #"{"name":"x"}"#, 400, "missing_parameter"),
        Refusal("a list's folder must exist", "POST", "/contacts/lists", #"{"name":"x","folderId":99}"#, 400, "invalid_parameter"),
        Refusal("folderId is an integer", "POST", "/contacts/lists", #"{"name":"x","folderId":"1"}"#, 400, "invalid_parameter"),
        Refusal("a list update takes name or folderId, not both", "PUT", "/contacts/lists/1", #"{"name":"x","folderId":1}"#, 400, "invalid_parameter"),
        Refusal("a list update takes one of them", "PUT", "/contacts/lists/1", "{}", 400, "missing_parameter"),
        Refusal("an unknown list", "DELETE", "/contacts/lists/99", "", 404, "document_not_found"),
        Refusal("a sender needs an email", "POST", "/senders", #"{"name":"x"}"#, 400, "missing_parameter"),
        Refusal("a sender's email is an address", "POST", "/senders", #"{"name":"x","email":"nope"}"#, 400, "invalid_parameter"),
        Refusal("one sender per address", "POST", "/senders", #"{"name":"x","email":"bonjour@belle-epoque.example"}"#, 400, "duplicate_parameter"),
        Refusal("an unknown sender", "PUT", "/senders/99", #"{"name":"x"}"#, 404, "document_not_found"),
        Refusal("a webhook needs events", "POST", "/webhooks", #"{"url":"https://h.example/x"}"#, 400, "missing_parameter"),
        Refusal("a webhook's url is a URL", "POST", "/webhooks", #"{"url":"not a url","events":["delivered"]}"#, 400, "invalid_parameter"),
        Refusal("transactional events only on a transactional webhook", "POST", "/webhooks", #"{"url":"https://h.example/x","events":["listAddition"]}"#, 400, "invalid_parameter"),
        Refusal("type is one of three", "POST", "/webhooks", #"{"url":"https://h.example/x","events":["delivered"],"type":"both"}"#, 400, "invalid_parameter"),
        Refusal("an inbound webhook needs a domain", "POST", "/webhooks", #"{"url":"https://h.example/x","type":"inbound"}"#, 400, "missing_parameter"),
        Refusal("type cannot be updated", "PUT", "/webhooks/1", #"{"type":"marketing"}"#, 400, "invalid_parameter"),
        Refusal("channel cannot be updated", "PUT", "/webhooks/1", #"{"channel":"sms"}"#, 400, "invalid_parameter"),
        Refusal("an unknown webhook", "GET", "/webhooks/99", "", 404, "document_not_found"),
        Refusal("an email needs a sender", "POST", "/smtp/email", #"{"to":[{"email":"a@b.example"}],"subject":"s","textContent":"t"}"#, 400, "missing_parameter"),
        Refusal(
            "an email needs recipients", "POST", "/smtp/email", #"{"sender":{"email":"bonjour@belle-epoque.example"},"subject":"s","textContent":"t"}"#, 400, "missing_parameter"),
        Refusal(
            "an email needs a body", "POST", "/smtp/email", #"{"sender":{"email":"bonjour@belle-epoque.example"},"to":[{"email":"a@b.example"}],"subject":"s"}"#, 400,
            "missing_parameter"),
        Refusal(
            "an email comes from one of the account's senders", "POST", "/smtp/email",
            #"{"sender":{"email":"someone@else.example"},"to":[{"email":"a@b.example"}],"subject":"s","textContent":"t"}"#, 400, "invalid_parameter"),
        Refusal("the email log needs a filter", "GET", "/smtp/emails", "", 400, "missing_parameter"),
        Refusal("the email log pages at most 1000", "GET", "/smtp/emails", query: [("email", "a@b.example"), ("limit", "1001")], "", 400, "out_of_range"),
        Refusal("an operation Brevo does not have", "GET", "/contacts/everything", "", 404, "document_not_found"),
    ]

    @Test(arguments: refusals) func refusesInBrevosOwnWords(_ refusal: Refusal) async throws {
        let brevo = try await Self.seeded()
        let answer = await brevo.send(refusal.method, refusal.path, query: refusal.query, json: refusal.body)
        #expect(answer.status == refusal.status, "\(answer.body)")
        #expect(answer.code == refusal.code, "\(answer.body)")
        #expect(answer.object["message"]?.string?.isEmpty == false)
    }

    @Test func noKeyIsUnauthorized() async throws {
        let brevo = try BrevoExchanges(options: ["apiKey": "xkeysib-right"])
        let none = await brevo.send("GET", "/account", apiKey: nil)
        let wrong = await brevo.send("GET", "/account", apiKey: "xkeysib-wrong")
        let right = await brevo.send("GET", "/account", apiKey: "xkeysib-right")
        #expect(none.status == 401 && none.code == "unauthorized" && wrong.status == 401)
        #expect(right.status == 200)
    }

    @Test func deletingAFolderDeletesItsLists() async throws {
        let brevo = try await Self.seeded()
        #expect(await brevo.send("GET", "/contacts/lists/1").status == 200)
        #expect(await brevo.send("DELETE", "/contacts/folders/1").status == 204)
        #expect(await brevo.send("GET", "/contacts/lists/1").code == "document_not_found")
    }

    /// A sender waits for its code unless its domain is authenticated; Brevo sends only from a
    /// validated one.
    @Test func aSenderNotYetValidatedCannotSend() async throws {
        let brevo = try BrevoExchanges()
        #expect(await brevo.send("POST", "/senders", json: #"{"name":"x","email":"new@salon.example"}"#).status == 201)
        #expect(await brevo.send("GET", "/senders").object["senders"]?.array?.first?["active"]?.bool == false)
        let sent = await brevo.send("POST", "/smtp/email", json: #"{"sender":{"email":"new@salon.example"},"to":[{"email":"a@b.example"}],"subject":"s","textContent":"t"}"#)
        #expect(sent.status == 400 && sent.code == "invalid_parameter")
        #expect(sent.object["message"]?.string?.contains("Validate your sender") == true)
    }

    /// The 41st marketing or transactional webhook is refused.
    @Test func fortyWebhooksAtMost() async throws {
        let brevo = try BrevoExchanges()
        for index in 0..<40 {
            let type = index % 2 == 0 ? "transactional" : "marketing"
            let made = await brevo.send("POST", "/webhooks", json: #"{"url":"https://h.example/\#(index)","events":["delivered"],"type":"\#(type)"}"#)
            try #require(made.status == 201, "\(made.body)")
        }
        let extra = await brevo.send("POST", "/webhooks", json: #"{"url":"https://h.example/41","events":["delivered"]}"#)
        #expect(extra.status == 400 && extra.code == "bad_request", "\(extra.body)")
        #expect(await brevo.send("DELETE", "/webhooks/1").status == 204)
        #expect(await brevo.send("POST", "/webhooks", json: #"{"url":"https://h.example/41","events":["delivered"]}"#).status == 201)
    }

    /// The published limits, answered with 429 and `x-sib-ratelimit-*` (here "other endpoints"
    /// at 2 an hour, contacts at 3 a second); the window frees itself as time passes.
    @Test func throttlesAtThePublishedLimitsWithBrevosHeaders() async throws {
        let brevo = try BrevoExchanges(options: ["otherPerHour": "2", "contactsPerSecond": "3"])
        let first = await brevo.send("GET", "/senders")
        #expect(first.status == 200 && brevo.header(first, "x-sib-ratelimit-limit") == "2" && brevo.header(first, "x-sib-ratelimit-remaining") == "1")
        #expect(await brevo.send("GET", "/webhooks").status == 200)
        let refused = await brevo.send("GET", "/account")
        #expect(refused.status == 429, "\(refused.body)")
        #expect(brevo.header(refused, "x-sib-ratelimit-remaining") == "0")
        let reset = try #require(brevo.header(refused, "x-sib-ratelimit-reset").flatMap(Int.init))
        #expect(reset > 3000 && reset <= 3600, "seconds until the hour's oldest request leaves the window: \(reset)")
        brevo.clock.advance(by: Double(reset))
        #expect(await brevo.send("GET", "/account").status == 200)

        // Contacts: three a second (the harness moves the clock 0.2 s a request).
        let statuses = await [
            brevo.send("GET", "/contacts/lists"), brevo.send("GET", "/contacts/lists"), brevo.send("GET", "/contacts/lists"), brevo.send("GET", "/contacts/lists"),
        ].map(\.status)
        #expect(statuses == [200, 200, 200, 429])
    }
}
