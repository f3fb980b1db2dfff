import Foundation
import SalonOpsEmulatorKit
import Testing
@testable import SalonOpsCore

/// Two resources at the provider under one ownership key: duplicates, not drift; one kept (the
/// same whatever the listing order), the others retired only when the Integration prunes or the
/// run says `--retire-duplicates`.
@Suite struct DifferDuplicateTests {
    typealias Fixture = DifferTests

    func diff(_ desired: [DesiredResource], _ observed: [ObservedResource], prune: Bool = false, retire: Bool = false) -> IntegrationPlan {
        Differ.diff(
            integration: "stripe", provider: "stripe", providerName: "Stripe", kinds: Fixture.kinds, desired: desired, observed: observed,
            options: DiffOptions(owner: Fixture.owner, prune: prune, drift: .warn, retireDuplicates: retire))
    }

    /// Ten products, each found three times, and their prices: what the lock race of issue 9 left.
    static func race() -> (desired: [DesiredResource], observed: [ObservedResource]) {
        var desired: [DesiredResource] = []
        var observed: [ObservedResource] = []
        for index in 0..<10 {
            let product = Fixture.desiredProduct("service:s\(index)", name: "Soin \(index)")
            let price = Fixture.desiredPrice("service:s\(index)@paris-11", amount: 6500, product: "service:s\(index)")
            desired += [product, price]
            // The copy the prices point at is the one kept, although its id sorts last.
            observed.append(Fixture.observed(product, id: "prod_z\(index)", digest: product.digest))
            observed.append(Fixture.observed(product, id: "prod_a\(index)", digest: product.digest))
            observed.append(Fixture.observed(product, id: "prod_b\(index)", digest: product.digest))
            observed.append(Fixture.observed(price, id: "price_b\(index)", references: ["product": "prod_z\(index)"], digest: price.digest))
            observed.append(Fixture.observed(price, id: "price_a\(index)", references: ["product": "prod_z\(index)"], digest: price.digest))
        }
        return (desired, observed)
    }

    @Test func duplicatesAreReportedNotAsDriftAndNotRetiredUnlessAsked() throws {
        let (desired, observed) = Self.race()
        let plan = diff(desired, observed)
        #expect(plan.changes.isEmpty, "no false drift update: \(plan.changes.map(\.id))")
        #expect(plan.driftCount == 0)
        #expect(plan.refusal == nil)
        #expect(plan.unchanged == 20)
        #expect(plan.managed == 20)
        #expect(plan.duplicates.count == 20)
        #expect(plan.duplicates.allSatisfy { !$0.retired })
        let product = try #require(plan.duplicates.first { $0.key == "service:s3" && $0.kind == "product" })
        #expect(product.kept == "prod_z3", "the one its prices point at")
        #expect(product.extra == ["prod_a3", "prod_b3"])
        let price = plan.duplicates.first { $0.key == "service:s3@paris-11" }
        #expect(price?.kept == "price_a3", "then the smallest id")
        let whole = Plan(id: "p", repository: "r", commit: "c", createdAt: "t", observedDigest: "d", integrations: [plan])
        #expect(whole.exitCode == 2, "duplicates left in place are worth a look")
        #expect(whole.duplicateCount == 30)

        let text = PlanRenderer(kinds: [:], establishmentNames: [:], colour: false).text(whole)
        #expect(text.contains("existe en 3 exemplaires : prod_z3 conservé, 2 doublons à retirer avec `salonops reconcile --retire-duplicates`"), "\(text)")
        #expect(text.contains("! product service:s3 [prod_z3]  « Soin 3 » — 3 found under this key: kept [prod_z3], duplicates [prod_a3], [prod_b3] kept too"))
        #expect(text.contains("30 duplicate(s)."))
        #expect(!text.contains("écart constaté"))
    }

    @Test func theKeptOneDoesNotDependOnTheListingOrder() {
        let (desired, observed) = Self.race()
        var generator = SeededGenerator(seed: 9, stream: 0)
        let expected = diff(desired, observed, retire: true)
        for _ in 0..<10 {
            let shuffled = diff(desired, observed.shuffled(using: &generator), retire: true)
            #expect(shuffled.duplicates == expected.duplicates)
            #expect(shuffled.changes == expected.changes)
        }
    }

    @Test func duplicatesAreRetiredWithPruneOrTheFlagAndNotCountedBySafety() {
        let (desired, observed) = Self.race()
        for (prune, retire) in [(true, false), (false, true)] {
            let plan = diff(desired, observed, prune: prune, retire: retire)
            let retirements = plan.changes.filter { $0.duplicateOf != nil }
            #expect(retirements.count == 30)
            #expect(plan.changes.count == 30, "nothing else: \(plan.changes.map(\.id))")
            #expect(retirements.allSatisfy { $0.action == .delete && $0.willApply && !$0.drift })
            #expect(Set(retirements.map(\.id)).count == 30, "one change id per retired resource")
            #expect(retirements.first { $0.remoteID == "prod_a3" }?.duplicateOf == "prod_z3")
            // Children before parents, as for any delete.
            let firstProduct = retirements.firstIndex { $0.kind == "product" } ?? 0
            #expect(retirements[..<firstProduct].allSatisfy { $0.kind == "price" })
            #expect(plan.duplicates.allSatisfy { $0.retired })
            // 30 deletes against 20 managed resources would pass every threshold: not counted.
            #expect(SafetyCheck.refusal(for: plan, safety: .standard) == nil)
        }
    }
}

extension DifferDuplicateTests {
    /// A resource listed twice (its listing moved between pages) is not its own duplicate:
    /// retiring "the other" would retire the one kept.
    @Test func oneResourceListedTwiceIsNotADuplicate() {
        let product = Fixture.desiredProduct("service:s", name: "Soin")
        let plan = diff([product], [Fixture.observed(product, id: "prod_1"), Fixture.observed(product, id: "prod_1")], retire: true)
        #expect(plan.duplicates.isEmpty)
        #expect(plan.changes.isEmpty)
        #expect(plan.unchanged == 1)
    }
}
