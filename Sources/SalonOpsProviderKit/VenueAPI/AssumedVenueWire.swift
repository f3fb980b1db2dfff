/// The SalonOps-assumed venue contract (docs/assumed-venue-api.md): JSON under `/v1`, cursor
/// pages `{data, nextCursor}`, integer versions sent back as `If-Match: "<n>"`, `Idempotency-Key`
/// on creates, errors `{"errors":[{code, field, detail}]}`. Every part is an assumption until a
/// partner contract replaces it; what differs between providers is the market it is given.
public struct AssumedVenueWire: VenueWireFormat {
    public let market: VenueMarket
    public let maxPageSize = 100

    public init(market: VenueMarket) { self.market = market }

    static let collections: [VenueItemKind: String] = [.staff: "staff", .room: "resources", .service: "services", .closure: "closures"]
    static let days = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

    func base(_ kind: VenueItemKind, venue: String?) -> String {
        switch kind {
        case .venue: "/v1/venues"
        case .webhook: "/v1/webhooks"
        default: "/v1/venues/\(Query.encode(venue ?? ""))/\(Self.collections[kind]!)"
        }
    }

    func one(_ kind: VenueItemKind, id: String, venue: String?) -> String { base(kind, venue: venue) + "/" + Query.encode(id) }

    public func list(_ kind: VenueItemKind, venue: String?, pageSize: Int) -> (path: String, style: PageStyle) {
        let style = PageStyle.pageToken(sizeParameter: "limit", size: min(pageSize, maxPageSize), tokenParameter: "cursor", itemsKey: "data", nextTokenKey: "nextCursor")
        return (base(kind, venue: venue), style)
    }

    public func read(_ kind: VenueItemKind, id: String, venue: String?) -> ProviderRequest { ProviderRequest(.GET, one(kind, id: id, venue: venue)) }

    public func create(_ item: VenueItem, venue: String?, idempotencyKey: String) -> ProviderRequest {
        .json(.POST, base(item.kind, venue: venue), body(item), headers: ["Idempotency-Key": idempotencyKey], retryable: true)
    }

    /// Retry-safe: a PATCH sent twice meets a moved version (412), which the engine reads again.
    public func update(_ item: VenueItem, venue: String?) -> ProviderRequest {
        var headers: [String: String] = [:]
        if let version = item.version { headers["If-Match"] = "\"\(version)\"" }
        return .json(.PATCH, one(item.kind, id: item.id ?? "", venue: venue), body(item), headers: headers, retryable: true)
    }

    public func delete(_ kind: VenueItemKind, id: String, venue: String?) -> ProviderRequest {
        ProviderRequest(.DELETE, one(kind, id: id, venue: venue), retryable: true)
    }

    public var check: ProviderRequest { ProviderRequest(.GET, "/v1/venues?limit=1") }

    // MARK: bodies

    func body(_ item: VenueItem) -> JSONValue {
        var fields: [(String, JSONValue)]
        switch item.content {
        case .venue(let venue):
            fields = [("openingHours", .object([("periods", .array(venue.hours.map(Self.period)))])), ("timeZone", .optional(venue.timeZone))]
            if market.venueSetsCurrencyAndLocale { fields += [("currency", .optional(venue.currency)), ("locale", .optional(venue.locale))] }
        case .staff(let staff):
            fields = [("name", .string(staff.name)), ("role", .optional(staff.role)), ("email", .optional(staff.email))]
        case .room(let room):
            fields = [("name", .string(room.name)), ("capacity", .int(room.capacity))]
        case .service(let service):
            fields = [
                ("name", .string(service.name)), ("category", .string(service.category)), ("durationMinutes", .int(service.durationMinutes)),
                ("price", .object([("amount", .int(Int(service.price))), ("currency", .string(service.currency))])),
                ("vatRate", .int(service.vatRate)), ("bookable", .bool(service.bookable)),
                ("staffIds", .array(service.staffIDs.map(JSONValue.string))), ("resourceIds", .array(service.roomIDs.map(JSONValue.string))),
            ]
        case .closure(let closure):
            fields = [("startDate", .string(closure.startDate)), ("endDate", .string(closure.endDate)), ("reason", .optional(closure.reason))]
        case .webhook(let webhook):
            fields = [("url", .string(webhook.url)), ("events", .array(webhook.events.map(JSONValue.string)))]
        }
        return .object(fields + [("metadata", .stringMap(item.metadata))])
    }

    static func period(_ period: OpeningHoursField.Period) -> JSONValue {
        let index = Weekday.allCases.firstIndex(of: period.day) ?? 0
        return .object([("day", .string(days[index])), ("open", .string(period.opens)), ("close", .string(period.closes))])
    }

    // MARK: answers

    public func decode(_ kind: VenueItemKind, _ json: JSONValue) -> VenueItem? {
        guard let id = json["id"]?.string else { return nil }
        let metadata = Dictionary((json["metadata"]?.pairs ?? []).compactMap { pair in pair.1.string.map { (pair.0, $0) } }, uniquingKeysWith: { a, _ in a })
        let version = json["version"]?.int.map(String.init)
        let text = { (name: String) in json[name]?.string }
        let content: VenueItem.Content
        switch kind {
        case .venue:
            let hours = (json.at("openingHours.periods")?.array ?? []).compactMap(Self.period)
            content = .venue(
                VenueProfile(
                    id: id, name: text("name"), country: text("country"), timeZone: text("timeZone"), currency: text("currency"), locale: text("locale"),
                    hours: hours))
        case .staff:
            content = .staff(VenueStaff(name: text("name") ?? "", role: text("role"), email: text("email")))
        case .room:
            content = .room(VenueRoom(name: text("name") ?? "", capacity: json["capacity"]?.int ?? 1))
        case .service:
            content = .service(
                VenueService(
                    name: text("name") ?? "", category: text("category") ?? "", durationMinutes: json["durationMinutes"]?.int ?? 0,
                    price: Int64(json.at("price.amount")?.int ?? 0), currency: json.at("price.currency")?.string ?? "",
                    vatRate: json["vatRate"]?.int ?? 0, bookable: json["bookable"]?.bool ?? true,
                    staffIDs: (json["staffIds"]?.array ?? []).compactMap(\.string), roomIDs: (json["resourceIds"]?.array ?? []).compactMap(\.string)))
        case .closure:
            content = .closure(VenueClosure(startDate: text("startDate") ?? "", endDate: text("endDate") ?? "", reason: text("reason")))
        case .webhook:
            content = .webhook(VenueWebhook(url: text("url") ?? "", events: (json["events"]?.array ?? []).compactMap(\.string), secret: text("secret")))
        }
        return VenueItem(id: id, content, metadata: metadata, version: version)
    }

    static func period(_ json: JSONValue) -> OpeningHoursField.Period? {
        guard let code = json["day"]?.string, let index = days.firstIndex(of: code), let open = json["open"]?.string, let close = json["close"]?.string
        else { return nil }
        return OpeningHoursField.Period(day: Weekday.allCases[index], opens: open, closes: close)
    }

    /// Throttling (429, with `Retry-After`) and outages (5xx) are retried; a stale version is a
    /// conflict the engine reads again; the rest is typed from the first error's code.
    public func classify(_ response: ProviderResponse) -> ResponseClass {
        let status = response.status
        guard !(200..<300).contains(status) else { return .success }
        let first = (try? JSONValue.parse(response.body))?["errors"]?.array?.first
        let code = first?["code"]?.string ?? "HTTP_\(status)"
        let message = "\(code)" + (first?["detail"]?.string.map { ": \($0)" } ?? "")
        let after = ResponseClass.retryAfter(response)
        switch status {
        case 429: return .retry(after: after, ProviderError(.rateLimited(retryAfter: after), status: status, message: message))
        case 500...599: return .retry(after: after, ProviderError(.transient, status: status, message: message))
        case 401, 403: return .failure(ProviderError(.auth, status: status, message: message))
        case 404: return .failure(ProviderError(.notFound, status: status, message: message))
        case 412: return .failure(ProviderError(.conflict, status: status, message: message))
        case 400: return .failure(ProviderError(.invalid(field: first?["field"]?.string), status: status, message: message))
        default: return .failure(ProviderError(.permanent, status: status, message: message))
        }
    }
}
