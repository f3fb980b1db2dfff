import SalonOpsEmulatorKit
struct StripeTaxRate: StripeRecord {
    var id: String
    var sequence: Int
    var created: Int
    var displayName: String
    var percentage: Double
    var inclusive: Bool
    var active = true
    var description: String?
    var country: String?
    var state: String?
    var jurisdiction: String?
    var taxType: String?
    var metadata: [String: String] = [:]

    var json: JSONValue {
        stripeObject(
            id: id, object: "tax_rate",
            [
                ("active", .bool(active)), ("country", .optional(country)), ("created", .int(created)),
                ("description", .optional(description)), ("display_name", .string(displayName)),
                ("effective_percentage", .double(percentage)), ("flat_amount", .null), ("inclusive", .bool(inclusive)),
                ("jurisdiction", .optional(jurisdiction)), ("jurisdiction_level", .null), ("livemode", .bool(false)),
                ("metadata", .stringMap(metadata)), ("percentage", .double(percentage)), ("rate_type", .string("percentage")),
                ("state", .optional(state)), ("tax_type", .optional(taxType)),
            ])
    }
}

extension StripeState {
    static let taxTypes = [
        "amusement_tax", "communications_tax", "gst", "hst", "igst", "jct", "lease_tax", "pst", "qst",
        "retail_delivery_fee", "rst", "sales_tax", "service_tax", "vat",
    ]
    static let taxRateMutable: Set<String> = [
        "display_name", "active", "description", "jurisdiction", "country", "state",
        "tax_type", "metadata",
    ]

    mutating func createTaxRate(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(Self.taxRateMutable.union(["percentage", "inclusive"]))
        let displayName = try p.requiredString("display_name")
        guard displayName.count <= 50 else {
            throw .invalid("Invalid display_name: must be at most 50 characters", param: "display_name")
        }
        guard let inclusive = try p.bool("inclusive") else { throw .missing("inclusive") }
        guard let percentage = try p.decimal("percentage") else { throw .missing("percentage") }
        guard (0...100).contains(percentage) else {
            throw .invalid("Invalid percentage: must be between 0 and 100", param: "percentage")
        }
        var rate = StripeTaxRate(
            id: newID("txr", length: 24, in: \.taxRates), sequence: nextSequence(), created: clock(),
            displayName: displayName, percentage: percentage, inclusive: inclusive)
        try applyTaxRate(p, to: &rate)
        taxRates[rate.id] = rate
        return rate.json
    }

    mutating func updateTaxRate(_ id: String, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard var rate = taxRates[id] else { throw .noSuch("tax rate", id) }
        // percentage and inclusive are immutable: Stripe answers "Received unknown parameter".
        try p.allowOnly(Self.taxRateMutable)
        if let displayName = try p.nonEmptyString("display_name") {
            guard displayName.count <= 50 else {
                throw .invalid("Invalid display_name: must be at most 50 characters", param: "display_name")
            }
            rate.displayName = displayName
        }
        try applyTaxRate(p, to: &rate)
        taxRates[id] = rate
        return rate.json
    }

    private func applyTaxRate(_ p: StripeParams, to rate: inout StripeTaxRate) throws(StripeError) {
        if let active = try p.bool("active") { rate.active = active }
        if let description = try p.nullableString("description") { rate.description = description }
        if let jurisdiction = try p.nullableString("jurisdiction", maxLength: 50) { rate.jurisdiction = jurisdiction }
        if let country = try p.nullableString("country") {
            if let country, !(country.count == 2 && country.allSatisfy { $0.isASCII && $0.isLetter }) {
                throw .invalid("Invalid country: must be a two-letter country code (ISO 3166-1 alpha-2)", param: "country")
            }
            rate.country = country?.uppercased()
        }
        if let state = try p.nullableString("state") { rate.state = state }
        if let taxType = try p.string("tax_type") {
            rate.taxType = taxType.isEmpty ? nil : try p.oneOf("tax_type", Self.taxTypes)
        }
        if let change = try p.metadata() { try change.apply(to: &rate.metadata) }
    }

    func listTaxRates(_ p: StripeParams) throws(StripeError) -> JSONValue {
        try p.allowOnly(ListParameters.names.union(["active", "inclusive"]), unsupported: ["created"])
        let active = try p.bool("active"), inclusive = try p.bool("inclusive")
        return try taxRates.list(p, url: "/v1/tax_rates", resource: "tax rate") { rate in
            (active == nil || rate.active == active) && (inclusive == nil || rate.inclusive == inclusive)
        }
    }
}
