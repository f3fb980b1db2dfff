import Foundation
import SalonOpsEmulatorKit
import SalonOpsGoogleBusinessProfileEmulator
import SalonOpsProviderTesting
import Testing

/// Every request below is checked against its discovery method and every answer against the
/// method's response schema or google.rpc.Status (the harness does it on each call).
@Suite(.enabled(if: gbpSpecAvailable, Comment(rawValue: gbpSpecMissing)))
struct EmulatorGoogleBusinessProfileConformanceTests {
    @Test func listsAccountsInPagesOfAtMostTwenty() async throws {
        let extra = (3...25).map { "accounts/\($0)" }
        let g = try GBPHarness(options: GoogleBusinessProfileOptions(locations: GBPHarness.defaultOptions.locations, extraAccounts: extra))
        let first = try await g.call(on: .accountManagement, "GET", "v1/accounts")
        #expect(first.status == 200)
        let names = (first.json["accounts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.count == 20)
        #expect(Array(names.prefix(3)) == ["accounts/1", "accounts/2", "accounts/3"])
        let token = try #require(first.json["nextPageToken"] as? String)
        let last = try await g.call(on: .accountManagement, "GET", "v1/accounts", query: [("pageSize", "20"), ("pageToken", token)])
        #expect((last.json["accounts"] as? [[String: Any]])?.count == 5)
        #expect(last.json["nextPageToken"] == nil)

        let tooBig = try await g.call(on: .accountManagement, "GET", "v1/accounts", query: [("pageSize", "21")])
        #expect(tooBig.status == 400)
        #expect(tooBig.errorStatus == "INVALID_ARGUMENT")
        let one = try await g.call(on: .accountManagement, "GET", "v1/accounts/2")
        #expect(one.json["name"] as? String == "accounts/2")
        #expect(one.json["type"] as? String == "LOCATION_GROUP")
        let missing = try await g.call(on: .accountManagement, "GET", "v1/accounts/99")
        #expect(missing.status == 404)
        #expect(missing.errorStatus == "NOT_FOUND")
    }

    @Test func listsLocationsOverThreePagesWithOnlyTheMaskedFields() async throws {
        let g = try GBPHarness()
        var names: [String] = []
        var token: String?
        var pages = 0
        repeat {
            var query = [("readMask", "name,title,storefrontAddress.regionCode"), ("pageSize", "2")]
            if let token { query.append(("pageToken", token)) }
            let page = try await g.call("GET", "v1/accounts/1/locations", query: query)
            #expect(page.status == 200)
            for location in page.locations {
                #expect(Set(location.keys) == ["name", "title", "storefrontAddress"])
                #expect(location["storefrontAddress"] as? [String: String] == ["regionCode": "FR"])
                names.append(location["name"] as? String ?? "?")
            }
            token = page.json["nextPageToken"] as? String
            pages += 1
        } while token != nil && pages < 10
        #expect(pages == 3)
        #expect(names == (1...5).map { "locations/10\($0)" })

        let titlesOnly = try await g.call("GET", "v1/accounts/1/locations", query: [("readMask", "title")])
        #expect(titlesOnly.locations.count == 5)
        #expect(titlesOnly.locations.allSatisfy { Set($0.keys) == ["title"] })
        let everyAccount = try await g.call("GET", "v1/accounts/-/locations", query: [("readMask", "name"), ("pageSize", "100")])
        #expect(everyAccount.locations.count == 6)
        let sorted = try await g.call("GET", "v1/accounts/1/locations", query: [("readMask", "title"), ("orderBy", "title desc")])
        #expect(sorted.locations.first?["title"] as? String == "Belle Époque 5")
    }

    @Test func getsALocationWithItsMaskAndAnswersUnknownOnesNotFound() async throws {
        let g = try GBPHarness()
        let full = try await g.get(
            "locations/101", mask: "name,languageCode,title,categories,storefrontAddress,openInfo,metadata,regularHours,profile.description")
        #expect(full.status == 200)
        #expect(full.json["name"] as? String == "locations/101")
        #expect(full.json["languageCode"] as? String == "fr")
        #expect(full.json["title"] as? String == "Belle Époque 1")
        #expect((full.json["openInfo"] as? [String: Any])?["status"] as? String == "OPEN")
        #expect(full.json["regularHours"] == nil, "a new location has no hours")
        #expect(((full.json["categories"] as? [String: Any])?["primaryCategory"] as? [String: Any])?["name"] != nil)
        let noName = try await g.get("locations/101", mask: "title")
        #expect(noName.json.keys.sorted() == ["title"])
        let unknown = try await g.get("locations/999")
        #expect(unknown.status == 404)
        #expect(unknown.errorStatus == "NOT_FOUND")
    }

    /// A body for each field SalonOps writes, by update mask.
    static func body(for mask: String) -> [String: Any] {
        switch mask {
        case "title": return ["title": "Belle Époque Paris 11"]
        case "regularHours": return Hours.tuesday
        case "regularHours,specialHours": return Hours.withSpecial([Hours.special(Hours.date(2026, 12, 25), closed: true)])
        case "phoneNumbers": return ["phoneNumbers": ["primaryPhone": "+33 1 43 55 00 00", "additionalPhones": ["01 43 55 00 01"]]]
        case "websiteUri": return ["websiteUri": "https://belle-epoque.example/paris-11"]
        case "profile.description": return ["profile": ["description": "Coiffure et soins depuis 1987."]]
        case "profile": return ["profile": ["description": "Coiffure."]]
        case "serviceItems":
            return [
                "serviceItems": [
                    ["structuredServiceItem": ["serviceTypeId": "job_type_id:haircut"], "price": ["currencyCode": "EUR", "units": "45", "nanos": 500_000_000]],
                    ["freeFormServiceItem": ["category": "categories/gcid:hair_salon", "label": ["displayName": "Balayage", "languageCode": "fr"]]],
                ]
            ]
        case "labels": return ["labels": ["salonops:belle-epoque-paris-11"]]
        case "storeCode": return ["storeCode": "PARIS-11"]
        default: return [:]
        }
    }

    /// A PATCH of each field SalonOps writes, each answered with the whole location.
    @Test(arguments: [
        "title", "regularHours", "regularHours,specialHours", "phoneNumbers", "websiteUri", "profile.description", "profile", "serviceItems", "labels",
        "storeCode",
    ])
    func patchesEachSupportedField(mask: String) async throws {
        let g = try GBPHarness()
        let reply = try await g.patch("locations/102", mask: mask, Self.body(for: mask))
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.json["name"] as? String == "locations/102")
        #expect(reply.json["languageCode"] as? String == "fr", "the whole location comes back")
        for field in mask.split(separator: ",") {
            let head = String(field.split(separator: ".")[0])
            #expect(reply.json[head] != nil, "\(head) in \(reply.body)")
        }
        let readBack = try await g.get("locations/102", mask: mask)
        #expect(readBack.status == 200)
    }

    @Test func errorsAreGoogleRPCStatus() async throws {
        let g = try GBPHarness()
        let noMask = try await g.call("GET", "v1/locations/101", shape: .unchecked)
        #expect(noMask.status == 400)
        #expect(noMask.errorStatus == "INVALID_ARGUMENT")
        let badHours = try await g.patch("locations/101", mask: "regularHours", Hours.regular([Hours.period("MONDAY", Hours.time(18), "MONDAY", Hours.time(9))]))
        #expect(badHours.status == 400)
        #expect(badHours.reason == "INVALID_TIME_SCHEDULE")
        #expect(badHours.errorInfo["domain"] as? String == "mybusinessbusinessinformation.googleapis.com")
        #expect(badHours.fieldMask == "regularHours")
        let unknownField = try await g.call("PATCH", "v1/locations/101", query: [("updateMask", "title")], body: ["colour": "red"], shape: .invalid)
        #expect(unknownField.status == 400)
        let unknownParameter = try await g.call("GET", "v1/locations/101", query: [("readMask", "title"), ("colour", "red")], shape: .invalid)
        #expect(unknownParameter.status == 400)
        let noToken = try await g.call("GET", "v1/locations/101", query: [("readMask", "title")], auth: .anonymous)
        #expect(noToken.status == 401)
        #expect(noToken.errorStatus == "UNAUTHENTICATED")
        let notServed = try await g.call("DELETE", "v1/locations/101")
        #expect(notServed.status == 501)
        #expect(notServed.errorStatus == "UNIMPLEMENTED")
    }

    @Test func globalParametersAreAcceptedAndFieldsSelects() async throws {
        let g = try GBPHarness()
        let reply = try await g.call(
            "GET", "v1/locations/101",
            query: [("readMask", "name,title,languageCode"), ("alt", "json"), ("prettyPrint", "false"), ("$.xgafv", "2"), ("quotaUser", "salon-paris"), ("fields", "title")])
        #expect(reply.status == 200)
        #expect(reply.json.keys.sorted() == ["title"])
        #expect(!reply.body.contains("\n"), "prettyPrint=false is compact")
        let badBoolean = try await g.call("GET", "v1/locations/101", query: [("readMask", "title"), ("prettyPrint", "yes")], shape: .invalid)
        #expect(badBoolean.status == 400)
    }
}

/// The checker the suites rely on refuses what it should.
@Suite(.enabled(if: gbpSpecAvailable, Comment(rawValue: gbpSpecMissing)))
struct EmulatorGoogleBusinessProfileSpecCheckTests {
    @Test func resolvesSharedTemplatesByPathPattern() throws {
        let bi = try #require(GBPDiscovery.loaded).businessInformation
        #expect(GBPSpecCheck.method(bi, httpMethod: "GET", path: "v1/locations/101")?.id == "mybusinessbusinessinformation.locations.get")
        #expect(GBPSpecCheck.method(bi, httpMethod: "GET", path: "v1/chains/7")?.id == "mybusinessbusinessinformation.chains.get")
        #expect(GBPSpecCheck.method(bi, httpMethod: "GET", path: "v1/locations/101/attributes")?.id == "mybusinessbusinessinformation.locations.getAttributes")
    }

    @Test func refusesWrongAnswers() throws {
        let bi = try #require(GBPDiscovery.loaded).businessInformation
        let get = GBPSpecCheck.method(bi, httpMethod: "GET", path: "v1/locations/101")
        #expect(!GBPSpecCheck.response(bi, status: 200, body: #"{"title": 5}"#, method: get, partial: false).isEmpty)
        #expect(!GBPSpecCheck.response(bi, status: 200, body: #"{"colour": "red"}"#, method: get, partial: false).isEmpty)
        let calendarStyle = #"{"error": {"errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}], "code": 404, "message": "Not Found"}}"#
        #expect(!GBPSpecCheck.rpcStatus(status: 404, body: calendarStyle).isEmpty)
        #expect(!GBPSpecCheck.rpcStatus(status: 400, body: #"{"error": {"code": 400, "message": "x", "status": "NOT_FOUND"}}"#).isEmpty)
        #expect(GBPSpecCheck.rpcStatus(status: 404, body: #"{"error": {"code": 404, "message": "x", "status": "NOT_FOUND"}}"#).isEmpty)
    }
}

/// The shared validator tells Business Information's `GET v1/{+name}` methods apart by their
/// path parameters' own patterns, whatever order the document was read in.
@Suite(.enabled(if: gbpSpecAvailable, Comment(rawValue: gbpSpecMissing)))
struct DiscoveryDocumentPatternTests {
    @Test func onePathTemplateServesSeveralMethodsByTheirParametersPatterns() throws {
        let document = try #require(GBPDiscovery.loaded).businessInformation
        #expect(document.method(httpMethod: "GET", path: "v1/locations/123")?.id == "mybusinessbusinessinformation.locations.get")
        #expect(document.method(httpMethod: "GET", path: "v1/locations/123/attributes")?.id == "mybusinessbusinessinformation.locations.getAttributes")
        #expect(document.method(httpMethod: "GET", path: "v1/chains/9")?.id == "mybusinessbusinessinformation.chains.get")
        #expect(document.method(httpMethod: "PATCH", path: "v1/locations/123")?.id == "mybusinessbusinessinformation.locations.patch")
    }
}
