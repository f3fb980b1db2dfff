// salonops-bench scoped [--establishments N] [--services S] [--venues V] [--latency-ms L] [--salon I]
//
// The requests of a change-scoped run over those of a full scan, in the generated chain of
// `reconcile` (every built provider enabled: Stripe, Google Calendar and Google Business Profile
// on every establishment, Brevo for the chain, Planity and Treatwell on the first V): after the set-up, a full scan
// (a no-op plan, as the daemon's drift scan makes), then salon I's opening hours change and the
// daemon's path runs: ChangeSet → RunScope → narrowed by what each projection moved → plan and
// apply. Both counted by the sandbox, token requests and writes included. Goal ≤ 1 %. A fresh
// full plan afterwards must be empty (the scoped run converged).
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviders

func benchScoped(_ arguments: [String]) async throws {
    let flags = chainFlags(arguments, latency: 0, extra: ["--salon": 3])
    let (establishments, services, latency, venues, salon) = (
        flags["--establishments"]!, flags["--services"]!, flags["--latency-ms"]!, flags["--venues"]!, flags["--salon"]!
    )
    guard salon < establishments else { usage() }
    let chain = try await BenchChain.start(establishments: establishments, services: services, venues: venues, latency: latency)
    try await chain.setUp()

    func counted(_ body: () async throws -> Void) async throws -> [String: Int] {
        let before = try await providerStats(chain.sandbox, chain.client)
        try await body()
        let after = try await providerStats(chain.sandbox, chain.client)
        var requests: [String: Int] = [:]
        for provider in Set(after.reads.keys).union(after.writes.keys) {
            let count = (after.reads[provider] ?? 0) + (after.writes[provider] ?? 0) - (before.reads[provider] ?? 0) - (before.writes[provider] ?? 0)
            if count > 0 { requests[provider] = count }
        }
        return requests
    }

    // The full scan: a no-op plan of every integration.
    var fullChanges = 0
    let full = try await counted {
        let (plan, _) = await chain.engine(chain.state).plan(id: "full")
        fullChanges = plan.changeCount
    }
    guard fullChanges == 0 else { throw BenchError("the full scan after the set-up is not a no-op: \(fullChanges) changes") }

    // One establishment's hours change, as a push would bring it.
    let path = "establishments/e\(salon).yaml"
    var files = chain.files
    let edited = files[path]!.replacingOccurrences(of: #"monday: ["10:00-19:00"]"#, with: #"monday: ["10:00-18:30"]"#)
    guard edited != files[path] else { throw BenchError("\(path) has no Monday hours to change") }
    files[path] = edited
    let changed = try BenchChain.load(files)
    let change = ChangeSet.between(chain.state, changed, changedPaths: [path], root: "")
    let scope = RunScope.of(change, old: chain.state, new: changed, providers: Registry.providers)
    var narrowed = RunScope.all
    var applied = 0
    let scoped = try await counted {
        let engine = await chain.engine(changed, previous: chain.state)
        narrowed = engine.narrowed(scope)
        let (_, result) = try await chain.apply(changed, previous: chain.state, scope: scope, label: "scoped")
        applied = result.count(.applied)
    }
    let (after, _) = await chain.engine(changed).plan(id: "after")
    guard after.changeCount == 0 else { throw BenchError("the scoped run did not converge: a full plan still has \(after.changeCount) changes") }

    print("change: \(change.reasons.joined(separator: "; ")); scope \(scope.summary)")
    print("narrowed: \(narrowed.summary); \(applied) changes applied; a full plan afterwards: no change")
    let providers = Set(full.keys).union(scoped.keys).sorted()
    for provider in providers {
        print("  \(provider): full scan \(full[provider] ?? 0) requests, change-scoped run \(scoped[provider] ?? 0)")
    }
    let fullTotal = full.values.reduce(0, +), scopedTotal = scoped.values.reduce(0, +)
    print(String(format: "requests:   %d of %d = %.2f %% of a full scan (goal ≤ 1 %%)", scopedTotal, fullTotal, 100 * Double(scopedTotal) / Double(max(fullTotal, 1))))
    try await chain.stop()
}
