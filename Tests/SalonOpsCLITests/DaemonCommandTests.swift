import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// `salonops run` as it is deployed: the real binary following a bare `file://` remote, the
/// sandbox as providers, push webhooks signed by the `openssl` CLI, SIGTERM.
@Suite struct DaemonCommandTests {
    static let webhookSecret = "test-hook-secret-0b7e41"

    /// A work repository of examples/ (Stripe without its catalogue, and Planity: a provider
    /// whose observe narrows by establishment), pushed to a bare remote the daemon follows.
    struct Setup {
        let root: URL
        let work: URL
        let remote: URL
        let sandbox: SandboxServer

        /// examples/ with Stripe (services and products off) and Planity, and `brevo` when asked:
        /// Brevo's senders and webhooks take 100 requests an hour, which drift scans every two
        /// seconds would spend in a minute.
        static func make(faults: FaultPlan = .none, brevo: Bool = false) async throws -> Setup {
            let root = try Paths.temporaryDirectory("daemon")
            let work = root.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Paths.packageRoot.appendingPathComponent("examples"), to: work.appendingPathComponent("examples"))
            let integrations = work.appendingPathComponent("examples/salon-chain/integrations")
            for (file, from, to) in [
                ("stripe.yaml", "services: true", "services: false"), ("stripe.yaml", "products: true", "products: false"),
                ("google-calendar.yaml", "enabled: true", "enabled: false"), ("google-business-profile.yaml", "enabled: true", "enabled: false"),
                ("treatwell.yaml", "enabled: true", "enabled: false"),
            ] + (brevo ? [] : [("brevo.yaml", "enabled: true", "enabled: false")]) {
                let url = integrations.appendingPathComponent(file)
                let text = try String(contentsOf: url, encoding: .utf8)
                try #require(text.contains(from), "\(file) no longer says \(from)")
                try text.replacingOccurrences(of: from, with: to).write(to: url, atomically: true, encoding: .utf8)
            }
            // The webhooks' shared secret, encrypted by the repository's own rules.
            let config = work.appendingPathComponent("examples/salon-chain")
            try "secret: \(DaemonCommandTests.webhookSecret)\n".write(to: config.appendingPathComponent("secrets/git-webhook.sops.yaml"), atomically: true, encoding: .utf8)
            let encrypted = try await CommandRunner.run(
                Paths.salonops, ["secrets", "encrypt", "secrets/git-webhook.sops.yaml"], in: config, environment: Self.environment)
            try #require(encrypted.status == 0, "\(encrypted.stderr)")
            try await CommandRunner.git(["init", "-q", "-b", "main"], in: work)
            try await CommandRunner.git(["add", "-A"], in: work)
            try await CommandRunner.git(["commit", "-q", "-m", "examples"], in: work)
            let remote = root.appendingPathComponent("remote.git")
            try await CommandRunner.git(["init", "-q", "--bare", "-b", "main", remote.path], in: root)
            try await CommandRunner.git(["push", "-q", remote.path, "main"], in: work)
            var options = ReconcileCommandTests.Setup.demoEmulatorOptions
            // The chain authenticated its domain in Brevo: its sender may send.
            options["brevo", default: [:]]["authenticatedDomains"] = "belle-epoque.example"
            var configuration = SandboxConfiguration(emulatorOptions: options)
            configuration.faults = faults
            configuration.retryAfterSeconds = 0
            let sandbox = try await SandboxServer.start(configuration)
            return Setup(root: root, work: work, remote: remote, sandbox: sandbox)
        }

        static var environment: [String: String] {
            [
                "SOPS_AGE_KEY_FILE": Paths.packageRoot.appendingPathComponent("examples/demo-keys/ci-demo.txt").path, "SOPS_AGE_KEY": "",
                "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "NO_COLOR": "1",
            ]
        }

        var state: URL { root.appendingPathComponent("state") }

        /// Starts `salonops run` and returns it with its base URL, once it listens.
        func daemon(_ extra: [String] = []) async throws -> (RunningProcess, String) {
            let process = try RunningProcess(
                Paths.salonops,
                [
                    "run", "--repo", "file://" + remote.path, "--ref", "main", "--path", "examples/salon-chain", "--state-dir", state.path,
                    "--cache-dir", root.appendingPathComponent("cache").path, "--sandbox", sandbox.baseURL, "--listen", "127.0.0.1:0",
                    "--webhook-secret", "secrets/git-webhook.sops.yaml#secret", "--debounce", "100ms", "--seed", "7",
                ] + extra, environment: Self.environment)
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline && !process.hasExited {
                if let line = process.stderr.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                    return (process, String(line.dropFirst("listening on ".count)))
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            process.kill()
            throw DaemonTestError("the daemon never listened: \(process.stderr)")
        }

        /// Commits an edit of one file in the work repository and pushes it to the remote.
        func push(_ file: String, replacing old: String, with new: String) async throws -> String {
            let url = work.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            try #require(text.contains(old), "\(file) no longer says \(old)")
            try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
            try await CommandRunner.git(["commit", "-q", "-am", "edit \(file)"], in: work)
            try await CommandRunner.git(["push", "-q", remote.path, "main"], in: work)
            return try await CommandRunner.git(["rev-parse", "HEAD"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func cleanUp() async {
            await sandbox.stop()
            try? FileManager.default.removeItem(at: root)
        }
    }

    struct DaemonTestError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func request(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> (Int, [String: Any]) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if method == .POST { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let data = try await response.body.collect(upTo: 1 << 24)
        let object = (try? JSONSerialization.jsonObject(with: Data(data.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }

    /// `/status.json`'s daemon part, polled (bounded) until `done` holds.
    static func waitForStatus(_ base: String, seconds: Int = 120, _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = (try? await request(.GET, base + "/status.json").1["daemon"] as? [String: Any]) ?? [:]
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonTestError("status never reached the expected state: \(last)")
    }

    /// The hex HMAC-SHA256 of `body`, by the `openssl` CLI (the peer a git host's signature is checked against).
    static func hmac(_ body: [UInt8], in folder: URL) async throws -> String {
        let file = folder.appendingPathComponent("payload-\(UUID().uuidString).json")
        try Data(body).write(to: file)
        let result = try await CommandRunner.run(OpenSSLTestKeys.openssl, ["dgst", "-sha256", "-hmac", webhookSecret, "-hex", file.path])
        try #require(result.status == 0, "\(result.stderr)")
        return String(try #require(result.stdout.split(separator: " ").last)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func lastRun(_ status: [String: Any]) -> [String: Any] { status["lastRun"] as? [String: Any] ?? [:] }

    /// The first cycle is a full scan; a push to one establishment, signed as GitHub signs it,
    /// runs within seconds, scoped to that establishment, with fewer requests than the full scan;
    /// bad, missing and stale signatures get 401 and run nothing; GitLab's token and Gitea's
    /// signature are verified too; SIGTERM exits 0.
    @Test func aSignedPushRunsWhatItChangedAndNothingElse() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let (daemon, base) = try await setup.daemon(["--interval", "1h", "--drift-interval", "2h"])
        defer { daemon.kill() }
        let first = try await Self.waitForStatus(base) { Self.lastRun($0)["outcome"] as? String == "ok" }
        let full = Self.lastRun(first)
        #expect(full["trigger"] as? String == "drift" && full["scope"] as? String == "full", "\(full)")
        let fullRequests = try #require(full["requests"] as? Int)
        #expect(fullRequests > 0)
        #expect(try await Self.request(.GET, base + "/readyz").0 == 200)
        #expect(try await Self.request(.GET, base + "/healthz").0 == 200)

        let commit = try await setup.push(
            "examples/salon-chain/establishments/lyon-2.yaml", replacing: #"thursday: ["10:00-13:00", "14:00-20:00"]"#,
            with: #"thursday: ["10:00-13:00", "14:00-19:30"]"#)
        let body = Array(#"{"ref":"refs/heads/main","after":"\#(commit)"}"#.utf8)
        // Refused: no signature, a wrong one, one for another body, a wrong GitLab token.
        let signature = try await Self.hmac(body, in: setup.root)
        let stale = try await Self.hmac(Array(#"{"ref":"refs/heads/main"}"#.utf8), in: setup.root)
        for headers in [
            [("X-GitHub-Event", "push")], [("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + String(repeating: "0", count: 64))],
            [("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + stale)], [("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", "guess")],
            [("X-Gitea-Event", "push"), ("X-Gitea-Signature", signature.uppercased() + "00")],
        ] {
            let (code, answer) = try await Self.request(.POST, base + "/hooks/git", headers: headers, body: body)
            #expect(code == 401, "\(headers): \(answer)")
            #expect(!"\(answer)".contains(Self.webhookSecret))
        }
        // Verified but triggering nothing: a ping, a push to another branch.
        let other = Array(#"{"ref":"refs/heads/feature"}"#.utf8)
        let (pingCode, _) = try await Self.request(
            .POST, base + "/hooks/git", headers: [("X-Gitea-Event", "ping"), ("X-Gitea-Signature", try await Self.hmac(body, in: setup.root))], body: body)
        #expect(pingCode == 200)
        let (elsewhere, ignored) = try await Self.request(
            .POST, base + "/hooks/git", headers: [("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", Self.webhookSecret)], body: other)
        #expect(elsewhere == 200 && ignored["accepted"] as? Bool == false, "\(ignored)")
        let before = try await Self.waitForStatus(base) { _ in true }
        #expect(Self.lastRun(before)["commit"] as? String != commit, "a refused or ignored delivery triggered a run")

        // Accepted: GitHub's signature over the exact body.
        let pushed = ContinuousClock.now
        let (code, answer) = try await Self.request(
            .POST, base + "/hooks/git", headers: [("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + signature)], body: body)
        #expect(code == 202, "\(answer)")
        let after = try await Self.waitForStatus(base, seconds: 60) { Self.lastRun($0)["commit"] as? String == commit && Self.lastRun($0)["outcome"] as? String != "running" }
        let scoped = Self.lastRun(after)
        #expect(ContinuousClock.now - pushed < .seconds(30), "the push took \(ContinuousClock.now - pushed) to run")
        #expect(scoped["trigger"] as? String == "push" && scoped["outcome"] as? String == "ok", "\(scoped)")
        // Stripe holds no hours: not even observed.
        #expect(scoped["scope"] as? String == "planity (lyon-2: venue)", "\(scoped)")
        #expect((scoped["reasons"] as? [String]) == ["Establishment lyon-2 changed"], "\(scoped)")
        let scopedRequests = try #require(scoped["requests"] as? Int)
        #expect(scopedRequests < fullRequests, "scoped \(scopedRequests) requests, full scan \(fullRequests)")
        #expect(after["lastAppliedCommit"] as? String == commit)

        // The change reached Planity: a plan of the commit (the CLI, not the daemon) is empty.
        let plan = try await CommandRunner.run(
            Paths.salonops,
            [
                "plan", "--repo", "file://" + setup.remote.path, "--ref", "main", "--path", "examples/salon-chain", "--state-dir", setup.state.path,
                "--cache-dir", setup.root.appendingPathComponent("cache").path, "--sandbox", setup.sandbox.baseURL,
            ], environment: Setup.environment)
        #expect(plan.status == 0, "\(plan.stdout.suffix(3000))\(plan.stderr)")

        // The history: the drift scan, the push run (scoped, with its decryptions), and the
        // CLI's plan; SQLite read back by Python's own sqlite3 as well.
        let history = try await CommandRunner.run(
            Paths.salonops, ["history", "--state-dir", setup.state.path, "--format", "json"], environment: Setup.environment)
        try #require(history.status == 0, "\(history.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "salonops.history/v1")
        let runs = try #require(document["runs"] as? [[String: Any]]).map { ($0["run"] as? [String: Any] ?? [:], $0["decryptions"] as? [[String: Any]] ?? []) }
        #expect(runs.map { $0.0["trigger"] as? String } == ["plan", "push", "drift"], "\(runs.map(\.0))")
        let (pushRun, pushDecryptions) = runs[1]
        #expect(pushRun["scope"] as? String == "planity (lyon-2: venue)" && pushRun["commit"] as? String == commit)
        #expect((pushRun["integrations"] as? [[String: Any]])?.map { $0["integration"] as? String } == ["planity"])
        #expect(pushDecryptions.contains { $0["file"] as? String == "secrets/planity.sops.yaml" }, "\(pushDecryptions)")
        let planity = try await CommandRunner.run(
            Paths.salonops, ["history", "--state-dir", setup.state.path, "--integration", "planity", "--since", "1h"], environment: Setup.environment)
        #expect(planity.status == 0 && planity.stdout.contains("run (push)") && planity.stdout.contains("decrypted secrets/planity.sops.yaml"), "\(planity.stdout)")
        #expect(!history.stdout.contains(Self.webhookSecret) && !planity.stdout.contains(Self.webhookSecret))
        let query = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            pushed = db.execute("SELECT integration FROM runIntegration JOIN run ON run.id = runId WHERE trigger = 'push' ORDER BY integration")
            print(db.execute("SELECT count(*) FROM run").fetchone()[0], ",".join(row[0] for row in pushed))
            """
        let peer = try await CommandRunner.run(Self.python, ["-c", query, setup.state.appendingPathComponent("history.sqlite").path], timeout: 60)
        #expect(peer.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "3 planity", "\(peer.stdout)\(peer.stderr)")

        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 60) == 0, "\(daemon.stderr.suffix(3000))")
        #expect(!daemon.stdout.contains(Self.webhookSecret) && !daemon.stderr.contains(Self.webhookSecret))
    }

    static var python: String {
        let venv = Paths.packageRoot.appendingPathComponent(".venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// `/metrics` as prometheus_client's own parser reads it: (name, labels) → value.
    static let parseMetrics = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for family in text_string_to_metric_families(open(sys.argv[1]).read()):
            for sample in family.samples:
                out.append({"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type})
        print(json.dumps(out))
        """

    /// Headless Chromium (Debian's) on a page: the DOM it built, and a screenshot.
    static func chromium(_ url: String, screenshot: URL, in folder: URL) async throws -> String {
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=" + folder.appendingPathComponent("chromium-profile").path,
        ]
        let dom = try await CommandRunner.run("/usr/bin/chromium", common + ["--dump-dom", url], environment: ["HOME": folder.path], timeout: 90)
        try #require(dom.status == 0, "chromium --dump-dom: \(dom.stderr.suffix(2000))")
        // A phone's width: the page must be readable there.
        let shot = try await CommandRunner.run(
            "/usr/bin/chromium", common + ["--window-size=412,1400", "--screenshot=" + screenshot.path, url], environment: ["HOME": folder.path], timeout: 90)
        try #require(shot.status == 0, "chromium --screenshot: \(shot.stderr.suffix(2000))")
        return dom.stdout
    }

    /// The status page, rendered by Chromium, in French and in English, with the matrix, the
    /// view across providers and the commits; `/metrics` read by prometheus_client's parser.
    @Test func theStatusPageRendersInChromiumAndTheMetricsParse() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let (daemon, base) = try await setup.daemon(["--interval", "1h", "--drift-interval", "2h"])
        defer { daemon.kill() }
        let first = try await Self.waitForStatus(base) { Self.lastRun($0)["outcome"] as? String == "ok" }
        let served = String(try #require(first["servingCommit"] as? String).prefix(12))

        let artifacts = Paths.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("status-page-fr.png")
        try? FileManager.default.removeItem(at: screenshot)
        let french = try await Self.chromium(base + "/", screenshot: screenshot, in: setup.root)
        #expect(french.contains(#"<html lang="fr">"#) && french.contains("État des intégrations"), "\(french.prefix(2000))")
        #expect(french.contains("<code id=\"serving-commit\">\(served)</code>"))
        for establishment in ["bordeaux-chartrons", "lyon-2", "paris-11"] {
            #expect(french.contains("<tr data-establishment=\"\(establishment)\">"), "\(establishment)")
        }
        #expect(french.contains(#"<td class="ok" data-integration="planity">✅ Connecté</td>"#), "\(french.prefix(4000))")
        #expect(french.contains("Ce que chaque plateforme affiche") && french.contains("Tout concorde."), "\(french.prefix(4000))")
        #expect(!french.contains(Self.webhookSecret))
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "the screenshot is \(png.count) bytes")
        let english = try await Self.chromium(base + "/?lang=en", screenshot: artifacts.appendingPathComponent("status-page-en.png"), in: setup.root)
        #expect(english.contains(#"<html lang="en">"#) && english.contains("✅ Connected") && english.contains("What each platform shows"))

        let (code, _) = try await Self.request(.GET, base + "/metrics")
        #expect(code == 200)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let response = try await client.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
        #expect(response.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = try await response.body.collect(upTo: 1 << 22)
        let file = setup.root.appendingPathComponent("metrics.txt")
        try Data(text.readableBytesView).write(to: file)
        let parsed = try await CommandRunner.run(Self.python, ["-c", Self.parseMetrics, file.path], timeout: 60)
        try #require(parsed.status == 0, "prometheus_client could not parse /metrics: \(parsed.stderr)")
        let samples = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String: Any]])
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0["name"] as? String == name && ($0["labels"] as? [String: String] ?? [:]) == labels }?["value"] as? Double
        }
        #expect(value("salonops_reconcile_runs_total", ["trigger": "drift", "result": "ok"]) == 1)
        #expect(value("salonops_reconcile_runs_total", ["trigger": "push", "result": "failed"]) == 0)
        #expect(value("salonops_reconcile_duration_seconds_count", ["trigger": "drift"]) == 1)
        #expect((value("salonops_provider_requests_total", ["provider": "planity", "status": "200"]) ?? 0) > 0)
        #expect((value("salonops_provider_requests_total", ["provider": "stripe", "status": "200"]) ?? 0) > 0)
        #expect(value("salonops_drift_resources", ["integration": "planity"]) == 0)
        #expect((value("salonops_last_applied_timestamp_seconds") ?? 0) > 1_700_000_000)
        #expect((value("salonops_last_fetch_success_timestamp_seconds") ?? 0) > 1_700_000_000)
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 60) == 0)
    }

    /// `salonops suspend` while the daemon runs: the next change-scoped run leaves the
    /// integration out; after `resume`, the next wake-up catches it up whole, with no new commit.
    @Test func aSuspensionIsHonouredAndAResumeCatchesUp() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let (daemon, base) = try await setup.daemon(["--interval", "1h", "--drift-interval", "2h"])
        defer { daemon.kill() }
        _ = try await Self.waitForStatus(base) { Self.lastRun($0)["outcome"] as? String == "ok" }
        let source = [
            "--repo", "file://" + setup.remote.path, "--ref", "main", "--path", "examples/salon-chain", "--state-dir", setup.state.path,
            "--cache-dir", setup.root.appendingPathComponent("cache").path,
        ]
        let suspend = try await CommandRunner.run(Paths.salonops, ["suspend", "planity", "--reason", "test"] + source, environment: Setup.environment)
        try #require(suspend.status == 0, "\(suspend.stderr)")
        let commit = try await setup.push(
            "examples/salon-chain/establishments/lyon-2.yaml", replacing: #"saturday: ["09:30-18:00"]"#, with: #"saturday: ["09:30-17:30"]"#)
        let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
        let headers = [("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + (try await Self.hmac(body, in: setup.root)))]
        #expect(try await Self.request(.POST, base + "/hooks/git", headers: headers, body: body).0 == 202)
        let suspended = try await Self.waitForStatus(base) { Self.lastRun($0)["commit"] as? String == commit && $0["running"] == nil }
        // Planity suspended, and hours are nothing to Stripe: nothing to run.
        let left = Self.lastRun(suspended)
        #expect(left["scope"] as? String == "none" && left["outcome"] as? String == "nothing-to-do", "\(left)")
        #expect((left["reasons"] as? [String])?.last == "no provider's projection moved", "\(left)")
        #expect((suspended["suspensions"] as? [[String: Any]])?.map { $0["integration"] as? String } == ["planity"])

        let resume = try await CommandRunner.run(Paths.salonops, ["resume", "planity"] + source, environment: Setup.environment)
        try #require(resume.status == 0, "\(resume.stderr)")
        #expect(try await Self.request(.POST, base + "/hooks/git", headers: headers, body: body).0 == 202)
        let resumed = try await Self.waitForStatus(base) {
            (Self.lastRun($0)["reasons"] as? [String]) == ["Integration planity resumed"] && $0["running"] == nil
        }
        #expect(Self.lastRun(resumed)["scope"] as? String == "planity (whole)" && Self.lastRun(resumed)["outcome"] as? String == "ok", "\(Self.lastRun(resumed))")
        let plan = try await CommandRunner.run(Paths.salonops, ["plan", "--sandbox", setup.sandbox.baseURL] + source, environment: Setup.environment)
        #expect(plan.status == 0, "the resumed integration caught up: \(plan.stdout.suffix(2000))")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 60) == 0)
    }

    /// A local receiver of notifications (Python's http.server): every POST kept, one JSON
    /// line each (path and body).
    static let receiver = """
        import http.server, json, sys
        log = open(sys.argv[1], "a")
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                log.write(json.dumps({"path": self.path, "body": json.loads(body)}) + "\\n"); log.flush()
                self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
            def log_message(self, *args): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    /// Drift made in the sandbox is found by the drift scan and notified once (not again at the
    /// next scans); a fetch that fails is notified, then its recovery; both to a JSON webhook
    /// and a Slack-compatible one, whose URLs come from an encrypted file.
    @Test func driftAndFailuresAreNotifiedOncePerChangeOfState() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let log = setup.root.appendingPathComponent("notifications.jsonl")
        let receiver = try RunningProcess(Self.python, ["-c", Self.receiver, log.path])
        defer { receiver.kill() }
        var port = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while port.isEmpty && ContinuousClock.now < deadline && !receiver.hasExited {
            port = receiver.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if port.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        try #require(!port.isEmpty, "the receiver never listened: \(receiver.stderr)")
        // The URLs, encrypted by the repository's rules, committed and pushed.
        let config = setup.work.appendingPathComponent("examples/salon-chain")
        try "webhook: http://127.0.0.1:\(port)/hook\nslack: http://127.0.0.1:\(port)/slack\n".write(
            to: config.appendingPathComponent("secrets/notify.sops.yaml"), atomically: true, encoding: .utf8)
        let encrypted = try await CommandRunner.run(Paths.salonops, ["secrets", "encrypt", "secrets/notify.sops.yaml"], in: config, environment: Setup.environment)
        try #require(encrypted.status == 0, "\(encrypted.stderr)")
        try await CommandRunner.git(["add", "-A"], in: setup.work)
        try await CommandRunner.git(["commit", "-q", "-m", "notifications"], in: setup.work)
        try await CommandRunner.git(["push", "-q", setup.remote.path, "main"], in: setup.work)

        let (daemon, base) = try await setup.daemon([
            "--interval", "1s", "--drift-interval", "2s", "--jitter", "0", "--notify-every", "1s",
            "--notify-webhook", "secrets/notify.sops.yaml#webhook", "--notify-slack", "secrets/notify.sops.yaml#slack",
        ])
        defer { daemon.kill() }
        _ = try await Self.waitForStatus(base) { Self.lastRun($0)["outcome"] as? String == "ok" }
        func received() -> [[String: Any]] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        func waitFor(_ count: Int) async throws -> [[String: Any]] {
            let deadline = ContinuousClock.now + .seconds(90)
            while received().count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            return received()
        }
        #expect(received().isEmpty, "a first state that is fine is not news: \(received())")

        // Drift: a coupon renamed by hand in the dashboard.
        let coupons = try await ReconcileCommandTests.Setup.stripe(setup.sandbox, .GET, "/v1/coupons?limit=100")
        let coupon = try #require((coupons["data"] as? [[String: Any]])?.first { ($0["metadata"] as? [String: Any])?["salonops_id"] != nil }, "\(coupons)")
        let couponID = try #require(coupon["id"] as? String)
        _ = try await ReconcileCommandTests.Setup.stripe(setup.sandbox, .POST, "/v1/coupons/\(couponID)", form: "name=Renamed+by+hand")
        let drift = try await waitFor(2)
        let hook = try #require(drift.first { $0["path"] as? String == "/hook" }?["body"] as? [String: Any], "\(drift)")
        #expect(hook["event"] as? String == "drift" && hook["key"] as? String == "stripe", "\(hook)")
        #expect((hook["summary"] as? String)?.contains("changed outside SalonOps, corrected") == true, "\(hook)")
        let slack = try #require(drift.first { $0["path"] as? String == "/slack" }?["body"] as? [String: Any], "\(drift)")
        #expect((slack["text"] as? String)?.hasPrefix("⚠️ Stripe (stripe): 1 resource(s) changed outside SalonOps") == true, "\(slack)")
        // Two more drift scans, the drift corrected: nothing more.
        let cycles = try #require(try await Self.waitForStatus(base) { _ in true }["cycles"] as? Int)
        _ = try await Self.waitForStatus(base) { ($0["cycles"] as? Int ?? 0) >= cycles + 4 }
        #expect(received().count == 2, "notified again: \(received())")

        // A fetch that fails, then works again.
        let moved = setup.root.appendingPathComponent("moved.git")
        try FileManager.default.moveItem(at: setup.remote, to: moved)
        let failed = try await waitFor(4)
        #expect(failed.count == 4, "one failure per target: \(failed)")
        func has(_ entries: [[String: Any]], _ event: String, _ key: String) -> Bool {
            entries.contains { ($0["body"] as? [String: Any])?["event"] as? String == event && ($0["body"] as? [String: Any])?["key"] as? String == key }
        }
        #expect(has(failed, "failure", "fetch"), "\(failed)")
        try FileManager.default.moveItem(at: moved, to: setup.remote)
        let recovered = try await waitFor(6)
        #expect(recovered.count == 6, "one recovery per target: \(recovered)")
        #expect(has(recovered, "recovery", "fetch"), "\(recovered)")
        #expect(!recovered.map { "\($0)" }.joined().contains(Self.webhookSecret))
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 60) == 0)
        #expect(!daemon.stderr.contains("127.0.0.1:\(port)/hook"), "a notification URL reached the log")
    }

    /// Alerts emailed through the config's own Brevo Integration (its key and sender, on the
    /// session the last run connected): a fetch that fails and its recovery, read back through
    /// Brevo's own log of transactional emails on the sandbox's emulator.
    @Test func alertsAreEmailedThroughTheBrevoIntegration() async throws {
        let setup = try await Setup.make(brevo: true)
        defer { Task { await setup.cleanUp() } }
        let recipient = "ops@belle-epoque.example"
        let (daemon, base) = try await setup.daemon([
            "--interval", "1s", "--drift-interval", "1h", "--jitter", "0", "--notify-every", "1s", "--notify-email", recipient,
        ])
        defer { daemon.kill() }
        let first = try await Self.waitForStatus(base) { Self.lastRun($0)["outcome"] as? String == "ok" }
        #expect((Self.lastRun(first)["integrations"] as? [String])?.contains("brevo") == true, "\(Self.lastRun(first))")
        func sent() async throws -> [[String: Any]] {
            let (code, log) = try await Self.request(
                .GET, setup.sandbox.baseURL + "/brevo/api/smtp/emails?email=\(recipient)&sort=asc&limit=100", headers: [("api-key", "any")])
            #expect(code == 200, "\(log)")
            return log["transactionalEmails"] as? [[String: Any]] ?? []
        }
        func waitFor(_ count: Int) async throws -> [[String: Any]] {
            let deadline = ContinuousClock.now + .seconds(90)
            var emails = try await sent()
            // Brevo's /smtp/ endpoints take 300 requests an hour, the emulator too: poll gently.
            while emails.count < count && ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(1))
                emails = try await sent()
            }
            return emails
        }
        #expect(try await sent().isEmpty, "a first state that is fine is not news")

        let moved = setup.root.appendingPathComponent("moved.git")
        try FileManager.default.moveItem(at: setup.remote, to: moved)
        let failed = try await waitFor(1)
        // On failure, what the daemon said besides the fetch errors (a refused send, a warning).
        let said = daemon.stderr.split(separator: "\n").filter { !$0.contains("failed to resolve") }.suffix(40).joined(separator: "\n")
        let failure = try #require(failed.first, "no email for the failed fetch: \(said)")
        #expect((failure["subject"] as? String)?.hasPrefix("❌ SalonOps: fetching ") == true, "\(failure)")
        #expect(failure["from"] as? String == "bonjour@belle-epoque.example", "sent from the Integration's sender: \(failure)")
        #expect((failure["tags"] as? [String]) == ["salonops-alert", "salonops-failure"], "\(failure)")
        try FileManager.default.moveItem(at: moved, to: setup.remote)
        let recovered = try await waitFor(2)
        #expect(recovered.count == 2, "one failure, one recovery: \(recovered)")
        #expect((recovered.last?["subject"] as? String)?.hasPrefix("✅ SalonOps: ") == true, "\(recovered)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 60) == 0)
        #expect(!daemon.stderr.contains("warning: --notify-email"), "\(daemon.stderr.suffix(2000))")
        for canary in ReconcileCommandTests.canaries { #expect(!daemon.stdout.contains(canary) && !daemon.stderr.contains(canary), "\(canary) in the output") }
    }

    /// Groupon calls the daemon: its merchants feed, from the applied commit, to a request the
    /// Python peer signed with the Groupon Integration's key; unsigned, replayed and booking-app
    /// requests get Groupon's envelope.
    @Test func grouponsSignedRequestGetsTheMerchantsFeed() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let key = "groupon-test-key/0f3a+91="
        let config = setup.work.appendingPathComponent("examples/salon-chain")
        let set = try await CommandRunner.run(
            "/bin/sh", ["-c", "printf %s \"$1\" | \"$2\" secrets set secrets/groupon.sops.yaml groupon.api_key", "sh", key, Paths.salonops], in: config,
            environment: Setup.environment)
        try #require(set.status == 0, "\(set.stderr)")
        try await CommandRunner.git(["commit", "-q", "-am", "groupon key"], in: setup.work)
        try await CommandRunner.git(["push", "-q", setup.remote.path, "main"], in: setup.work)
        let (daemon, base) = try await setup.daemon(["--interval", "1h", "--drift-interval", "2h"])
        defer { daemon.kill() }
        _ = try await Self.waitForStatus(base) { Self.lastRun($0)["outcome"] as? String == "ok" }

        let feed = "/groupon/v1/feed/services/merchants"
        let signed = try await GrouponPeer.sign([
            GrouponPeer.Request(url: base + feed, query: "ids=fr-88213", nonce: "nonce-1", key: key),
            GrouponPeer.Request(method: "POST", url: base + "/groupon/v1/bookings", query: "", body: "{}", nonce: "nonce-2", key: key),
        ])
        let (code, answer) = try await Self.request(.GET, base + feed + "?ids=fr-88213", headers: [("Authorization", signed[0])])
        #expect(code == 200, "\(answer)")
        let merchant = (answer["merchants"] as? [[String: Any]])?.first
        #expect(merchant?["id"] as? String == "fr-88213" && (merchant?["name"] as? String)?.contains("Paris 11") == true, "\(answer)")
        #expect(((merchant?["services"] as? [[String: Any]])?.count ?? 0) > 5, "\(merchant ?? [:])")
        let (replayed, replay) = try await Self.request(.GET, base + feed + "?ids=fr-88213", headers: [("Authorization", signed[0])])
        #expect(replayed == 401 && (replay["errors"] as? [[String: Any]])?.first?["code"] as? String == "INVALID_REQUEST_SIGNATURE", "\(replay)")
        let (unsigned, refusal) = try await Self.request(.GET, base + feed + "?ids=fr-88213")
        #expect(unsigned == 401 && (refusal["errors"] as? [[String: Any]])?.first?["code"] as? String == "INVALID_REQUEST_SIGNATURE", "\(refusal)")
        let (booking, elsewhere) = try await Self.request(.POST, base + "/groupon/v1/bookings", headers: [("Authorization", signed[1])], body: Array("{}".utf8))
        #expect(booking == 501 && (elsewhere["errors"] as? [[String: Any]])?.first?["code"] as? String == "NOT_IMPLEMENTED", "\(elsewhere)")
        #expect(!daemon.stderr.contains(key) && !daemon.stdout.contains(key))
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 60) == 0)
    }

    /// What the kernel says of a process: resident memory (kB) and open descriptors.
    static func footprint(_ pid: Int32) throws -> (rssKB: Int, descriptors: Int) {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let rss = try #require(Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]))
        return (rss, try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count)
    }

    /// 1,000 wake-ups at a millisecond's interval (each a fetch of the bare remote and a load):
    /// from the 100th to the 1,000th, resident memory grows less than 5 % and no descriptor is left open.
    @Test func athousandCyclesStayFlat() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let (daemon, base) = try await setup.daemon(["--interval", "1ms", "--jitter", "0", "--drift-interval", "1d", "--max-cycles", "1000"])
        defer { daemon.kill() }
        _ = try await Self.waitForStatus(base, seconds: 300) { ($0["cycles"] as? Int ?? 0) >= 100 }
        let warm = try Self.footprint(daemon.pid)
        _ = try await Self.waitForStatus(base, seconds: 600) { ($0["cycles"] as? Int ?? 0) >= 990 }
        let late = try Self.footprint(daemon.pid)
        print("1,000 cycles: RSS \(warm.rssKB) kB at cycle 100, \(late.rssKB) kB at cycle 990; descriptors \(warm.descriptors) → \(late.descriptors)")
        #expect(Double(late.rssKB) < Double(warm.rssKB) * 1.05, "RSS grew from \(warm.rssKB) kB to \(late.rssKB) kB")
        #expect(late.descriptors <= warm.descriptors, "descriptors grew from \(warm.descriptors) to \(late.descriptors)")
        #expect(try await daemon.exitStatus(within: 120) == 0, "\(daemon.stderr.suffix(2000))")
        let lastRun = try String(contentsOf: setup.state.appendingPathComponent("runs.jsonl"), encoding: .utf8).split(separator: "\n").count
        #expect(lastRun == 1, "only the first wake-up ran (the commit never moved): \(lastRun) runs")
    }

    /// A fetch that fails keeps the last good commit served and says so on `/readyz`; once the
    /// remote is back, the next push runs.
    /// Flags that cannot work are refused before anything is fetched or listened on.
    @Test func badFlagsAreRefusedWithHowToFixThem() async throws {
        let base = ["run", "--repo", "file:///nonexistent.git", "--state-dir", try Paths.temporaryDirectory("badflags").path, "--listen", "127.0.0.1:0"]
        for (flags, expected) in [
            (["--notify-email", "ops.example.com"], "--notify-email 'ops.example.com': not an email address; write it as name@example.com"),
            (["--notify-email-via", "brevo"], "--notify-email-via names the Integration for --notify-email: give --notify-email ADDRESS too"),
            (["--force"], "run never forces past the safety thresholds: review the plan and use `salonops apply --force` once"),
        ] {
            let result = try await CommandRunner.run(Paths.salonops, base + flags, environment: Setup.environment, timeout: 60)
            #expect(result.status == 1 && result.stderr.contains("error: \(expected)"), "\(flags): \(result.status) \(result.stderr)")
            #expect(!result.stderr.contains("listening on"))
        }
    }

    @Test func aFailedFetchKeepsServingTheLastGoodCommit() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let (daemon, base) = try await setup.daemon(["--interval", "1h", "--drift-interval", "2h"])
        defer { daemon.kill() }
        let first = try await Self.waitForStatus(base) { Self.lastRun($0)["outcome"] as? String == "ok" }
        let served = try #require(first["servingCommit"] as? String)
        let moved = setup.root.appendingPathComponent("moved.git")
        try FileManager.default.moveItem(at: setup.remote, to: moved)
        let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
        let headers = [("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + (try await Self.hmac(body, in: setup.root)))]
        #expect(try await Self.request(.POST, base + "/hooks/git", headers: headers, body: body).0 == 202)
        let failed = try await Self.waitForStatus(base) { ($0["lastFetch"] as? [String: Any])?["ok"] as? Bool == false }
        let (code, readiness) = try await Self.request(.GET, base + "/readyz")
        #expect(code == 503)
        let reason = readiness["reason"] as? String ?? ""
        #expect(reason.contains("fetch failed") && reason.contains("still serving \(served.prefix(12))"), "\(reason)")
        #expect(failed["servingCommit"] as? String == served)
        #expect(try await Self.request(.GET, base + "/healthz").0 == 200)
        try FileManager.default.moveItem(at: moved, to: setup.remote)
        #expect(try await Self.request(.POST, base + "/hooks/git", headers: headers, body: body).0 == 202)
        _ = try await Self.waitForStatus(base) { ($0["lastFetch"] as? [String: Any])?["ok"] as? Bool == true && $0["ready"] as? Bool == true }
        #expect(try await Self.request(.GET, base + "/readyz").0 == 200)
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 60) == 0)
    }

    /// SIGTERM while a run is in flight: the run finishes, writes its report and its record,
    /// then the process exits 0.
    @Test func sigtermMidRunFinishesTheRunThenExitsZero() async throws {
        let setup = try await Setup.make(faults: try FaultPlan(parsing: "latency=20ms..40ms"))
        defer { Task { await setup.cleanUp() } }
        let (daemon, base) = try await setup.daemon(["--interval", "1h", "--drift-interval", "2h"])
        defer { daemon.kill() }
        _ = try await Self.waitForStatus(base) { $0["running"] is [String: Any] }
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(within: 120) == 0, "\(daemon.stderr.suffix(3000))")
        #expect(daemon.stdout.contains("Apply: "), "the run in flight did not finish: \(daemon.stdout.suffix(2000))")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: setup.state.appendingPathComponent("report/status.json"))) as? [String: Any]
        #expect(report?["command"] as? String == "run", "\(report ?? [:])")
        let runs = try String(contentsOf: setup.state.appendingPathComponent("runs.jsonl"), encoding: .utf8)
        #expect(runs.contains(#""command":"run""#) && runs.contains(#""outcome":"ok""#), "\(runs)")
    }
}
