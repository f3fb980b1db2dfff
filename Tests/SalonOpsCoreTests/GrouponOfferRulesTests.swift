import Foundation
import Testing

@testable import SalonOpsCore
@testable import SalonOpsProviders

/// Groupon's rules in `salonops validate`: each establishment the Integration covers has its own
/// merchant id, and each prepaid Offer sold at one has a validity its description does not
/// contradict; restrictions Groupon cannot carry are reported. Messages and places exact.
@Suite struct GrouponOfferRulesTests {
    static let establishments = """
        apiVersion: salonops.io/v1
        kind: Establishment
        metadata: {name: paris}
        spec:
          displayName: Paris
          address: {street: 1 rue de la Paix, postalCode: "75002", city: Paris, country: FR}
          hours: {monday: ["10:00-19:00"]}
        ---
        apiVersion: salonops.io/v1
        kind: Establishment
        metadata: {name: lyon}
        spec:
          displayName: Lyon
          address: {street: 1 rue Mercière, postalCode: "69002", city: Lyon, country: FR}
          hours: {monday: ["10:00-19:00"]}
        """

    static let service = """
        apiVersion: salonops.io/v1
        kind: Service
        metadata: {name: soin}
        spec:
          displayName: Soin
          category: soins-visage
          duration: 1h
          price: "65.00 EUR"
          vatRate: "20%"
        """

    /// Valid first (forfait-6-mois, bon-un-an; promo-semaine is no Groupon deal; bon-lyon is not
    /// sold where Groupon is), then the ones with something to say.
    static let offers = """
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: forfait-6-mois
        spec:
          displayName: Forfait 6 mois
          description: "Cinq soins, à utiliser dans les 6 mois suivant l'achat."
          type: package
          price: "295.00 EUR"
          includes: [{service: soin, quantity: 5}]
          validity: 6mo
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: bon-un-an
        spec:
          displayName: Bon un an
          description: "Valable un an sur toutes les prestations."
          type: voucher
          price: "100.00 EUR"
          validity: 12mo
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: promo-semaine
        spec:
          displayName: Promo semaine
          type: promotion
          discount: "20%"
          appliesTo: {services: [soin]}
          restrictions: {days: [tuesday], newClientsOnly: true}
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: bon-lyon
        spec:
          displayName: Bon Lyon
          type: voucher
          price: "50.00 EUR"
          restrictions: {establishments: [lyon]}
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: bon-sans-duree
        spec:
          displayName: Bon sans durée
          description: "Valable 3 mois."
          type: voucher
          price: "30.00 EUR"
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: bon-muet
        spec:
          displayName: Bon muet
          type: voucher
          price: "40.00 EUR"
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: forfait-contradictoire
        spec:
          displayName: Forfait contradictoire
          description: "Trois soins. Valable un an."
          type: package
          price: "150.00 EUR"
          includes: [{service: soin, quantity: 3}]
          validity: 6mo
        ---
        apiVersion: salonops.io/v1
        kind: Offer
        metadata:
          name: bon-restreint
        spec:
          displayName: Bon restreint
          type: voucher
          price: "60.00 EUR"
          validity: 1y
          restrictions: {days: [friday, tuesday], newClientsOnly: true, minSpend: "80.00 EUR"}
        """

    static func integration(_ establishments: String, _ settings: String) -> String {
        """
        apiVersion: salonops.io/v1
        kind: Integration
        metadata: {name: groupon}
        spec:
          provider: groupon
          enabled: true
          establishments: \(establishments)
          credentials:
            apiKey: {secret: "secrets/groupon.sops.yaml#groupon.api_key"}
          settings:
        \(settings)
        """
    }

    /// The Groupon diagnostics, as `file:line:col: severity: message` and their hints.
    static func rules(offers: String = offers, establishments: String = "[paris]", settings: String = "    merchantId: fr-1") -> [(String, String?)] {
        let result = Fixtures.load([
            "organization.yaml": Fixtures.organization, "establishments.yaml": Self.establishments, "catalogue/services.yaml": service,
            "catalogue/offers.yaml": offers, "integrations/groupon.yaml": integration(establishments, settings),
        ])
        return result.diagnostics.sortedForOutput().filter { $0.code == .providerRule }.map { ($0.headline, $0.hint) }
    }

    @Test func prepaidOffersSoldOnGrouponNeedAValidityTheirDescriptionAgreesWith() {
        let found = Self.rules()
        let sold = "is sold on Groupon (Integration 'groupon', at paris)"
        let expected: [(String, String?)] = [
            (
                "catalogue/offers.yaml:48:9: error: Offer 'bon-sans-duree' \(sold) and has no validity: Groupon vouchers expire",
                "add 'validity: 3mo', the term its description states ('3 mois')"
            ),
            (
                "catalogue/offers.yaml:58:9: error: Offer 'bon-muet' \(sold) and has no validity: Groupon vouchers expire",
                "add 'validity: <period>' (30d, 12w, 6mo, 1y): the term printed on the Groupon voucher"
            ),
            (
                "catalogue/offers.yaml:67:9: error: Offer 'forfait-contradictoire' \(sold) and its description says 'un an' but its validity is 6mo",
                "make them agree: 'validity: 1y', or a description that states the validity; Groupon prints the voucher's expiry"
            ),
            (
                "catalogue/offers.yaml:79:9: warning: Offer 'bon-restreint' \(sold) with restrictions Groupon cannot carry: only on tuesday, friday; new clients only; a minimum spend of 80.00 EUR",
                "SalonOps sends Groupon no offer: write them in the deal's fine print in Groupon Merchant Center, and check them at the counter"
            ),
        ]
        #expect(found.map(\.0) == expected.map(\.0))
        #expect(found.map(\.1) == expected.map(\.1))
    }

    @Test func theValidOffersAloneSayNothing() {
        let valid = Self.offers.components(separatedBy: "---\n").prefix(4).joined(separator: "---\n")
        #expect(Self.rules(offers: valid).isEmpty)
    }

    @Test func eachEstablishmentHasItsOwnMerchantId() {
        #expect(Self.rules(offers: "", establishments: "[paris, lyon]", settings: "    merchantIds: {paris: fr-1, lyon: fr-2}").isEmpty)
        #expect(Self.rules(offers: "", establishments: "[paris, lyon]", settings: "    merchantId: fr-1\n    merchantIds: {lyon: fr-2}").isEmpty)
        let shared = Self.rules(offers: "", establishments: "[paris, lyon]", settings: "    merchantId: fr-1")
        #expect(
            shared.map(\.0) == [
                "integrations/groupon.yaml:11:17: error: Integration 'groupon': establishments 'lyon' and 'paris' have the same Groupon merchant id 'fr-1'; the feed serves one merchant per establishment"
            ])
        #expect(shared.first?.1 == "give each establishment its own id under merchantIds")
        let missing = Self.rules(offers: "", establishments: "[paris, lyon]", settings: "    merchantIds:\n      paris: fr-1")
        #expect(
            missing.map(\.0) == [
                "integrations/groupon.yaml:12:7: error: Integration 'groupon': establishment 'lyon' has no Groupon merchant id, so Groupon's merchants feed cannot list it"
            ])
        #expect(missing.first?.1 == "add 'lyon: <merchant id>' under merchantIds (the id Groupon asks the feed for), or leave 'lyon' out of the Integration's establishments")
    }

    @Test func theExampleChainSaysNothing() throws {
        let result = ConfigLoader.load(try Fixtures.filesOnDisk("examples/salon-chain"), catalog: Registry.catalog)
        #expect(result.diagnostics.filter { $0.code == .providerRule && $0.message.contains("Groupon") }.map(\.headline) == [])
    }

    /// The durations a French description states, exactly.
    @Test func frenchDurations() {
        func stated(_ text: String) -> [String] { FrenchDuration.all(in: text).map { "\($0.text)=\($0.period)" } }
        #expect(stated("Cinq soins visage, à utiliser dans les 6 mois suivant l'achat.") == ["6 mois=6mo"])
        #expect(stated("Valable un an sur toutes les prestations.") == ["un an=1y"])
        #expect(stated("Valable Deux Semaines, ou 30 jours ; dix-huit mois") == ["Deux Semaines=2w", "30 jours=30d", "dix-huit mois=18mo"])
        #expect(stated("Chaque mois : un soin éclat. À partir du 4e mois, une fois par an.").isEmpty)
        #expect(FrenchDuration.all(in: "12 mois")[0].equals(CalendarPeriod(count: 1, unit: .years)))
        #expect(FrenchDuration.all(in: "2 semaines")[0].equals(CalendarPeriod(count: 14, unit: .days)))
        #expect(!FrenchDuration.all(in: "30 jours")[0].equals(CalendarPeriod(count: 1, unit: .months)))
    }
}
