import Foundation
import Testing
@testable import SalonOpsCore
import SalonOpsProviders

@Suite struct LoaderTests {
    static let establishment = """
        apiVersion: salonops.io/v1
        kind: Establishment
        metadata:
          name: paris-11
        spec:
          displayName: Belle Époque Paris 11
          address: {street: 12 rue Oberkampf, postalCode: "75011", city: Paris, country: FR}
          phone: "+33143551234"
          hours:
            tuesday: ["14:00-19:00", "10:00-13:00"]
            saturday: ["09:30-18:00"]
            sunday: closed
          closures:
            - {date: 2026-12-25, reason: Noël}
            - {from: 2026-08-10, to: 2026-08-23}
          catalogue:
            services: [soin-visage]
          overrides:
            - {service: soin-visage, price: "70.00 EUR", duration: 1h15}
          rooms:
            - {name: cabine-1, services: [soin-visage]}
          staff:
            - name: camille
              displayName: Camille Martin
              services: [soin-visage]
        """

    static let services = """
        apiVersion: salonops.io/v1
        kind: Service
        metadata:
          name: soin-visage
        spec: &base
          displayName: Soin visage hydratant
          category: soins-visage
          duration: 1h
          price: "65.00 EUR"
          vatRate: "20%"
        ---
        apiVersion: salonops.io/v1
        kind: Service
        metadata:
          name: soin-visage-bis
        spec: *base
        ---
        """

    @Test func aValidRepositoryLoadsIntoTheModel() throws {
        let result = Fixtures.load(["org.yaml": Fixtures.organization, "paris.yaml": Self.establishment, "catalogue/services.yml": Self.services])
        #expect(result.diagnostics.isEmpty, "\(Fixtures.lines(result))")
        let state = result.state
        #expect(state.documentCount == 4)
        #expect(state.organization?.defaults.currency.code == "EUR")
        #expect(state.services.map(\.metadata.name).sorted() == ["soin-visage", "soin-visage-bis"])
        let service = try #require(state.services.first { $0.metadata.name == "soin-visage" })
        #expect(service.price.minorUnits == 6500)
        #expect(service.vatRate.basisPoints == 2000)
        #expect(service.bookableOnline)
        let paris = try #require(state.establishments.first)
        #expect(paris.hours[.tuesday]?.map(\.description) == ["10:00-13:00", "14:00-19:00"])
        #expect(paris.hours[.sunday] == [])
        #expect(paris.hours[.monday] == nil)
        #expect(paris.closures.count == 2)
        #expect(paris.overrides.first?.price?.description == "70.00 EUR")
        #expect(paris.overrides.first?.duration?.minutes == 75)
        #expect(paris.staff.first?.services.map(\.value) == ["soin-visage"])
        #expect(state.effectiveTimezone(of: paris) == "Europe/Paris")
    }

    @Test func oneRunCollectsEveryError() {
        let broken = Self.services.replacingOccurrences(of: "duration: 1h", with: "duration: 0m")
            .replacingOccurrences(of: "\"20%\"", with: "\"120%\"")
        let result = Fixtures.load([
            "org.yaml": Fixtures.organization, "services.yaml": broken,
            "paris.yaml": Self.establishment.replacingOccurrences(of: "country: FR", with: "country: France"),
        ])
        let codes = Set(result.diagnostics.map(\.code))
        #expect(codes.isSuperset(of: [.invalidDuration, .invalidPercent, .invalidValue]), "\(Fixtures.lines(result))")
    }

    @Test func locationsPointAtTheValue() throws {
        let result = Fixtures.load([
            "org.yaml": Fixtures.organization,
            "services.yaml": Self.services.replacingOccurrences(of: "\"65.00 EUR\"", with: "\"65.00 EURO\""),
        ])
        let d = try #require(result.diagnostics.first)
        #expect(d.location == SourceLocation(file: "services.yaml", line: 9, column: 10))
        #expect(d.message.contains("unknown currency 'EURO'; did you mean 'EUR'?"))
    }

    @Test func integrationSettingsAreCheckedAgainstTheProviderSchema() {
        let integration = """
            apiVersion: salonops.io/v1
            kind: Integration
            metadata: {name: planity}
            spec:
              provider: planity
              enabled: false
              establishments: [paris-11]
              settings:
                venueIds: {paris-11: "123", lyon-2: "456"}
                syncBooking: true
            """
        let result = Fixtures.load([
            "org.yaml": Fixtures.organization, "paris.yaml": Self.establishment,
            "services.yaml": Self.services, "planity.yaml": integration,
        ])
        let lines = Fixtures.lines(result)
        #expect(lines.contains { $0.contains("unknown field 'syncBooking' in Integration 'planity' settings; did you mean 'syncBookings'?") }, "\(lines)")
        #expect(lines.contains { $0.contains("Integration 'planity' settings refers to establishment 'lyon-2', which does not exist") }, "\(lines)")
    }

    @Test func offersAreCheckedByType() {
        let offers = """
            apiVersion: salonops.io/v1
            kind: Offer
            metadata: {name: forfait-5-soins}
            spec:
              displayName: Forfait 5 soins visage
              type: package
              price: "290.00 EUR"
              includes: [{service: soin-visage, quantity: 5}]
              validity: 6mo
              discount: "10%"
            ---
            apiVersion: salonops.io/v1
            kind: Offer
            metadata: {name: printemps}
            spec:
              displayName: Printemps
              type: promotion
              discount: "20%"
              appliesTo: {services: [massage]}
              code: printemps
              validFrom: 2027-04-01
              validUntil: 2027-03-01
            """
        let lines = Fixtures.lines(Fixtures.load(["org.yaml": Fixtures.organization, "services.yaml": Self.services, "offers.yaml": offers]))
        #expect(lines.contains { $0.contains("'discount' does not apply to a package offer") }, "\(lines)")
        #expect(lines.contains { $0.contains("refers to service 'massage', which does not exist") }, "\(lines)")
        #expect(lines.contains { $0.contains("code 'printemps' is not a valid promotion code") }, "\(lines)")
        #expect(lines.contains { $0.contains("Offer 'printemps' ends (2027-03-01) before it starts (2027-04-01)") }, "\(lines)")
    }

    @Test func encryptedFilesAreNotConfigDocuments() {
        let sops = """
            stripe:
                secret_key: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]
                account_unencrypted: acct_123
            sops:
                lastmodified: "2026-11-20T10:00:00Z"
                version: 3.11.0
            """
        let result = Fixtures.load(["org.yaml": Fixtures.organization, "secrets/stripe.sops.yaml": sops, ".sops.yaml": "creation_rules: []\n"])
        #expect(result.diagnostics.isEmpty, "\(Fixtures.lines(result))")
        #expect(result.state.encryptedFiles["secrets/stripe.sops.yaml"]?.entries["stripe.secret_key"] == .encrypted)
        #expect(result.state.encryptedFiles["secrets/stripe.sops.yaml"]?.entries["stripe.account_unencrypted"] == .plaintext)
    }

    @Test func anEmptyRepositoryNeedsAnOrganization() {
        let result = ConfigLoader.load([], catalog: Registry.catalog)
        #expect(result.diagnostics.map(\.code) == [.organizationCount])
    }

    @Test func nonUTF8FilesAreReported() {
        let result = ConfigLoader.load(
            [ConfigFile(path: "x.yaml", contents: [0xFF, 0xFE, 0x00, 0x41]), Fixtures.file("o.yaml", Fixtures.organization)], catalog: Registry.catalog)
        #expect(result.diagnostics.first?.code == .encoding)
    }

    @Test func documentsThatAreNotMappingsAreReported() {
        let result = Fixtures.load(["o.yaml": Fixtures.organization, "list.yaml": "- a\n- b\n"])
        #expect(Fixtures.lines(result) == ["list.yaml:1:1: error: a config document must be a mapping with apiVersion, kind, metadata and spec, not a list [not-a-mapping]"])
    }

    @Test func invalidNamesGetASuggestion() {
        let result = Fixtures.load(["o.yaml": Fixtures.organization.replacingOccurrences(of: "name: test-salon", with: "name: Belle Époque")])
        #expect(result.diagnostics.first?.hint?.contains("'belle-epoque'") == true, "\(result.diagnostics)")
    }

    @Test func twoThousandFilesLoad() {
        var files = [Fixtures.file("organization.yaml", Fixtures.organization)]
        for i in 0..<2000 {
            files.append(Fixtures.file("services/s\(i).yaml", Self.services.replacingOccurrences(of: "soin-visage", with: "soin-\(i)")))
        }
        let result = ConfigLoader.load(files, catalog: Registry.catalog)
        #expect(result.diagnostics.isEmpty)
        #expect(result.state.services.count == 4000)
        #expect(result.state.documentCount == 4001)
    }
}
