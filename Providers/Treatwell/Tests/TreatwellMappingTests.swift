import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsTreatwell
import Testing

/// Treatwell on examples/salon-chain: Paris and Lyon only, each venue with its currency and locale.
@Suite struct TreatwellMappingTests {
    @Test func coversParisAndLyonWithCurrencyAndLocale() throws {
        let h = try AdapterHarness(Treatwell.self, integration: "treatwell", in: try ExampleConfig.state())
        let resources = try h.projection().resources
        #expect(Set(resources.compactMap(\.establishment)) == ["paris-11", "lyon-2"])
        let venue = try #require(resources.first { $0.kind == "venue" && $0.key == "lyon-2" })
        #expect(venue.remoteID == "402387" && venue.fields["currency"] == .string("EUR") && venue.fields["locale"] == .string("fr-FR"))
        let lyon = try #require(h.state.establishments.first { $0.metadata.name == "lyon-2" })
        #expect(resources.filter { $0.kind == "service" && $0.establishment == "lyon-2" }.count == h.state.offeredServices(at: lyon).count)
        #expect(Treatwell.spec.validate?(h.integration, h.state).isEmpty == true)
    }

    @Test func refusesAnEstablishmentOutsideItsCountriesAndAForeignCurrency() throws {
        var state = try ExampleConfig.state()
        let index = try #require(state.establishments.firstIndex { $0.metadata.name == "lyon-2" })
        state.establishments[index].address.country = "US"
        state.organization?.defaults.currency = try #require(Currency(code: "GBP"))
        let integration = try #require(state.integrations.first { $0.metadata.name == "treatwell" })
        let messages = (Treatwell.spec.validate?(integration, state) ?? []).map(\.message)
        #expect(messages.contains { $0.contains("no venues in 'US'") })
        #expect(messages.contains { $0.contains("whose currency is EUR, not GBP") })
        #expect(messages.contains { $0.contains("sells in GBP") })
    }
}
