import Foundation
import SalonOpsBrevoEmulator
import SalonOpsEmulatorKit
import SalonOpsProviderTesting
import Testing

/// Every operation the emulator serves, driven the way a client would, each request and each
/// answer (successes and refusals) checked against brevo-v3.openapi.yml: the operation exists,
/// parameters and bodies match its schemas, the status is one it declares and the body its
/// schema (required properties, types, enums, no undeclared property).
@Suite(.enabled(if: brevoSpec != nil, "needs shared/specs/brevo-v3.openapi.yml beside the package or in /work/shared/specs"))
struct EmulatorBrevoSpecTests {
    @Test func everyRequestAndAnswerFollowsTheSpec() async throws {
        let spec = try #require(brevoSpec)
        let brevo = try BrevoExchanges(options: ["authenticatedDomains": "belle-epoque.example"])
        let folder = try #require(await brevo.send("POST", "/contacts/folders", json: #"{"name":"SalonOps"}"#).id)
        await brevo.send("GET", "/contacts/folders", query: [("limit", "50"), ("offset", "0"), ("sort", "asc")])
        await brevo.send("GET", "/contacts/folders/\(folder)")
        await brevo.send("PUT", "/contacts/folders/\(folder)", json: #"{"name":"SalonOps (Belle Époque)"}"#)
        let other = try #require(await brevo.send("POST", "/contacts/folders", json: #"{"name":"Autres"}"#).id)
        let list = try #require(await brevo.send("POST", "/contacts/lists", json: #"{"name":"newsletter","folderId":\#(folder)}"#).id)
        await brevo.send("GET", "/contacts/lists", query: [("limit", "2"), ("offset", "0")])
        await brevo.send("GET", "/contacts/lists/\(list)")
        await brevo.send("PUT", "/contacts/lists/\(list)", json: #"{"name":"lettre"}"#)
        await brevo.send("PUT", "/contacts/lists/\(list)", json: #"{"folderId":\#(other)}"#)
        await brevo.send("GET", "/contacts/folders/\(other)/lists", query: [("limit", "10")])
        let sender = try #require(await brevo.send("POST", "/senders", json: #"{"name":"Belle Époque","email":"bonjour@belle-epoque.example"}"#).id)
        await brevo.send("GET", "/senders")
        await brevo.send("GET", "/senders", query: [("domain", "belle-epoque.example")])
        await brevo.send("PUT", "/senders/\(sender)", json: #"{"name":"Belle Époque Instituts"}"#)
        let hook = try #require(
            await brevo.send(
                "POST", "/webhooks",
                json: #"{"url":"https://hooks.example/brevo","description":"SalonOps","events":["delivered","hardBounce"],"type":"transactional","channel":"email"}"#
            ).id)
        await brevo.send("POST", "/webhooks", json: #"{"url":"https://hooks.example/m","events":["listAddition"],"type":"marketing","batched":true}"#)
        await brevo.send("GET", "/webhooks", query: [("type", "transactional")])
        await brevo.send("GET", "/webhooks", query: [("type", "marketing"), ("sort", "asc")])
        await brevo.send("GET", "/webhooks/\(hook)")
        await brevo.send("PUT", "/webhooks/\(hook)", json: #"{"url":"https://hooks.example/brevo2","events":["delivered"],"description":"SalonOps 2"}"#)
        let sent = await brevo.send(
            "POST", "/smtp/email",
            json:
                #"{"sender":{"name":"Belle Époque","email":"bonjour@belle-epoque.example"},"to":[{"email":"gerante@belle-epoque.example"},{"email":"ops@belle-epoque.example","name":"Ops"}],"subject":"Alerte","textContent":"Un run a échoué.","htmlContent":"<p>Un run a échoué.</p>","tags":["salonops","alert"]}"#
        )
        #expect(sent.status == 201, "\(sent.body)")
        let messageID = try #require(sent.object["messageId"]?.string)
        #expect(messageID.hasPrefix("<") && messageID.hasSuffix(">") && messageID.contains("@"))
        await brevo.send("GET", "/smtp/emails", query: [("email", "gerante@belle-epoque.example"), ("limit", "10"), ("offset", "0"), ("sort", "desc")])
        await brevo.send("GET", "/smtp/emails", query: [("messageId", messageID)])
        await brevo.send("GET", "/account")
        // Refusals answer in the spec's error model.
        await brevo.send("POST", "/contacts/lists", json: #"{"name":"sans dossier"}"#)
        await brevo.send("GET", "/contacts/lists/999")
        await brevo.send("PUT", "/webhooks/999", json: #"{"url":"https://hooks.example/x"}"#)
        await brevo.send("DELETE", "/contacts/lists/\(list)")
        await brevo.send("DELETE", "/contacts/folders/\(folder)")
        await brevo.send("DELETE", "/webhooks/\(hook)")
        await brevo.send("DELETE", "/senders/\(sender)")

        #expect(brevo.log.count == 32)
        var statuses: Set<Int> = []
        for exchange in brevo.log {
            let label = "\(exchange.method) \(exchange.path)"
            let body = exchange.body.isEmpty ? nil : exchange.body
            // A refused request is wrong on purpose; its answer is still checked.
            if exchange.response.status < 400 {
                #expect(
                    spec.problems(request: exchange.method, exchange.path, query: exchange.query, body: body).isEmpty,
                    "\(label): \(spec.problems(request: exchange.method, exchange.path, query: exchange.query, body: body))")
            }
            let problems = spec.problems(response: exchange.method, exchange.path, status: exchange.response.status, body: exchange.response.body)
            #expect(problems.isEmpty, "\(label) → \(exchange.response.status): \(problems) \(exchange.response.body.prefix(300))")
            statuses.insert(exchange.response.status)
        }
        #expect(statuses == [200, 201, 204, 400, 404])
    }

    /// The checker itself finds what is wrong (so the test above can fail): a missing required
    /// property, a wrong type, a value outside an enum, an undeclared property, an unknown
    /// operation, a status the spec does not declare, a query parameter out of bounds.
    @Test func theSpecCheckerCatchesWhatIsWrong() throws {
        let spec = try #require(brevoSpec)
        #expect(!spec.problems(response: "GET", "/contacts/folders/1", status: 200, body: #"{"id":1,"name":"x","totalBlacklisted":0,"totalSubscribers":0}"#).isEmpty)
        #expect(
            !spec.problems(response: "GET", "/contacts/folders/1", status: 200, body: #"{"id":"1","name":"x","totalBlacklisted":0,"totalSubscribers":0,"uniqueSubscribers":0}"#)
                .isEmpty)
        #expect(
            !spec.problems(response: "GET", "/webhooks/1", status: 200, body: #"{"id":1,"url":"u","description":"","events":[],"type":"sideways","createdAt":"","modifiedAt":""}"#)
                .isEmpty)
        #expect(!spec.problems(response: "GET", "/senders", status: 200, body: #"{"senders":[{"id":1,"name":"n","email":"a@b.example","active":true,"colour":"red"}]}"#).isEmpty)
        #expect(
            !spec.problems(
                response: "GET", "/contacts/lists", status: 200, body: #"{"lists":[{"id":1,"name":"n","totalBlacklisted":0,"totalSubscribers":0,"uniqueSubscribers":0}],"count":1}"#
            ).isEmpty, "getLists items need folderId (allOf)")
        #expect(!spec.problems(response: "POST", "/contacts/lists", status: 418, body: "{}").isEmpty)
        #expect(!spec.problems(request: "GET", "/contacts/lists", query: [("limit", "51")]).isEmpty)
        #expect(!spec.problems(request: "POST", "/webhooks", body: #"{"url":"https://x.example","events":["nope"]}"#).isEmpty)
        #expect(!spec.problems(request: "GET", "/nowhere").isEmpty)
        #expect(
            spec.problems(response: "GET", "/contacts/folders/1", status: 200, body: #"{"id":1,"name":"x","totalBlacklisted":0,"totalSubscribers":0,"uniqueSubscribers":0}"#)
                .isEmpty)
    }
}
