import Foundation
import SalonOpsProviderKit

/// Google Business Profile's wire format (Business Information v1, spec
/// `mybusinessbusinessinformation.v1.json`): `TimePeriod {openDay, openTime, closeDay, closeTime}`
/// with `TimeOfDay {hours, minutes}` (00:00 is `{}`, midnight at the end of the day
/// `{"hours": 24}`), `SpecialHourPeriod {startDate, closed}`, `Money {currencyCode, units, nanos}`,
/// and google.rpc.Status errors `{"error":{"code","message","status","details":[ErrorInfo]}}`.
enum GoogleBusinessProfileWire {
    /// Everything observe compares or apply must keep, in one `readMask`.
    static let readMask = "name,title,categories,regularHours,specialHours,phoneNumbers,websiteUri,profile,serviceItems,labels"

    /// A quota (429 `RESOURCE_EXHAUSTED`: 10 edits a minute per location, 300 requests a minute)
    /// is retried after the provider's delay; `THROTTLED` ("cannot update the field at this time")
    /// too. Other 4xx are the config's or the account's to fix.
    static func classify(_ response: ProviderResponse) -> ResponseClass {
        let status = response.status
        guard !(200..<300).contains(status) else { return .success }
        let error = (try? JSONValue.parse(response.body))?["error"]
        let code = error?["status"]?.string ?? ""
        let info = error?["details"]?.array?.first { $0["@type"]?.string?.hasSuffix("google.rpc.ErrorInfo") == true }
        let reason = info?["reason"]?.string ?? ""
        let field = info?.at("metadata.field_mask")?.string
        var message = (error?["message"]?.string ?? "Google answered HTTP \(status)")
        if !reason.isEmpty || !code.isEmpty { message += " (\(reason.isEmpty ? code : reason)\(field.map { ", \($0)" } ?? ""))" }
        let after = ResponseClass.retryAfter(response)
        switch (status, code, reason) {
        case (429, _, _), (_, "RESOURCE_EXHAUSTED", _), (_, _, "THROTTLED"):
            return .retry(after: after, ProviderError(.rateLimited(retryAfter: after), status: status, message: message))
        case (401, _, _), (403, _, _): return .failure(ProviderError(.auth, status: status, message: message))
        case (404, _, _): return .failure(ProviderError(.notFound, status: status, message: message))
        case (409, _, _): return .failure(ProviderError(.conflict, status: status, message: message))
        case (500...599, _, _): return .retry(after: after, ProviderError(.transient, status: status, message: message))
        case (400, _, _): return .failure(ProviderError(.invalid(field: field), status: status, message: message))
        default: return .failure(ProviderError(.permanent, status: status, message: message))
        }
    }

    // MARK: hours

    static let days: [Weekday: String] = [
        .monday: "MONDAY", .tuesday: "TUESDAY", .wednesday: "WEDNESDAY", .thursday: "THURSDAY", .friday: "FRIDAY", .saturday: "SATURDAY",
        .sunday: "SUNDAY",
    ]

    static func time(_ text: String) -> JSONValue {
        let parts = text.split(separator: ":").compactMap { Int($0) }
        var entries: [(String, JSONValue)] = []
        // Proto3 JSON leaves zero values out: 00:00 is `{}`.
        if let hours = parts.first, hours > 0 { entries.append(("hours", .int(hours))) }
        if parts.count > 1, parts[1] > 0 { entries.append(("minutes", .int(parts[1]))) }
        return .object(entries)
    }

    static func minutes(_ time: JSONValue?) -> Int { (time?["hours"]?.int ?? 0) * 60 + (time?["minutes"]?.int ?? 0) }

    static func text(_ minutes: Int) -> String { TimeOfDay(minutes: minutes).description }

    /// The config's periods as `TimePeriod`s: each within its day, 24:00 as `{"hours": 24}`.
    static func regularHours(_ value: FieldValue?) -> JSONValue {
        let periods = OpeningHoursField.periods(value) ?? []
        return .object([
            (
                "periods",
                .array(
                    periods.map { period in
                        let day = JSONValue.string(days[period.day]!)
                        return .object([("openDay", day), ("openTime", time(period.opens)), ("closeDay", day), ("closeTime", time(period.closes))])
                    })
            )
        ])
    }

    /// Periods as read back, in the config's terms: a period closing at 00:00 the next day is
    /// one closing at 24:00; one running past midnight is two, one on each day.
    static func openingHours(_ hours: JSONValue?) -> FieldValue {
        let order = Weekday.allCases
        var periods: [OpeningHoursField.Period] = []
        for period in hours?["periods"]?.array ?? [] {
            guard let open = period["openDay"]?.string, let openDay = days.first(where: { $0.value == open })?.key else { continue }
            let closeDay = period["closeDay"]?.string.flatMap { close in days.first { $0.value == close }?.key } ?? openDay
            let opens = minutes(period["openTime"]), closes = minutes(period["closeTime"])
            let next = order[(order.firstIndex(of: openDay)! + 1) % 7]
            if closeDay == openDay {
                periods.append(.init(day: openDay, opens: text(opens), closes: text(closes)))
            } else if closeDay == next {
                periods.append(.init(day: openDay, opens: text(opens), closes: "24:00"))
                if closes > 0 { periods.append(.init(day: next, opens: "00:00", closes: text(closes))) }
            }
        }
        return OpeningHoursField.value(periods)
    }

    /// One closed special period per closed day: a GBP special period is under 24 hours.
    static func specialHours(closedDays: [String]) -> FieldValue {
        .list(closedDays.map { .object([FieldEntry("date", .string($0)), FieldEntry("closed", .bool(true))]) })
    }

    static func specialHoursJSON(_ value: FieldValue?) -> JSONValue {
        guard case .list(let items)? = value else { return .object([("specialHourPeriods", .array([]))]) }
        let periods: [JSONValue] = items.compactMap { item in
            guard case .object(let entries) = item, case .string(let date)? = entries.first(where: { $0.name == "date" })?.value,
                case .success(let day) = LocalDate.parse(date)
            else { return nil }
            return .object([("startDate", .object([("year", .int(day.year)), ("month", .int(day.month)), ("day", .int(day.day))])), ("closed", .bool(true))])
        }
        return .object([("specialHourPeriods", .array(periods))])
    }

    /// Special periods as read back: a closed day, or a day open at other hours (someone set
    /// them by hand), sorted by date.
    static func specialHours(_ special: JSONValue?) -> FieldValue {
        var items: [(String, FieldValue)] = []
        for period in special?["specialHourPeriods"]?.array ?? [] {
            guard let date = period["startDate"], let year = date["year"]?.int, let month = date["month"]?.int, let day = date["day"]?.int else { continue }
            let iso = LocalDate(year: year, month: month, day: day).description
            if period["closed"]?.bool == true {
                items.append((iso, .object([FieldEntry("date", .string(iso)), FieldEntry("closed", .bool(true))])))
            } else {
                let opens = text(minutes(period["openTime"])), closes = text(minutes(period["closeTime"]))
                items.append((iso, .object([FieldEntry("date", .string(iso)), FieldEntry("opens", .string(opens)), FieldEntry("closes", .string(closes))])))
            }
        }
        return .list(items.sorted { $0.0 < $1.0 }.map(\.1))
    }

    // MARK: services

    /// A catalogue service as a free-form item: its name and price (GBP has no duration or VAT).
    static func serviceItem(name: String, price: Money) -> FieldValue {
        .object([FieldEntry("label", .string(name)), FieldEntry("price", .int(price.minorUnits)), FieldEntry("currency", .string(price.currency.code))])
    }

    static func serviceItemsJSON(_ value: FieldValue?, category: String) -> JSONValue {
        guard case .list(let items)? = value else { return .array([]) }
        return .array(
            items.compactMap { item -> JSONValue? in
                guard case .object(let entries) = item else { return nil }
                func entry(_ name: String) -> FieldValue? { entries.first { $0.name == name }?.value }
                guard case .string(let label)? = entry("label") else { return nil }
                var fields: [(String, JSONValue)] = [
                    ("freeFormServiceItem", .object([("category", .string(category)), ("label", .object([("displayName", .string(label)), ("languageCode", .string("fr"))]))]))
                ]
                if case .int(let amount)? = entry("price"), case .string(let code)? = entry("currency") { fields.append(("price", money(amount, code))) }
                return .object(fields)
            })
    }

    static func money(_ minorUnits: Int64, _ code: String) -> JSONValue {
        let digits = Currency(code: code)?.minorDigits ?? 2
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let units = minorUnits / scale, fraction = minorUnits % scale
        var nanos = fraction
        for _ in digits..<9 { nanos *= 10 }
        var fields: [(String, JSONValue)] = [("currencyCode", .string(code)), ("units", .string(String(units)))]
        if nanos != 0 { fields.append(("nanos", .int(Int(nanos)))) }
        return .object(fields)
    }

    static func minorUnits(_ money: JSONValue?) -> (Int64, String)? {
        guard let money, let code = money["currencyCode"]?.string else { return nil }
        let digits = Currency(code: code)?.minorDigits ?? 2
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let units = Int64(money["units"]?.string ?? "") ?? Int64(money["units"]?.int ?? 0)
        var nanos = Int64(money["nanos"]?.int ?? 0)
        for _ in digits..<9 { nanos /= 10 }
        return (units * scale + nanos, code)
    }

    static func serviceItems(_ items: JSONValue?) -> FieldValue {
        .list(
            (items?.array ?? []).compactMap { item -> (String, FieldValue)? in
                guard let label = item.at("freeFormServiceItem.label.displayName")?.string else { return nil }
                var entries = [FieldEntry("label", .string(label))]
                if let (amount, code) = minorUnits(item["price"]) { entries += [FieldEntry("price", .int(amount)), FieldEntry("currency", .string(code))] }
                return (label, .object(entries))
            }.sorted { $0.0 < $1.0 }.map(\.1))
    }

    // MARK: markers

    /// Labels are free-form and private, 1–255 characters each: `salonops_owner=…` and so on.
    static func labels(_ markers: Markers, keeping existing: [String]) -> JSONValue {
        let prefixes = [Markers.ownerName, Markers.keyName, Markers.digestName].map { $0 + "=" }
        let kept = existing.filter { label in !prefixes.contains { label.hasPrefix($0) } }
        return .array((kept + markers.properties.map { "\($0.0)=\($0.1)" }).map(JSONValue.string))
    }

    static func markers(_ labels: [String]) -> (owner: String?, key: String?, digest: String?) {
        Markers.read { name in labels.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } }
    }

    // MARK: observed

    static func location(_ json: JSONValue) -> ObservedResource? {
        guard let name = json["name"]?.string else { return nil }
        let labels = json["labels"]?.array?.compactMap(\.string) ?? []
        let markers = markers(labels)
        let title = json["title"]?.string ?? name
        return ObservedResource(
            kind: "location", remoteID: name, key: markers.key, owner: markers.owner,
            fields: [
                "regularHours": openingHours(json["regularHours"]), "specialHours": specialHours(json["specialHours"]),
                "phoneNumbers.primaryPhone": json.at("phoneNumbers.primaryPhone")?.string.map(FieldValue.string) ?? .null,
                "websiteUri": json["websiteUri"]?.string.map(FieldValue.string) ?? .null,
                "profile.description": json.at("profile.description")?.string.map(FieldValue.string) ?? .null,
                "serviceItems": serviceItems(json["serviceItems"]),
            ],
            appliedDigest: markers.digest, title: title, raw: json.serialized)
    }
}
