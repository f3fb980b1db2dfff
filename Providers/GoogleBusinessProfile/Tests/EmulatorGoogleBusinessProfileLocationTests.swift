import Foundation
import SalonOpsEmulatorKit
import SalonOpsGoogleBusinessProfileEmulator
import SalonOpsProviderTesting
import Testing

/// Masks, replace semantics, validateOnly, the other fields' rules and the edit quota.
@Suite(.enabled(if: gbpSpecAvailable, Comment(rawValue: gbpSpecMissing)))
struct EmulatorGoogleBusinessProfileLocationTests {
    typealias H = Hours

    @Test func masksAreRequiredAndNameLocationFields() async throws {
        let g = try GBPHarness()
        let list = try await g.call("GET", "v1/accounts/1/locations", shape: .unchecked)
        #expect(list.status == 400)
        #expect(list.errorStatus == "INVALID_ARGUMENT")
        let emptyMask = try await g.call("GET", "v1/locations/101", query: [("readMask", "")])
        #expect(emptyMask.status == 400)
        let notAField = try await g.get("locations/101", mask: "title,colour")
        #expect(notAField.status == 400)
        let snakeCase = try await g.get("locations/101", mask: "storefront_address.region_code")
        #expect(snakeCase.json["storefrontAddress"] as? [String: String] == ["regionCode": "FR"])

        let noUpdateMask = try await g.call("PATCH", "v1/locations/101", body: ["title": "x"], shape: .unchecked)
        #expect(noUpdateMask.status == 400)
        for mask in ["colour", "metadata", "languageCode", "name", "categories.primaryCategory"] {
            let reply = try await g.patch("locations/101", mask: mask, ["title": "x"])
            #expect(reply.status == 400, "\(mask)")
            #expect(reply.errorStatus == "INVALID_ARGUMENT")
        }
        let latlng = try await g.patch("locations/101", mask: "latlng", ["latlng": ["latitude": 48.85, "longitude": 2.37]])
        #expect(latlng.reason == "LAT_LNG_UPDATES_NOT_PERMITTED")
    }

    @Test func pageSizesOutOfRangeAndForeignTokensAreRefused() async throws {
        let g = try GBPHarness()
        for size in ["101", "-1"] {
            let reply = try await g.call("GET", "v1/accounts/1/locations", query: [("readMask", "name"), ("pageSize", size)])
            #expect(reply.status == 400, "pageSize=\(size)")
        }
        let hundred = try await g.call("GET", "v1/accounts/1/locations", query: [("readMask", "name"), ("pageSize", "100")])
        #expect(hundred.locations.count == 5)
        #expect(hundred.json["nextPageToken"] == nil)
        let page = try await g.call("GET", "v1/accounts/1/locations", query: [("readMask", "name"), ("pageSize", "1")])
        let token = try #require(page.json["nextPageToken"] as? String)
        let foreign = try await g.call("GET", "v1/accounts/2/locations", query: [("readMask", "name"), ("pageToken", token)])
        #expect(foreign.status == 400)
        let unknownAccount = try await g.call("GET", "v1/accounts/99/locations", query: [("readMask", "name")])
        #expect(unknownAccount.status == 404)
    }

    /// [A] Each named block is replaced whole: a second PATCH of regularHours drops the periods
    /// of the first; a masked field absent from the body is cleared; unmasked fields stay.
    @Test func namedBlocksAreReplacedWholeAndOthersKept() async throws {
        let g = try GBPHarness()
        let week = H.regular(["MONDAY", "TUESDAY", "WEDNESDAY"].map { H.period($0, H.time(9), $0, H.time(19)) })
        #expect(try await g.patch("locations/101", mask: "regularHours,websiteUri", week.merging(["websiteUri": "https://a.example"]) { a, _ in a }).status == 200)
        let replaced = try await g.patch("locations/101", mask: "regularHours", H.tuesday.merging(["title": "ignored: not in the mask"]) { a, _ in a })
        let periods = (replaced.json["regularHours"] as? [String: Any])?["periods"] as? [[String: Any]]
        #expect(periods?.count == 1)
        #expect(replaced.json["title"] as? String == "Belle Époque 1", "a field outside the mask is not written")
        #expect(replaced.json["websiteUri"] as? String == "https://a.example")
        let byPeriods = try await g.patch("locations/101", mask: "regularHours.periods", week)
        #expect(((byPeriods.json["regularHours"] as? [String: Any])?["periods"] as? [Any])?.count == 3, "a path to the list replaces it too")
        let cleared = try await g.patch("locations/101", mask: "websiteUri", [:])
        #expect(cleared.status == 200)
        #expect(cleared.json["websiteUri"] == nil)
        let description = try await g.patch("locations/101", mask: "profile.description", ["profile": ["description": "Coiffure."]])
        #expect((description.json["profile"] as? [String: String]) == ["description": "Coiffure."])
        let keys = description.json.keys
        #expect(keys.contains("metadata") && keys.contains("storefrontAddress") && keys.contains("regularHours"))
    }

    @Test func validateOnlyChecksAndWritesNothing() async throws {
        let g = try GBPHarness()
        let before = g.stored("locations/101")
        let ok = try await g.patch("locations/101", mask: "title", ["title": "Nouveau nom"], validateOnly: true)
        #expect(ok.status == 200)
        #expect(ok.json.isEmpty)
        #expect(g.stored("locations/101")["title"] as? String == before["title"] as? String)
        let bad = try await g.patch("locations/101", mask: "websiteUri", ["websiteUri": "ftp://x"], validateOnly: true)
        #expect(bad.reason == "INVALID_URL")
        // validateOnly requests are not edits: eleven of them and the edit quota is untouched.
        for _ in 0..<11 { _ = try await g.patch("locations/101", mask: "title", ["title": "Essai"], validateOnly: true) }
        #expect(try await g.patch("locations/101", mask: "title", ["title": "Écrit"]).status == 200)
    }

    @Test func phonesWebsiteDescriptionLabelsAndStoreCodes() async throws {
        let g = try GBPHarness()
        let cases: [(String, [String: Any], String)] = [
            ("phoneNumbers", ["phoneNumbers": ["additionalPhones": ["01 43 55 00 01"]]], "MISSING_PRIMARY_PHONE_NUMBER"),
            ("phoneNumbers", [:], "MISSING_PRIMARY_PHONE_NUMBER"),
            ("phoneNumbers", ["phoneNumbers": ["primaryPhone": "+33 1 43 55 00 00", "additionalPhones": ["0143550001", "0143550002", "0143550003"]]], "TOO_MANY_ENTRIES"),
            ("phoneNumbers", ["phoneNumbers": ["primaryPhone": "call us"]], "INVALID_PHONE_NUMBER"),
            ("websiteUri", ["websiteUri": "belle-epoque.example"], "INVALID_URL"),
            ("profile.description", ["profile": ["description": String(repeating: "é", count: 751)]], "STRING_TOO_LONG"),
            ("labels", ["labels": [""]], "STRING_TOO_SHORT"),
            ("labels", ["labels": [String(repeating: "x", count: 256)]], "STRING_TOO_LONG"),
            ("title", ["title": ""], "REQUIRED_FIELD_MISSING_VALUE"),
        ]
        for (mask, body, reason) in cases {
            let reply = try await g.patch("locations/101", mask: mask, body)
            #expect(reply.status == 400)
            #expect(reply.reason == reason, "\(mask) \(body): \(reply.body)")
            #expect(reply.fieldMask == mask)
        }
        #expect(try await g.patch("locations/101", mask: "profile", ["profile": ["description": String(repeating: "é", count: 750)]]).status == 200)
        #expect(try await g.patch("locations/101", mask: "storeCode", ["storeCode": "PARIS-11"]).status == 200)
        let taken = try await g.patch("locations/102", mask: "storeCode", ["storeCode": "PARIS-11"])
        #expect(taken.status == 409)
        #expect(try await g.patch("locations/201", mask: "storeCode", ["storeCode": "PARIS-11"]).status == 200, "unique per account only")
    }

    @Test func serviceItemRulesAndDuplicateRemoval() async throws {
        let g = try GBPHarness()
        let haircut: [String: Any] = ["structuredServiceItem": ["serviceTypeId": "job_type_id:haircut"]]
        let label: [String: Any] = ["displayName": "Balayage"]
        let cases: [([[String: Any]], String)] = [
            ([["price": ["currencyCode": "EUR", "units": "10"]]], "INVALID_SERVICE_ITEM"),
            ([haircut.merging(["freeFormServiceItem": ["category": "c", "label": label]]) { a, _ in a }], "INVALID_SERVICE_ITEM"),
            ([["structuredServiceItem": ["description": "x"]]], "SERVICE_ITEM_WITH_NO_SERVICE_TYPE_ID"),
            ([["freeFormServiceItem": ["label": label]]], "FREE_FORM_SERVICE_ITEM_WITH_NO_CATEGORY_ID"),
            ([["freeFormServiceItem": ["category": "c"]]], "FREE_FORM_SERVICE_ITEM_WITH_NO_LABEL"),
            ([["freeFormServiceItem": ["category": "c", "label": ["description": "x"]]]], "SERVICE_ITEM_LABEL_NO_DISPLAY_NAME"),
            ([["freeFormServiceItem": ["category": "c", "label": ["displayName": String(repeating: "x", count: 141)]]]], "STRING_TOO_LONG"),
            ([haircut.merging(["price": ["units": "45"]]) { a, _ in a }], "PRICE_CURRENCY_MISSING"),
            ([haircut.merging(["price": ["currencyCode": "euro", "units": "45"]]) { a, _ in a }], "PRICE_CURRENCY_INVALID"),
            ([haircut, haircut.merging(["price": ["currencyCode": "EUR", "units": "45"]]) { a, _ in a }], "SERVICE_TYPE_ID_DUPLICATE"),
        ]
        for (items, reason) in cases {
            let reply = try await g.patch("locations/101", mask: "serviceItems", ["serviceItems": items])
            #expect(reply.status == 400)
            #expect(reply.reason == reason, "\(items): \(reply.body)")
        }
        let priced = haircut.merging(["price": ["currencyCode": "EUR", "units": "45", "nanos": 500_000_000]]) { a, _ in a }
        let balayage: [String: Any] = ["freeFormServiceItem": ["category": "categories/gcid:hair_salon", "label": label]]
        let reply = try await g.patch("locations/101", mask: "serviceItems", ["serviceItems": [priced, balayage, priced, balayage]])
        #expect(reply.status == 200, "\(reply.body)")
        #expect((reply.json["serviceItems"] as? [Any])?.count == 2, "exact duplicates are removed")
    }

    /// 10 edits a minute per location, sliding window; the 11th is 429 RESOURCE_EXHAUSTED with
    /// Retry-After, another location is unaffected, and the window passing lets edits through again.
    @Test func tenEditsAMinutePerLocation() async throws {
        let g = try GBPHarness()
        for index in 0..<10 {
            #expect(try await g.patch("locations/101", mask: "title", ["title": "Titre \(index)"]).status == 200)
            g.clock.advance(by: 3)
        }
        let limited = try await g.patch("locations/101", mask: "title", ["title": "Titre 10"])
        #expect(limited.status == 429)
        #expect(limited.errorStatus == "RESOURCE_EXHAUSTED")
        #expect(limited.reason == "RATE_LIMIT_EXCEEDED")
        #expect(limited.errorInfo["domain"] as? String == "googleapis.com")
        let metadata = limited.errorInfo["metadata"] as? [String: String]
        #expect(metadata?["quota_metric"] == "mybusinessbusinessinformation.googleapis.com/edits")
        #expect(metadata?["quota_limit"] == "EditsPerMinutePerProfile")
        // The first edit was 30 s ago: it leaves the window in 30 s.
        #expect(limited.header("Retry-After") == "30")
        #expect(g.stored("locations/101")["title"] as? String == "Titre 9")
        #expect(try await g.patch("locations/102", mask: "title", ["title": "Autre"]).status == 200)
        #expect(try await g.get("locations/101").status == 200, "reads are not edits")
        g.clock.advance(by: 30)
        #expect(try await g.patch("locations/101", mask: "title", ["title": "Titre 10"]).status == 200)
        #expect(try await g.patch("locations/101", mask: "title", ["title": "Titre 11"]).status == 429)
    }

    @Test func threeHundredRequestsAMinutePerAPI() async throws {
        let g = try GBPHarness()
        let token = try await g.token()
        for _ in 0..<300 {
            let answer = await g.emulator.respond(
                to: EmulatorRequest(method: "GET", path: "/api/v1/locations/101", query: "readMask=title", headers: ["authorization": "Bearer \(token)"]))
            #expect(answer.status == 200)
        }
        let limited = try await g.get("locations/101")
        #expect(limited.status == 429)
        #expect(limited.errorStatus == "RESOURCE_EXHAUSTED")
        #expect((limited.errorInfo["metadata"] as? [String: String])?["quota_limit"] == "DefaultRequestsPerMinutePerProject")
        #expect(limited.header("Retry-After") == "60")
        #expect(try await g.call(on: .accountManagement, "GET", "v1/accounts").status == 200, "each API has its own quota")
        g.clock.advance(by: 60)
        #expect(try await g.get("locations/101").status == 200)
    }

    @Test func withoutTheLocationsOptionLocationsAppearOnFirstAccess() async throws {
        let g = try GBPHarness(options: GoogleBusinessProfileOptions())
        let empty = try await g.call("GET", "v1/accounts/1/locations", query: [("readMask", "name")])
        #expect(empty.status == 200)
        #expect(empty.locations.isEmpty)
        #expect(try await g.get("locations/4242").json["name"] as? String == "locations/4242")
        #expect(try await g.patch("locations/77", mask: "title", ["title": "Lyon"]).status == 200)
        let listed = try await g.call("GET", "v1/accounts/1/locations", query: [("readMask", "name,title")])
        #expect(listed.locations.compactMap { $0["name"] as? String } == ["locations/4242", "locations/77"])
        #expect(try await g.get("locations/abc").status == 404, "only numeric ids are made up")
    }
}
