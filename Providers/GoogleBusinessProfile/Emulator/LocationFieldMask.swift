import Foundation
import SalonOpsEmulatorKit

/// The Location message's fields (spec:bi `schemas.Location`) and the field masks over them:
/// `readMask` selects what a read returns, `updateMask` names what a PATCH replaces.
enum LocationFieldMask {
    /// Top-level fields in the order Google writes them, each with its sub-fields when it is a
    /// message a mask may reach into (`profile.description`); `[]` for scalars and lists.
    static let fields: [(String, [String])] = [
        ("name", []), ("languageCode", []), ("storeCode", []), ("title", []),
        ("phoneNumbers", ["primaryPhone", "additionalPhones"]),
        ("categories", ["primaryCategory", "additionalCategories"]),
        (
            "storefrontAddress",
            [
                "revision", "regionCode", "languageCode", "postalCode", "sortingCode", "administrativeArea", "locality", "sublocality",
                "addressLines", "recipients", "organization",
            ]
        ),
        ("websiteUri", []), ("regularHours", ["periods"]), ("specialHours", ["specialHourPeriods"]),
        ("serviceArea", ["businessType", "places", "regionCode"]), ("labels", []), ("adWordsLocationExtensions", ["adPhone"]),
        ("latlng", ["latitude", "longitude"]), ("openInfo", ["status", "canReopen", "openingDate"]),
        (
            "metadata",
            [
                "hasGoogleUpdated", "hasPendingEdits", "canDelete", "canOperateLocalPost", "canModifyServiceList", "canHaveFoodMenus",
                "canOperateHealthData", "canOperateLodgingData", "placeId", "duplicateLocation", "mapsUri", "newReviewUri",
                "canHaveBusinessCalls", "hasVoiceOfMerchant", "isParticularlyPersonalPlace",
            ]
        ),
        ("profile", ["description"]), ("relationshipData", ["parentLocation", "childrenLocations", "parentChain"]), ("moreHours", []),
        ("serviceItems", []),
    ]

    static let order: [String] = fields.map(\.0)
    private static let subfields: [String: [String]] = Dictionary(uniqueKeysWithValues: fields)

    /// What a PATCH may name: the fields SalonOps manages plus the other editable blocks, each
    /// replaced whole [A: the notes (§2.4) leave replace-vs-merge unverified]. `name` is the
    /// identifier, `languageCode` immutable, `metadata` output only; `categories` only as a
    /// whole ("updating one of them alone is prohibited" [C]); `latlng` needs an approved client.
    static let updatable: Set<String> = [
        "title", "storeCode", "labels", "phoneNumbers", "websiteUri", "regularHours", "regularHours.periods", "specialHours",
        "specialHours.specialHourPeriods", "profile", "profile.description",
        "serviceItems", "categories", "storefrontAddress", "openInfo", "openInfo.status", "openInfo.openingDate", "moreHours", "serviceArea",
        "adWordsLocationExtensions", "relationshipData",
    ]

    /// A mask's paths, in order, each as the camelCase path (`regular_hours` reads as `regularHours`).
    static func parse(_ text: String, parameter: String) throws(BusinessProfileStatus) -> [String] {
        let paths = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidParameter(parameter, "\(parameter) is required and must name at least one field.")
        }
        var result: [String] = []
        for path in paths {
            let camel = path.split(separator: ".", omittingEmptySubsequences: false).map { camelCase(String($0)) }
            guard camel.count <= 2, let head = camel.first, let known = subfields[head], camel.count == 1 || known.contains(camel[1]) else {
                throw .invalidParameter(parameter, "Invalid field mask provided: '\(path)' is not a field of Location.")
            }
            let joined = camel.joined(separator: ".")
            if !result.contains(joined) { result.append(joined) }
        }
        return result
    }

    /// `regular_hours` → `regularHours`; camelCase stays as it is.
    static func camelCase(_ segment: String) -> String {
        var result = "", upper = false
        for character in segment {
            if character == "_" {
                upper = true
            } else {
                result.append(upper ? Character(character.uppercased()) : character)
                upper = false
            }
        }
        return result
    }

    /// The members of `location` that `paths` select, in the location's own order.
    static func select(_ paths: [String], from location: JSONValue) -> JSONValue {
        var whole = Set<String>(), partial: [String: [String]] = [:]
        for path in paths {
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 1 { whole.insert(parts[0]) } else { partial[parts[0], default: []].append(parts[1]) }
        }
        let selected = (location.objectFields ?? []).compactMap { key, value -> (String, JSONValue)? in
            if whole.contains(key) { return (key, value) }
            guard let inner = partial[key] else { return nil }
            let members = (value.objectFields ?? []).filter { inner.contains($0.0) }
            return members.isEmpty ? nil : (key, .object(members))
        }
        return .object(selected)
    }

    /// `location` with each masked path replaced by the body's value, or cleared when the body
    /// has none (FieldMask semantics for a named field).
    static func replacing(_ paths: [String], in location: JSONValue, from body: JSONValue) -> JSONValue {
        var result = location
        for path in paths {
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            let given = body.at(path).flatMap { $0.isNull ? nil : $0 }
            if parts.count == 1 {
                result = result.setting(parts[0], given)
            } else {
                let parent = (result[parts[0]] ?? .object([])).setting(parts[1], given)
                result = result.setting(parts[0], (parent.objectFields ?? []).isEmpty ? nil : parent)
            }
        }
        return ordered(result)
    }

    /// A location's members in Google's order (new members land in their place, not at the end).
    static func ordered(_ location: JSONValue) -> JSONValue {
        let members = location.objectFields ?? []
        return .object(order.compactMap { key in members.first { $0.0 == key } })
    }
}
