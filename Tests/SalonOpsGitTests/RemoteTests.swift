import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsGit

/// URL repositories: a bare clone in the cache, fetched on every read.
@Suite struct RemoteTests {
    @Test func aFileURLRemoteIsClonedOnceAndFetchedOnEveryRead() async throws {
        let remote = try await GitFixture.make("remote", bare: true)
        let work = try await GitFixture.make("work")
        try work.write("config.yaml", "v: 1\n")
        let first = try await work.commitAll("one")
        try await work.git("branch", "feature")
        try await work.git("push", "-q", remote.path, "main", "feature")
        let cache = try TempFolder("cache")

        let one = try await read(remote.fileURL, cache: cache)
        #expect(one.commit == first && one.refName == "refs/heads/main")
        #expect(one.repository == remote.fileURL)
        #expect(text(one, "config.yaml") == "v: 1\n")
        #expect(try cache.entries().count == 1)

        // The branch moves on the remote after our last fetch: the next read sees it.
        try work.write("config.yaml", "v: 2\n")
        let second = try await work.commitAll("two")
        try await work.git("tag", "-a", "v2", "-m", "two")
        try await work.git("push", "-q", remote.path, "main", "v2")
        let two = try await read(remote.fileURL, cache: cache)
        #expect(two.commit == second)
        #expect(text(two, "config.yaml") == "v: 2\n")
        #expect(try await read(remote.fileURL, ref: "v2", cache: cache).commit == second)
        #expect(try await read(remote.fileURL, ref: first, cache: cache).commit == first)
        #expect(try await read(remote.fileURL, ref: "feature", cache: cache).commit == first)

        // A force-push backwards is followed too, and a deleted branch goes.
        try await work.git("push", "-q", "--force", remote.path, "\(first):refs/heads/main", ":refs/heads/feature")
        let rewound = try await read(remote.fileURL, cache: cache)
        #expect(rewound.commit == first)
        #expect(
            await failure { _ = try await read(remote.fileURL, ref: "feature", cache: cache) }
                == .unknownRef(ref: "feature", suggestions: []))

        // Still the one clone, bare.
        #expect(try cache.entries().count == 1)
        let clone = cache.url.appendingPathComponent(try cache.entries()[0])
        #expect(clone.lastPathComponent.hasPrefix("salonops-remote-"))  // the URL's last component
        #expect(FileManager.default.fileExists(atPath: clone.appendingPathComponent("HEAD").path))
        #expect(!FileManager.default.fileExists(atPath: clone.appendingPathComponent("config.yaml").path))
    }

    @Test func theRemotesDefaultBranchIsReadWhenNoRefIsGiven() async throws {
        let remote = try await GitFixture.make("trunk-remote", bare: true, branch: "trunk")
        let work = try await GitFixture.make("trunk-work", branch: "trunk")
        try work.write("a.yaml", "x: trunk\n")
        let trunk = try await work.commitAll("trunk")
        try await work.git("checkout", "-q", "-b", "main")
        try work.write("a.yaml", "x: main\n")
        let main = try await work.commitAll("main")
        try await work.git("push", "-q", remote.path, "trunk", "main")
        let cache = try TempFolder("cache-trunk")

        let snapshot = try await read(remote.fileURL, cache: cache)
        #expect(snapshot.commit == trunk)
        #expect(snapshot.refName == "refs/heads/trunk")
        #expect(text(snapshot, "a.yaml") == "x: trunk\n")

        // The remote's default branch changes: the next read follows it.
        try await remote.git("symbolic-ref", "HEAD", "refs/heads/main")
        let moved = try await read(remote.fileURL, cache: cache)
        #expect(moved.commit == main && moved.refName == "refs/heads/main")

        // Suggestions come from the cache clone's refs.
        #expect(await failure { _ = try await read(remote.fileURL, ref: "trunc", cache: cache) } == .unknownRef(ref: "trunc", suggestions: ["trunk"]))
        #expect(
            await failure { _ = try await read(remote.fileURL, ref: "origin/trunk", cache: cache) }
                == .unknownRef(ref: "origin/trunk", suggestions: ["trunk"]))
    }

    @Test func concurrentReadsOfOneURLShareTheCache() async throws {
        let remote = try await GitFixture.make("shared-remote", bare: true)
        let work = try await GitFixture.make("shared-work")
        try work.write("a.yaml", "x: 1\n")
        let head = try await work.commitAll("one")
        try await work.git("push", "-q", remote.path, "main")
        let cache = try TempFolder("cache-shared")
        let url = remote.fileURL
        let commits = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 { group.addTask { try await read(url, cache: cache).commit } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(commits == Array(repeating: head, count: 5))
        #expect(try cache.entries().count == 1)
    }

    @Test func unreachableRemotesFailFastAndLeaveNoPartialClone() async throws {
        let cache = try TempFolder("cache-unreachable")
        let started = ContinuousClock.now
        // User-info never shows, not even ssh's user: for https a token can sit in that field.
        let shownAs = [
            "file:///nonexistent/salonops/path.git": "file:///nonexistent/salonops/path.git",
            "https://127.0.0.1:1/x.git": "https://127.0.0.1:1/x.git", "http://127.0.0.1:1/x.git": "http://127.0.0.1:1/x.git",
            "ssh://git@127.0.0.1:1/x.git": "ssh://127.0.0.1:1/x.git",
        ]
        for (url, expected) in shownAs.sorted(by: { $0.key < $1.key }) {
            let error = await failure { _ = try await read(url, cache: cache) }
            guard case .unreachableRemote(let shown, let reason)? = error else { Issue.record("\(url): \(String(describing: error))"); continue }
            #expect(shown == expected)
            #expect(!reason.isEmpty)
        }
        // Four refused connections take well under a second; the bound only catches a hang,
        // with room for a loaded machine (one once took 30.2 s against a bound of 30).
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(try cache.entries().isEmpty)
    }

    @Test func credentialsInAURLNeverReachAnError() async throws {
        let cache = try TempFolder("cache-token")
        let error = await failure { _ = try await read("https://deploy:s3cr3t-t0ken-CANARY@127.0.0.1:1/salon.git", cache: cache) }
        #expect(error.map { if case .unreachableRemote("https://127.0.0.1:1/salon.git", _) = $0 { true } else { false } } == true)
        #expect(error?.description.contains("CANARY") == false)
        #expect(error?.description.contains("deploy") == false)

        let tokenCredentials = GitCredentials(httpsToken: "tok-CANARY", httpsUsername: "bot")
        #expect(!tokenCredentials.description.contains("CANARY"))
        var dumped = ""
        dump(tokenCredentials, to: &dumped)
        #expect(!dumped.contains("CANARY"))
        #expect(!String(reflecting: tokenCredentials).contains("CANARY"))
    }
}

/// Token authentication over git's own smart-HTTP backend (plain HTTP on loopback: libgit2's
/// credential callback and http transport are the same code for https).
@Suite(.enabled(if: HTTPPeer.isAvailable, "needs python3 and git-http-backend"))
struct HTTPAuthenticationTests {
    @Test func aTokenReachesTheServerAndAWrongOrMissingOneIsRefusedQuickly() async throws {
        let served = try TempFolder("served")
        let work = try await GitFixture.make("http-work")
        try work.write("config.yaml", "served: true\n")
        let head = try await work.commitAll("served")
        try await CommandRunner.git(["clone", "-q", "--bare", work.path, served.url.appendingPathComponent("salon.git").path], in: served.url)
        let token = "tok-CANARY-\(UUID().uuidString)"
        let server = try await HTTPPeer.start(root: served.path, token: token)
        let url = "http://127.0.0.1:\(server.port)/salon.git"

        let cache = try TempFolder("cache-http")
        let snapshot = try await read(url, cache: cache, credentials: GitCredentials.fromEnvironment(["SALONOPS_GIT_TOKEN": token]))
        #expect(snapshot.commit == head)
        #expect(snapshot.files.map(\.path) == ["config.yaml"])
        // Fetching again, authenticated again.
        #expect(try await read(url, cache: cache, credentials: GitCredentials(httpsToken: token)).commit == head)

        let started = ContinuousClock.now
        let wrongCache = try TempFolder("cache-http-wrong")
        let wrong = await failure { _ = try await read(url, cache: wrongCache, credentials: GitCredentials(httpsToken: "wrong-CANARY-token")) }
        if case .unreachableRemote(_, let reason)? = wrong {
            #expect(reason.contains("refused the credentials"), "\(reason)")
        } else {
            Issue.record("wrong token: \(String(describing: wrong))")
        }
        #expect(wrong?.description.contains("CANARY") == false)

        let missing = await failure { _ = try await read(url, cache: wrongCache) }
        if case .unreachableRemote(_, let reason)? = missing {
            #expect(reason.contains("SALONOPS_GIT_TOKEN"), "\(reason)")
        } else {
            Issue.record("no token: \(String(describing: missing))")
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try wrongCache.entries().isEmpty)

        // A token in the URL itself works, and is not written into the cache's config.
        let urlCache = try TempFolder("cache-http-url")
        let inURL = try await read("http://x-access-token:\(token)@127.0.0.1:\(server.port)/salon.git", cache: urlCache)
        #expect(inURL.commit == head)
        let clone = urlCache.url.appendingPathComponent(try urlCache.entries()[0])
        let config = try String(contentsOf: clone.appendingPathComponent("config"), encoding: .utf8)
        #expect(!config.contains(token))
        #expect(config.contains("url = http://127.0.0.1:\(server.port)/salon.git"))
    }
}

/// git's own git-http-backend behind HTTP Basic auth, served by a small Python program that
/// prints `PORT <n>` once listening. Killed when the test lets go of it.
final class HTTPPeer: @unchecked Sendable {
    // @unchecked: immutable after start.
    let port: Int
    private let process: RunningProcess
    private let scriptFolder: TempFolder

    static let backend = "/usr/lib/git-core/git-http-backend"

    static var isAvailable: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let python = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
        return python && FileManager.default.isExecutableFile(atPath: backend)
    }

    /// Requests whose Basic-auth password is not TOKEN get 401, as a private git host answers.
    static let script = #"""
        import base64, http.server, os, subprocess, sys

        ROOT, TOKEN, BACKEND = sys.argv[1], sys.argv[2], sys.argv[3]

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def authorised(self):
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return False
                try:
                    _, _, password = base64.b64decode(header[6:]).decode().partition(":")
                except Exception:
                    return False
                return password == TOKEN

            def handle_any(self):
                if not self.authorised():
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="salonops-test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                env = {"GIT_PROJECT_ROOT": ROOT, "GIT_HTTP_EXPORT_ALL": "1", "REQUEST_METHOD": self.command,
                       "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                       "CONTENT_LENGTH": str(len(body)), "REMOTE_USER": "test", "PATH": os.environ.get("PATH", ""),
                       "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
                if self.headers.get("Content-Encoding"):
                    env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
                result = subprocess.run([BACKEND], input=body, env=env, capture_output=True, timeout=60)
                head, _, payload = result.stdout.partition(b"\r\n\r\n")
                status, headers = 200, []
                for line in head.decode("latin-1").split("\r\n"):
                    if not line:
                        continue
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    else:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = handle_any
            do_POST = handle_any

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(f"PORT {server.server_address[1]}", flush=True)
        server.serve_forever()
        """#

    private init(port: Int, process: RunningProcess, scriptFolder: TempFolder) {
        self.port = port
        self.process = process
        self.scriptFolder = scriptFolder
    }

    static func start(root: String, token: String, timeout: Double = 30) async throws -> HTTPPeer {
        let folder = try TempFolder("http-peer")
        let scriptFile = folder.url.appendingPathComponent("git_http_server.py")
        try Data(script.utf8).write(to: scriptFile)
        // The token goes as an argument: a throwaway value for this test only.
        let process = try RunningProcess("/usr/bin/env", ["python3", scriptFile.path, root, token, backend])
        var line = ""
        try await waitUntil("the HTTP peer's PORT line", within: timeout) {
            line = process.stdout
            return line.contains("\n") || process.hasExited
        }
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).prefix { $0.isNumber }) else {
            process.kill()
            throw TimedOut(what: "a PORT line (got '\(line)')")
        }
        return HTTPPeer(port: port, process: process, scriptFolder: folder)
    }
    // RunningProcess kills the server (SIGKILL) when this peer goes.
}
