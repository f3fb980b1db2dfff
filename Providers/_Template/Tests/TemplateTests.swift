import SalonOpsProviderTesting
import SalonOpsTemplate
import SalonOpsTemplateEmulator
import Testing

/// The template compiles and its declaration is coherent; a real provider's tests run the
/// contract suite against its peers (see Providers/GoogleCalendar/Tests).
@Suite struct TemplateTests {
    @Test func declaresItsKindsInItsCatalogueEntry() {
        #expect(Template.spec.kinds.map(\.name) == ["item"])
        #expect(Template.traits.endpoint("api") != nil)
    }
}
