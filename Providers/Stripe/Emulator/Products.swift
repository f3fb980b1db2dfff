import SalonOpsEmulatorKit
struct StripeProduct: StripeRecord {
    var id: String
    var sequence: Int
    var created: Int
    var updated: Int
    var name: String
    var active = true
    var description: String?
    var images: [String] = []
    var metadata: [String: String] = [:]
    var shippable: Bool?
    var statementDescriptor: String?
    var taxCode: String?
    var unitLabel: String?
    var url: String?
    var defaultPrice: String?

    var json: JSONValue {
        stripeObject(
            id: id, object: "product",
            [
                ("active", .bool(active)), ("created", .int(created)),
                ("default_price", .optional(defaultPrice)), ("description", .optional(description)),
                ("images", .array(images.map(JSONValue.string))), ("livemode", .bool(false)),
                ("marketing_features", .array([])), ("metadata", .stringMap(metadata)), ("name", .string(name)),
                ("package_dimensions", .null), ("shippable", .optional(shippable)),
                ("statement_descriptor", .optional(statementDescriptor)), ("tax_code", .optional(taxCode)),
                ("type", .string("service")), ("unit_label", .optional(unitLabel)), ("updated", .int(updated)),
                ("url", .optional(url)),
            ])
    }
}

extension StripeState {
    static let productWritable: Set<String> = [
        "name", "active", "description", "images", "metadata", "shippable",
        "statement_descriptor", "tax_code", "unit_label", "url",
    ]

    mutating func createProduct(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(
            Self.productWritable.union(["id"]),
            unsupported: ["default_price_data", "marketing_features", "package_dimensions", "type"])
        let name = try p.requiredString("name")
        let id: String
        if let custom = try p.nonEmptyString("id") {
            try Self.checkCustomID(custom)
            guard products[custom] == nil else {
                throw .invalid("Product already exists.", param: "id", code: "resource_already_exists")
            }
            id = custom
        } else {
            id = newID("prod", length: 14, in: \.products)
        }
        let now = clock()
        var product = StripeProduct(id: id, sequence: nextSequence(), created: now, updated: now, name: name)
        try applyProduct(p, to: &product)
        products[id] = product
        return product.json
    }

    mutating func updateProduct(_ id: String, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard var product = products[id] else { throw .noSuch("product", id) }
        try p.allowOnly(Self.productWritable.union(["default_price"]))
        if let name = try p.nonEmptyString("name") { product.name = name }
        if let price = try p.nullableString("default_price") {
            if let price {
                guard let found = prices[price] else { throw .noSuch("price", price, param: "default_price", status: 400) }
                guard found.product == id else {
                    throw .invalid("The price `\(price)` does not belong to product `\(id)`.", param: "default_price")
                }
            }
            product.defaultPrice = price
        }
        try applyProduct(p, to: &product)
        product.updated = clock()
        products[id] = product
        return product.json
    }

    private func applyProduct(_ p: StripeParams, to product: inout StripeProduct) throws(StripeError) {
        if let active = try p.bool("active") { product.active = active }
        if let description = try p.nullableString("description", maxLength: 40_000) { product.description = description }
        if let images = try p.stringList("images") {
            guard images.count <= 8 else { throw .invalid("Invalid images: at most 8 images are allowed", param: "images") }
            product.images = images
        }
        if let shippable = try p.string("shippable") {
            product.shippable = shippable.isEmpty ? nil : try p.bool("shippable")
        }
        if let descriptor = try p.nullableString("statement_descriptor", maxLength: 22) { product.statementDescriptor = descriptor }
        if let taxCode = try p.nullableString("tax_code") { product.taxCode = taxCode }
        if let unitLabel = try p.nullableString("unit_label", maxLength: 12) { product.unitLabel = unitLabel }
        if let url = try p.nullableString("url") { product.url = url }
        if let change = try p.metadata() { try change.apply(to: &product.metadata) }
    }

    mutating func deleteProduct(_ id: String) throws(StripeError) -> JSONValue {
        guard products[id] != nil else { throw .noSuch("product", id) }
        if prices.byID.values.contains(where: { $0.product == id }) {
            throw .invalid("This product cannot be deleted because it has one or more user-created prices.", param: "id")
        }
        products[id] = nil
        return deletedObject(id: id, object: "product")
    }

    func listProducts(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(ListParameters.names.union(["active", "ids", "shippable", "url"]), unsupported: ["created"])
        let active = try p.bool("active"), shippable = try p.bool("shippable"), url = try p.nonEmptyString("url")
        let ids = try p.stringList("ids").map(Set.init)
        return try products.list(p, url: "/v1/products", resource: "product") { product in
            (active == nil || product.active == active) && (shippable == nil || product.shippable == shippable)
                && (url == nil || product.url == url) && (ids == nil || ids!.contains(product.id))
        }
    }

    static func checkCustomID(_ id: String) throws(StripeError) {
        guard id.count <= 255, !id.contains(where: { $0 == "/" || $0 == "[" || $0 == "]" || $0.isWhitespace }) else {
            throw .invalid("Invalid id: must be at most 255 characters without spaces, '/', '[' or ']'", param: "id")
        }
    }
}
