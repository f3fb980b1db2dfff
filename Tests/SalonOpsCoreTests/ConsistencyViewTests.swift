import Foundation
@testable import SalonOpsCore
import Testing

/// The view `salonops status` shows: each establishment as the config and each provider hold
/// it, every difference named with its provider, in the owner's words.
@Suite struct ConsistencyViewTests {
    static let establishment = """
        apiVersion: salonops.io/v1
        kind: Establishment
        metadata: {name: lyon-2}
        spec:
          displayName: Lyon 2
          address: {street: 1 rue Mercière, city: Lyon, country: FR}
          hours:
            tuesday: ["10:00-13:00", "14:00-19:00"]
            thursday: ["10:00-21:00"]
          closures:
            - {date: 2026-12-25, reason: Noël}
            - {from: 2027-08-02, to: 2027-08-04}
          catalogue: {services: all}
          overrides:
            - {service: soin, price: "59.00 EUR", duration: 45m}
        """

    static let service = """
        apiVersion: salonops.io/v1
        kind: Service
        metadata: {name: soin}
        spec: {displayName: Soin visage, category: visage, duration: 1h, price: "65.00 EUR", vatRate: "20%"}
        """

    func state() throws -> DesiredState {
        let result = Fixtures.load(["organization.yaml": Fixtures.organization, "establishments/lyon.yaml": Self.establishment, "catalogue/soin.yaml": Self.service])
        try #require(result.diagnostics.errorCount == 0, "\(result.diagnostics.map(\.headline))")
        return result.state
    }

    /// What the config says: every day present, each closure day by day, the establishment's
    /// own price and duration (its override).
    @Test func theConfigsOwnHoldings() throws {
        let state = try state()
        let config = Holdings.config(of: state.establishments[0], in: state)
        #expect(config.hours?.count == 7 && config.hours?["tuesday"] == ["10:00-13:00", "14:00-19:00"] && config.hours?["monday"] == [])
        #expect(config.closedDays == ["2026-12-25", "2027-08-02", "2027-08-03", "2027-08-04"])
        #expect(config.services == [HeldService(name: "soin", title: "Soin visage", price: 5900, currency: "EUR", durationMinutes: 45)])
    }

    func held(_ provider: String, _ holdings: Holdings) -> ConsistencyView.Held {
        ConsistencyView.Held(integration: provider.lowercased(), provider: provider.lowercased(), providerName: provider, holdings: holdings)
    }

    @Test func eachDifferenceIsNamedWithItsProvider() throws {
        let state = try state()
        var treatwell = Holdings.config(of: state.establishments[0], in: state)
        treatwell.hours?["thursday"] = ["10:00-19:00"]
        treatwell.closedDays = ["2026-12-25", "2027-08-02", "2027-08-03", "2027-08-05"]
        treatwell.services = [
            HeldService(name: "soin", title: "Soin visage", price: 6500, currency: "EUR", durationMinutes: 60),
            HeldService(name: "promo", title: "Promo", price: 1000, currency: "EUR"),
        ]
        // A provider that carries hours only says nothing of closures or services.
        let google = Holdings(hours: Holdings.config(of: state.establishments[0], in: state).hours)
        let view = ConsistencyView.make(state: state, held: ["lyon-2": [held("Treatwell", treatwell), held("Google", google)]])
        let row = try #require(view.establishments.first)
        #expect(row.providers.map(\.providerName) == ["Google", "Treatwell"])
        #expect(row.providers[0].differences.isEmpty)
        #expect(
            row.providers[1].differences == [
                "Treatwell · Lyon 2 : jeudi 10:00–19:00 au lieu de 10:00–21:00",
                "Treatwell · Lyon 2 : fermeture du 04/08/2027 absente (ouvert ce jour-là)",
                "Treatwell · Lyon 2 : fermé le 05/08/2027, ce que la config ne dit pas",
                "Treatwell · Lyon 2 : « Soin visage » 65,00\u{00A0}€ au lieu de 59,00\u{00A0}€",
                "Treatwell · Lyon 2 : « Soin visage » 60 min au lieu de 45 min",
                "Treatwell · Lyon 2 : « Promo » en plus, hors catalogue",
            ])
        #expect(view.differenceCount == 6)
        let markdown = view.markdown()
        #expect(markdown.contains("| jeudi | 10:00–21:00 | 10:00–21:00 | 10:00–19:00 |"))
        #expect(markdown.contains("| fermetures | 25/12/2026, 02/08/2027 → 04/08/2027 | · | 25/12/2026, 02/08/2027 → 03/08/2027, 05/08/2027 |"))
        #expect(markdown.contains("- ❌ Treatwell · Lyon 2 : jeudi"))
    }

    @Test func allEqualSaysSo() throws {
        let state = try state()
        let same = Holdings.config(of: state.establishments[0], in: state)
        let view = ConsistencyView.make(state: state, held: ["lyon-2": [held("Planity", same)]])
        #expect(view.differenceCount == 0)
        #expect(view.markdown().contains("✅ Tout concorde."))
        // An establishment no provider carries anything of is left out.
        #expect(ConsistencyView.make(state: state, held: [:]).establishments.isEmpty)
    }

    @Test func aClosedDayAndAMissingServiceReadPlainly() {
        let config = Holdings(hours: ["monday": []], closedDays: [], services: [HeldService(name: "a", title: "A", price: 100, currency: "EUR")])
        let held = Holdings(hours: ["monday": ["09:00-12:00"]], closedDays: [], services: [])
        #expect(ConsistencyView.differences(config, held) == ["lundi 09:00–12:00 au lieu de fermé", "« A » absent"])
    }

    /// The owner's summary names the days whose hours change and the closed days added or
    /// removed, not the whole lists.
    @Test func hoursAndClosedDaysReadAsTheirChange() {
        let before = OpeningHoursField.value([
            .init(day: .thursday, opens: "10:00", closes: "13:00"), .init(day: .thursday, opens: "14:00", closes: "20:00"),
            .init(day: .friday, opens: "10:00", closes: "19:00"),
        ])
        let after = OpeningHoursField.value([
            .init(day: .thursday, opens: "10:00", closes: "13:00"), .init(day: .thursday, opens: "14:00", closes: "21:00"),
            .init(day: .friday, opens: "10:00", closes: "19:00"),
        ])
        #expect(PlanRenderer.weekOrDays(before, after) == ": jeudi 10:00–13:00, 14:00–20:00 → 10:00–13:00, 14:00–21:00")
        func days(_ dates: [String]) -> FieldValue { .list(dates.map { .object([FieldEntry("date", .string($0)), FieldEntry("closed", .bool(true))]) }) }
        #expect(PlanRenderer.weekOrDays(days(["2026-12-25"]), days(["2026-12-25", "2027-08-02", "2027-08-03"])) == ": + 02/08/2027 → 03/08/2027")
        #expect(PlanRenderer.weekOrDays(days(["2026-12-25"]), days([])) == ": − 25/12/2026")
        #expect(PlanRenderer.weekOrDays(.string("a"), .string("b")) == nil)
        func items(_ pairs: [(String, Int64)]) -> FieldValue {
            .list(pairs.map { .object([FieldEntry("label", .string($0.0)), FieldEntry("price", .int($0.1)), FieldEntry("currency", .string("EUR"))]) })
        }
        #expect(
            PlanRenderer.weekOrDays(items([("Manucure", 3500), ("Soin", 6500)]), items([("Manucure", 3900), ("Pédicure", 4000)]))
                == ": + « Pédicure » 40,00\u{00A0}€, − « Soin », « Manucure » 35,00\u{00A0}€ → 39,00\u{00A0}€")
    }
}
