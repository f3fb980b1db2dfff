import Foundation
import Testing
@testable import SalonOpsCore

/// The differ, the safety check and plan rendering, on resources built by hand.
@Suite struct DifferTests {
    static let product = ResourceKind(name: "product", label: "produit", fieldLabels: ["name": "nom"])
    static let price = ResourceKind(
        name: "price", label: "prix", immutableFields: ["unit_amount", "currency", "product"], dependsOn: ["product"],
        removal: .archive(field: "active"), moneyFields: ["unit_amount": "currency"], fieldLabels: ["unit_amount": "prix"])
    static let kinds = [price, product]
    static let owner = "belle-epoque"

    static func desiredProduct(_ key: String, name: String) -> DesiredResource {
        DesiredResource(kind: "product", key: key, title: name, fields: ["name": .string(name)], naturalKey: name)
    }

    static func desiredPrice(_ key: String, amount: Int64, establishment: String = "paris-11", product: String) -> DesiredResource {
        DesiredResource(
            kind: "price", key: key, establishment: establishment, title: "Soin visage 60 min",
            fields: ["unit_amount": .int(amount), "currency": .string("eur")], references: ["product": ResourceRef("product", product)])
    }

    static func observed(
        _ desired: DesiredResource, id: String, fields: [String: FieldValue]? = nil, references: [String: String] = [:],
        digest: String? = nil, owner: String? = DifferTests.owner, archived: Bool = false
    ) -> ObservedResource {
        ObservedResource(
            kind: desired.kind, remoteID: id, key: owner == nil ? nil : desired.key, owner: owner, naturalKey: desired.naturalKey,
            fields: fields ?? desired.fields, references: references, appliedDigest: digest, archived: archived, title: desired.title)
    }

    func diff(_ desired: [DesiredResource], _ observed: [ObservedResource], _ options: DiffOptions = DiffOptions(owner: DifferTests.owner)) -> IntegrationPlan {
        Differ.diff(integration: "stripe", provider: "stripe", providerName: "Stripe", kinds: Self.kinds, desired: desired, observed: observed, options: options)
    }

    @Test func createsInDependencyOrderAndNoOpsWhenEqual() {
        let product = Self.desiredProduct("service:soin", name: "Soin visage")
        let price = Self.desiredPrice("service:soin@paris-11", amount: 6500, product: "service:soin")
        let plan = diff([price, product], [])
        #expect(plan.changes.map(\.action) == [.create, .create])
        #expect(plan.changes.map(\.kind) == ["product", "price"])
        let same = diff([price, product], [Self.observed(product, id: "prod_1"), Self.observed(price, id: "price_1", references: ["product": "prod_1"])])
        #expect(same.changes.isEmpty)
        #expect(same.unchanged == 2)
        #expect(same.managed == 2)
    }

    @Test func updatesFieldByFieldAndReplacesOnAnImmutableField() {
        let product = Self.desiredProduct("service:soin", name: "Soin visage 60 min")
        let renamed = diff([product], [Self.observed(product, id: "prod_1", fields: ["name": .string("Soin visage")])])
        #expect(renamed.changes.count == 1)
        #expect(renamed.changes[0].action == .update)
        #expect(renamed.changes[0].fieldChanges == [FieldChange(field: "name", before: .string("Soin visage"), after: .string("Soin visage 60 min"))])

        let price = Self.desiredPrice("service:soin@paris-11", amount: 7000, product: "service:soin")
        let repriced = diff(
            [product, price],
            [
                Self.observed(product, id: "prod_1"),
                Self.observed(price, id: "price_1", fields: ["unit_amount": .int(6500), "currency": .string("eur")], references: ["product": "prod_1"]),
            ])
        #expect(repriced.changes.map(\.action) == [.replace])
        #expect(repriced.changes[0].replaceBecause == ["unit_amount"])
        #expect(repriced.changes[0].remoteID == "price_1")
    }

    @Test func orphansAreKeptUnlessPruneAndUnownedAreNeverTouched() {
        let gone = Self.desiredProduct("service:old", name: "Ancien soin")
        let someoneElse = Self.observed(Self.desiredProduct("x", name: "Hand-made"), id: "prod_9", owner: nil)
        let kept = diff([], [Self.observed(gone, id: "prod_1"), someoneElse])
        #expect(kept.changes.isEmpty)
        #expect(kept.orphans.map(\.remoteID) == ["prod_1"])
        #expect(kept.unmanaged == 1)
        let pruned = diff([], [Self.observed(gone, id: "prod_1"), someoneElse], DiffOptions(owner: Self.owner, prune: true))
        #expect(pruned.changes.map { "\($0.action) \($0.remoteID!)" } == ["delete prod_1"])
    }

    @Test func adoptsAnUnmarkedResourceByNaturalKeyOnlyWhenAsked() {
        let product = Self.desiredProduct("service:soin", name: "Soin visage")
        let handMade = Self.observed(product, id: "prod_hand", owner: nil)
        let without = diff([product], [handMade])
        #expect(without.changes.map(\.action) == [.create])
        #expect(without.unmanaged == 1)
        let with = diff([product], [handMade], DiffOptions(owner: Self.owner, adopt: true))
        #expect(with.changes.map(\.action) == [.adopt])
        #expect(with.changes[0].remoteID == "prod_hand")
        #expect(with.unmanaged == 0)
    }

    @Test func driftIsADifferenceWhileTheConfigIsWhatWasApplied() {
        let product = Self.desiredProduct("service:soin", name: "Soin visage")
        let edited = Self.observed(product, id: "prod_1", fields: ["name": .string("Soin visage (promo)")], digest: product.digest)
        for (mode, applies) in [(DriftMode.observe, false), (.warn, false), (.correct, true)] {
            let plan = diff([product], [edited], DiffOptions(owner: Self.owner, drift: mode))
            #expect(plan.changes.count == 1)
            #expect(plan.changes[0].drift)
            #expect(plan.changes[0].willApply == applies)
        }
        // The config moved on since: an ordinary update, applied in every mode.
        let changedConfig = diff([Self.desiredProduct("service:soin", name: "Soin visage 60 min")], [edited], DiffOptions(owner: Self.owner, drift: .observe))
        #expect(changedConfig.changes.map(\.drift) == [false])
        #expect(changedConfig.changes.map(\.willApply) == [true])
        // Exit codes: warn reports drift with 2, observe with 0.
        func plan(_ mode: DriftMode) -> Plan {
            Plan(
                id: "p", repository: "r", commit: "c", createdAt: "t", observedDigest: "d",
                integrations: [diff([product], [edited], DiffOptions(owner: Self.owner, drift: mode))])
        }
        #expect(plan(.warn).exitCode == 2)
        #expect(plan(.observe).exitCode == 0)
        #expect(plan(.correct).exitCode == 2)
    }

    @Test func ignoredFieldsAreNeitherComparedNorApplied() {
        var product = Self.desiredProduct("service:soin", name: "Soin visage")
        product.fields["images"] = .list([])
        let observed = Self.observed(product, id: "prod_1", fields: ["name": .string("Soin visage"), "images": .list([.string("https://img")])])
        #expect(diff([product], [observed]).changes.count == 1)
        #expect(diff([product], [observed], DiffOptions(owner: Self.owner, ignore: ["product.images"])).changes.isEmpty)
    }

    @Test func archivedResourcesAreHistory() {
        let price = Self.desiredPrice("service:soin@paris-11", amount: 7000, product: "service:soin")
        let product = Self.desiredProduct("service:soin", name: "Soin")
        let plan = diff(
            [product, price],
            [
                Self.observed(product, id: "prod_1"),
                Self.observed(price, id: "price_old", fields: ["unit_amount": .int(6500), "currency": .string("eur")], references: ["product": "prod_1"], archived: true),
                Self.observed(price, id: "price_new", references: ["product": "prod_1"]),
            ])
        #expect(plan.changes.isEmpty)
        #expect(plan.orphans.isEmpty)
    }

    @Test func safetyThresholds() {
        let safety = Organization.Safety.standard
        var plan = IntegrationPlan(integration: "stripe", provider: "stripe", providerName: "Stripe", drift: .warn, managed: 10, desired: 10)
        func change(_ action: Change.Action, _ n: Int) -> Change {
            Change(
                id: "\(action)\(n)", provider: "stripe", integration: "stripe", kind: "product", key: "k\(n)", title: "t", establishment: nil,
                action: action, remoteID: "r\(n)", fieldChanges: [], replaceBecause: [], desired: nil, drift: false, willApply: true, version: nil)
        }
        plan.changes = (0..<3).map { change(.update, $0) }
        #expect(SafetyCheck.refusal(for: plan, safety: safety) == nil)
        plan.changes = (0..<4).map { change(.update, $0) }
        #expect(SafetyCheck.refusal(for: plan, safety: safety) == "4 of 10 managed resources would change (40%), more than the 30% threshold")
        plan.changes = (0..<2).map { change(.delete, $0) }
        #expect(SafetyCheck.refusal(for: plan, safety: safety)?.hasPrefix("2 of 10 managed resources would be deleted") == true)
        plan.managed = 9
        #expect(SafetyCheck.refusal(for: plan, safety: safety) == nil, "below the minimum, thresholds do not apply")
        plan.desired = 0
        #expect(SafetyCheck.refusal(for: plan, safety: safety)?.contains("declares nothing") == true)
    }

    @Test func ownerSummaryLineAndFrenchMoney() {
        let product = Self.desiredProduct("service:soin", name: "Soin visage 60 min")
        let price = Self.desiredPrice("service:soin@paris-11", amount: 7000, product: "service:soin")
        let integration = diff(
            [product, price],
            [
                Self.observed(product, id: "prod_1"),
                Self.observed(price, id: "price_1", fields: ["unit_amount": .int(6500), "currency": .string("eur")], references: ["product": "prod_1"]),
            ])
        let plan = Plan(id: "p", repository: "r", commit: "0123456789abcdef", createdAt: "t", observedDigest: "d", integrations: [integration])
        let renderer = PlanRenderer(kinds: ["stripe/price": Self.price, "stripe/product": Self.product], establishmentNames: ["paris-11": "Paris 11"], colour: false)
        #expect(renderer.summaryLines(plan) == ["Stripe · Paris 11 : prix de « Soin visage 60 min » 65,00\u{00A0}€ → 70,00\u{00A0}€"])
        #expect(PlanRenderer.frenchMoney(125_000, currency: "EUR") == "1\u{202F}250,00\u{00A0}€")
        #expect(PlanRenderer.frenchMoney(500, currency: "JPY") == "500\u{00A0}¥")
        let text = renderer.text(plan)
        #expect(text.contains("-/+ price service:soin@paris-11 [price_1]  « Soin visage 60 min » (Paris 11) — replaced: unit_amount cannot change"))
        #expect(text.contains("~ unit_amount: 6500 (65,00\u{00A0}€) → 7000 (70,00\u{00A0}€)"))
        #expect(!text.contains("\u{1B}["), "no colour when not asked")
        // JSON round-trips.
        let json = PlanRenderer.json(plan)
        let decoded = try? JSONDecoder().decode(Plan.self, from: Data(json.utf8))
        #expect(decoded?.integrations.first?.changes.first?.fieldChanges == integration.changes.first?.fieldChanges)
        #expect(json.contains("\"schema\" : \"salonops.plan/v1\""))
    }

    @Test func secretsAppearByFingerprintOnly() {
        let kind = ResourceKind(name: "webhook", label: "webhook", sensitiveFields: ["token"])
        let desired = DesiredResource(kind: "webhook", key: "w", title: "w", fields: ["token": .secret(reference: "secrets/x.sops.yaml#a.b", fingerprint: "1a2b3c4d")])
        let observed = ObservedResource(kind: "webhook", remoteID: "w1", key: "w", owner: Self.owner, fields: ["token": .string("plain-canary-value")], title: "w")
        let plan = Differ.diff(integration: "i", provider: "p", providerName: "P", kinds: [kind], desired: [desired], observed: [observed], options: DiffOptions(owner: Self.owner))
        let json = PlanRenderer.json(Plan(id: "p", repository: "r", commit: "c", createdAt: "t", observedDigest: "d", integrations: [plan]))
        #expect(!json.contains("plain-canary-value"))
        #expect(json.contains("1a2b3c4d"))
    }
}
