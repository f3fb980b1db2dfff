import Foundation
import SalonOpsCore
@testable import SalonOpsEngine
import Testing

/// The consistency view is read from what the plan observed with what the apply carried out
/// laid over it, so it costs no request: updated fields replaced, created resources added,
/// deleted ones gone, and whatever was not applied (reported drift, a failure) left as observed.
@Suite struct ConsistencyOverlayTests {
    static let kind = ResourceKind(name: "service", label: "prestation", fields: ["price"])

    func observed(_ id: String, key: String, price: Int64) -> ObservedResource {
        ObservedResource(kind: "service", remoteID: id, key: key, owner: "belle-epoque", fields: ["price": .int(price)], appliedDigest: "x", title: key)
    }

    func desired(_ key: String, price: Int64) -> DesiredResource {
        DesiredResource(kind: "service", key: key, title: key, fields: ["price": .int(price)])
    }

    @Test func appliedChangesAreLaidOverWhatWasObserved() {
        let observed = [observed("r1", key: "a", price: 100), observed("r2", key: "b", price: 200), observed("r3", key: "gone", price: 300)]
        let desired = [desired("a", price: 150), desired("b", price: 250), desired("new", price: 400)]
        let plan = Differ.diff(
            integration: "planity", provider: "planity", providerName: "Planity", kinds: [Self.kind], desired: desired, observed: observed,
            options: DiffOptions(owner: "belle-epoque", prune: true))
        #expect(Set(plan.changes.map(\.action)) == [.create, .update, .delete])
        var result = ApplyResult()
        for change in plan.changes {
            // b's update failed: what the provider holds is what was observed.
            let outcome: ApplyResult.Outcome = change.key == "b" ? .failed : .applied
            result.items.append(
                ApplyResult.Item(
                    change: change.id, integration: "planity", kind: change.kind, key: change.key, title: change.title, action: change.action,
                    outcome: outcome, remoteID: change.remoteID ?? "r9", reason: nil, secrets: [:], retryable: false))
        }
        let after = Reconciler.overlay(observed, plan: plan, result: result, owner: "belle-epoque")
        let prices = Dictionary(uniqueKeysWithValues: after.map { ($0.key ?? "?", $0.fields["price"]) })
        #expect(prices == ["a": .int(150), "b": .int(200), "new": .int(400)])
        #expect(after.first { $0.key == "new" }?.remoteID == "r9")
        // Without an apply (a plan), the observation is the view.
        #expect(Reconciler.overlay(observed, plan: plan, result: nil, owner: "belle-epoque") == observed)
    }
}
