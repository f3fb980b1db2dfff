import Foundation
import Testing
@testable import SalonOpsCore

/// Identity and lifecycle per kind: references by (kind, key), management modes and their
/// findings, bound resources, restore of an archived resource, ordered object values.
@Suite struct DifferLifecycleTests {
    let owner = DifferTests.owner

    func diff(
        _ kinds: [ResourceKind], _ desired: [DesiredResource], _ observed: [ObservedResource],
        _ options: DiffOptions = DiffOptions(owner: DifferTests.owner)
    ) -> IntegrationPlan {
        Differ.diff(integration: "x", provider: "x", providerName: "X", kinds: kinds, desired: desired, observed: observed, options: options)
    }

    @Test func aReferenceNamesItsKindWhenTwoResourcesShareAKey() {
        // A one-off priced offer: its product and its price both have the key `offer:bon`.
        let product = DifferTests.desiredProduct("offer:bon", name: "Bon cadeau")
        let price = DifferTests.desiredPrice("offer:bon", amount: 10000, product: "offer:bon")
        let observed = [
            DifferTests.observed(product, id: "prod_1"),
            DifferTests.observed(price, id: "price_1", references: ["product": "prod_1"]),
        ]
        let plan = diff(DifferTests.kinds, [product, price], observed)
        #expect(plan.changes.isEmpty, "\(plan.changes.map(\.fieldChanges))")
        // Pointing at the price (same key, other kind) is a difference.
        let wrong = diff(DifferTests.kinds, [product, price], [observed[0], DifferTests.observed(price, id: "price_1", references: ["product": "price_1"])])
        #expect(wrong.changes.map(\.action) == [.replace])
    }

    @Test func observeOnlyDifferencesAreFindingsNeverChangesNorCountedBySafety() {
        let listing = ResourceKind(name: "listing", label: "fiche", fields: ["phone"], identity: .configured(setting: "locationIds"), management: .observeOnly)
        let desired = DesiredResource(kind: "listing", key: "paris-11", title: "Paris 11", fields: ["phone": .string("+33199001142")], remoteID: "loc-1")
        let observed = ObservedResource(kind: "listing", remoteID: "loc-1", key: nil, owner: nil, fields: ["phone": .string("+33100000000")], title: "Paris 11")
        let plan = diff([listing], [desired], [observed])
        #expect(plan.changes.isEmpty)
        #expect(plan.findings.count == 1)
        #expect(plan.findings[0].problem == .differs)
        #expect(plan.findings[0].fieldChanges == [FieldChange(field: "phone", before: .string("+33100000000"), after: .string("+33199001142"))])
        #expect(SafetyCheck.refusal(for: plan, safety: Organization.Safety(maxUpdatePercent: 0, maxDeletePercent: 0, minManagedResources: 0)) == nil)
        let whole = Plan(id: "p", repository: "r", commit: "c", createdAt: "t", observedDigest: "d", integrations: [plan])
        #expect(whole.exitCode == 2, "a finding is worth a look under drift: warn")
        // A missing one is a finding too: update-only and observe-only kinds never create.
        let missing = diff([listing], [desired], [])
        #expect(missing.changes.isEmpty && missing.findings.map(\.problem) == [.missing])
    }

    @Test func updateOnlyKindsBindBySettingsAndUpdateButNeverCreateNorDelete() {
        let location = ResourceKind(name: "location", label: "fiche", fields: ["hours"], identity: .configured(setting: "locationIds"), management: .updateOnly)
        let hours = FieldValue.object([FieldEntry("openDay", .string("TUESDAY")), FieldEntry("openTime", .string("10:00"))])
        let desired = DesiredResource(kind: "location", key: "paris-11", title: "Paris 11", fields: ["hours": hours], remoteID: "locations/1")
        let observed = ObservedResource(
            kind: "location", remoteID: "locations/1", key: nil, owner: nil,
            fields: ["hours": .object([FieldEntry("openDay", .string("TUESDAY")), FieldEntry("openTime", .string("09:00"))])], title: "x")
        let plan = diff([location], [desired], [observed], DiffOptions(owner: owner, prune: true))
        #expect(plan.changes.map(\.action) == [.update])
        #expect(plan.changes[0].remoteID == "locations/1")
        // Order inside an object matters: the same entries in another order are a change.
        let reordered = ObservedResource(
            kind: "location", remoteID: "locations/1", key: nil, owner: nil,
            fields: ["hours": .object([FieldEntry("openTime", .string("10:00")), FieldEntry("openDay", .string("TUESDAY"))])], title: "x")
        #expect(diff([location], [desired], [reordered]).changes.count == 1)
        #expect(diff([location], [], [observed], DiffOptions(owner: owner, prune: true)).changes.isEmpty)
    }

    @Test func anArchivedResourceOwnedUnderAKeyTheConfigWantsAgainIsRestored() {
        let kind = ResourceKind(name: "item", label: "article", removal: .archive(field: "status", value: .string("ARCHIVED")))
        let desired = DesiredResource(kind: "item", key: "p:creme", title: "Crème", fields: ["status": .string("ACTIVE"), "name": .string("Crème")])
        let archived = ObservedResource(
            kind: "item", remoteID: "gid://1", key: "p:creme", owner: owner,
            fields: ["status": .string("ARCHIVED"), "name": .string("Crème")], archived: true, title: "Crème")
        let plan = diff([kind], [desired], [archived])
        #expect(plan.changes.map(\.action) == [.update])
        #expect(plan.changes[0].remoteID == "gid://1")
        #expect(plan.changes[0].fieldChanges.map(\.field) == ["status"])
        #expect(!plan.changes[0].drift)
    }

    @Test func objectValuesRoundTripThroughJSONInOrder() throws {
        let value = FieldValue.object([FieldEntry("z", .int(1)), FieldEntry("a", .list([.string("x")]))])
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(FieldValue.self, from: data) == value)
        #expect(value.description == "{z: 1, a: [\"x\"]}")
    }
}

/// Findings and notes reach the owner: « à corriger à la main » with the exact value to set.
@Suite struct FindingRenderingTests {
    @Test func findingsAndNotesAreShownWithTheValueToSet() {
        var plan = IntegrationPlan(integration: "gbp", provider: "gbp", providerName: "Google Business Profile", drift: .warn)
        plan.findings = [
            Finding(
                kind: "listing", key: "paris-11", title: "Paris 11", establishment: "paris-11", remoteID: "locations/1", problem: .differs,
                fieldChanges: [FieldChange(field: "phone", before: .string("+33100000000"), after: .string("+33199001142"))])
        ]
        plan.notes = [PlanNote(kind: "service", key: "soin", "no duration field: not published")]
        let whole = Plan(id: "p", repository: "r", commit: String(repeating: "c", count: 40), createdAt: "t", observedDigest: "d", integrations: [plan])
        let kinds = ["gbp/listing": ResourceKind(name: "listing", label: "fiche", fieldLabels: ["phone": "téléphone"])]
        let text = PlanRenderer(kinds: kinds, establishmentNames: ["paris-11": "Belle Époque Paris 11"], colour: false).text(whole)
        #expect(
            text.contains(
                "Google Business Profile · Belle Époque Paris 11 : à corriger à la main : téléphone de « Paris 11 » : mettre \"+33199001142\" (au lieu de \"+33100000000\")"),
            "\(text)")
        #expect(text.contains("set phone to \"+33199001142\""))
        #expect(text.contains("note: service soin: no duration field: not published"))
        #expect(text.contains("1 to correct by hand"))
        #expect(PlanRenderer.json(whole).contains("\"findings\""))
    }
}
