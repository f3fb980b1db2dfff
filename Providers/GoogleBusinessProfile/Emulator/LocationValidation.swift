import Foundation
import SalonOpsEmulatorKit

/// The JSON types of the Location message: a value of the wrong type is not the request
/// message at all, so it fails as Google's JSON decoding does ("Invalid value at …").
enum JSONShape {
    static func members(of value: JSONValue, allowed: Set<String>, at path: String) throws(BusinessProfileStatus) {
        guard let members = value.objectFields else { throw .invalidPayload("Invalid value at '\(path)': \(value.serialized) is not an object.") }
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            throw .invalidPayload("Unknown name \"\(unknown.0)\" at '\(path)': Cannot find field.")
        }
    }

    static func string(_ value: JSONValue?, at path: String) throws(BusinessProfileStatus) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.string else { throw .invalidPayload("Invalid value at '\(path)' (TYPE_STRING), \(value.serialized)") }
        return text
    }

    static func int(_ value: JSONValue?, at path: String) throws(BusinessProfileStatus) -> Int? {
        guard let value, !value.isNull else { return nil }
        guard case .int(let number) = value, number >= Int(Int32.min), number <= Int(Int32.max) else {
            throw .invalidPayload("Invalid value at '\(path)' (TYPE_INT32), \(value.serialized)")
        }
        return number
    }

    static func bool(_ value: JSONValue?, at path: String) throws(BusinessProfileStatus) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard let flag = value.bool else { throw .invalidPayload("Invalid value at '\(path)' (TYPE_BOOL), \(value.serialized)") }
        return flag
    }

    static func list(_ value: JSONValue?, at path: String) throws(BusinessProfileStatus) -> [JSONValue] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.array else { throw .invalidPayload("Invalid value at '\(path)': \(value.serialized) is not a list.") }
        return items
    }

    static func strings(_ value: JSONValue?, at path: String) throws(BusinessProfileStatus) -> [String] {
        var result: [String] = []
        for (index, item) in try list(value, at: path).enumerated() {
            guard let text = try string(item, at: "\(path)[\(index)]") else { throw .invalidPayload("Invalid value at '\(path)[\(index)]': null") }
            result.append(text)
        }
        return result
    }
}

/// The rules of the other fields SalonOps writes [C spec:bi field descriptions; R the ErrorCode
/// enum for the reasons; A the reason chosen where the spec names none].
enum LocationValidation {
    static func title(_ location: JSONValue) throws(BusinessProfileStatus) {
        // "title (Required)" [C].
        guard let title = try JSONShape.string(location["title"], at: "location.title"), !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidLocation("REQUIRED_FIELD_MISSING_VALUE", field: "title", "title is required.")
        }
    }

    static func storeCode(_ location: JSONValue) throws(BusinessProfileStatus) {
        _ = try JSONShape.string(location["storeCode"], at: "location.storeCode")
    }

    /// "Must be between 1-255 characters per label" [C].
    static func labels(_ location: JSONValue) throws(BusinessProfileStatus) {
        for label in try JSONShape.strings(location["labels"], at: "location.labels") {
            if label.isEmpty { throw .invalidLocation("STRING_TOO_SHORT", field: "labels", "A label is empty.") }
            if label.count > 255 { throw .invalidLocation("STRING_TOO_LONG", field: "labels", "A label is over 255 characters.") }
        }
    }

    /// `primaryPhone` required and at most 2 `additionalPhones`, set together [C PhoneNumbers].
    static func phoneNumbers(_ location: JSONValue) throws(BusinessProfileStatus) {
        let phones = location["phoneNumbers"] ?? .object([])
        try JSONShape.members(of: phones, allowed: ["primaryPhone", "additionalPhones"], at: "location.phoneNumbers")
        guard let primary = try JSONShape.string(phones["primaryPhone"], at: "location.phoneNumbers.primaryPhone"), !primary.isEmpty else {
            throw .invalidLocation("MISSING_PRIMARY_PHONE_NUMBER", field: "phoneNumbers", "phoneNumbers.primaryPhone is required.")
        }
        let additional = try JSONShape.strings(phones["additionalPhones"], at: "location.phoneNumbers.additionalPhones")
        guard additional.count <= 2 else {
            throw .invalidLocation("TOO_MANY_ENTRIES", field: "phoneNumbers", "At most 2 additionalPhones; got \(additional.count).")
        }
        for number in [primary] + additional where !looksLikePhoneNumber(number) {
            throw .invalidLocation("INVALID_PHONE_NUMBER", field: "phoneNumbers", "'\(number)' is not a phone number.")
        }
    }

    /// [A] A phone number: an optional leading `+`, then 6 to 15 digits with spaces, dots, dashes
    /// or parentheses between them (E.164 allows 15 digits).
    static func looksLikePhoneNumber(_ text: String) -> Bool {
        let body = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        let digits = body.filter(\.isASCII).filter(\.isNumber).count
        return (6...15).contains(digits) && body.first.map { $0.isNumber || $0 == "(" } == true
            && body.allSatisfy { ($0.isASCII && $0.isNumber) || " .-()".contains($0) }
    }

    /// "A URL for this business" [C]; [A] an absolute http(s) URL with a host.
    static func websiteUri(_ location: JSONValue) throws(BusinessProfileStatus) {
        guard let text = try JSONShape.string(location["websiteUri"], at: "location.websiteUri") else { return }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), !(url.host ?? "").isEmpty else {
            throw .invalidLocation("INVALID_URL", field: "websiteUri", "websiteUri '\(text)' is not an http(s) URL.")
        }
    }

    /// The description: at most 750 characters [R Business Profile help: "up to 750 characters"].
    static func profile(_ location: JSONValue, field: String) throws(BusinessProfileStatus) {
        guard let profile = location["profile"], !profile.isNull else { return }
        try JSONShape.members(of: profile, allowed: ["description"], at: "location.profile")
        let description = try JSONShape.string(profile["description"], at: "location.profile.description") ?? ""
        guard description.count <= 750 else {
            throw .invalidLocation("STRING_TOO_LONG", field: field, "profile.description is \(description.count) characters; at most 750.")
        }
    }

    /// Each item exactly one of `structuredServiceItem` / `freeFormServiceItem`, with its required
    /// members; a `price` with its currency [C ServiceItem, FreeFormServiceItem, Label, Money].
    static func serviceItems(_ location: JSONValue) throws(BusinessProfileStatus) {
        var serviceTypes = Set<String>()
        for (index, item) in try JSONShape.list(location["serviceItems"], at: "location.serviceItems").enumerated() {
            let at = "location.serviceItems[\(index)]"
            try JSONShape.members(of: item, allowed: ["structuredServiceItem", "freeFormServiceItem", "price"], at: at)
            let structured = item["structuredServiceItem"].flatMap { $0.isNull ? nil : $0 }
            let freeForm = item["freeFormServiceItem"].flatMap { $0.isNull ? nil : $0 }
            switch (structured, freeForm) {
            case (let structured?, nil):
                try JSONShape.members(of: structured, allowed: ["serviceTypeId", "description"], at: at + ".structuredServiceItem")
                guard let type = try JSONShape.string(structured["serviceTypeId"], at: at + ".structuredServiceItem.serviceTypeId"), !type.isEmpty else {
                    throw .invalidLocation("SERVICE_ITEM_WITH_NO_SERVICE_TYPE_ID", field: "serviceItems", "\(at) has no serviceTypeId.")
                }
                guard serviceTypes.insert(type).inserted else {
                    throw .invalidLocation("SERVICE_TYPE_ID_DUPLICATE", field: "serviceItems", "\(type) is listed twice.")
                }
                let description = try JSONShape.string(structured["description"], at: at + ".structuredServiceItem.description") ?? ""
                if description.count > 300 { throw .invalidLocation("STRING_TOO_LONG", field: "serviceItems", "\(at) description is over 300 characters.") }
            case (nil, let freeForm?):
                try freeFormItem(freeForm, at: at + ".freeFormServiceItem")
            default:
                throw .invalidLocation("INVALID_SERVICE_ITEM", field: "serviceItems", "\(at) needs exactly one of structuredServiceItem and freeFormServiceItem.")
            }
            if let price = item["price"], !price.isNull { try money(price, at: at + ".price") }
        }
    }

    private static func freeFormItem(_ item: JSONValue, at: String) throws(BusinessProfileStatus) {
        try JSONShape.members(of: item, allowed: ["category", "label"], at: at)
        guard let category = try JSONShape.string(item["category"], at: at + ".category"), !category.isEmpty else {
            throw .invalidLocation("FREE_FORM_SERVICE_ITEM_WITH_NO_CATEGORY_ID", field: "serviceItems", "\(at) has no category.")
        }
        guard let label = item["label"], !label.isNull else {
            throw .invalidLocation("FREE_FORM_SERVICE_ITEM_WITH_NO_LABEL", field: "serviceItems", "\(at) has no label.")
        }
        try JSONShape.members(of: label, allowed: ["displayName", "description", "languageCode"], at: at + ".label")
        guard let name = try JSONShape.string(label["displayName"], at: at + ".label.displayName"), !name.isEmpty else {
            throw .invalidLocation("SERVICE_ITEM_LABEL_NO_DISPLAY_NAME", field: "serviceItems", "\(at).label has no displayName.")
        }
        // [A] 140 characters, the Business Profile editor's limit for a service name.
        if name.count > 140 { throw .invalidLocation("STRING_TOO_LONG", field: "serviceItems", "\(at).label.displayName is over 140 characters.") }
        _ = try JSONShape.string(label["description"], at: at + ".label.description")
        _ = try JSONShape.string(label["languageCode"], at: at + ".label.languageCode")
    }

    /// `google.type.Money`: a currency code; `units` an int64 in a string; `nanos` of the same sign.
    private static func money(_ price: JSONValue, at: String) throws(BusinessProfileStatus) {
        try JSONShape.members(of: price, allowed: ["currencyCode", "units", "nanos"], at: at)
        guard let currency = try JSONShape.string(price["currencyCode"], at: at + ".currencyCode"), !currency.isEmpty else {
            throw .invalidLocation("PRICE_CURRENCY_MISSING", field: "serviceItems", "\(at) has no currencyCode.")
        }
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw .invalidLocation("PRICE_CURRENCY_INVALID", field: "serviceItems", "\(at).currencyCode '\(currency)' is not an ISO 4217 code.")
        }
        var units: Int64 = 0
        if let value = price["units"], !value.isNull {
            // int64 is a JSON string in proto3's mapping; a number is accepted too, as Google's parser does.
            switch value {
            case .string(let text): guard let parsed = Int64(text) else { throw .invalidPayload("Invalid value at '\(at).units' (TYPE_INT64), \"\(text)\"") }; units = parsed
            case .int(let number): units = Int64(number)
            default: throw .invalidPayload("Invalid value at '\(at).units' (TYPE_INT64), \(value.serialized)")
            }
        }
        let nanos = try JSONShape.int(price["nanos"], at: at + ".nanos") ?? 0
        guard abs(nanos) <= 999_999_999, units == 0 || nanos == 0 || (units > 0) == (nanos > 0) else {
            throw .invalidPayload("Invalid value at '\(at)': nanos must be within ±999,999,999 and of the sign of units.")
        }
    }

    /// Exact duplicate service items are dropped, the first kept ("Duplicated service items will
    /// be removed automatically" [C Location.serviceItems]).
    static func removingDuplicateServiceItems(_ location: JSONValue) -> JSONValue {
        guard let items = location["serviceItems"]?.array else { return location }
        var seen = Set<String>()
        let kept = items.filter { seen.insert(canonical($0)).inserted }
        return location.setting("serviceItems", kept.isEmpty ? nil : .array(kept))
    }

    /// A JSON text independent of member order.
    static func canonical(_ value: JSONValue) -> String {
        switch value {
        case .object(let members): return "{" + members.sorted { $0.0 < $1.0 }.map { "\($0.0):\(canonical($0.1))" }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
        default: return value.serialized
        }
    }
}
