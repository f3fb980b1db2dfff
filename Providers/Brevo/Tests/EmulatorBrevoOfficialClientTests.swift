import Foundation
import SalonOpsProviderTesting
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// The official `brevo-python` 5.1.0 client (Fern-generated, a client nobody here wrote, pinned
/// in the Makefile's test-deps and .ci/run) against the emulator in the sandbox:
/// Providers/Brevo/Tests/Peers/brevo_official_client.py drives folders, lists, senders,
/// webhooks, a transactional email and its log, the account and Brevo's refusals (parsed as
/// the client's own BadRequestError and NotFoundError), raising on the first answer the
/// client does not take as Brevo's.
@Suite struct EmulatorBrevoOfficialClientTests {
    static let python = Paths.packageRoot.appendingPathComponent(".venv/bin/python3").path
    static let script = Paths.packageRoot.appendingPathComponent("Providers/Brevo/Tests/Peers/brevo_official_client.py").path

    func run(mode: String, options: [String: String]) async throws -> (passed: [String], status: Int32, stderr: String) {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no \(Self.python): run `make test-deps` (it installs brevo-python)")
        return try await withSandbox(SandboxConfiguration(emulatorOptions: ["brevo": options])) { s in
            let result = try await CommandRunner.run(
                Self.python, [Self.script, s.server.baseURL + "/brevo/api", mode],
                environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "NO_PROXY": "127.0.0.1"], timeout: 120)
            return (result.stdout.split(separator: "\n").compactMap { $0.hasPrefix("ok ") ? String($0.dropFirst(3)) : nil }, result.status, result.stderr)
        }
    }

    @Test func theOfficialClientGetsWhatBrevoWouldAnswer() async throws {
        // Brevo allows 10 contacts requests a second; the script sends faster (pacing is tested apart).
        let result = try await run(mode: "all", options: ["authenticatedDomains": "belle-epoque.example", "contactsPerSecond": "1000"])
        #expect(result.status == 0, "the script failed after \(result.passed):\n\(result.stderr)")
        #expect(result.passed == ["folders", "lists", "senders", "webhooks", "email", "account", "errors"])
    }

    /// With `max_retries=0` the client raises the 429 itself, with Brevo's headers.
    @Test func theOfficialClientIsThrottledWithBrevosHeaders() async throws {
        let result = try await run(mode: "throttle", options: ["otherPerHour": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.passed == ["throttled"])
    }
}
