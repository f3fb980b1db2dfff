import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// plan, apply, reconcile, check, status and lock as a user runs them: the real binary, a git
/// repository of examples/, the demo key, and a sandbox over HTTP on loopback.
@Suite struct ReconcileCommandTests {
    struct Setup {
        let repo: URL
        let state: URL
        let sandbox: SandboxServer

        static func make(faults: FaultPlan = .none) async throws -> Setup {
            let repo = try Paths.temporaryDirectory("reconcile-repo")
            try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: repo.appendingPathComponent("examples"))
            _ = try await CommandRunner.git(["init", "-q"], in: repo)
            _ = try await CommandRunner.git(["add", "-A"], in: repo)
            _ = try await CommandRunner.git(["commit", "-q", "-m", "examples"], in: repo)
            var configuration = SandboxConfiguration(emulatorOptions: ["google-calendar": ["serviceAccount": Self.demoServiceAccount]])
            configuration.faults = faults
            configuration.retryAfterSeconds = 0
            let sandbox = try await SandboxServer.start(configuration)
            return Setup(repo: repo, state: repo.appendingPathComponent(".state"), sandbox: sandbox)
        }

        /// The demo service account the Google emulator knows (examples/demo-keys/README.md).
        static var demoServiceAccount: String {
            "salonops-demo@belle-epoque-demo.iam.gserviceaccount.com="
                + Paths.packageRoot.appendingPathComponent("examples/demo-keys/google-calendar-demo.pub.pem").path
        }

        var environment: [String: String] {
            [
                "SOPS_AGE_KEY_FILE": Paths.packageRoot.appendingPathComponent("examples/demo-keys/ci-demo.txt").path, "SOPS_AGE_KEY": "",
                "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "NO_COLOR": "1",
            ]
        }

        func salonops(_ command: [String], extra: [String] = [], timeout: Double = 120) async throws -> CommandResult {
            try await CommandRunner.run(
                Paths.salonops,
                command + [
                    "--repo", repo.path, "--path", "examples/salon-chain", "--state-dir", state.path,
                    "--sandbox", sandbox.baseURL,
                ] + extra,
                environment: environment, timeout: timeout)
        }

        func background(_ command: [String]) throws -> RunningProcess {
            try RunningProcess(
                Paths.salonops,
                command + [
                    "--repo", repo.path, "--path", "examples/salon-chain", "--state-dir", state.path,
                    "--sandbox", sandbox.baseURL,
                ], environment: environment)
        }

        func stats() async throws -> [String: Any] {
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { Task { try? await client.shutdown() } }
            let response = try await client.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/stats"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 24)
            return (try JSONSerialization.jsonObject(with: Data(body.getBytes(at: 0, length: body.readableBytes) ?? []))) as? [String: Any] ?? [:]
        }

        func stripe(_ method: HTTPMethod, _ path: String, form: String = "") async throws -> [String: Any] {
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { Task { try? await client.shutdown() } }
            var request = HTTPClientRequest(url: sandbox.baseURL + "/stripe/api" + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer sk_test_dashboard")
            if method != .GET {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
            }
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 24)
            return (try JSONSerialization.jsonObject(with: Data(body.getBytes(at: 0, length: body.readableBytes) ?? []))) as? [String: Any] ?? [:]
        }

        func cleanUp() async {
            await sandbox.stop()
            try? FileManager.default.removeItem(at: repo)
        }
    }

    /// The demo values of examples/salon-chain/secrets: none may appear anywhere.
    static let canaries = ["sk_test_demo", "demo-twilio", "demo-brevo", "whsec_", "PRIVATE KEY", "ya29."]

    static func expectNoCanary(_ texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            for canary in canaries { #expect(!text.contains(canary), "found \(canary)", sourceLocation: sourceLocation) }
        }
    }

    @Test func planApplyThenNothingToChange() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let plan = try await setup.salonops(["plan"])
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("En bref :"))
        #expect(plan.stdout.contains("Stripe · Belle Époque Paris 11"), "\(plan.stdout.prefix(600))")
        #expect(plan.stdout.contains("+ price service:"))

        let json = try await setup.salonops(["plan", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "salonops.plan/v1")
        let markdown = try await setup.salonops(["plan", "--format", "markdown"])
        #expect(markdown.stdout.hasPrefix("### SalonOps plan for `"))

        // Without --auto-approve and without a terminal, apply asks nobody and refuses.
        let unattended = try await setup.salonops(["apply"])
        #expect(unattended.status == 1)
        #expect(unattended.stderr.contains("there is no terminal; pass --auto-approve"))
        #expect(try await setup.stats()["writes"] as? Int == 0)
        let apply = try await setup.salonops(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("webhook_endpoint webhook") && apply.stdout.contains("secret stored encrypted ("))
        let again = try await setup.salonops(["plan"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("Rien à changer"))

        let status = try String(contentsOf: setup.state.appendingPathComponent("report/status.json"), encoding: .utf8)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any])
        #expect(report["schema"] as? String == "salonops.status/v1")
        let flags = try String(contentsOf: setup.state.appendingPathComponent("report/flags.json"), encoding: .utf8)
        #expect(flags.contains("\"stripe\""))
        let statusCommand = try await CommandRunner.run(Paths.salonops, ["status", "--state-dir", setup.state.path])
        #expect(statusCommand.stdout.contains("| stripe | Belle Époque Paris 11 – Oberkampf | ✅ Connecté |"), "\(statusCommand.stdout.prefix(900))")
        #expect(statusCommand.stdout.contains("| brevo | Belle Époque Paris 11 – Oberkampf | · Non géré (version actuelle) |"))
        let check = try await setup.salonops(["check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("✅ stripe · Belle Époque Paris 11 – Oberkampf : Connecté"), "\(check.stdout)")

        // No plaintext secret in any output, report or log.
        let files = try FileManager.default.subpathsOfDirectory(atPath: setup.state.path)
            .filter { !$0.hasSuffix(".sops.yaml") }
            .compactMap { try? String(contentsOfFile: setup.state.appendingPathComponent($0).path, encoding: .utf8) }
        Self.expectNoCanary([plan.stdout, plan.stderr, json.stdout, markdown.stdout, apply.stdout, apply.stderr, again.stdout, check.stdout] + files)
    }

    @Test func aSavedPlanIsRefusedWhenTheProviderMovedAndSaysWhat() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        _ = try await setup.salonops(["apply", "--auto-approve"])
        let planFile = setup.repo.appendingPathComponent("plan.json").path
        // Drift made behind the tool's back, then a plan that corrects it.
        let products = try await setup.stripe(.GET, "/v1/products?limit=100")
        let first = try #require((products["data"] as? [[String: Any]])?.first?["id"] as? String)
        _ = try await setup.stripe(.POST, "/v1/products/\(first)", form: "name=Renamed%20in%20the%20dashboard")
        let plan = try await setup.salonops(["plan", "--out", planFile])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("écart constaté"))
        // It moves again before apply: the saved plan is stale.
        _ = try await setup.stripe(.POST, "/v1/products/\(first)", form: "name=Renamed%20again")
        let stale = try await setup.salonops(["apply", planFile])
        #expect(stale.status == 3, "\(stale.stdout)\(stale.stderr)")
        #expect(stale.stderr.contains("the plan is stale"))
        #expect(stale.stderr.contains("product \(first) changed (name)"))
        // A fresh plan applies.
        _ = try await setup.salonops(["plan", "--out", planFile])
        let good = try await setup.salonops(["apply", planFile])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
    }

    /// A plan edited after review (the corrected name replaced, as a price set to 0.01 € would
    /// be) is refused, says what differs, and writes nothing; the plan as made still applies.
    @Test func aSavedPlanEditedAfterReviewIsRefused() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        _ = try await setup.salonops(["apply", "--auto-approve"])
        let products = try await setup.stripe(.GET, "/v1/products?limit=100")
        let first = try #require((products["data"] as? [[String: Any]])?.first?["id"] as? String)
        _ = try await setup.stripe(.POST, "/v1/products/\(first)", form: "name=Renamed%20in%20the%20dashboard")
        let planFile = setup.repo.appendingPathComponent("plan.json")
        let plan = try await setup.salonops(["plan", "--out", planFile.path])
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")

        let reviewed = try String(contentsOf: planFile, encoding: .utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(reviewed.utf8)) as? [String: Any])
        let changes = ((json["plan"] as? [String: Any])?["integrations"] as? [[String: Any]] ?? []).flatMap { $0["changes"] as? [[String: Any]] ?? [] }
        let rename = try #require(changes.flatMap { $0["fieldChanges"] as? [[String: Any]] ?? [] }.first { $0["field"] as? String == "name" })
        let configured = try #require(rename["after"] as? String)
        let edited = reviewed.replacingOccurrences(of: "\"\(configured)\"", with: "\"Edited after review\"")
        #expect(edited != reviewed)
        try edited.write(to: planFile, atomically: true, encoding: .utf8)

        let writesBefore = try await setup.stats()["writes"] as? Int
        let refused = try await setup.salonops(["apply", planFile.path])
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("it was edited after it was made"), "\(refused.stderr)")
        #expect(refused.stderr.contains("differs (name)"), "\(refused.stderr)")
        #expect(try await setup.stats()["writes"] as? Int == writesBefore, "nothing is written")
        let after = try await setup.stripe(.GET, "/v1/products/\(first)")
        #expect(after["name"] as? String == "Renamed in the dashboard")

        try reviewed.write(to: planFile, atomically: true, encoding: .utf8)
        let good = try await setup.salonops(["apply", planFile.path])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(try await setup.stripe(.GET, "/v1/products/\(first)")["name"] as? String == configured)
    }

    @Test func twoAppliesContendForTheLockAndAKilledApplyConvergesOnRerun() async throws {
        let setup = try await Setup.make(faults: try FaultPlan(parsing: "latency=40ms..60ms"))
        defer { Task { await setup.cleanUp() } }
        let first = try setup.background(["apply", "--auto-approve"])
        // Wait (bounded) until it holds the lock and has written a few resources.
        var writes = 0
        for _ in 0..<400 where writes < 5 {
            writes = try await setup.stats()["writes"] as? Int ?? 0
            if first.hasExited { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(writes >= 5, "the first apply did not get going: \(first.stderr)")
        let second = try await setup.salonops(["apply", "--auto-approve"])
        #expect(second.status == 3, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("the lock for"))
        let lockStatus = try await setup.salonops(["lock", "status"])
        #expect(lockStatus.stdout.contains("held by pid \(first.pid)"))

        // SIGKILL mid-apply, then a re-run: the dead holder's lock is taken over, what was made
        // is found again by its markers, nothing is created twice.
        first.kill()
        _ = try await first.exitStatus(within: 10)
        let rerun = try await setup.salonops(["apply", "--auto-approve"], timeout: 300)
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        #expect(rerun.stderr.contains("a previous apply stopped before finishing") || rerun.stdout.contains("applied"))
        let settled = try await setup.salonops(["plan"])
        #expect(settled.status == 0, "\(settled.stdout)")
        let products = try await setup.stripe(.GET, "/v1/products?limit=100")
        let ids = (products["data"] as? [[String: Any]] ?? []).compactMap { ($0["metadata"] as? [String: Any])?["salonops_id"] as? String }
        #expect(ids.count == Set(ids).count, "duplicates: \(ids.sorted())")
    }

    @Test func reconcileForSchedulesAndEndpointOverrides() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        // --endpoint PROVIDER[.ENDPOINT]=URL instead of --sandbox: the same code, other base URLs.
        let base = setup.sandbox.baseURL
        let viaEndpoint = try await CommandRunner.run(
            Paths.salonops,
            [
                "plan", "--repo", setup.repo.path, "--path", "examples/salon-chain",
                "--state-dir", setup.state.path, "--endpoint", "stripe=\(base)/stripe/api",
                "--endpoint", "google-calendar=\(base)/google-calendar/api",
                "--endpoint", "google-calendar.oauth=\(base)/google-calendar/oauth",
            ],
            environment: setup.environment)
        #expect(viaEndpoint.status == 2, "\(viaEndpoint.stderr)")
        let first = try await setup.salonops(["reconcile"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("Apply: 257 applied, 0 failed, 0 skipped."))
        let second = try await setup.salonops(["reconcile"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("Rien à changer"))
        let bad = try await setup.salonops(["plan"], extra: ["--endpoint", "nope"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--endpoint 'nope': write PROVIDER=URL"))

        // Where the key would leak: refused before anything is read or sent, exit 1.
        let unsafe = [
            ("stripe=http://ops:hunter2-CANARY@127.0.0.1:9/", "carries a user name or password"),
            ("stripe=http://192.0.2.10:8080", "is plain http to 192.0.2.10, which is not this machine"),
            ("stripe=https://api.stripe.com.example.net", "looks like api.stripe.com but is not it"),
            ("google-calendar.oauth=https://oauth2.googleapls.com", "looks like www.googleapis.com but is not it"),
        ]
        for (endpoint, says) in unsafe {
            let refused = try await setup.salonops(["apply", "--auto-approve"], extra: ["--endpoint", endpoint])
            #expect(refused.status == 1, "\(endpoint): \(refused.stderr)")
            #expect(refused.stderr.contains(says), "\(endpoint): \(refused.stderr)")
            #expect(!refused.stderr.contains("hunter2-CANARY") && !refused.stdout.contains("hunter2-CANARY"))
        }
        let remoteSandbox = try await setup.salonops(["plan"], extra: ["--sandbox", "http://sandbox.example.net"])
        #expect(remoteSandbox.status == 1)
        #expect(remoteSandbox.stderr.contains("--sandbox: 'http://sandbox.example.net' is plain http"), "\(remoteSandbox.stderr)")
    }

    /// A refused connection or a host that does not resolve fails at once (no retries: nothing
    /// there can recover within the run), naming the endpoint, and nothing is written.
    @Test func anUnreachableEndpointFailsFastAndSaysWhich() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let closed = "http://127.0.0.1:1"  // a port nothing listens on
        let start = ContinuousClock.now
        let result = try await CommandRunner.run(
            Paths.salonops,
            [
                "plan", "--repo", setup.repo.path, "--path", "examples/salon-chain", "--state-dir", setup.state.path,
                "--endpoint", "stripe=\(closed)", "--endpoint", "google-calendar=https://salonops-nowhere.invalid",
                "--endpoint", "google-calendar.oauth=https://salonops-nowhere.invalid",
            ],
            environment: setup.environment, timeout: 60)
        let elapsed = ContinuousClock.now - start
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("cannot reach stripe's api endpoint at 127.0.0.1:"), "\(result.stdout)")
        #expect(result.stdout.contains("(connection refused); check the endpoint"))
        #expect(result.stdout.contains("cannot reach google-calendar's oauth endpoint at salonops-nowhere.invalid (the host name does not resolve)"))
        #expect(!result.stdout.contains("may succeed if retried"))
        // Before: six attempts with backoff, about 32 s. A bound with room for a loaded machine.
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test func aBareSandboxFlagStartsOneInProcess() async throws {
        let repo = try Paths.temporaryDirectory("bare-sandbox")
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: repo.appendingPathComponent("examples"))
        _ = try await CommandRunner.git(["init", "-q"], in: repo)
        _ = try await CommandRunner.git(["add", "-A"], in: repo)
        _ = try await CommandRunner.git(["commit", "-q", "-m", "examples"], in: repo)
        let environment = [
            "SOPS_AGE_KEY_FILE": Paths.packageRoot.appendingPathComponent("examples/demo-keys/ops-demo.txt").path, "SOPS_AGE_KEY": "",
            "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "NO_COLOR": "1",
        ]
        let result = try await CommandRunner.run(
            Paths.salonops,
            [
                "reconcile", "--repo", repo.path, "--path", "examples/salon-chain",
                "--state-dir", repo.appendingPathComponent(".state").path, "--sandbox",
                "--emulator-option", "google-calendar.serviceAccount=\(Setup.demoServiceAccount)",
            ],
            environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("started an in-process sandbox at http://127.0.0.1:"))
        #expect(result.stdout.contains("257 applied"))
    }
}
