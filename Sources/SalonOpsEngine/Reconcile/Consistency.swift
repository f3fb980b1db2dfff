import Foundation
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsSecrets

extension Reconciler {
    /// Each establishment as the config and each provider hold it (`salonops status`), from
    /// what this run's plan observed with what its apply carried out laid over it: it costs no
    /// request, and after a clean apply every provider agrees with the config.
    public func consistency(_ plan: Plan, observation: Observation, result: ApplyResult?) -> ConsistencyView {
        var held: [String: [ConsistencyView.Held]] = [:]
        for integrationPlan in plan.integrations where integrationPlan.error == nil {
            guard case .success(let target)? = targets[integrationPlan.integration], let observed = observation.resources[integrationPlan.integration] else {
                continue
            }
            let resources = Self.overlay(observed, plan: integrationPlan, result: result, owner: owner)
            for (establishment, holdings) in target.adapter.holdings(resources, in: state) {
                held[establishment, default: []].append(
                    ConsistencyView.Held(
                        integration: integrationPlan.integration, provider: integrationPlan.provider, providerName: integrationPlan.providerName,
                        holdings: holdings))
            }
        }
        var view = ConsistencyView.make(state: state, held: held)
        view.observedAt = plan.createdAt
        view.commit = plan.commit
        return view
    }

    /// What the provider holds once the applied changes are in: updated fields replaced, created
    /// resources added from their desired fields, deleted ones gone. Changes not applied (drift
    /// only reported, failures) leave what was observed.
    static func overlay(_ observed: [ObservedResource], plan: IntegrationPlan, result: ApplyResult?, owner: String) -> [ObservedResource] {
        guard let result else { return observed }
        let applied = Dictionary(
            result.items.filter { $0.integration == plan.integration && $0.outcome == .applied }.map { ($0.change, $0) }, uniquingKeysWith: { a, _ in a })
        var resources = observed
        for change in plan.changes {
            guard let item = applied[change.id] else { continue }
            let matches = { (resource: ObservedResource) in resource.kind == change.kind && resource.remoteID == change.remoteID }
            switch change.action {
            case .delete:
                resources.removeAll(where: matches)
            case .update, .adopt:
                guard let desired = change.desired, let index = resources.firstIndex(where: matches) else { continue }
                resources[index].fields.merge(desired.fields) { _, new in new }
                resources[index].key = desired.key
                resources[index].owner = owner
            case .create, .replace:
                guard let desired = change.desired else { continue }
                if change.action == .replace { resources.removeAll(where: matches) }
                resources.append(
                    ObservedResource(
                        kind: desired.kind, remoteID: item.remoteID ?? desired.key, key: desired.key, owner: owner, fields: desired.fields,
                        appliedDigest: desired.digest, title: desired.title))
            }
        }
        return resources
    }
}
