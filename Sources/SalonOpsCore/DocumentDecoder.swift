import Foundation
import Yams

/// Decodes one YAML document into a model value, checking every field against schema v1.
struct DocumentDecoder {
    let reader: NodeReader
    let catalog: ProviderCatalog

    static let namePattern = "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"

    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func ok(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        return ok(bytes.first!) && ok(bytes.last!) && bytes.allSatisfy { ok($0) || $0 == 45 }
    }

    func decode(_ root: Node) -> ConfigLoader.Document? {
        guard case .mapping = root else {
            reader.error(
                .notAMapping, root, "a config document must be a mapping with apiVersion, kind, metadata and spec, not \(root.kindDescription)",
                hint: "start the document with 'apiVersion: \(configAPIVersion)'")
            return nil
        }
        guard let document = reader.fields(root, context: "document") else { return nil }
        document.rejectUnknown(["apiVersion", "kind", "metadata", "spec"])
        if let versionNode = document.required("apiVersion", hint: "add 'apiVersion: \(configAPIVersion)'"),
            let version = reader.string(versionNode, field: "apiVersion"), version != configAPIVersion
        {
            reader.error(.apiVersion, versionNode, "unsupported apiVersion '\(version)'", hint: "this salonops reads '\(configAPIVersion)'")
        }
        guard let kindNode = document.required("kind", hint: "add 'kind:' with one of \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", "))"),
            let kindText = reader.string(
                kindNode, field: "kind", hint: "write one kind as a single word: \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", ")), e.g. kind: Service")
        else { return nil }
        guard let kind = DocumentKind(rawValue: kindText) else {
            let known = DocumentKind.allCases.map(\.rawValue)
            reader.error(
                .unknownKind, kindNode, "unknown kind '\(kindText)'\(Suggestions.didYouMean(kindText, among: known))",
                hint: "kinds are \(known.joined(separator: ", "))")
            return nil
        }
        guard let metadata = decodeMetadata(document.required("metadata", hint: "add 'metadata:' with a 'name:'"), kind: kind, document: root) else { return nil }
        let context = "\(kind.rawValue) '\(metadata.name)'"
        guard let specNode = document.required("spec"),
            let spec = reader.fields(
                specNode, context: "\(context) spec",
                hint: "write 'spec:' alone on its line and the \(kind.rawValue)'s fields indented below it, one 'key: value' each (no '- ' in front)")
        else { return nil }
        switch kind {
        case .organization: return organization(spec, metadata).map { .organization($0) }
        case .establishment: return establishment(spec, metadata).map { .establishment($0) }
        case .service: return service(spec, metadata).map { .service($0) }
        case .product: return product(spec, metadata).map { .product($0) }
        case .offer: return offer(spec, metadata).map { .offer($0) }
        case .integration: return integration(spec, metadata).map { .integration($0) }
        }
    }

    func decodeMetadata(_ node: Node?, kind: DocumentKind, document: Node) -> Metadata? {
        guard let fields = reader.fields(node, context: "\(kind.rawValue) metadata") else { return nil }
        fields.rejectUnknown(["name", "labels"])
        let nameHint = "give it a name: \(Self.namePattern), e.g. 'name: \(Self.exampleName(kind))'"
        guard let nameNode = fields.required("name", hint: nameHint), let name = reader.nonEmptyString(nameNode, field: "metadata.name", hint: nameHint) else { return nil }
        if !Self.isValidName(name) {
            reader.error(.invalidName, nameNode, "\(kind.rawValue) name '\(name)' is not a valid name", hint: "use \(Self.namePattern), e.g. '\(Self.suggestedName(name))'")
        }
        var labels: [String: String] = [:]
        if let labelFields = reader.fields(fields["labels"], context: "metadata.labels") {
            for pair in labelFields.pairs {
                if let value = reader.string(pair.value, field: "metadata.labels.\(pair.key)") { labels[pair.key] = value }
            }
        }
        return Metadata(name: name, labels: labels, location: reader.location(nameNode))
    }

    static let driftHint = "drift is observe (report changes made elsewhere), warn (report them, plan exits 2) or correct (undo them), e.g. drift: warn"

    static func exampleName(_ kind: DocumentKind) -> String {
        switch kind {
        case .organization: "belle-epoque"
        case .establishment: "paris-11"
        case .service: "soin-visage-hydratant"
        case .product: "serum-eclat-30ml"
        case .offer: "bon-cadeau-100"
        case .integration: "stripe"
        }
    }

    static func suggestedName(_ name: String) -> String {
        let folded = name.lowercased().folding(options: .diacriticInsensitive, locale: nil)
        var result = ""
        for c in folded.unicodeScalars {
            if (c >= "a" && c <= "z") || (c >= "0" && c <= "9") { result.unicodeScalars.append(c) } else if !result.hasSuffix("-") { result += "-" }
        }
        let trimmed = result.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "my-name" : String(trimmed.prefix(63))
    }

    // MARK: Organization

    func organization(_ spec: NodeReader.Fields, _ metadata: Metadata) -> Organization? {
        spec.rejectUnknown(["displayName", "defaults", "safety", "drift"])
        let displayName = spec.required("displayName").flatMap { reader.nonEmptyString($0, field: "displayName") }
        var defaults = Organization.standardDefaults
        if let d = reader.fields(spec["defaults"], context: "Organization defaults") {
            d.rejectUnknown(["currency", "timezone", "locale"])
            if let code = reader.string(d["currency"], field: "defaults.currency") {
                if let currency = Currency(code: code) {
                    defaults.currency = currency
                } else {
                    reader.error(
                        .invalidMoney, d["currency"], "defaults.currency: unknown currency '\(code)'\(Suggestions.didYouMean(code.uppercased(), among: Currency.allCodes))",
                        hint: "use an ISO 4217 code such as EUR")
                }
            }
            if let tz = reader.parsed(d["timezone"], field: "defaults.timezone", TimeZones.validate) { defaults.timezone = tz }
            if let locale = reader.string(d["locale"], field: "defaults.locale") {
                if Self.isLocale(locale) {
                    defaults.locale = locale
                } else {
                    reader.error(.invalidValue, d["locale"], "defaults.locale: '\(locale)' is not a BCP 47 locale", hint: "e.g. fr-FR, en-GB")
                }
            }
        }
        var safety = Organization.Safety.standard
        decodeSafety(spec["safety"], into: &safety)
        let drift = spec["drift"].flatMap { reader.oneOf($0, field: "drift", DriftMode.self, hint: Self.driftHint) } ?? .warn
        guard let displayName else { return nil }
        return Organization(metadata: metadata, displayName: displayName, defaults: defaults, safety: safety, drift: drift)
    }

    func decodeSafety(_ node: Node?, into safety: inout Organization.Safety) {
        guard let s = reader.fields(node, context: "safety") else { return }
        s.rejectUnknown(["maxUpdatePercent", "maxDeletePercent", "minManagedResources"])
        if let v = reader.int(s["maxUpdatePercent"], field: "safety.maxUpdatePercent", range: 0...100, example: 30) { safety.maxUpdatePercent = v }
        if let v = reader.int(s["maxDeletePercent"], field: "safety.maxDeletePercent", range: 0...100, example: 10) { safety.maxDeletePercent = v }
        if let v = reader.int(s["minManagedResources"], field: "safety.minManagedResources", range: 0...1_000_000, example: 10) { safety.minManagedResources = v }
    }

    static func isLocale(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let language = parts.first, (2...3).contains(language.count), language.allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
        return parts.dropFirst().allSatisfy { (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    // MARK: Establishment

    func establishment(_ spec: NodeReader.Fields, _ metadata: Metadata) -> Establishment? {
        let context = "Establishment '\(metadata.name)'"
        spec.rejectUnknown(["displayName", "timezone", "address", "phone", "email", "website", "hours", "closures", "catalogue", "overrides", "rooms", "staff"])
        let displayName = spec.required("displayName").flatMap { reader.nonEmptyString($0, field: "displayName") }
        let timezone = reader.parsed(spec["timezone"], field: "timezone", TimeZones.validate)
        let address = decodeAddress(spec.required("address"), context: context)
        let phone = reader.string(spec["phone"], field: "phone")
        if let phone, !Self.isE164(phone) {
            reader.error(
                .invalidValue, spec["phone"], "phone '\(phone)' is not in international E.164 form",
                hint: "write it as +33 followed by the number without its leading 0, no spaces, e.g. +33143551234")
        }
        let email = reader.string(spec["email"], field: "email")
        if let email, !Self.isEmail(email) {
            reader.error(.invalidValue, spec["email"], "email '\(email)' is not an email address", hint: "write one address, e.g. paris11@belle-epoque.example")
        }
        let website = reader.string(spec["website"], field: "website")
        if let website, !Self.isHTTPS(website) {
            reader.error(.invalidValue, spec["website"], "website '\(website)' is not an https URL", hint: "e.g. https://example.fr")
        }

        var hours: [Weekday: [OpeningPeriod]] = [:]
        if let hoursNode = spec["hours"], let days = reader.fields(hoursNode, context: "\(context) hours") {
            days.rejectUnknown(Weekday.allCases.map(\.rawValue))
            for pair in days.pairs {
                guard let day = Weekday(rawValue: pair.key) else { continue }
                hours[day] = decodeDay(pair.value, day: day)
            }
        } else if spec["hours"] == nil {
            reader.warning(
                .noOpeningHours, spec.node, "\(context) has no opening hours: providers will show it as closed every day",
                hint: "add 'hours:' with periods per weekday, e.g. tuesday: [\"10:00-19:00\"]")
        }

        var closures: [Closure] = []
        for (index, item) in (reader.sequence(spec["closures"], field: "closures") ?? []).enumerated() {
            if let closure = decodeClosure(item, field: "closures[\(index)]") { closures.append(closure) }
        }

        var catalogue = CatalogueSelection()
        if let c = reader.fields(spec["catalogue"], context: "\(context) catalogue") {
            c.rejectUnknown(["services", "products", "offers"])
            if let s = reader.selection(c["services"], field: "catalogue.services") { catalogue.services = s }
            if let s = reader.selection(c["products"], field: "catalogue.products") { catalogue.products = s }
            if let s = reader.selection(c["offers"], field: "catalogue.offers") { catalogue.offers = s }
        }

        var overrides: [CatalogueOverride] = []
        for (index, item) in (reader.sequence(spec["overrides"], field: "overrides") ?? []).enumerated() {
            if let o = decodeOverride(item, field: "overrides[\(index)]") { overrides.append(o) }
        }

        var rooms: [Room] = []
        for (index, item) in (reader.sequence(spec["rooms"], field: "rooms") ?? []).enumerated() {
            guard let f = reader.fields(item, context: "\(context) rooms[\(index)]") else { continue }
            f.rejectUnknown(["name", "displayName", "capacity", "services"])
            guard let name = f.required("name").flatMap({ reader.name($0, field: "rooms[\(index)].name") }) else { continue }
            if !Self.isValidName(name.value) { reader.error(.invalidName, f["name"], "room name '\(name.value)' is not a valid name", hint: "use \(Self.namePattern)") }
            rooms.append(
                Room(
                    name: name.value,
                    displayName: reader.string(f["displayName"], field: "rooms[\(index)].displayName"),
                    capacity: reader.int(f["capacity"], field: "rooms[\(index)].capacity", range: 1...1000, example: 2) ?? 1,
                    services: reader.names(f["services"], field: "rooms[\(index)].services") ?? [],
                    location: name.location))
        }

        var staff: [StaffMember] = []
        for (index, item) in (reader.sequence(spec["staff"], field: "staff") ?? []).enumerated() {
            guard let f = reader.fields(item, context: "\(context) staff[\(index)]") else { continue }
            f.rejectUnknown(["name", "displayName", "role", "email", "services"])
            guard let name = f.required("name").flatMap({ reader.name($0, field: "staff[\(index)].name") }) else { continue }
            if !Self.isValidName(name.value) {
                reader.error(.invalidName, f["name"], "staff name '\(name.value)' is not a valid name", hint: "use \(Self.namePattern), e.g. '\(Self.suggestedName(name.value))'")
            }
            let staffEmail = reader.string(f["email"], field: "staff[\(index)].email")
            if let staffEmail, !Self.isEmail(staffEmail) {
                reader.error(
                    .invalidValue, f["email"], "staff[\(index)].email '\(staffEmail)' is not an email address", hint: "write one address, e.g. paris11@belle-epoque.example")
            }
            staff.append(
                StaffMember(
                    name: name.value,
                    displayName: f.required("displayName").flatMap { reader.nonEmptyString($0, field: "staff[\(index)].displayName") } ?? name.value,
                    role: reader.string(f["role"], field: "staff[\(index)].role"),
                    email: staffEmail,
                    services: f.required("services", hint: "list the services this person performs").flatMap { reader.names($0, field: "staff[\(index)].services") } ?? [],
                    location: name.location))
        }

        guard let displayName, let address else { return nil }
        return Establishment(
            metadata: metadata, displayName: displayName, timezone: timezone, address: address, phone: phone,
            email: email, website: website, hours: hours, closures: closures, catalogue: catalogue,
            overrides: overrides, rooms: rooms, staff: staff)
    }

    func decodeAddress(_ node: Node?, context: String) -> Address? {
        guard let f = reader.fields(node, context: "\(context) address") else { return nil }
        f.rejectUnknown(["street", "postalCode", "city", "country"])
        let street = f.required("street").flatMap { reader.nonEmptyString($0, field: "address.street") }
        let city = f.required("city").flatMap { reader.nonEmptyString($0, field: "address.city") }
        let country = f.required("country", hint: "add 'country:' with an ISO 3166-1 alpha-2 code such as FR").flatMap { reader.string($0, field: "address.country") }
        if let country, !(country.count == 2 && country.allSatisfy({ $0.isASCII && $0.isUppercase })) {
            reader.error(.invalidValue, f["country"], "address.country '\(country)' is not an ISO 3166-1 alpha-2 code", hint: "e.g. FR, BE, CH")
        }
        let postalCode = reader.string(f["postalCode"], field: "address.postalCode")
        guard let street, let city, let country else { return nil }
        return Address(street: street, postalCode: postalCode, city: city, country: country)
    }

    func decodeDay(_ node: Node, day: Weekday) -> [OpeningPeriod] {
        if case .scalar(let s) = node, s.string == "closed" { return [] }
        var periods: [(OpeningPeriod, Node)] = []
        for item in reader.sequence(node, field: "hours.\(day.rawValue)") ?? [] {
            if let period = reader.parsed(item, field: "hours.\(day.rawValue)", OpeningPeriod.parse) { periods.append((period, item)) }
        }
        // Overlaps are reported on the later period, naming the one it collides with.
        for (i, (period, node)) in periods.enumerated() {
            if let earlier = periods[..<i].first(where: { $0.0.overlaps(period) }) {
                reader.error(
                    .hoursOverlap, node, "opening period \(period) on \(day.rawValue) overlaps \(earlier.0)",
                    hint: "merge them into one period or make them follow each other")
            }
        }
        return periods.map(\.0).sorted { $0.opens < $1.opens }
    }

    func decodeClosure(_ node: Node, field: String) -> Closure? {
        guard let f = reader.fields(node, context: field) else { return nil }
        f.rejectUnknown(["date", "from", "to", "reason"])
        let reason = reader.string(f["reason"], field: "\(field).reason")
        if f["date"] != nil {
            if f["from"] != nil || f["to"] != nil {
                reader.error(.invalidValue, node, "\(field) has both 'date' and 'from'/'to'", hint: "use 'date:' for one day or 'from:' and 'to:' for a range")
                return nil
            }
            guard let date = reader.parsed(f["date"], field: "\(field).date", LocalDate.parse) else { return nil }
            return Closure(from: date, to: date, reason: reason, location: reader.location(f["date"]))
        }
        guard f["from"] != nil || f["to"] != nil else {
            reader.error(.missingField, node, "\(field) needs 'date:' or 'from:' and 'to:'", hint: "e.g. {date: 2026-12-25, reason: Noël}")
            return nil
        }
        let from = f.required("from").flatMap { reader.parsed($0, field: "\(field).from", LocalDate.parse) }
        let to = f.required("to").flatMap { reader.parsed($0, field: "\(field).to", LocalDate.parse) }
        guard let from, let to else { return nil }
        if to < from {
            reader.error(.closureInverted, f["to"], "\(field) ends (\(to)) before it starts (\(from))", hint: "swap 'from' and 'to'")
            return nil
        }
        return Closure(from: from, to: to, reason: reason, location: reader.location(f["from"]))
    }

    func decodeOverride(_ node: Node, field: String) -> CatalogueOverride? {
        guard let f = reader.fields(node, context: field) else { return nil }
        f.rejectUnknown(["service", "product", "price", "duration"])
        let target: CatalogueOverride.Target
        if let service = reader.name(f["service"], field: "\(field).service") {
            if f["product"] != nil { reader.error(.invalidValue, node, "\(field) names both a service and a product", hint: "write one override per item"); return nil }
            target = .service(service)
        } else if let product = reader.name(f["product"], field: "\(field).product") {
            target = .product(product)
            if f["duration"] != nil { reader.error(.invalidValue, f["duration"], "\(field): a product has no duration", hint: "remove 'duration:'") }
        } else {
            if f["service"] == nil && f["product"] == nil {
                reader.error(.missingField, node, "\(field) needs 'service:' or 'product:'", hint: "e.g. {service: soin-visage-hydratant, price: \"70.00 EUR\"}")
            }
            return nil
        }
        let price = reader.parsed(f["price"], field: "\(field).price", Money.parse)
        let duration = reader.parsed(f["duration"], field: "\(field).duration", ServiceDuration.parse)
        if f["price"] == nil && f["duration"] == nil {
            reader.error(.missingField, node, "\(field) overrides nothing", hint: "add 'price:' or 'duration:', or remove the override")
        }
        return CatalogueOverride(target: target, price: price, duration: duration, location: reader.location(node))
    }

    // MARK: Catalogue

    func service(_ spec: NodeReader.Fields, _ metadata: Metadata) -> Service? {
        spec.rejectUnknown(["displayName", "category", "description", "duration", "price", "vatRate", "bufferAfter", "bookableOnline"])
        let displayName = spec.required("displayName").flatMap { reader.nonEmptyString($0, field: "displayName") }
        let category = spec.required("category").flatMap { reader.nonEmptyString($0, field: "category") }
        let duration = spec.required("duration", hint: "add 'duration:' such as 45m or 1h30").flatMap { reader.parsed($0, field: "duration", ServiceDuration.parse) }
        let price = spec.required("price", hint: "add 'price:' such as \"65.00 EUR\"").flatMap { reader.parsed($0, field: "price", Money.parse) }
        let vat = spec.required("vatRate", hint: "add 'vatRate:' such as \"20%\"").flatMap { reader.parsed($0, field: "vatRate", Percentage.parse) }
        let buffer = reader.parsed(spec["bufferAfter"], field: "bufferAfter", ServiceDuration.parse)
        let bookable = spec["bookableOnline"].flatMap { reader.bool($0, field: "bookableOnline") } ?? true
        let description = reader.string(spec["description"], field: "description")
        guard let displayName, let category, let duration, let price, let vat else { return nil }
        return Service(
            metadata: metadata, displayName: displayName, category: category, description: description,
            duration: duration, price: price, vatRate: vat, bufferAfter: buffer, bookableOnline: bookable)
    }

    func product(_ spec: NodeReader.Fields, _ metadata: Metadata) -> Product? {
        spec.rejectUnknown(["displayName", "sku", "price", "vatRate", "category", "brand", "description"])
        let displayName = spec.required("displayName").flatMap { reader.nonEmptyString($0, field: "displayName") }
        let sku = spec.required("sku").flatMap { reader.nonEmptyString($0, field: "sku") }
        let price = spec.required("price", hint: "add 'price:' such as \"29.90 EUR\"").flatMap { reader.parsed($0, field: "price", Money.parse) }
        let vat = spec.required("vatRate", hint: "add 'vatRate:' such as \"20%\"").flatMap { reader.parsed($0, field: "vatRate", Percentage.parse) }
        guard let displayName, let sku, let price, let vat else { return nil }
        return Product(
            metadata: metadata, displayName: displayName, sku: sku, price: price, vatRate: vat,
            category: reader.string(spec["category"], field: "category"),
            brand: reader.string(spec["brand"], field: "brand"),
            description: reader.string(spec["description"], field: "description"))
    }

    func offer(_ spec: NodeReader.Fields, _ metadata: Metadata) -> Offer? {
        spec.rejectUnknown([
            "displayName", "description", "type", "price", "includes", "discount", "appliesTo", "code", "recurring",
            "validity", "validFrom", "validUntil", "quantity", "restrictions",
        ])
        let context = "Offer '\(metadata.name)'"
        let displayName = spec.required("displayName").flatMap { reader.nonEmptyString($0, field: "displayName") }
        guard
            let type = spec.required("type", hint: "add 'type:' with one of \(Offer.OfferType.allCases.map(\.rawValue).joined(separator: ", "))").flatMap({
                reader.oneOf($0, field: "type", Offer.OfferType.self)
            })
        else { return nil }

        /// A field that only some offer types take.
        func field(_ name: String, requiredFor required: Set<Offer.OfferType>, allowedFor allowed: Set<Offer.OfferType>) -> Node? {
            if required.contains(type) { return spec.required(name, hint: "a \(type.rawValue) offer needs '\(name):'") }
            if let node = spec[name], !allowed.contains(type) {
                reader.error(
                    .invalidValue, spec.keyNode(name), "\(context): '\(name)' does not apply to a \(type.rawValue) offer",
                    hint: "'\(name)' is for \(allowed.map(\.rawValue).sorted().joined(separator: " and ")) offers; remove it or change 'type'")
                _ = node
                return nil
            }
            return spec[name]
        }

        let price = field("price", requiredFor: [.package, .voucher, .membership], allowedFor: [.package, .voucher, .membership])
            .flatMap { reader.parsed($0, field: "price", Money.parse) }
        var includes: [Offer.Inclusion] = []
        if let node = field("includes", requiredFor: [.package, .membership], allowedFor: [.package, .membership]) {
            for (index, item) in (reader.sequence(node, field: "includes") ?? []).enumerated() {
                guard let f = reader.fields(item, context: "\(context) includes[\(index)]") else { continue }
                f.rejectUnknown(["service", "quantity"])
                guard let service = f.required("service").flatMap({ reader.name($0, field: "includes[\(index)].service") }) else { continue }
                let quantity = f["quantity"].flatMap { reader.int($0, field: "includes[\(index)].quantity", range: 1...1000) } ?? 1
                includes.append(Offer.Inclusion(service: service, quantity: quantity))
            }
        }
        var discount: Offer.Discount?
        if let node = field("discount", requiredFor: [.promotion], allowedFor: [.promotion]), let text = reader.string(node, field: "discount") {
            if text.hasSuffix("%") {
                if let p = reader.parsed(node, field: "discount", Percentage.parse) {
                    if p.basisPoints == 0 { reader.error(.invalidPercent, node, "discount: a 0% promotion gives nothing", hint: "set a discount above 0%") }
                    discount = .percent(p)
                }
            } else if let m = reader.parsed(node, field: "discount", Money.parse) {
                discount = .amount(m)
            }
        }
        var appliesServices: [NameReference] = [], appliesProducts: [NameReference] = []
        if let node = field("appliesTo", requiredFor: [.promotion], allowedFor: [.promotion]), let f = reader.fields(node, context: "\(context) appliesTo") {
            f.rejectUnknown(["services", "products"])
            appliesServices = reader.names(f["services"], field: "appliesTo.services") ?? []
            appliesProducts = reader.names(f["products"], field: "appliesTo.products") ?? []
            if appliesServices.isEmpty && appliesProducts.isEmpty {
                reader.error(.missingField, node, "\(context) appliesTo names no service or product", hint: "add 'services:' or 'products:' lists")
            }
        }
        let code = field("code", requiredFor: [], allowedFor: [.promotion]).flatMap { reader.string($0, field: "code") }
        if let code, !Self.isPromoCode(code) {
            reader.error(.invalidValue, spec["code"], "code '\(code)' is not a valid promotion code", hint: "use 3 to 32 characters among A-Z, 0-9, '_' and '-', e.g. NOEL2026")
        }
        let recurring = field("recurring", requiredFor: [.membership], allowedFor: [.membership]).flatMap { reader.oneOf($0, field: "recurring", Offer.Recurrence.self) }
        let validity = reader.parsed(spec["validity"], field: "validity", CalendarPeriod.parse)
        let validFrom = reader.parsed(spec["validFrom"], field: "validFrom", LocalDate.parse)
        let validUntil = reader.parsed(spec["validUntil"], field: "validUntil", LocalDate.parse)
        if let validFrom, let validUntil, validUntil < validFrom {
            reader.error(.closureInverted, spec["validUntil"], "\(context) ends (\(validUntil)) before it starts (\(validFrom))", hint: "swap validFrom and validUntil")
        }
        let quantity = reader.int(spec["quantity"], field: "quantity", range: 1...10_000_000)
        var restrictions = Offer.Restrictions()
        if let f = reader.fields(spec["restrictions"], context: "\(context) restrictions") {
            f.rejectUnknown(["establishments", "days", "newClientsOnly", "minSpend"])
            restrictions.establishments = reader.names(f["establishments"], field: "restrictions.establishments") ?? []
            for item in reader.sequence(f["days"], field: "restrictions.days") ?? [] {
                if let day = reader.oneOf(item, field: "restrictions.days", Weekday.self) { restrictions.days.append(day) }
            }
            restrictions.newClientsOnly = f["newClientsOnly"].flatMap { reader.bool($0, field: "restrictions.newClientsOnly") } ?? false
            restrictions.minSpend = reader.parsed(f["minSpend"], field: "restrictions.minSpend", Money.parse)
        }
        guard let displayName else { return nil }
        return Offer(
            metadata: metadata, displayName: displayName, description: reader.string(spec["description"], field: "description"),
            type: type, price: price, includes: includes, discount: discount, appliesToServices: appliesServices,
            appliesToProducts: appliesProducts, code: code, recurring: recurring, validity: validity,
            validFrom: validFrom, validUntil: validUntil, quantity: quantity, restrictions: restrictions)
    }

    // MARK: Integration

    func integration(_ spec: NodeReader.Fields, _ metadata: Metadata) -> Integration? {
        spec.rejectUnknown(["provider", "enabled", "suspended", "establishments", "credentials", "settings", "drift", "prune", "adopt", "ignore", "endpoint", "safety"])
        let context = "Integration '\(metadata.name)'"
        guard let providerNode = spec.required("provider"), let providerName = reader.string(providerNode, field: "provider") else { return nil }
        let providerSpec = catalog.spec(providerName)
        if providerSpec == nil {
            let known = catalog.all.map(\.id)
            reader.error(
                .unknownProvider, providerNode, "unknown provider '\(providerName)'\(Suggestions.didYouMean(providerName, among: known))",
                hint: "providers are \(known.joined(separator: ", "))")
        }
        let enabled = spec.required("enabled", hint: "add 'enabled: true' or 'enabled: false'").flatMap { reader.bool($0, field: "enabled") }
        let establishments = reader.selection(spec["establishments"], field: "establishments") ?? .all

        var credentials: [CredentialReference] = []
        if let f = reader.fields(spec["credentials"], context: "\(context) credentials") {
            if let providerSpec { f.rejectUnknown(providerSpec.credentials) }
            for pair in f.pairs {
                if let credential = decodeCredential(pair.value, name: pair.key, keyNode: pair.keyNode, context: context) { credentials.append(credential) }
            }
        }
        if let providerSpec, enabled == true {
            for name in providerSpec.credentials
            where !credentials.contains(where: { $0.name == name }) && !(spec["credentials"].flatMap { reader.fields($0, context: "") }?.has(name) ?? false) {
                reader.error(
                    .missingCredential, spec["credentials"] ?? spec.node,
                    "\(context) is enabled but has no '\(name)' credential, which \(providerSpec.displayName) needs",
                    hint: "add under credentials: '\(name): {secret: \"secrets/\(providerSpec.id).sops.yaml#\(providerSpec.id).\(ProviderSpec.snakeCase(name))\"}'")
            }
        }

        var settingsKeys: [NameReference] = []
        var settings: Located<SettingValue>?
        if let node = spec["settings"] {
            if let providerSpec {
                checkSettings(node, schema: .object(providerSpec.settings), path: "settings", context: context, establishmentKeys: &settingsKeys)
            }
            settings = settingValue(node)
        } else if let providerSpec {
            for field in providerSpec.settings where field.required {
                reader.error(.missingField, spec.node, "\(context) needs settings.\(field.name) for \(providerSpec.displayName)", hint: "add 'settings:' with '\(field.name):'")
            }
        }
        let drift = spec["drift"].flatMap { reader.oneOf($0, field: "drift", DriftMode.self, hint: Self.driftHint) }
        let prune = spec["prune"].flatMap { reader.bool($0, field: "prune") } ?? false
        let adopt = spec["adopt"].flatMap { reader.bool($0, field: "adopt") } ?? false
        let ignore = (reader.sequence(spec["ignore"], field: "ignore") ?? []).enumerated().compactMap { index, item -> Located<String>? in
            guard let path = reader.nonEmptyString(item, field: "ignore[\(index)]") else { return nil }
            if path.contains(" ") || path.hasPrefix(".") || path.hasSuffix(".") {
                reader.error(.invalidValue, item, "ignore[\(index)] '\(path)' is not a field path", hint: "write '<resource>.<field>', e.g. product.description")
            }
            return Located(path, at: reader.location(item))
        }
        var endpoint: Located<String>?
        if let node = spec["endpoint"], let url = reader.string(node, field: "endpoint") {
            if let problem = EndpointPolicy.problem(url, officialHosts: catalog.spec(providerName)?.officialHosts ?? []) {
                reader.error(.unsafeEndpoint, node, "endpoint \(problem.message)", hint: problem.hint)
            } else {
                endpoint = Located(url, at: reader.location(node))
            }
        }
        var safety = SafetyOverride()
        if let s = reader.fields(spec["safety"], context: "safety") {
            s.rejectUnknown(["maxUpdatePercent", "maxDeletePercent", "minManagedResources"])
            safety.maxUpdatePercent = reader.int(s["maxUpdatePercent"], field: "safety.maxUpdatePercent", range: 0...100, example: 30)
            safety.maxDeletePercent = reader.int(s["maxDeletePercent"], field: "safety.maxDeletePercent", range: 0...100, example: 10)
            safety.minManagedResources = reader.int(s["minManagedResources"], field: "safety.minManagedResources", range: 0...1_000_000, example: 10)
        }
        let suspended = spec["suspended"].flatMap { node in reader.bool(node, field: "suspended") == true ? reader.location(node) : nil }
        guard let enabled else { return nil }
        return Integration(
            metadata: metadata, provider: Located(providerName, at: reader.location(providerNode)), enabled: enabled,
            establishments: establishments, credentials: credentials, settings: settings, drift: drift, prune: prune,
            adopt: adopt, ignore: ignore, endpoint: endpoint, safety: safety, settingsEstablishmentKeys: settingsKeys, suspended: suspended)
    }

    func decodeCredential(_ node: Node, name: String, keyNode: Node, context: String) -> CredentialReference? {
        let hint = "keep the value in an encrypted file and write '\(name): {secret: \"secrets/<provider>.sops.yaml#<key.path>\"}'"
        if case .scalar = node {
            // A literal: never echo it, it is probably the secret itself.
            reader.error(.plaintextCredential, node, "\(context) credential '\(name)' is written as a literal value; credentials must reference an encrypted file", hint: hint)
            return nil
        }
        guard let f = reader.fields(node, context: "\(context) credential '\(name)'") else { return nil }
        f.rejectUnknown(["secret", "rotateAfter"])
        guard let refNode = f.required("secret", hint: hint), let text = reader.string(refNode, field: "credentials.\(name).secret") else { return nil }
        guard case .success(let reference) = SecretReference.parse(text) else {
            if case .failure(let failure) = SecretReference.parse(text) {
                if SecretScanner.mustNotQuote(text) {
                    reader.error(.plaintextCredential, refNode, "\(context) credential '\(name)' holds a literal secret instead of a reference", hint: hint)
                } else {
                    reader.report(failure, refNode, field: "credentials.\(name).secret")
                }
            }
            return nil
        }
        let rotateAfter = reader.parsed(f["rotateAfter"], field: "credentials.\(name).rotateAfter", CalendarPeriod.parse)
        return CredentialReference(name: name, reference: reference, rotateAfter: rotateAfter, location: reader.location(refNode))
    }

    // MARK: Provider settings

    func checkSettings(_ node: Node, schema: SettingType, path: String, context: String, establishmentKeys: inout [NameReference]) {
        let what = "\(context) \(path)"
        switch schema {
        case .object(let fields):
            guard let f = reader.fields(node, context: what) else { return }
            f.rejectUnknown(fields.map(\.name))
            for field in fields {
                if let value = f[field.name] {
                    checkSettings(value, schema: field.type, path: "\(path).\(field.name)", context: context, establishmentKeys: &establishmentKeys)
                } else if field.required {
                    reader.error(.missingField, node, "\(what) is missing required field '\(field.name)'", hint: "add '\(field.name):' (\(field.type.description))")
                }
            }
        case .establishmentMap(let valueType):
            guard let f = reader.fields(node, context: what) else { return }
            for pair in f.pairs {
                establishmentKeys.append(NameReference(pair.key, at: reader.location(pair.keyNode)))
                checkSettings(pair.value, schema: valueType, path: "\(path).\(pair.key)", context: context, establishmentKeys: &establishmentKeys)
            }
        case .list(let itemType):
            for (index, item) in (reader.sequence(node, field: path) ?? []).enumerated() {
                checkSettings(item, schema: itemType, path: "\(path)[\(index)]", context: context, establishmentKeys: &establishmentKeys)
            }
        case .string:
            _ = reader.nonEmptyString(node, field: path)
        case .bool:
            _ = reader.bool(node, field: path)
        case .int:
            _ = reader.int(node, field: path, range: Int.min...Int.max)
        case .url:
            if let url = reader.string(node, field: path), !Self.isHTTPS(url) {
                reader.error(.invalidValue, node, "\(path) '\(url)' is not an https URL", hint: "e.g. https://salon.example/webhooks/stripe")
            }
        case .email:
            if let email = reader.string(node, field: path), !Self.isEmail(email) {
                reader.error(.invalidValue, node, "\(path) '\(email)' is not an email address", hint: "write one address, e.g. paris11@belle-epoque.example")
            }
        case .oneOf(let values):
            if let text = reader.string(node, field: path), !values.contains(text) {
                reader.error(
                    .invalidValue, node, "\(path) must be one of \(values.joined(separator: ", ")), not '\(text)'\(Suggestions.didYouMean(text, among: values))",
                    hint: "write one of the values as is, e.g. \(path.split(separator: ".").last ?? ""): \(values.first ?? "")")
            }
        }
    }

    func settingValue(_ node: Node) -> Located<SettingValue> {
        let location = reader.location(node)
        switch node {
        case .scalar(let s): return Located(.scalar(s.string), at: location)
        case .sequence(let items): return Located(.list(items.map(settingValue)), at: location)
        case .mapping(let m):
            return Located(.map(m.map { (key: Located($0.key.string ?? "", at: reader.location($0.key)), value: settingValue($0.value)) }), at: location)
        case .alias: return Located(.scalar(""), at: location)
        }
    }

    // MARK: Small formats

    static func isE164(_ text: String) -> Bool {
        text.hasPrefix("+") && (8...16).contains(text.count) && text.dropFirst().allSatisfy { $0.isASCII && $0.isNumber } && !text.hasPrefix("+0")
    }

    static func isEmail(_ text: String) -> Bool { EmailAddress.isValid(text) }

    static func isHTTPS(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else { return false }
        return url.scheme == "https"
    }

    static func isPromoCode(_ text: String) -> Bool {
        (3...32).contains(text.count) && text.allSatisfy { ($0.isASCII && ($0.isUppercase || $0.isNumber)) || $0 == "_" || $0 == "-" }
    }
}

/// The one check of an email address's shape, for documents and command-line flags alike: one
/// `@`, something before it, a dotted domain after it, no space.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !text.contains(" ")
    }
}
