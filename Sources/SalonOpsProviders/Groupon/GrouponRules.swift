import SalonOpsCore
import SalonOpsProviderKit

/// What `salonops validate` checks for an enabled `groupon` Integration (docs/providers/groupon.md):
/// each establishment it covers has its own merchant id (the daemon's merchants feed serves one
/// merchant per establishment), and each prepaid Offer (package, voucher) sold at one of them
/// has a validity that its description does not contradict; restrictions the feed cannot carry
/// are reported. Promotions and memberships are not Groupon deals (a Groupon voucher is bought
/// once, for a price) and are not checked.
enum GrouponRules {
    static func validate(_ integration: Integration, _ state: DesiredState) -> [Diagnostic] {
        merchantIDRules(integration, state) + offerRules(integration, state)
    }

    // MARK: Merchant ids

    /// The same rule as the feed (`GrouponFeed.merchantIDs`, SalonOpsDaemon): `merchantIds[name]`,
    /// else `merchantId`.
    static func merchantIDRules(_ integration: Integration, _ state: DesiredState) -> [Diagnostic] {
        let settings = SettingsReader(integration.settings?.value)
        let fallback = settings.string("merchantId")
        let byEstablishment = Dictionary(settings.map("merchantIds") ?? [], uniquingKeysWith: { first, _ in first })
        let label = "Integration '\(integration.metadata.name)'"
        let at = settings.location("merchantIds") ?? settings.location("merchantId") ?? integration.settings?.location ?? integration.metadata.location
        var out: [Diagnostic] = []
        var owners: [String: String] = [:]
        for establishment in state.establishments(of: integration) {
            let name = establishment.metadata.name
            guard let id = byEstablishment[name] ?? fallback else {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: at, "\(label): establishment '\(name)' has no Groupon merchant id, so Groupon's merchants feed cannot list it",
                        hint: "add '\(name): <merchant id>' under merchantIds (the id Groupon asks the feed for), or leave '\(name)' out of the Integration's establishments"))
                continue
            }
            if let owner = owners[id] {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: settings.location("merchantIds", name) ?? at,
                        "\(label): establishments '\(owner)' and '\(name)' have the same Groupon merchant id '\(id)'; the feed serves one merchant per establishment",
                        hint: "give each establishment its own id under merchantIds"))
            } else {
                owners[id] = name
            }
        }
        return out
    }

    // MARK: Offers

    static func offerRules(_ integration: Integration, _ state: DesiredState) -> [Diagnostic] {
        let covered = state.establishments(of: integration)
        var out: [Diagnostic] = []
        for offer in state.offers.sorted(by: { $0.metadata.name < $1.metadata.name }) where offer.type == .package || offer.type == .voucher {
            let restricted = offer.restrictions.establishments.map(\.value)
            let places = covered.filter { $0.catalogue.offers.includes(offer.metadata.name) && (restricted.isEmpty || restricted.contains($0.metadata.name)) }
            guard !places.isEmpty else { continue }
            let sold = "Offer '\(offer.metadata.name)' is sold on Groupon (Integration '\(integration.metadata.name)', at \(places.map(\.metadata.name).joined(separator: ", ")))"
            let stated = FrenchDuration.all(in: offer.description ?? "")
            if let validity = offer.validity {
                if let first = stated.first, !stated.contains(where: { $0.equals(validity) }) {
                    out.append(
                        Diagnostic(
                            .error, .providerRule, at: offer.metadata.location,
                            "\(sold) and its description says '\(first.text)' but its validity is \(validity)",
                            hint: "make them agree: 'validity: \(first.period)', or a description that states the validity; Groupon prints the voucher's expiry"))
                }
            } else {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: offer.metadata.location, "\(sold) and has no validity: Groupon vouchers expire",
                        hint: stated.first.map { "add 'validity: \($0.period)', the term its description states ('\($0.text)')" }
                            ?? "add 'validity: <period>' (30d, 12w, 6mo, 1y): the term printed on the Groupon voucher"))
            }
            var uncarried: [String] = []
            if !offer.restrictions.days.isEmpty { uncarried.append("only on \(offer.restrictions.days.sorted().map(\.rawValue).joined(separator: ", "))") }
            if offer.restrictions.newClientsOnly { uncarried.append("new clients only") }
            if let minimum = offer.restrictions.minSpend { uncarried.append("a minimum spend of \(minimum)") }
            if !uncarried.isEmpty {
                out.append(
                    Diagnostic(
                        .warning, .providerRule, at: offer.metadata.location,
                        "\(sold) with restrictions Groupon cannot carry: \(uncarried.joined(separator: "; "))",
                        hint: "SalonOps sends Groupon no offer: write them in the deal's fine print in Groupon Merchant Center, and check them at the counter"))
            }
        }
        return out
    }
}

/// A duration a French description states, exactly: a number (digits, or a French number word
/// from « un » to « douze », « dix-huit », « vingt-quatre ») followed by a unit word (jour(s),
/// semaine(s), mois, an(s), année(s)). « 6 mois » is 6mo, « un an » is 1y; « chaque mois » and
/// « 4e mois » state none.
struct FrenchDuration: Equatable {
    let count: Int
    let unit: CalendarPeriod.Unit
    /// As written: « 6 mois ».
    let text: String

    var period: String { "\(count)\(unit.rawValue)" }

    /// Equal to `validity`: the same count of the same unit, a year being twelve months and a
    /// week seven days (30 days is not a month).
    func equals(_ validity: CalendarPeriod) -> Bool {
        Self.canonical(count, unit) == Self.canonical(validity.count, validity.unit)
    }

    private static func canonical(_ count: Int, _ unit: CalendarPeriod.Unit) -> (Int, CalendarPeriod.Unit) {
        switch unit {
        case .years: (count * 12, .months)
        case .weeks: (count * 7, .days)
        case .months, .days: (count, unit)
        }
    }

    static let numbers: [String: Int] = [
        "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
        "dix-huit": 18, "vingt-quatre": 24,
    ]
    static let units: [String: CalendarPeriod.Unit] = [
        "jour": .days, "jours": .days, "semaine": .weeks, "semaines": .weeks, "mois": .months,
        "an": .years, "ans": .years, "année": .years, "années": .years,
    ]

    /// Every duration `text` states, in order.
    static func all(in text: String) -> [FrenchDuration] {
        let words = text.split { !($0.isLetter || $0.isNumber || $0 == "-") }.map(String.init)
        var out: [FrenchDuration] = []
        for (word, next) in zip(words, words.dropFirst()) {
            let lower = word.lowercased()
            let count = lower.allSatisfy({ $0.isASCII && $0.isNumber }) && lower.count <= 4 ? Int(lower) : numbers[lower]
            guard let count, count > 0, let unit = units[next.lowercased()] else { continue }
            out.append(FrenchDuration(count: count, unit: unit, text: "\(word) \(next)"))
        }
        return out
    }
}
