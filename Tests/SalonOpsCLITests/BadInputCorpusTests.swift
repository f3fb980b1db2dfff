import AsyncHTTPClient
import Foundation
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// The bad-input corpus (docs/reliability.md): every case of `CorpusCase.all` through the real
/// binary. `validate` (text and JSON) exits 1 naming the code and file:line:col with a hint;
/// `plan` against one sandbox exits 1 and, over the whole corpus, writes nothing.
@Suite struct BadInputCorpusTests {
    /// Cases run at once: enough to keep 2 cores busy, few enough not to starve the other suites.
    static let concurrency = 4
    /// Per command; a hang fails its case instead of the run.
    static let commandTimeout = 30.0

    @Test func theTableIsWellFormed() {
        let names = CorpusCase.all.map(\.name)
        #expect(names.count >= 150, "the corpus has \(names.count) cases")
        #expect(Set(names).count == names.count, "duplicate names: \(Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
        for name in names { #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(name): a case name is a branch name") }
        for category in CorpusCase.Category.allCases {
            #expect(CorpusCase.all.contains { $0.category == category }, "no case for \(category.rawValue)")
        }
    }

    /// The tests' runner (posix_spawn, CommandRunner): exit codes, signals, output, the working
    /// directory, and a hung program killed at its bound.
    @Test func theRunnerReportsExitsAndBoundsAHang() async throws {
        let folder = try TempFolder("runner")
        let here = try await CommandRunner.run("/bin/sh", ["-c", "pwd -P"], in: folder.url, timeout: 10)
        #expect(here.stdout == folder.url.resolvingSymlinksInPath().path + "\n", "\(here.stdout)\(here.stderr)")
        let exited = try await CommandRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], environment: [:], timeout: 10)
        #expect(exited.status == 3 && exited.stdout == "out\n" && exited.stderr == "err\n")
        #expect(try await CommandRunner.run("/bin/sh", ["-c", "kill -9 $$"], environment: [:], timeout: 10).status == 128 + 9)
        let started = ContinuousClock.now
        // Standard input is empty, so nothing waits for a person to type.
        #expect(try await CommandRunner.run("/bin/sh", ["-c", "read line"], environment: [:], timeout: 10).status == 1)
        await #expect(throws: TimedOut.self) { try await CommandRunner.run("/bin/sleep", ["60"], environment: [:], timeout: 0.5) }
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func everyCaseFailsWithItsCodeAndLocationAndPlanWritesNothing() async throws {
        let started = ContinuousClock.now
        let cases = CorpusCase.all
        let repository = try await CorpusRepository.build(cases)
        let sandbox = try await SandboxServer.start(
            SandboxConfiguration(emulatorOptions: ReconcileCommandTests.Setup.demoEmulatorOptions))
        let state = try TempFolder("corpus-state")
        let built = ContinuousClock.now - started

        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = cases.makeIterator()
            func next() {
                guard let testCase = pending.next() else { return }
                group.addTask { try await Self.run(testCase, repository: repository, sandbox: sandbox.baseURL, state: state.url) }
            }
            for _ in 0..<Self.concurrency { next() }
            while try await group.next() != nil { next() }
        }

        let stats = try await Self.stats(sandbox.baseURL)
        #expect(stats["writes"] as? Int == 0, "plan wrote to the sandbox: \(stats)")
        await sandbox.stop()
        let counts = CorpusCase.Category.allCases.map { category in "\(category.rawValue) \(cases.filter { $0.category == category }.count)" }
        print("bad-input corpus: \(cases.count) cases (\(counts.joined(separator: ", "))), repository built in \(built), all run in \(ContinuousClock.now - started)")
    }

    static var environment: [String: String] {
        [
            "SOPS_AGE_KEY_FILE": Paths.packageRoot.appendingPathComponent("examples/demo-keys/ci-demo.txt").path, "SOPS_AGE_KEY": "",
            "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "NO_COLOR": "1",
        ]
    }

    static func run(_ testCase: CorpusCase, repository: CorpusRepository, sandbox: String, state: URL) async throws {
        let where_ = testCase.testDescription
        let source = [
            "--repo", repository.path, "--ref", testCase.ref ?? CorpusRepository.branch(testCase), "--path", testCase.path ?? CorpusRepository.root,
            "--state-dir", state.appendingPathComponent(testCase.name).path,
        ]
        func salonops(_ arguments: [String]) async throws -> CommandResult {
            try await CommandRunner.run(Paths.salonops, arguments + source, environment: environment, timeout: commandTimeout)
        }
        let text = try await salonops(["validate"])
        let json = try await salonops(["validate", "--format", "json"])
        let plan = try await salonops(["plan", "--sandbox", sandbox])
        for (command, result) in [("validate", text), ("validate --format json", json), ("plan", plan)] {
            #expect(result.status == 1, "\(where_): \(command) exited \(result.status)\n\(result.stdout.suffix(1500))\(result.stderr.suffix(1500))")
        }

        switch testCase.expect {
        case .fetchError(let says):
            for (command, result) in [("validate", text), ("validate --format json", json), ("plan", plan)] {
                let line = result.stderr.split(separator: "\n").first { $0.hasPrefix("error: fetch: ") }.map(String.init) ?? ""
                #expect(!line.isEmpty, "\(where_): \(command) printed no 'error: fetch:' line: \(result.stderr.suffix(800))")
                for phrase in says { #expect(line.contains(phrase), "\(where_): \(command) said \(line)") }
                #expect(!line.contains("peeled"), "\(where_): \(line)")
            }
        case let .diagnostic(code, at, says, never):
            let location = "\(CorpusRepository.root)/\(at)"
            let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let errors = lines.filter { $0.contains(": error: ") }
            guard let index = lines.firstIndex(where: { $0.hasPrefix("\(location): error: ") && $0.hasSuffix("[\(code)]") }) else {
                let file = "\(CorpusRepository.root)/\(at.split(separator: ":")[0]):"
                let inFile = errors.filter { $0.hasPrefix(file) }
                Issue.record("\(where_): no \(location) [\(code)] error; got:\n\((inFile.isEmpty ? errors : inFile).prefix(6).joined(separator: "\n"))\n\(text.stderr.suffix(600))")
                return
            }
            let hint = lines.indices.contains(index + 1) && lines[index + 1].hasPrefix("    hint: ") ? lines[index + 1] : ""
            #expect(!hint.isEmpty, "\(where_): no hint for \(lines[index])")
            for phrase in says { #expect((lines[index] + hint).contains(phrase), "\(where_): '\(phrase)' not in\n\(lines[index])\n\(hint)") }
            for phrase in never { #expect(!text.stdout.contains(phrase), "\(where_): '\(phrase)' in\n\(errors.joined(separator: "\n"))") }

            let object = (try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) as? [String: Any]
            let diagnostics = object?["diagnostics"] as? [[String: Any]] ?? []
            let parts = at.split(separator: ":")
            let found = diagnostics.first {
                $0["code"] as? String == code && $0["file"] as? String == "\(CorpusRepository.root)/\(parts[0])"
                    && $0["line"] as? Int == Int(parts[1]) && $0["column"] as? Int == Int(parts[2]) && $0["severity"] as? String == "error"
            }
            #expect(object?["valid"] as? Bool == false, "\(where_): JSON verdict \(String(describing: object?["valid"]))")
            #expect(found?["hint"] as? String != nil, "\(where_): JSON has no \(location) [\(code)] error with a hint: \(json.stdout.prefix(600))")

            #expect((plan.stdout + plan.stderr).contains(location), "\(where_): plan does not name \(location):\n\(plan.stdout.suffix(800))\(plan.stderr.suffix(800))")
        }
    }

    static func stats(_ baseURL: String) async throws -> [String: Any] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let response = try await client.execute(HTTPClientRequest(url: baseURL + "/_sandbox/stats"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 24)
        return (try JSONSerialization.jsonObject(with: Data(body.getBytes(at: 0, length: body.readableBytes) ?? []))) as? [String: Any] ?? [:]
    }
}
