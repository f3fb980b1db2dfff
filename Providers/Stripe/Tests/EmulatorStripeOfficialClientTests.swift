import Foundation
import SalonOpsProviderTesting
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// The official `stripe` Python library (a client nobody here wrote, pinned in the Makefile's
/// test-deps and .ci/run) against the emulator: Providers/Stripe/Tests/Peers/stripe_official_client.py creates,
/// updates, lists and pages through every resource, retries idempotently and checks Stripe's
/// refusals, raising on the first answer that is not what the library expects of Stripe.
@Suite struct StripeOfficialClientTests {
    static let python = Paths.packageRoot.appendingPathComponent(".venv/bin/python3").path
    static let script = Paths.packageRoot.appendingPathComponent("Providers/Stripe/Tests/Peers/stripe_official_client.py").path
    static let checks = [
        "products", "prices", "expand", "plans", "coupons", "tax rates", "webhook endpoints", "idempotency", "errors",
        "client object",
    ]

    @Test func theOfficialPythonLibraryGetsWhatStripeWouldAnswer() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.python),
            "no \(Self.python): run `make test-deps` (it installs the pinned `stripe` library)")
        try await withSandbox { s in
            let result = try await CommandRunner.run(
                Self.python, [Self.script, s.server.baseURL + "/stripe/api"],
                environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"], timeout: 120)
            let passed = result.stdout.split(separator: "\n").compactMap { $0.hasPrefix("ok ") ? String($0.dropFirst(3)) : nil }
            #expect(result.status == 0, "the script failed after \(passed):\n\(result.stderr)")
            #expect(passed == Self.checks)
        }
    }
}
