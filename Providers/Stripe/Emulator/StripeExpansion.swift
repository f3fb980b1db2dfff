import SalonOpsEmulatorKit
/// `expand[]=…` (https://docs.stripe.com/api/expanding_objects): an id field named by a dotted path
/// is replaced by the object it refers to; on a list the path starts with `data.`. The emulated
/// expandable fields are those whose objects the sandbox holds; any other path is refused as
/// Stripe refuses it.
extension StripeState {
    /// Expandable fields per object type, and where their objects live.
    private func expandable(_ object: String, _ field: String) -> ((String) -> JSONValue?)? {
        switch (object, field) {
        case ("price", "product"), ("plan", "product"): return { products[$0]?.json }
        case ("product", "default_price"): return { prices[$0]?.json }
        // Always null in the sandbox (no Connect applications): expanding it changes nothing.
        case ("webhook_endpoint", "application"): return { _ in nil }
        default: return nil
        }
    }

    /// `value` (one object or a list) with every path of the request's `expand` expanded.
    func expanding(_ value: JSONValue, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard let paths = try p.stringList("expand") else { return value }
        var result = value
        for path in paths {
            let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !segments.contains("") else { throw .invalid("Invalid expand: `\(path)` is not a property path", param: "expand") }
            result = try expand(result, segments[...])
        }
        return result
    }

    private func expand(_ value: JSONValue, _ path: ArraySlice<String>) throws(StripeError) -> JSONValue {
        guard let field = path.first, case .object(var fields) = value,
            case .string(let object)? = fields.first(where: { $0.0 == "object" })?.1
        else { return value }
        let rest = path.dropFirst()
        if object == "list" {
            // Stripe's answer to `expand[]=product` on a list (github.com/stripe/stripe-dotnet/issues/1351).
            guard field == "data", !rest.isEmpty else {
                throw .invalid("This property cannot be expanded (\(field)). You may want to try expanding 'data.\(field)' instead.")
            }
            guard let index = fields.firstIndex(where: { $0.0 == "data" }), case .array(let items) = fields[index].1 else { return value }
            var expandedItems: [JSONValue] = []
            for item in items { expandedItems.append(try expand(item, rest)) }
            fields[index].1 = .array(expandedItems)
            return .object(fields)
        }
        // "This property cannot be expanded (metadata)." (github.com/Valour-Software/Valour/pull/1533).
        guard let resolve = expandable(object, field), let index = fields.firstIndex(where: { $0.0 == field }) else {
            throw .invalid("This property cannot be expanded (\(field)).")
        }
        switch fields[index].1 {
        case .string(let id):
            // An id the sandbox no longer holds stays an id (Stripe would answer the deleted object).
            if let target = resolve(id) { fields[index].1 = try expand(target, rest) }
        case .object:
            fields[index].1 = try expand(fields[index].1, rest)  // already expanded by another path
        default:
            break  // null stays null
        }
        return .object(fields)
    }
}
