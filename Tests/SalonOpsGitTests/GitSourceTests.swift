import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsGit

/// The git source against repositories built by the real git CLI (an independent peer).
@Suite struct GitSourceTests {
    func read(_ repository: String, ref: String? = nil, path: String? = nil, worktree: Bool = false, cache: URL? = nil) async throws -> ConfigSnapshot {
        let cacheDirectory = cache?.path ?? FileManager.default.temporaryDirectory.appendingPathComponent("salonops-unused-cache").path
        return try await GitSource.read(GitSourceOptions(repository: repository, ref: ref, path: path, worktree: worktree, cacheDirectory: cacheDirectory))
    }

    func text(_ snapshot: ConfigSnapshot, _ path: String) -> String? {
        snapshot.files.first { $0.path == path }.map { String(decoding: $0.contents, as: UTF8.self) }
    }

    func expectError(_ expected: (GitSourceError) -> Bool, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("no error", sourceLocation: sourceLocation)
        } catch let error as GitSourceError {
            #expect(expected(error), "\(error)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func readsBranchesTagsShasAndAncestors() async throws {
        let repo = try GitFixture("refs")
        try repo.write("config.yaml", "version: 1\n")
        let first = try repo.commitAll("one")
        try repo.git("tag", "v1")
        try repo.write("config.yaml", "version: 2\n")
        let second = try repo.commitAll("two")
        try repo.git("tag", "-a", "v2", "-m", "annotated")
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.write("config.yaml", "version: 3\n")
        let third = try repo.commitAll("three")
        try repo.git("checkout", "-q", "main")

        let head = try await read(repo.path)
        #expect(head.commit == second)
        #expect(head.refName == "refs/heads/main")
        #expect(text(head, "config.yaml") == "version: 2\n")

        let feature = try await read(repo.path, ref: "feature")
        #expect(feature.commit == third && feature.refName == "refs/heads/feature")
        #expect(try await read(repo.path, ref: "v1").commit == first)
        let annotated = try await read(repo.path, ref: "v2")
        #expect(annotated.commit == second && annotated.refName == "refs/tags/v2")
        let full = try await read(repo.path, ref: first)
        #expect(full.commit == first && full.refName == nil)
        #expect(text(full, "config.yaml") == "version: 1\n")
        #expect(try await read(repo.path, ref: String(third.prefix(8))).commit == third)
        #expect(try await read(repo.path, ref: "feature~2").commit == first)
        #expect(try await read(repo.path, ref: "HEAD~1").commit == first)
    }

    @Test func nestedFoldersThePathOptionAndTheFilter() async throws {
        let repo = try GitFixture("nested")
        try repo.write("top.yaml", "a: 1\n")
        try repo.write("salons/paris/hours.yml", "b: 2\n")
        try repo.write("salons/paris/deep/er/staff.yaml", "c: 3\n")
        try repo.write("salons/README.md", "not config\n")
        try repo.write("salons/logo.png", "png")
        try repo.commitAll("nested")

        let all = try await read(repo.path)
        #expect(all.files.map(\.path) == ["salons/paris/deep/er/staff.yaml", "salons/paris/hours.yml", "top.yaml"])
        let sub = try await read(repo.path, path: "./salons/")
        #expect(sub.root == "salons")
        #expect(sub.files.map(\.path) == ["paris/deep/er/staff.yaml", "paris/hours.yml"])
        #expect(sub.files.map(\.repositoryPath) == ["salons/paris/deep/er/staff.yaml", "salons/paris/hours.yml"])
        #expect(text(sub, "paris/deep/er/staff.yaml") == "c: 3\n")

        await expectError({ if case .pathNotFound(let path, _) = $0 { path == "missing" } else { false } }) {
            _ = try await read(repo.path, path: "missing")
        }
    }

    @Test func opensABareRepositoryAndTheDotGitFolder() async throws {
        let repo = try GitFixture("source")
        try repo.write("a.yaml", "x: 1\n")
        let head = try repo.commitAll("one")
        let bare = try Paths.temporaryDirectory("bare")
        defer { try? FileManager.default.removeItem(at: bare) }
        try CommandRunner.git(["clone", "-q", "--bare", repo.path, bare.appendingPathComponent("r.git").path], in: bare)
        #expect(try await read(bare.appendingPathComponent("r.git").path).commit == head)
        #expect(try await read(repo.url.appendingPathComponent(".git").path).commit == head)
    }

    @Test func aRemoteOverFileURLIsClonedOnceAndFetchedEachTime() async throws {
        let remote = try GitFixture("remote", bare: true)
        let work = try GitFixture("work")
        try work.write("config.yaml", "v: 1\n")
        let first = try work.commitAll("one")
        try work.git("push", "-q", remote.path, "main")
        let cache = try Paths.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: cache) }
        let url = "file://\(remote.path)"

        let one = try await read(url, cache: cache)
        #expect(one.commit == first && one.refName == "refs/heads/main")

        // The ref moves after the last fetch: the next read sees it.
        try work.write("config.yaml", "v: 2\n")
        let second = try work.commitAll("two")
        try work.git("push", "-q", remote.path, "main")
        try work.git("tag", "v2")
        try work.git("push", "-q", remote.path, "v2")
        let two = try await read(url, cache: cache)
        #expect(two.commit == second)
        #expect(text(two, "config.yaml") == "v: 2\n")
        #expect(try await read(url, ref: "v2", cache: cache).commit == second)
        #expect(try await read(url, ref: first, cache: cache).commit == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).count == 1)
    }

    @Test func theRemotesDefaultBranchIsUsedWhenNoRefIsGiven() async throws {
        let remote = try GitFixture("trunk-remote", bare: true, initialBranch: "trunk")
        let work = try GitFixture("trunk-work", initialBranch: "trunk")
        try work.write("a.yaml", "x: 1\n")
        let trunk = try work.commitAll("trunk")
        try work.git("checkout", "-q", "-b", "main")
        try work.write("a.yaml", "x: 2\n")
        try work.commitAll("main")
        try work.git("push", "-q", remote.path, "trunk", "main")
        let cache = try Paths.temporaryDirectory("cache-trunk")
        defer { try? FileManager.default.removeItem(at: cache) }
        let snapshot = try await read("file://\(remote.path)", cache: cache)
        #expect(snapshot.commit == trunk)
        #expect(snapshot.refName == "refs/heads/trunk")
    }

    @Test func anUnknownRefSuggestsCloseNames() async throws {
        let repo = try GitFixture("unknown-ref")
        try repo.write("a.yaml", "x: 1\n")
        try repo.commitAll("one")
        try repo.git("branch", "release-2026")
        await expectError({ if case .unknownRef("mian", _, let s) = $0 { s.first == "main" } else { false } }) {
            _ = try await read(repo.path, ref: "mian")
        }
        await expectError({ if case .unknownRef(_, _, let s) = $0 { s.contains("release-2026") } else { false } }) {
            _ = try await read(repo.path, ref: "release-2062")
        }
    }

    @Test func notARepository() async throws {
        let folder = try Paths.temporaryDirectory("plain")
        defer { try? FileManager.default.removeItem(at: folder) }
        await expectError({ if case .notARepository = $0 { true } else { false } }) { _ = try await read(folder.path) }
        await expectError({ if case .notARepository = $0 { true } else { false } }) { _ = try await read(folder.appendingPathComponent("absent").path) }
    }

    @Test func unreachableRemotesFailFastAndLeaveNoPartialCache() async throws {
        let cache = try Paths.temporaryDirectory("cache-unreachable")
        defer { try? FileManager.default.removeItem(at: cache) }
        let started = ContinuousClock.now
        for url in ["file:///nonexistent/salonops/x.git", "https://127.0.0.1:1/x.git"] {
            await expectError({ if case .unreachableRemote = $0 { true } else { false } }) { _ = try await read(url, cache: cache) }
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).isEmpty)
    }

    @Test func credentialsInAURLNeverReachAnError() async throws {
        let cache = try Paths.temporaryDirectory("cache-token")
        defer { try? FileManager.default.removeItem(at: cache) }
        do {
            _ = try await read("https://deploy:s3cr3t-t0ken-CANARY@127.0.0.1:1/salon.git", cache: cache)
            Issue.record("no error")
        } catch {
            #expect(!"\(error)".contains("s3cr3t-t0ken-CANARY"), "\(error)")
        }
        #expect(!GitCredentials(httpsToken: "s3cr3t-t0ken-CANARY").description.contains("CANARY"))
    }

    @Test func aCorruptObjectIsReportedNotACrash() async throws {
        let repo = try GitFixture("corrupt")
        try repo.write("a.yaml", "x: 1\n")
        try repo.write("b.yaml", "y: 2\n")
        try repo.commitAll("one")
        let blob = try repo.git("rev-parse", "HEAD:b.yaml")
        let object = repo.url.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: object.path)
        try Data("this is not a zlib stream".utf8).write(to: object)
        await expectError({ if case .corruptObject(let id, _) = $0 { id == blob } else { false } }) {
            _ = try await read(repo.path)
        }
    }

    @Test func theWorktreeIsReadOnlyWhenAsked() async throws {
        let repo = try GitFixture("worktree")
        try repo.write(".gitignore", "local.yaml\nbuild/\n")
        try repo.write("config/a.yaml", "committed\n")
        let head = try repo.commitAll("one")
        try repo.write("config/a.yaml", "modified\n")
        try repo.write("config/new.yaml", "untracked\n")
        try repo.write("config/local.yaml", "ignored\n")
        try repo.write("config/build/x.yaml", "ignored folder\n")

        let committed = try await read(repo.path, path: "config")
        #expect(committed.files.map(\.path) == ["a.yaml"])
        #expect(text(committed, "a.yaml") == "committed\n")
        #expect(!committed.fromWorktree)

        let worktree = try await read(repo.path, path: "config", worktree: true)
        #expect(worktree.fromWorktree)
        #expect(worktree.commit == head)
        #expect(worktree.refName == "refs/heads/main")
        #expect(worktree.files.map(\.path) == ["a.yaml", "new.yaml"])
        #expect(worktree.files.map(\.repositoryPath) == ["config/a.yaml", "config/new.yaml"])
        #expect(text(worktree, "a.yaml") == "modified\n")

        await expectError({ if case .worktreeUnavailable = $0 { true } else { false } }) {
            _ = try await read(repo.path, ref: "main", worktree: true)
        }
    }

    @Test func twoThousandFilesLoadWithTheirContents() async throws {
        let repo = try GitFixture("many")
        var stream = "commit refs/heads/main\ncommitter T <t@t> 1764000000 +0000\ndata 4\nmany\n"
        for i in 0..<2000 {
            let body = "name: file-\(i)\nvalue: \(i * 7)\n"
            stream += "M 100644 inline d\(i % 20)/f\(i).yaml\ndata \(body.utf8.count)\n\(body)\n"
        }
        let input = repo.url.appendingPathComponent("stream")
        try stream.write(to: input, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run("/bin/sh", ["-c", "git fast-import --quiet < stream && rm stream"], in: repo.url)
        #expect(result.status == 0, "\(result.stderr)")
        let snapshot = try await read(repo.path, ref: "main")
        #expect(snapshot.files.count == 2000)
        for i in stride(from: 0, to: 2000, by: 97) {
            #expect(text(snapshot, "d\(i % 20)/f\(i).yaml") == "name: file-\(i)\nvalue: \(i * 7)\n")
        }
    }

    @Test func anEmptyRepositoryHasNoHead() async throws {
        let repo = try GitFixture("empty")
        await expectError({ if case .unknownRef("HEAD", _, _) = $0 { true } else { false } }) { _ = try await read(repo.path) }
    }

    @Test func urlsAreRecognisedAndCacheFoldersAreStable() {
        #expect(RemoteLocation.isURL("https://git.example/salon.git"))
        #expect(RemoteLocation.isURL("git@github.example:salon/config.git"))
        #expect(RemoteLocation.isURL("file:///srv/git/salon.git"))
        #expect(!RemoteLocation.isURL("/srv/git/salon"))
        #expect(!RemoteLocation.isURL("./config"))
        #expect(RemoteLocation.redacted("https://u:p@host/x.git") == "https://host/x.git")
        let name = RemoteLocation.cacheFolderName("https://u:p@host/salon-config.git")
        #expect(name == RemoteLocation.cacheFolderName("https://host/salon-config.git"))
        #expect(name.hasPrefix("salon-config-"))
    }
}
