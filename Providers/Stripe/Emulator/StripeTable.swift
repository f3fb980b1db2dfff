import SalonOpsEmulatorKit
/// A stored Stripe object: an id, its place in creation order, and its JSON.
protocol StripeRecord: Sendable {
    var id: String { get }
    var sequence: Int { get }
    var json: JSONValue { get }
}

/// Objects of one kind by id, in creation order.
struct StripeTable<Record: StripeRecord>: Sendable {
    private(set) var byID: [String: Record] = [:]
    private var order: [String] = []

    subscript(id: String) -> Record? {
        get { byID[id] }
        set {
            if let newValue {
                if byID.updateValue(newValue, forKey: id) == nil { order.append(id) }
            } else if byID.removeValue(forKey: id) != nil {
                order.removeAll { $0 == id }
            }
        }
    }

    var count: Int { byID.count }

    /// Newest first, as Stripe lists.
    var newestFirst: [Record] { order.reversed().compactMap { byID[$0] } }

    /// One page of a list answer, filtered, with Stripe's cursors. `resource` names the kind in
    /// a "No such …" error for an unknown cursor.
    func list(
        _ params: StripeParams, url: String, resource: String,
        where include: (Record) -> Bool = { _ in true }
    ) throws(StripeError) -> JSONValue {
        let list = try ListParameters(params)
        func position(_ id: String?, _ param: String) throws(StripeError) -> Int? {
            guard let id else { return nil }
            guard let record = byID[id] else { throw .noSuch(resource, id, param: param) }
            return record.sequence
        }
        let after = try position(list.startingAfter, "starting_after")
        let before = try position(list.endingBefore, "ending_before")
        let page = Pagination.page(
            newestFirst.filter(include), sequence: \.sequence, limit: list.limit,
            startingAfter: after, endingBefore: before)
        return .object([
            ("object", .string("list")),
            ("data", .array(page.items.map(\.json))),
            ("has_more", .bool(page.hasMore)),
            ("url", .string(url)),
        ])
    }
}

/// `{"id":…,"object":…}` then the other fields in alphabetical order, as Stripe writes objects.
func stripeObject(id: String, object: String, _ fields: [(String, JSONValue)]) -> JSONValue {
    .object([("id", .string(id)), ("object", .string(object))] + fields.sorted { $0.0 < $1.0 })
}

func deletedObject(id: String, object: String) -> JSONValue {
    .object([("id", .string(id)), ("object", .string(object)), ("deleted", .bool(true))])
}
