import Foundation
import SalonOpsProviderKit

/// The config projected into Stripe resources (pure):
/// - a product per published Service, retail Product and priced Offer;
/// - a price per (service or product, establishment that sells it), at that establishment's
///   price, looked up by `salonops:<key>`; a price per one-off Offer;
/// - a plan per recurring Offer (`recurring: monthly|yearly`);
/// - a coupon per Offer with a discount;
/// - a tax rate (TVA, inclusive) per VAT rate in use;
/// - the webhook endpoint of `settings.webhook`.
enum StripeMapping {
    static func desired(for integration: Integration, in state: DesiredState) -> [DesiredResource] {
        let settings = SettingsReader(integration.settings?.value)
        let publishServices = settings.bool("publish", "services") ?? true
        let publishProducts = settings.bool("publish", "products") ?? true
        let publishOffers = settings.bool("publish", "offers") ?? true
        let establishments = state.establishments.filter { integration.establishments.includes($0.metadata.name) }
        var resources: [DesiredResource] = []
        var vatRates = Set<Int>()

        /// A catalogue item sold at some establishments: its product, and a price per
        /// establishment that sells it, at that establishment's price.
        func publish(
            _ key: String, title: String, description: String?, vat: Percentage, extra: [String: FieldValue],
            sellers: [Establishment], price: (Establishment) -> Money
        ) {
            guard !sellers.isEmpty else { return }
            var fields: [String: FieldValue] = ["name": .string(title), "active": .bool(true)].merging(extra) { a, _ in a }
            if let description, !description.isEmpty { fields["description"] = .string(description) }
            resources.append(DesiredResource(kind: "product", key: key, title: title, fields: fields, naturalKey: title))
            vatRates.insert(vat.basisPoints)
            for establishment in sellers {
                resources.append(
                    priceResource(
                        key: "\(key)@\(establishment.metadata.name)", product: key, title: title,
                        establishment: establishment.metadata.name, money: price(establishment)))
            }
        }

        if publishServices {
            for service in state.services.sorted(by: { $0.metadata.name < $1.metadata.name }) {
                let name = service.metadata.name
                publish(
                    "service:\(name)", title: service.displayName, description: service.description, vat: service.vatRate,
                    extra: ["metadata.category": .string(service.category), "metadata.duration": .string(service.duration.description)],
                    sellers: establishments.filter { $0.catalogue.services.includes(name) }
                ) { establishment in
                    establishment.overrides.first {
                        if case .service(let ref) = $0.target { return ref.value == name }; return false
                    }?.price ?? service.price
                }
            }
        }
        if publishProducts {
            for product in state.products.sorted(by: { $0.metadata.name < $1.metadata.name }) {
                let name = product.metadata.name
                var extra: [String: FieldValue] = ["metadata.sku": .string(product.sku)]
                if let brand = product.brand { extra["metadata.brand"] = .string(brand) }
                publish(
                    "product:\(name)", title: product.displayName, description: product.description, vat: product.vatRate, extra: extra,
                    sellers: establishments.filter { $0.catalogue.products.includes(name) }
                ) { establishment in
                    establishment.overrides.first {
                        if case .product(let ref) = $0.target { return ref.value == name }; return false
                    }?.price ?? product.price
                }
            }
        }
        if publishOffers {
            for offer in state.offers.sorted(by: { $0.metadata.name < $1.metadata.name }) {
                let key = "offer:\(offer.metadata.name)"
                if let price = offer.price {
                    var fields: [String: FieldValue] = ["name": .string(offer.displayName), "active": .bool(true), "metadata.offer_type": .string(offer.type.rawValue)]
                    if let description = offer.description, !description.isEmpty { fields["description"] = .string(description) }
                    resources.append(DesiredResource(kind: "product", key: key, title: offer.displayName, fields: fields, naturalKey: offer.displayName))
                    if let recurring = offer.recurring {
                        let interval = recurring == .monthly ? "month" : "year"
                        let planFields: [String: FieldValue] = [
                            "amount": .int(price.minorUnits), "currency": .string(price.currency.code.lowercased()),
                            "interval": .string(interval), "nickname": .string(offer.displayName), "active": .bool(true),
                        ]
                        resources.append(
                            DesiredResource(
                                kind: "plan", key: key + ":plan", title: offer.displayName, fields: planFields,
                                references: ["product": ResourceRef("product", key)]))
                    } else {
                        resources.append(priceResource(key: key, product: key, title: offer.displayName, establishment: nil, money: price))
                    }
                }
                if let discount = offer.discount {
                    var fields: [String: FieldValue] = ["name": .string(String(offer.displayName.prefix(40))), "duration": .string("once")]
                    switch discount {
                    case .percent(let percentage): fields["percent_off"] = .string(decimal(basisPoints: percentage.basisPoints))
                    case .amount(let money):
                        fields["amount_off"] = .int(money.minorUnits)
                        fields["currency"] = .string(money.currency.code.lowercased())
                    }
                    if let until = offer.validUntil, let timestamp = endOfDayUTC(until) { fields["redeem_by"] = .int(timestamp) }
                    resources.append(DesiredResource(kind: "coupon", key: key + ":coupon", title: offer.displayName, fields: fields, naturalKey: offer.displayName))
                }
            }
        }
        for rate in vatRates.sorted() where rate > 0 {
            let percent = decimal(basisPoints: rate)
            let title = "TVA \(percent.replacingOccurrences(of: ".", with: ",")) %"
            resources.append(
                DesiredResource(
                    kind: "tax_rate", key: "vat:\(percent)", title: title,
                    fields: [
                        "display_name": .string("TVA"), "description": .string(title), "percentage": .string(percent),
                        "inclusive": .bool(true), "active": .bool(true),
                    ],
                    naturalKey: title))
        }
        if let url = settings.string("webhook", "url") {
            let events = (settings.strings("webhook", "events") ?? []).sorted()
            resources.append(
                DesiredResource(
                    kind: "webhook_endpoint", key: "webhook", title: url,
                    fields: ["url": .string(url), "enabled_events": .list(events.map(FieldValue.string))], naturalKey: url))
        }
        return resources
    }

    static func priceResource(key: String, product: String, title: String, establishment: String?, money: Money) -> DesiredResource {
        DesiredResource(
            kind: "price", key: key, establishment: establishment, title: title,
            fields: [
                "unit_amount": .int(money.minorUnits), "currency": .string(money.currency.code.lowercased()),
                "tax_behavior": .string("inclusive"), "lookup_key": .string(lookupKey(key)), "active": .bool(true),
            ],
            references: ["product": ResourceRef("product", product)], naturalKey: lookupKey(key))
    }

    static func lookupKey(_ key: String) -> String { "salonops:" + key }

    /// 550 → "5.5", 2000 → "20": Stripe's decimal percentages.
    static func decimal(basisPoints: Int) -> String {
        let whole = basisPoints / 100, fraction = basisPoints % 100
        if fraction == 0 { return String(whole) }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func endOfDayUTC(_ date: LocalDate) -> Int64? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let day = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 23, minute: 59, second: 59)) else { return nil }
        return Int64(day.timeIntervalSince1970)
    }
}

extension StripeMapping {
    /// For the consistency view: the services each establishment sells through Stripe, from the
    /// prices SalonOps owns (`service:<name>@<establishment>`). Stripe carries no hours or
    /// closures, and no duration of its own per establishment (a product's `metadata.duration`
    /// is the catalogue's, shared by every establishment), so none is claimed.
    static func holdings(_ resources: [ObservedResource], owner: String, integration: Integration, state: DesiredState) -> [String: Holdings] {
        guard SettingsReader(integration.settings?.value).bool("publish", "services") ?? true else { return [:] }
        let owned = resources.filter { $0.owner == owner && !$0.archived && $0.key != nil }
        var titles: [String: String] = [:]
        for product in owned where product.kind == "product" && product.key!.hasPrefix("service:") {
            if case .string(let name)? = product.fields["name"] { titles[product.key!] = name }
        }
        var services: [String: [HeldService]] = [:]
        for price in owned where price.kind == "price" && price.key!.hasPrefix("service:") {
            guard let at = price.key!.lastIndex(of: "@"), case .int(let amount)? = price.fields["unit_amount"] else { continue }
            let product = String(price.key![..<at]), establishment = String(price.key![price.key!.index(after: at)...])
            var currency: String?
            if case .string(let code)? = price.fields["currency"] { currency = code.uppercased() }
            services[establishment, default: []].append(
                HeldService(name: String(product.dropFirst("service:".count)), title: titles[product] ?? price.title, price: amount, currency: currency))
        }
        let covered = Set(state.establishments(of: integration).map(\.metadata.name))
        // An establishment Stripe should sell at holds an empty list, not nothing.
        return Dictionary(
            uniqueKeysWithValues: covered.map { ($0, Holdings(services: (services[$0] ?? []).sorted { $0.name < $1.name })) })
    }
}
