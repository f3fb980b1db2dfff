import Foundation
import SalonOpsCore
import SalonOpsProviders
import SalonOpsSecrets
import SalonOpsTestSupport
import Testing

@testable import SalonOpsDaemon

/// The merchants feed of examples/salon-chain, as the daemon would serve it from the commit it
/// applied, checked field by field; and the endpoint's answers around it.
@Suite struct GrouponFeedTests {
    /// examples/salon-chain loaded as the loader reads a commit, with files replaced by `overrides`
    /// (path under the config root → text); an error diagnostic fails the test.
    static func example(_ overrides: [String: String] = [:]) throws -> DesiredState {
        let relative = "examples/salon-chain"
        let base = Paths.packageRoot.appendingPathComponent(relative)
        var files: [ConfigFile] = []
        let enumerator = try #require(FileManager.default.enumerator(atPath: base.path))
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue, ConfigFile.isRelevant(path) else { continue }
            let contents = try overrides[path].map { Array($0.utf8) } ?? Array(Data(contentsOf: base.appendingPathComponent(path)))
            files.append(ConfigFile(path: path, repositoryPath: "\(relative)/\(path)", contents: contents))
        }
        let result = ConfigLoader.load(files.sorted { $0.path < $1.path }, catalog: Registry.catalog)
        let errors = result.diagnostics.filter { $0.severity == .error }
        try #require(errors.isEmpty, "\(errors.map(\.headline))")
        return result.state
    }

    @Test func paris11FieldByField() throws {
        let document = GrouponFeed.document(ids: ["fr-88213"], state: try Self.example())
        #expect(document.errors == nil)
        let merchant = try #require(document.merchants.first)
        #expect(document.merchants.count == 1)
        #expect(merchant.id == "fr-88213")
        #expect(merchant.name == "Belle Époque Paris 11 – Oberkampf")
        #expect(merchant.websiteUrl == "https://www.belle-epoque.example/instituts/paris-11")
        #expect(merchant.contacts == [.init(name: "Belle Époque Paris 11 – Oberkampf", email: "paris11@belle-epoque.example", phone: "+33199001142")])
        #expect(
            merchant.redemptionLocations == [
                .init(
                    id: "paris-11", name: "Belle Époque Paris 11 – Oberkampf",
                    address: .init(streetAddress: "42 rue Oberkampf", postalCode: "75011", city: "Paris", country: "FR"), phone: "+33199001142")
            ])
        // Every service of the catalogue but the prenatal massage (not bookable online), by name.
        let expected: [(String, Int, Int64)] = [
            ("beaute-des-pieds", 60, 4900), ("depose-semi-permanent", 20, 1500), ("epilation-aisselles", 15, 1600), ("epilation-demi-jambes", 30, 2700),
            ("epilation-jambes-completes", 45, 3900), ("epilation-levre", 10, 1000), ("epilation-maillot-classique", 20, 2200),
            ("epilation-maillot-integral", 30, 3900), ("epilation-sourcils", 15, 1400), ("forfait-demi-jambes-maillot-aisselles", 60, 5500),
            ("forfait-jambes-maillot-aisselles", 75, 6500), ("manucure", 45, 3500), ("massage-californien", 60, 7900), ("massage-dos", 30, 4500),
            ("massage-pierres-chaudes", 75, 9500), ("pose-semi-permanent", 60, 4500), ("rituel-belle-epoque", 90, 10900), ("soin-eclat-express", 30, 3900),
            ("soin-purifiant", 45, 5500), ("soin-visage-anti-age", 75, 8900), ("soin-visage-hydratant", 60, 6500),
        ]
        #expect(merchant.services.map(\.id) == expected.map(\.0))
        #expect(merchant.services.map(\.duration) == expected.map(\.1))
        #expect(merchant.services.map(\.price) == expected.map { GrouponFeed.Price(amount: $0.2, currencyCode: "EUR") })
        let hydratant = try #require(merchant.services.last)
        #expect(hydratant.name == "Soin visage hydratant")
        #expect(hydratant.description == "Démaquillage, gommage, masque hydratant à l'acide hyaluronique et modelage du visage.")
        // Staff as attributes, by name, with the services they perform here (online-bookable).
        #expect(merchant.attributes.map(\.id) == ["camille", "ines", "lea", "sofia", "thomas"])
        #expect(merchant.attributes.map(\.name) == ["Camille Martin", "Inès Benali", "Léa Dubois", "Sofia Da Costa", "Thomas Nguyen"])
        #expect(merchant.attributes.allSatisfy { $0.type == "staff" })
        #expect(merchant.attributes[2].serviceIds == ["beaute-des-pieds", "depose-semi-permanent", "manucure", "pose-semi-permanent"])
        #expect(merchant.attributes[4].serviceIds == ["massage-californien", "massage-dos", "massage-pierres-chaudes", "rituel-belle-epoque"])
    }

    @Test func unknownIdsAreMerchantNotFound() throws {
        let document = GrouponFeed.document(ids: ["nope", "fr-88213", "lyon"], state: try Self.example())
        #expect(document.merchants.map(\.id) == ["fr-88213"])
        #expect(document.errors == [.init(code: "MERCHANT_NOT_FOUND", merchants: [.init(id: "nope"), .init(id: "lyon")])])
    }

    /// Two establishments, one merchant id each (`merchantIds`), each with its own prices and
    /// durations (Bordeaux's overrides).
    @Test func oneMerchantPerEstablishmentWithItsOverrides() throws {
        let state = try Self.example([
            "integrations/groupon.yaml": """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata:
              name: groupon
            spec:
              provider: groupon
              enabled: true
              establishments: [paris-11, bordeaux-chartrons]
              credentials:
                apiKey:
                  secret: secrets/groupon.sops.yaml#groupon.api_key
              settings:
                merchantId: "fr-88213"
                merchantIds:
                  bordeaux-chartrons: "fr-33001"
            """
        ])
        let document = GrouponFeed.document(ids: ["fr-33001", "fr-88213"], state: state)
        #expect(document.merchants.map(\.id) == ["fr-33001", "fr-88213"])
        #expect(document.merchants.map { $0.redemptionLocations.map(\.id) } == [["bordeaux-chartrons"], ["paris-11"]])
        let bordeaux = Dictionary(uniqueKeysWithValues: document.merchants[0].services.map { ($0.id, $0) })
        let paris = Dictionary(uniqueKeysWithValues: document.merchants[1].services.map { ($0.id, $0) })
        #expect(bordeaux["soin-visage-hydratant"]?.price.amount == 5900 && paris["soin-visage-hydratant"]?.price.amount == 6500)
        #expect(bordeaux["massage-pierres-chaudes"]?.duration == 90 && bordeaux["massage-pierres-chaudes"]?.price.amount == 9900)
        #expect(paris["massage-pierres-chaudes"]?.duration == 75)
    }

    @Test func theIdsParameter() throws {
        #expect(try GrouponFeed.ids(query: [("ids", "a, b,a"), ("other", "x")]) == ["a", "b"])
        let malformed: [([(String, String)], String)] = [
            ([], "the ids parameter is missing: ask for ?ids=<merchant id>,<merchant id>"),
            ([("ids", "a"), ("ids", "b")], "ids is given more than once"),
            ([("ids", "")], "ids has an empty merchant id: write ids=<id>,<id>"),
            ([("ids", "a,,b")], "ids has an empty merchant id: write ids=<id>,<id>"),
            ([("ids", (0...100).map(String.init).joined(separator: ","))], "ids asks for 101 merchants; at most 100 at a time"),
        ]
        for (query, message) in malformed {
            #expect(throws: GrouponFeed.MalformedRequest(description: message)) { try GrouponFeed.ids(query: query) }
        }
    }

    // MARK: Through the endpoint

    static let key = "feed-signing-key"
    static let publicURL = "https://salon.example"

    /// Signs as GrouponSignatureTests' peer does (its Python is the independent check; here the
    /// endpoint's routing is under test).
    static func header(method: String, path: String, query: String, body: String = "", nonce: String) -> String {
        let url = try! GrouponSignature.PublicBaseURL(publicURL).url(path: path)
        let base = GrouponSignature.baseString(method: method, nonce: nonce, baseURL: url, parameters: GrouponQuery.decode(query) ?? [], body: Array(body.utf8))
        let mac = Data(Crypto.hmacSHA1(key: Array(key.utf8), data: Array(base.utf8))).base64EncodedString()
        return #"groupon-third-party version="1.1",digest="HMAC-SHA1",nonce="\#(nonce)",signature="\#(GrouponSignature.encode(mac))""#
    }

    static func call(
        _ method: String, _ path: String, query: String = "", state: DesiredState?, secret: Secret? = Secret(Array(key.utf8), fingerprintKey: []),
        signed: Bool = true, extra: [String: String] = [:]
    ) throws -> (status: Int, headers: [String: String], body: String) {
        var headers = extra
        if signed { headers["authorization"] = header(method: method, path: path, query: query, nonce: UUID().uuidString) }
        let response = GrouponEndpoint.respond(
            method: method, path: path, query: query, headers: headers, body: [], publicBaseURL: try GrouponSignature.PublicBaseURL(publicURL),
            state: state, secret: secret, nonces: GrouponNonces(), now: Date(timeIntervalSince1970: 1_800_000_000))
        return (response.status, response.headers, String(decoding: response.body, as: UTF8.self))
    }

    @Test func theEndpointServesTheFeedAndNothingElse() throws {
        let state = try Self.example()
        let feed = try Self.call("GET", GrouponFeed.path, query: "ids=fr-88213,unknown", state: state, extra: ["x-request-id": "r-1"])
        #expect(feed.status == 200)
        #expect(feed.headers == ["content-type": "application/json; charset=utf-8", "x-request-id": "r-1"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(feed.body.utf8)) as? [String: Any])
        #expect((object["merchants"] as? [[String: Any]])?.first?["websiteUrl"] as? String == "https://www.belle-epoque.example/instituts/paris-11")
        #expect(
            feed.body.hasPrefix(
                #"{"errors":[{"code":"MERCHANT_NOT_FOUND","merchants":[{"id":"unknown"}]}],"merchants":[{"attributes":[{"id":"camille","name":"Camille Martin","serviceIds":["#))
        // The same state gives the same bytes.
        #expect(try Self.call("GET", GrouponFeed.path, query: "ids=fr-88213,unknown", state: state, extra: ["x-request-id": "r-1"]).body == feed.body)

        let cases: [(String, String, String, DesiredState?, Secret?, Bool, Int, String)] = [
            ("GET", GrouponFeed.path, "", state, nil, true, 503, "UNKNOWN_ERROR"),
            ("GET", GrouponFeed.path, "ids=fr-88213", state, Secret(Array("other".utf8), fingerprintKey: []), true, 401, "INVALID_REQUEST_SIGNATURE"),
            ("GET", GrouponFeed.path, "ids=fr-88213", state, Secret(Array(Self.key.utf8), fingerprintKey: []), false, 401, "INVALID_REQUEST_SIGNATURE"),
            ("GET", GrouponFeed.path, "ids=fr-88213", nil, Secret(Array(Self.key.utf8), fingerprintKey: []), true, 503, "UNKNOWN_ERROR"),
            ("GET", GrouponFeed.path, "", state, Secret(Array(Self.key.utf8), fingerprintKey: []), true, 400, "MALFORMED_REQUEST"),
            ("POST", GrouponFeed.path, "ids=fr-88213", state, Secret(Array(Self.key.utf8), fingerprintKey: []), true, 405, "MALFORMED_REQUEST"),
            ("GET", "/groupon/v1/feed/services/availability", "merchantId=fr-88213", state, Secret(Array(Self.key.utf8), fingerprintKey: []), true, 501, "NOT_IMPLEMENTED"),
            ("POST", "/groupon/v1/bookings/cancellations", "", state, Secret(Array(Self.key.utf8), fingerprintKey: []), true, 501, "NOT_IMPLEMENTED"),
            ("GET", "/groupon/v2/whatever", "", state, Secret(Array(Self.key.utf8), fingerprintKey: []), true, 404, "NOT_FOUND"),
            ("GET", "/status.json", "", state, Secret(Array(Self.key.utf8), fingerprintKey: []), true, 404, "NOT_FOUND"),
        ]
        for (method, path, query, state, secret, signed, status, code) in cases {
            let response = try Self.call(method, path, query: query, state: state, secret: secret, signed: signed)
            let what = "\(method) \(path)?\(query)"
            #expect(response.status == status, "\(what): \(response.body)")
            let envelope = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any], "\(what)")
            #expect(envelope["httpCode"] as? Int == status, "\(what)")
            let first = (envelope["errors"] as? [[String: Any]])?.first
            #expect(first?["code"] as? String == code, "\(what)")
            #expect((first?["message"] as? String)?.isEmpty == false, "\(what)")
        }
        let booking = try Self.call("POST", "/groupon/v1/bookings", state: state)
        #expect(booking.body.contains("belongs to the salon's booking app, not SalonOps"))
    }
}
