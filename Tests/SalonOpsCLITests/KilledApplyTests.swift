import Foundation
import SalonOpsEmulatorKit
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// The booking and listing providers, each alone: an apply SIGKILLed at seeded points (after N
/// writes at the provider), then a re-run, converges: the next plan is empty (nothing missing,
/// nothing made twice: a duplicate or an orphan would make it exit 2).
@Suite struct KilledApplyTests {
    typealias Setup = ReconcileCommandTests.Setup

    @Test(arguments: ["google-business-profile", "planity", "treatwell"])
    func anApplyKilledMidwayConvergesOnRerun(_ integration: String) async throws {
        // Latency gives the kill a window: Business Profile's apply is three PATCHes.
        let setup = try await Setup.make(faults: try FaultPlan(parsing: "latency=40ms..60ms"), only: integration)
        defer { Task { await setup.cleanUp() } }
        let reference = try await setup.salonops(["apply", "--auto-approve"], timeout: 300)
        try #require(reference.status == 0, "\(reference.stdout.suffix(2000))\(reference.stderr)")
        let total = try await setup.stats()["writes"] as? Int ?? 0
        try #require(total > 2, "\(total) writes")
        var random = SeededGenerator(seed: 2026, stream: 1)
        var killedMidway = 0
        for point in 0..<4 {
            try await setup.resetSandbox()
            try? FileManager.default.removeItem(at: setup.state)
            let after = 1 + Int(random.next() % UInt64(total - 1))
            let first = try setup.background(["apply", "--auto-approve"])
            var writes = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while writes < after && !first.hasExited && ContinuousClock.now < deadline {
                writes = try await setup.stats()["writes"] as? Int ?? 0
                if writes < after { try await Task.sleep(for: .milliseconds(2)) }
            }
            first.kill()
            if try await first.exitStatus(within: 10) != 0 { killedMidway += 1 }
            let rerun = try await setup.salonops(["apply", "--auto-approve"], timeout: 300)
            #expect(rerun.status == 0, "\(integration) point \(point) (killed after \(writes) writes): \(rerun.stdout.suffix(2000))\(rerun.stderr)")
            let settled = try await setup.salonops(["plan"], timeout: 120)
            #expect(settled.status == 0, "\(integration) point \(point): \(settled.stdout.suffix(2000))")
        }
        #expect(killedMidway >= 2, "\(integration): most points must kill a running apply: \(killedMidway) of 4")
    }
}
