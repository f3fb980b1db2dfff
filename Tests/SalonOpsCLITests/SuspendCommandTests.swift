import Foundation
import SalonOpsTestSupport
import Testing

/// `salonops suspend` and `resume`, and `suspended: true`, as plan, apply and status see them.
@Suite struct SuspendCommandTests {
    /// A command that reads the config and the state directory only (no provider).
    static func offline(_ setup: ReconcileCommandTests.Setup, _ command: [String]) async throws -> CommandResult {
        try await CommandRunner.run(
            Paths.salonops, command + ["--repo", setup.repo.path, "--path", "examples/salon-chain", "--state-dir", setup.state.path],
            environment: setup.environment)
    }

    @Test func aSuspendedIntegrationIsNeitherPlannedNorAppliedUntilResumed() async throws {
        let setup = try await ReconcileCommandTests.Setup.make(small: true)
        defer { Task { await setup.cleanUp() } }
        let suspend = try await Self.offline(setup, ["suspend", "stripe", "--until", "7d", "--reason", "migration de compte"])
        #expect(suspend.status == 0, "\(suspend.stdout)\(suspend.stderr)")
        #expect(suspend.stdout.contains("stripe suspended by ") && suspend.stdout.contains(": migration de compte"))
        let plan = try await setup.salonops(["plan"])
        #expect(plan.status == 0, "nothing to plan while suspended: \(plan.stdout)\(plan.stderr)")
        #expect(plan.stderr.contains("note: stripe is suspended by ") && plan.stderr.contains("`salonops resume stripe` resumes it"), "\(plan.stderr)")
        let apply = try await setup.salonops(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await setup.stats()["writes"] as? Int == 0, "a suspended integration was written to")
        let status = try await CommandRunner.run(Paths.salonops, ["status", "--format", "json", "--state-dir", setup.state.path], environment: setup.environment)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let stripe = (report["integrations"] as? [[String: Any]])?.first { $0["integration"] as? String == "stripe" }
        #expect((stripe?["connection"] as? [String: Any])?["state"] as? String == "suspended", "\(stripe ?? [:])")

        let resume = try await Self.offline(setup, ["resume", "stripe"])
        #expect(resume.status == 0 && resume.stdout.contains("stripe resumed"), "\(resume.stdout)\(resume.stderr)")
        let again = try await setup.salonops(["plan"])
        #expect(again.status == 2, "resumed: its changes are planned again: \(again.stdout)\(again.stderr)")
        #expect(!again.stderr.contains("suspended"))
        let twice = try await Self.offline(setup, ["resume", "stripe"])
        #expect(twice.status == 0 && twice.stdout.contains("stripe was not suspended"))
    }

    @Test func badSuspensionsAreRefusedWithTheirReason() async throws {
        let setup = try await ReconcileCommandTests.Setup.make(small: true)
        defer { Task { await setup.cleanUp() } }
        let unknown = try await Self.offline(setup, ["suspend", "strype"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no Integration 'strype'") && unknown.stderr.contains("did you mean 'stripe'"), "\(unknown.stderr)")
        let past = try await Self.offline(setup, ["suspend", "stripe", "--until", "2020-01-01"])
        #expect(past.status == 1 && past.stderr.contains("is already past"), "\(past.stderr)")
        let garbled = try await Self.offline(setup, ["suspend", "stripe", "--until", "next week"])
        #expect(garbled.status == 1 && garbled.stderr.contains("--until 'next week'"), "\(garbled.stderr)")
        #expect(try await setup.salonops(["plan"]).status == 2, "a refused suspension suspends nothing")
    }

    /// `suspended: true` in the document: the same, with its location, and `resume` says where to lift it.
    @Test func suspendedInTheConfigIsLiftedInTheConfig() async throws {
        let setup = try await ReconcileCommandTests.Setup.make(small: true)
        defer { Task { await setup.cleanUp() } }
        let file = setup.repo.appendingPathComponent("examples/salon-chain/integrations/stripe.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "  enabled: true\n", with: "  enabled: true\n  suspended: true\n").write(to: file, atomically: true, encoding: .utf8)
        try await CommandRunner.git(["commit", "-q", "-am", "suspend stripe"], in: setup.repo)
        let plan = try await setup.salonops(["plan"])
        #expect(plan.status == 0 && plan.stderr.contains("note: stripe is suspended: true at examples/salon-chain/integrations/stripe.yaml:"), "\(plan.stderr)")
        let resume = try await Self.offline(setup, ["resume", "stripe"])
        #expect(resume.status == 1 && resume.stderr.contains("remove 'suspended: true' there and commit"), "\(resume.stderr)")
    }
}
