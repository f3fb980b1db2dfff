import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsEmulatorKit
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

        /// `small`: Stripe only, without services and products (tens of resources, not
        /// hundreds), for the matrices that apply many times (the booking providers have their
        /// own, KilledApplyTests).
        /// `only`: that Integration alone enabled (the others switched off).
        static func make(faults: FaultPlan = .none, small: Bool = false, only: String? = nil) async throws -> Setup {
            let repo = try Paths.temporaryDirectory("reconcile-repo")
            try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: repo.appendingPathComponent("examples"))
            if let only {
                let integrations = repo.appendingPathComponent("examples/salon-chain/integrations")
                for file in try FileManager.default.contentsOfDirectory(atPath: integrations.path) where file != only + ".yaml" {
                    let url = integrations.appendingPathComponent(file)
                    let text = try String(contentsOf: url, encoding: .utf8)
                    try text.replacingOccurrences(of: "enabled: true", with: "enabled: false").write(to: url, atomically: true, encoding: .utf8)
                }
            }
            if small {
                let integrations = repo.appendingPathComponent("examples/salon-chain/integrations")
                for (file, from, to) in [
                    ("stripe.yaml", "services: true", "services: false"), ("stripe.yaml", "products: true", "products: false"),
                    ("google-calendar.yaml", "enabled: true", "enabled: false"), ("google-business-profile.yaml", "enabled: true", "enabled: false"),
                    ("planity.yaml", "enabled: true", "enabled: false"), ("treatwell.yaml", "enabled: true", "enabled: false"),
                    ("brevo.yaml", "enabled: true", "enabled: false"),
                ] {
                    let url = integrations.appendingPathComponent(file)
                    let text = try String(contentsOf: url, encoding: .utf8)
                    #expect(text.contains(from), "\(file) no longer says \(from)")
                    try text.replacingOccurrences(of: from, with: to).write(to: url, atomically: true, encoding: .utf8)
                }
            }
            _ = try await CommandRunner.git(["init", "-q"], in: repo)
            _ = try await CommandRunner.git(["add", "-A"], in: repo)
            _ = try await CommandRunner.git(["commit", "-q", "-m", "examples"], in: repo)
            var configuration = SandboxConfiguration(emulatorOptions: Self.demoEmulatorOptions)
            configuration.faults = faults
            configuration.retryAfterSeconds = 0
            let sandbox = try await SandboxServer.start(configuration)
            return Setup(repo: repo, state: repo.appendingPathComponent(".state"), sandbox: sandbox)
        }

        /// What the sandbox's emulators know of the demo accounts, as `make demo` tells them: the
        /// Calendar service account's public key, the Business Profile locations.
        static var demoEmulatorOptions: [String: [String: String]] {
            let account = "accounts/108251993420557718234"
            let locations = [("4215789963021547812", "Belle Époque Paris 11"), ("9012336741250987716", "Belle Époque Lyon 2"), ("1187345520966412309", "Belle Époque Bordeaux")]
            return [
                "google-calendar": ["serviceAccount": demoServiceAccount],
                "google-business-profile": ["locations": locations.map { "\(account)/locations/\($0.0)=\($0.1)" }.joined(separator: ",")],
            ]
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

        func background(_ command: [String], repo spelling: String? = nil, sandbox url: String? = nil, in directory: URL? = nil) throws -> RunningProcess {
            try RunningProcess(
                Paths.salonops,
                command + [
                    "--repo", spelling ?? repo.path, "--path", "examples/salon-chain", "--state-dir", state.path,
                    "--sandbox", url ?? sandbox.baseURL,
                ], in: directory, environment: environment)
        }

        /// The same repository and sandbox, spelled another way (`repo/`, `./repo`, `repo/.git`,
        /// `localhost` for `127.0.0.1`): (repo argument, sandbox URL, working directory).
        func spelling(_ index: Int) -> (String, String, URL?) {
            let parent = repo.deletingLastPathComponent()
            let localhost = sandbox.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            switch index % 5 {
            case 0: return (repo.path, sandbox.baseURL, nil)
            case 1: return (repo.path + "/", localhost, nil)
            case 2: return ("./" + repo.lastPathComponent, sandbox.baseURL, parent)
            case 3: return (repo.path + "/.git", localhost, nil)
            default: return (repo.lastPathComponent + "/", sandbox.baseURL, parent)
            }
        }

        func resetSandbox() async throws {
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { Task { try? await client.shutdown() } }
            var request = HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/reset")
            request.method = .POST
            _ = try await client.execute(request, timeout: .seconds(10))
        }

        /// Live resources carrying an ownership key, by kind, and the keys found more than once.
        func ownedStripe() async throws -> (count: Int, duplicates: [String]) {
            var keys: [String] = []
            for collection in ["products", "prices", "plans", "coupons", "tax_rates", "webhook_endpoints"] {
                let listed = try await stripe(.GET, "/v1/\(collection)?limit=100")
                for object in listed["data"] as? [[String: Any]] ?? [] where (object["active"] as? Bool) != false {
                    if let key = (object["metadata"] as? [String: Any])?["salonops_id"] as? String { keys.append(collection + "/" + key) }
                }
            }
            let counted = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            return (keys.count, counted)
        }

        func stats() async throws -> [String: Any] {
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { Task { try? await client.shutdown() } }
            let response = try await client.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/stats"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 24)
            return (try JSONSerialization.jsonObject(with: Data(body.getBytes(at: 0, length: body.readableBytes) ?? []))) as? [String: Any] ?? [:]
        }

        func stripe(_ method: HTTPMethod, _ path: String, form: String = "") async throws -> [String: Any] {
            try await Self.stripe(sandbox, method, path, form: form)
        }

        /// Stripe's emulator as its dashboard would be used.
        static func stripe(_ sandbox: SandboxServer, _ method: HTTPMethod, _ path: String, form: String = "") async throws -> [String: Any] {
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
    static let canaries = [
        "sk_test_demo", "demo-twilio", "demo-brevo", "whsec_", "PRIVATE KEY", "ya29.", "demo-client-secret-not-real", "demo-refresh-token-not-real",
        "demo-planity-api-key", "demo-treatwell-api-key",
    ]

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
        #expect(statusCommand.stdout.contains("| brevo | Belle Époque Paris 11 – Oberkampf | ✅ Connecté |"))
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

    /// Two applies at once, ten times, the repository and the sandbox spelled the same or
    /// differently each time: exactly one runs, the other exits 3 naming the holder (host, pid,
    /// start time, command); `lock status` names a live holder, and says when it is dead.
    @Test func twoAppliesAtOnceExactlyOneRunsHoweverTheRepositoryIsSpelled() async throws {
        let setup = try await Setup.make(faults: try FaultPlan(parsing: "latency=100ms..150ms"), small: true)
        defer { Task { await setup.cleanUp() } }
        let host = ProcessInfo.processInfo.hostName
        let locks = setup.state.appendingPathComponent("locks")
        for round in 0..<10 {
            try await setup.resetSandbox()
            try? FileManager.default.removeItem(at: setup.state)
            let (firstRepo, firstURL, firstDirectory) = setup.spelling(round)
            let (secondRepo, secondURL, secondDirectory) = setup.spelling(round * 3 + 1)
            let first = try setup.background(["apply", "--auto-approve"], repo: firstRepo, sandbox: firstURL, in: firstDirectory)
            // Bounded wait until it holds the lock (its file appears whole: written, then linked).
            var held = false
            for _ in 0..<400 where !held && !first.hasExited {
                held = ((try? FileManager.default.contentsOfDirectory(atPath: locks.path)) ?? []).contains { $0.hasSuffix(".lock") }
                if !held { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(held, "round \(round): the first apply never took the lock: \(first.stderr)")
            // Stopped while it holds the lock, so the second meets it however slowly it starts
            // (a loaded machine); a stopped process is alive, and resumes where it was.
            first.signal(SIGSTOP)
            let second = try await CommandRunner.run(
                Paths.salonops,
                [
                    "apply", "--auto-approve", "--repo", secondRepo, "--path", "examples/salon-chain", "--state-dir", setup.state.path,
                    "--sandbox", secondURL,
                ], in: secondDirectory, environment: setup.environment)
            first.signal(SIGCONT)
            let firstStatus = try await first.exitStatus(within: 120)
            #expect(firstStatus == 0, "round \(round) (\(firstRepo) \(firstURL)): \(first.stderr)")
            #expect(second.status == 3, "round \(round) (\(secondRepo) \(secondURL)) was not refused: \(second.stdout)\(second.stderr)")
            #expect(second.stderr.contains("held by pid \(first.pid) on \(host) since "), "round \(round): \(second.stderr)")
            #expect(second.stderr.contains("(`salonops apply`"), "round \(round): \(second.stderr)")
            #expect(!second.stderr.contains("pid 0") && !second.stderr.contains("on ? since ?"))
            let owned = try await setup.ownedStripe()
            #expect(owned.duplicates.isEmpty, "round \(round): \(owned.duplicates)")
        }
    }

    /// SIGKILL at 20 seeded points of an apply (after N writes), then a re-run: `lock status`
    /// says the holder is dead, the re-run takes its lock over, converges, and nothing is made
    /// twice or left behind; the next plan is empty.
    @Test func anApplyKilledAtTwentySeededPointsConvergesOnRerun() async throws {
        let setup = try await Setup.make(faults: try FaultPlan(parsing: "latency=15ms..25ms"), small: true)
        defer { Task { await setup.cleanUp() } }
        // A reference run: how many resources and writes a whole apply makes.
        let reference = try await setup.salonops(["apply", "--auto-approve"])
        #expect(reference.status == 0, "\(reference.stdout)\(reference.stderr)")
        let total = try await setup.stats()["writes"] as? Int ?? 0
        let expected = try await setup.ownedStripe()
        try #require(total > 2 && expected.count > 0, "\(total) writes")
        // The seeded points of the crash matrix (the sandbox's own generator).
        var random = SeededGenerator(seed: 2026, stream: 0)
        var killedMidway = 0
        for point in 0..<20 {
            try await setup.resetSandbox()
            try? FileManager.default.removeItem(at: setup.state)
            let after = 1 + Int(random.next() % UInt64(total - 1))
            let first = try setup.background(["apply", "--auto-approve"])
            // Bounded by time, not by polls: a loaded machine may take seconds to reach the first write.
            var writes = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while writes < after && !first.hasExited && ContinuousClock.now < deadline {
                writes = try await setup.stats()["writes"] as? Int ?? 0
                if writes < after { try await Task.sleep(for: .milliseconds(2)) }
            }
            first.kill()
            let killed = try await first.exitStatus(within: 10)
            if killed != 0 { killedMidway += 1 }
            // Only a process killed between writes surely held the lock (before its first write it
            // may not have taken it yet; after its last it may have released it).
            if point % 5 == 0 && killed != 0 && writes >= after && writes < total {
                let status = try await setup.salonops(["lock", "status"])
                #expect(status.stdout.contains("stale: left by pid \(first.pid)") && status.stdout.contains("no longer running"), "point \(point): \(status.stdout)")
            }
            let rerun = try await setup.salonops(["apply", "--auto-approve"])
            #expect(rerun.status == 0, "point \(point) (killed after \(writes) writes): \(rerun.stdout)\(rerun.stderr)")
            let settled = try await setup.salonops(["plan"])
            #expect(settled.status == 0, "point \(point): \(settled.stdout)")
            let owned = try await setup.ownedStripe()
            #expect(owned.duplicates.isEmpty, "point \(point): duplicates \(owned.duplicates)")
            #expect(owned.count == expected.count, "point \(point): \(owned.count) owned, \(expected.count) expected (orphans or missing)")
        }
        #expect(killedMidway >= 15, "most points must kill a running apply: \(killedMidway) of 20")
    }

    /// A copy of a managed product (its markers included) is a duplicate, not drift: the plan
    /// says so with the command that fixes it, `reconcile` leaves it (exit 2), a plan saved
    /// with `--retire-duplicates` is applied as made (the copy archived, the original kept), and
    /// `reconcile --retire-duplicates` retires the next copy.
    @Test func duplicatesAreReportedThenRetiredFromTheCommandLine() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let apply = try await setup.salonops(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let products = try await setup.stripe(.GET, "/v1/products?limit=100")
        let original = try #require((products["data"] as? [[String: Any]])?.first { ($0["metadata"] as? [String: Any])?["salonops_id"] != nil })
        let originalID = try #require(original["id"] as? String)
        var form = "name=" + (original["name"] as? String ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        for (name, value) in (original["metadata"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            form += "&metadata%5B\(name)%5D=" + (value as? String ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        }
        let copyID = try #require(try await setup.stripe(.POST, "/v1/products", form: form)["id"] as? String)
        let planFile = setup.repo.appendingPathComponent("plan.json").path

        let plan = try await setup.salonops(["plan"])
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("existe en 2 exemplaires : \(originalID) conservé, 1 doublon à retirer avec `salonops reconcile --retire-duplicates`"), "\(plan.stdout)")
        #expect(plan.stdout.contains("duplicates [\(copyID)] kept too"))
        #expect(!plan.stdout.contains("écart constaté") && !plan.stderr.contains("refused"))
        let json = try await setup.salonops(["plan", "--format", "json"])
        #expect(json.stdout.contains("\"duplicates\""))

        let left = try await setup.salonops(["reconcile"])
        #expect(left.status == 2, "\(left.stdout)\(left.stderr)")
        #expect(try await setup.stripe(.GET, "/v1/products/\(copyID)")["active"] as? Bool == true)

        // Reviewed as a saved plan: applied as it was made, the flag included.
        let reviewed = try await setup.salonops(["plan", "--retire-duplicates", "--out", planFile])
        #expect(reviewed.status == 2, "\(reviewed.stdout)\(reviewed.stderr)")
        #expect(reviewed.stdout.contains("retiring [\(copyID)]"), "\(reviewed.stdout)")
        let retired = try await setup.salonops(["apply", planFile])
        #expect(retired.status == 0, "\(retired.stdout)\(retired.stderr)")
        #expect(retired.stdout.contains("duplicate of [\(originalID)], retired"))
        #expect(retired.stdout.contains("Apply: 1 applied, 0 failed, 0 skipped."))
        #expect(try await setup.stripe(.GET, "/v1/products/\(copyID)")["active"] as? Bool == false)
        #expect(try await setup.stripe(.GET, "/v1/products/\(originalID)")["active"] as? Bool == true)

        // A second copy, retired by a scheduled reconcile with the flag.
        let secondID = try #require(try await setup.stripe(.POST, "/v1/products", form: form)["id"] as? String)
        let scheduled = try await setup.salonops(["reconcile", "--retire-duplicates"])
        #expect(scheduled.status == 0, "\(scheduled.stdout)\(scheduled.stderr)")
        #expect(try await setup.stripe(.GET, "/v1/products/\(secondID)")["active"] as? Bool == false)
        let settled = try await setup.salonops(["plan"])
        #expect(settled.status == 0, "\(settled.stdout)")
    }

    /// runs.jsonl records plan and apply (command, commit, outcome, counts, no secret); the
    /// state directory is 0700, and the report, the saved plan, the write-only values store and
    /// every state file are 0600.
    @Test func runsAreRecordedAndStateFilesAreTheOwnersAlone() async throws {
        let setup = try await Setup.make(small: true)
        defer { Task { await setup.cleanUp() } }
        let planFile = setup.state.appendingPathComponent("plan.json").path
        let plan = try await setup.salonops(["plan", "--out", planFile])
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        let apply = try await setup.salonops(["apply", planFile])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Retries: stripe 0 (0 of this run's budget of "), "\(apply.stdout)")
        let reconcile = try await setup.salonops(["reconcile"])
        #expect(reconcile.status == 0)

        let lines = try String(contentsOf: setup.state.appendingPathComponent("runs.jsonl"), encoding: .utf8).split(separator: "\n")
        let runs = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(runs.map { $0["command"] as? String ?? "" } == ["plan", "apply", "reconcile"], "\(lines)")
        #expect(runs.map { $0["outcome"] as? String ?? "" } == ["changes", "ok", "ok"])
        let commit = try await CommandRunner.git(["rev-parse", "HEAD"], in: setup.repo).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(runs.allSatisfy { $0["commit"] as? String == commit })
        let planned = (runs[0]["counts"] as? [String: Int])?["changes"] ?? 0
        #expect(planned > 0)
        #expect((runs[1]["counts"] as? [String: Int])?["applied"] == planned)
        #expect((runs[2]["counts"] as? [String: Int])?["changes"] == 0)

        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1 }
        #expect(mode(setup.state.path) == 0o700)
        var checked = 0
        for relative in try FileManager.default.subpathsOfDirectory(atPath: setup.state.path) {
            let path = setup.state.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            #expect(mode(path) == (isDirectory.boolValue ? 0o700 : 0o600), "\(relative) is \(String(mode(path), radix: 8))")
            checked += 1
        }
        for required in ["plan.json", "report/status.json", "report/status.md", "runs.jsonl", "secrets/provider-secrets.sops.yaml"] {
            #expect(mode(setup.state.appendingPathComponent(required).path) == 0o600, "\(required)")
        }
        #expect(checked >= 8)
        let status = try String(contentsOf: setup.state.appendingPathComponent("report/status.json"), encoding: .utf8)
        #expect(status.contains("\"retries\""), "\(status)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: setup.state.path).filter { !$0.hasSuffix(".sops.yaml") }
            .compactMap { try? String(contentsOfFile: setup.state.appendingPathComponent($0).path, encoding: .utf8) }
        Self.expectNoCanary(files + lines.map(String.init))
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
                "--endpoint", "google-business-profile=\(base)/google-business-profile/api",
                "--endpoint", "google-business-profile.accounts=\(base)/google-business-profile/accounts",
                "--endpoint", "google-business-profile.oauth=\(base)/google-business-profile/oauth",
                "--endpoint", "planity=\(base)/planity/api", "--endpoint", "treatwell=\(base)/treatwell/api",
                "--endpoint", "brevo=\(base)/brevo/api",
            ],
            environment: setup.environment)
        #expect(viaEndpoint.status == 2, "\(viaEndpoint.stderr)")
        let first = try await setup.salonops(["reconcile"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("Apply: 428 applied, 0 failed, 0 skipped."))
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
                "--emulator-option", "google-business-profile.locations=\(Setup.demoEmulatorOptions["google-business-profile"]!["locations"]!)",
            ],
            environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("started an in-process sandbox at http://127.0.0.1:"))
        #expect(result.stdout.contains("428 applied"))
    }
}
