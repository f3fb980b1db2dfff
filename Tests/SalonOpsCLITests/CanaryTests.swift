import Foundation
import SalonOpsEmulatorKit
import SalonOpsJSON
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// The demo credentials of examples/salon-chain are canaries. Every command, in every format,
/// with debug logging, runs against providers that refuse everything and quote the request
/// back in their errors (headers and body, in each provider's own error shape): no canary may
/// appear in any output, log, state file, report or saved plan.
@Suite struct CanaryTests {
    /// A provider that answers every request with an error quoting what it was sent.
    struct EchoingProvider: ProviderEmulator {
        let id: String

        func echo(_ request: EmulatorRequest) -> String {
            let headers = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            return "you sent \(request.method) \(request.path)?\(request.query) with \(headers) and body \(request.body)"
        }

        func respond(to request: EmulatorRequest) async -> EmulatorResponse {
            let echo = echo(request)
            if id == "stripe" {
                return .json(400, .object([("error", .object([("type", .string("invalid_request_error")), ("message", .string(echo))]))]))
            }
            if id == "planity" || id == "treatwell" {
                // The assumed venue contract's error shape (docs/assumed-venue-api.md).
                return .json(400, .object([("errors", .array([.object([("code", .string("VALIDATION_FAILED")), ("detail", .string(echo))])]))]))
            }
            if request.path.hasPrefix("/oauth") {
                return .json(400, .object([("error", .string("invalid_grant")), ("error_description", .string(echo))]))
            }
            let error: JSONValue = .object([
                ("code", .int(400)), ("message", .string(echo)), ("status", .string("INVALID_ARGUMENT")),
                ("errors", .array([.object([("message", .string(echo)), ("reason", .string("invalid")), ("domain", .string("global"))])])),
            ])
            return .json(400, .object([("error", error)]))
        }

        func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse { EmulatorResponse(status: 503, body: "") }
        func reset() {}
        func isWrite(method: String, path: String) -> Bool { method != "GET" }
    }

    @Test func noCommandInAnyFormatShowsACredentialEvenWhenProvidersQuoteThem() async throws {
        let repo = try Paths.temporaryDirectory("canaries")
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: repo.appendingPathComponent("examples"))
        try await CommandRunner.git(["init", "-q"], in: repo)
        try await CommandRunner.git(["add", "-A"], in: repo)
        try await CommandRunner.git(["commit", "-q", "-m", "examples"], in: repo)
        let sandbox = try await SandboxServer.start(
            SandboxConfiguration(
                emulators: ["stripe", "google-calendar", "google-business-profile", "planity", "treatwell"].map { EchoingProvider(id: $0) }))
        let state = repo.appendingPathComponent(".state")
        let environment = [
            "SOPS_AGE_KEY_FILE": Paths.packageRoot.appendingPathComponent("examples/demo-keys/ci-demo.txt").path, "SOPS_AGE_KEY": "",
            "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "NO_COLOR": "1",
        ]
        let source = ["--repo", repo.path, "--path", "examples/salon-chain", "--state-dir", state.path]
        let engine = source + ["--sandbox", sandbox.baseURL, "--verbose"]
        let planFile = repo.appendingPathComponent("plan.json").path
        let commands: [[String]] = [
            ["validate", "--verbose"] + source, ["validate", "--verbose", "--format", "json"] + source,
            ["validate", "--verbose", "--credentials"] + source, ["validate", "--verbose", "--credentials", "--format", "json"] + source,
            ["plan"] + engine, ["plan", "--format", "json"] + engine, ["plan", "--format", "markdown"] + engine,
            ["plan", "--out", planFile] + engine, ["apply", "--auto-approve"] + engine, ["apply", planFile] + engine,
            ["reconcile"] + engine, ["check"] + engine, ["status", "--state-dir", state.path],
            ["status", "--format", "json", "--state-dir", state.path], ["lock", "status"] + source, ["ledger", "list"] + source,
        ]
        var outputs: [String] = []
        var providerErrorsShown = 0
        for command in commands {
            let result = try await CommandRunner.run(Paths.salonops, command, environment: environment, timeout: 120)
            outputs += [result.stdout, result.stderr]
            if (result.stdout + result.stderr).contains("you sent") { providerErrorsShown += 1 }
        }
        await sandbox.stop()
        // The providers' words do reach the user (so the test looks where a leak would be)...
        #expect(providerErrorsShown >= 3, "the echoing providers' errors were never shown")
        #expect(outputs.contains { $0.contains("authorization: Bearer ‹redacted›") || $0.contains("authorization: Bearer (redacted)") }, "the quoted header is shown, cut")
        // ...but never with what was sent: not the keys, not the signed assertion (a JWT, "eyJ…"),
        // not a token ("Bearer (redacted)" is what is left of the quoted header).
        let files = (FileManager.default.enumerator(atPath: state.path)?.allObjects as? [String] ?? [])
            .filter { !$0.hasSuffix(".sops.yaml") }
            .compactMap { try? String(contentsOfFile: state.appendingPathComponent($0).path, encoding: .utf8) }
        let saved = (try? String(contentsOfFile: planFile, encoding: .utf8)).map { [$0] } ?? []
        for text in outputs + files + saved {
            for canary in ReconcileCommandTests.canaries + ["eyJ"] {
                #expect(!text.contains(canary), "found \(canary) in: \(text.prefix(400))")
            }
        }
    }
}
