import Foundation
import SalonOpsEmulatorKit

/// Business Information v1 `accounts.locations.list`, `locations.get` and `locations.patch`
/// (spec:bi; notes §2.3, §2.4). No etag and no If-Match: the API has none [C].
extension BusinessProfileState {
    /// A location as it starts [A: a French hair salon with a storefront, open, no hours].
    mutating func addLocation(_ name: String, account: String, title: String?) {
        let id = String(name.dropFirst("locations/".count))
        var ids = IdentifierGenerator(seed: seed, stream: Self.stream(of: id))
        let placeID = "ChIJ" + ids.string(length: 23, alphabet: IdentifierGenerator.alphanumerics + ["-", "_"])
        let cid = String(UInt64(ids.string(length: 18, alphabet: Array("0123456789"))) ?? 1)
        let value: JSONValue = .object([
            ("name", .string(name)), ("languageCode", .string("fr")), ("title", .string(title ?? "Salon \(id)")),
            (
                "categories",
                .object([("primaryCategory", .object([("name", .string("categories/gcid:hair_salon")), ("displayName", .string("Salon de coiffure"))]))])
            ),
            (
                "storefrontAddress",
                .object([
                    ("regionCode", .string("FR")), ("languageCode", .string("fr")), ("postalCode", .string("75011")), ("locality", .string("Paris")),
                    ("addressLines", .array([.string("12 rue de la Roquette")])),
                ])
            ),
            ("openInfo", .object([("status", .string("OPEN")), ("canReopen", .bool(true))])),
            (
                "metadata",
                .object([
                    ("canDelete", .bool(true)), ("canModifyServiceList", .bool(true)), ("placeId", .string(placeID)),
                    ("mapsUri", .string("https://maps.google.com/maps?cid=\(cid)")),
                    ("newReviewUri", .string("https://search.google.com/local/writereview?placeid=\(placeID)")), ("hasVoiceOfMerchant", .bool(true)),
                ])
            ),
        ])
        locations[name] = StoredLocation(account: account, value: value)
        locationOrder.append(name)
    }

    /// A stable stream number per location id (FNV-1a: Swift's own hash changes per process).
    private static func stream(of id: String) -> UInt64 {
        id.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// The stored location, created on first access when no `locations` option was given
    /// (sandbox convenience: `locations/<digits>` joins `accounts/1`).
    private mutating func existingLocation(_ name: String) throws(BusinessProfileStatus) -> StoredLocation {
        if let stored = locations[name] { return stored }
        let id = name.dropFirst("locations/".count)
        guard options.locations == nil, !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .notFound }
        addLocation(name, account: "accounts/1", title: nil)
        return locations[name]!
    }

    private func readMask(_ call: BusinessProfileCall) throws(BusinessProfileStatus) -> [String] {
        // "readMask: Required" [C spec:bi description]; the discovery document does not flag it.
        guard let text = call.string("readMask") else { throw .invalidParameter("read_mask", "read_mask is required.") }
        return try LocationFieldMask.parse(text, parameter: "read_mask")
    }

    /// `GET v1/{parent=accounts/*}/locations`: `readMask` required, `pageSize` 10 by default and
    /// at most 100, `orderBy` title or store_code (" desc"); `accounts/-` is every account of the caller.
    func listLocations(parent: String, _ call: BusinessProfileCall) throws(BusinessProfileStatus) -> JSONValue {
        let mask = try readMask(call)
        let size = try call.pageSize(default: 10, maximum: 100)
        guard parent == "accounts/-" || accounts.contains(parent) else { throw .notFound }
        if let filter = call.string("filter"), !filter.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .notEmulated("the filter parameter of accounts.locations.list")
        }
        var listed = locationOrder.compactMap { locations[$0] }.filter { parent == "accounts/-" || $0.account == parent }.map(\.value)
        let orderBy = call.string("orderBy") ?? ""
        if !orderBy.trimmingCharacters(in: .whitespaces).isEmpty { listed = try Self.sorted(listed, orderBy: orderBy) }
        let (page, next) = try PageTokens.page(listed, list: "locations|\(parent)|\(orderBy)", size: size, call: call)
        var fields: [(String, JSONValue)] = []
        if !page.isEmpty { fields.append(("locations", .array(page.map { LocationFieldMask.select(mask, from: $0) }))) }
        if let next { fields.append(("nextPageToken", .string(next))) }
        return .object(fields)
    }

    /// "Valid fields to order_by are title and store_code … a suffix " desc"" [C spec:bi].
    private static func sorted(_ items: [JSONValue], orderBy: String) throws(BusinessProfileStatus) -> [JSONValue] {
        var keys: [(String, Bool)] = []
        for part in orderBy.split(separator: ",") {
            let words = part.split(separator: " ").map(String.init)
            let field = ["title": "title", "store_code": "storeCode", "storeCode": "storeCode"][words.first ?? ""]
            guard let field, words.count == 1 || (words.count == 2 && ["asc", "desc"].contains(words[1].lowercased())) else {
                throw .invalidParameter("order_by", "Invalid order_by '\(orderBy)': title or store_code, optionally followed by desc.")
            }
            keys.append((field, words.count == 2 && words[1].lowercased() == "desc"))
        }
        return items.enumerated().sorted { a, b in
            for (field, descending) in keys {
                let left = a.element[field]?.string ?? "", right = b.element[field]?.string ?? ""
                if left != right { return descending ? left > right : left < right }
            }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// `GET v1/{name=locations/*}`: `readMask` required; only the masked fields are returned.
    mutating func getLocation(_ name: String, _ call: BusinessProfileCall) throws(BusinessProfileStatus) -> JSONValue {
        let mask = try readMask(call)
        return LocationFieldMask.select(mask, from: try existingLocation(name).value)
    }

    /// `PATCH v1/{name=locations/*}?updateMask=…`: each masked field replaced whole by the body's
    /// (or cleared when the body has none), the result validated, then written and returned
    /// whole; with `validateOnly=true` nothing is written and the answer is `{}` [C spec:bi].
    mutating func patchLocation(_ name: String, _ call: BusinessProfileCall) throws(BusinessProfileStatus) -> JSONValue {
        var stored = try existingLocation(name)
        guard let maskText = call.string("updateMask") else { throw .invalidParameter("update_mask", "update_mask is required.") }
        let mask = try LocationFieldMask.parse(maskText, parameter: "update_mask")
        if let refused = mask.first(where: { !LocationFieldMask.updatable.contains($0) }) {
            if refused == "latlng" || refused.hasPrefix("latlng.") {
                throw .invalidLocation("LAT_LNG_UPDATES_NOT_PERMITTED", field: refused, "This project may not update latlng.")
            }
            throw .invalidParameter("update_mask", "The field '\(refused)' cannot be updated (identifier, immutable, output only, or part of a message updated whole).")
        }
        let body = try call.jsonBody()
        try JSONShape.members(of: body, allowed: Set(LocationFieldMask.order), at: "location")
        let validateOnly = call.bool("validateOnly")
        if !validateOnly { try quotas.checkEdit(name, now: call.now) }

        var candidate = LocationValidation.removingDuplicateServiceItems(LocationFieldMask.replacing(mask, in: stored.value, from: body))
        candidate = Self.droppingEmptyHours(candidate)
        try validate(candidate, mask: mask, name: name, account: stored.account)
        if validateOnly { return .object([]) }
        stored.value = candidate
        locations[name] = stored
        quotas.recordEdit(name, now: call.now)
        return candidate
    }

    /// `{}` or an empty period list means no hours: stored as absent, as proto3 JSON omits it.
    private static func droppingEmptyHours(_ location: JSONValue) -> JSONValue {
        var result = location
        for (field, list) in [("regularHours", "periods"), ("specialHours", "specialHourPeriods")] {
            guard let hours = result[field], let members = hours.objectFields, members.allSatisfy({ $0.0 == list }) else { continue }
            if hours[list] == nil || hours[list]?.isNull == true || hours[list]?.array?.isEmpty == true { result = result.setting(field, nil) }
        }
        return result
    }

    /// The rules of each masked field, checked on the location as it would be after the edit.
    private func validate(_ location: JSONValue, mask: [String], name: String, account: String) throws(BusinessProfileStatus) {
        let heads = Set(mask.map { String($0.split(separator: ".")[0]) })
        if heads.contains("title") { try LocationValidation.title(location) }
        if heads.contains("storeCode") {
            try LocationValidation.storeCode(location)
            // "must be unique within a given account" [C]; [A] answered 409 ALREADY_EXISTS.
            if let code = location["storeCode"]?.string, !code.isEmpty,
                locations.contains(where: { $0.key != name && $0.value.account == account && $0.value.value["storeCode"]?.string == code })
            {
                throw BusinessProfileStatus(code: 409, status: "ALREADY_EXISTS", message: "Another location of \(account) has the store code '\(code)'.")
            }
        }
        if heads.contains("labels") { try LocationValidation.labels(location) }
        if heads.contains("phoneNumbers") { try LocationValidation.phoneNumbers(location) }
        if heads.contains("websiteUri") { try LocationValidation.websiteUri(location) }
        if heads.contains("profile") { try LocationValidation.profile(location, field: mask.contains("profile") ? "profile" : "profile.description") }
        if heads.contains("serviceItems") { try LocationValidation.serviceItems(location) }
        if heads.contains("regularHours"), let hours = location["regularHours"] { try BusinessHoursValidation.validateRegular(hours, field: "regularHours") }
        if heads.contains("specialHours"), let hours = location["specialHours"] { try BusinessHoursValidation.validateSpecial(hours, field: "specialHours") }
        // "This field cannot be set without regular hours" [C Location.specialHours].
        if heads.contains("specialHours") || heads.contains("regularHours"), location["specialHours"] != nil, location["regularHours"] == nil {
            throw .invalidLocation("SPECIAL_HOURS_SET_WITHOUT_REGULAR_HOURS", field: "specialHours", "specialHours cannot be set without regularHours.")
        }
    }
}
