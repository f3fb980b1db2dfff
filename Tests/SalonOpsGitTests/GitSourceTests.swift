import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsGit

/// Reading commits of local repositories.
@Suite struct CommitReadingTests {
    @Test func branchesTagsShasAncestorsAndTheDefaultHead() async throws {
        let repo = try await GitFixture.make("refs")
        try repo.write("config.yaml", "version: 1\n")
        let first = try await repo.commitAll("one")
        try await repo.git("tag", "v1")
        try repo.write("config.yaml", "version: 2\n")
        let second = try await repo.commitAll("two")
        try await repo.git("tag", "-a", "v2", "-m", "annotated")
        try await repo.git("checkout", "-q", "-b", "feature")
        try repo.write("config.yaml", "version: 3\n")
        let third = try await repo.commitAll("three")
        try await repo.git("checkout", "-q", "main")

        let head = try await read(repo.path)
        #expect(head.commit == second)
        #expect(head.refName == "refs/heads/main")
        #expect(head.root == "" && !head.fromWorktree && head.repository == repo.path)
        #expect(text(head, "config.yaml") == "version: 2\n")

        let feature = try await read(repo.path, ref: "feature")
        #expect(feature.commit == third && feature.refName == "refs/heads/feature")
        #expect(text(feature, "config.yaml") == "version: 3\n")
        let lightweight = try await read(repo.path, ref: "v1")
        #expect(lightweight.commit == first && lightweight.refName == "refs/tags/v1")
        let annotated = try await read(repo.path, ref: "v2")
        #expect(annotated.commit == second && annotated.refName == "refs/tags/v2")
        let fullSHA = try await read(repo.path, ref: first)
        #expect(fullSHA.commit == first && fullSHA.refName == nil)
        #expect(text(fullSHA, "config.yaml") == "version: 1\n")
        #expect(try await read(repo.path, ref: String(third.prefix(7))).commit == third)
        #expect(try await read(repo.path, ref: "feature~2").commit == first)
        let parent = try await read(repo.path, ref: "HEAD~1")
        #expect(parent.commit == first && parent.refName == nil)
        #expect(try await read(repo.path, ref: "refs/heads/feature").commit == third)

        // A detached HEAD names no branch.
        try await repo.git("checkout", "-q", "--detach", "v1")
        let detached = try await read(repo.path)
        #expect(detached.commit == first && detached.refName == nil)
    }

    @Test func nestedFoldersThePathOptionAndTheFilter() async throws {
        let repo = try await GitFixture.make("nested")
        try repo.write("top.yaml", "a: 1\n")
        try repo.write("salons/paris/hours.yml", "b: 2\n")
        try repo.write("salons/paris/deep/er/staff.yaml", "c: 3\n")
        try repo.write("salons/README.md", "not config\n")
        try repo.write("salons/logo.png", "png")
        try repo.write("salons/notes.yaml.bak", "backup\n")
        try await repo.commitAll("nested")

        let all = try await read(repo.path)
        #expect(all.files.map(\.path) == ["salons/paris/deep/er/staff.yaml", "salons/paris/hours.yml", "top.yaml"])
        #expect(all.files.map(\.path) == all.files.map(\.repositoryPath))

        for given in ["salons", "./salons/", "/salons", "salons//"] {
            let sub = try await read(repo.path, path: given)
            #expect(sub.root == "salons", "\(given)")
            #expect(sub.files.map(\.path) == ["paris/deep/er/staff.yaml", "paris/hours.yml"], "\(given)")
            #expect(sub.files.map(\.repositoryPath) == ["salons/paris/deep/er/staff.yaml", "salons/paris/hours.yml"], "\(given)")
        }
        let deep = try await read(repo.path, path: "salons/paris/deep")
        #expect(deep.files.map(\.path) == ["er/staff.yaml"])
        #expect(text(deep, "er/staff.yaml") == "c: 3\n")

        let markdown = try await read(repo.path, include: { $0.hasSuffix(".md") })
        #expect(markdown.files.map(\.path) == ["salons/README.md"])
        let everything = try await read(repo.path, path: "salons", include: { _ in true })
        #expect(everything.files.count == 5)
        #expect(everything.files.first { $0.path == "logo.png" }?.contents == Array("png".utf8))

        let commit = all.commit
        #expect(await failure { _ = try await read(repo.path, path: "missing") } == .pathNotFound(path: "missing", commit: commit))
        #expect(await failure { _ = try await read(repo.path, path: "top.yaml") } == .pathNotFound(path: "top.yaml", commit: commit))
        #expect(await failure { _ = try await read(repo.path, path: "salons/../..") } == .pathNotFound(path: "salons/../..", commit: commit))
    }

    @Test func aBareRepositoryAndADotGitFolderOpenDirectly() async throws {
        let repo = try await GitFixture.make("bare-source")
        try repo.write("a.yaml", "x: 1\n")
        let head = try await repo.commitAll("one")
        let folder = try TempFolder("bare")
        let bare = folder.url.appendingPathComponent("r.git")
        try await CommandRunner.git(["clone", "-q", "--bare", repo.path, bare.path], in: folder.url)

        let fromBare = try await read(bare.path)
        #expect(fromBare.commit == head && fromBare.refName == "refs/heads/main")
        #expect(text(fromBare, "a.yaml") == "x: 1\n")
        #expect(try await read(repo.url.appendingPathComponent(".git").path).commit == head)
    }

    /// Submodules are skipped; links are listed with their target (never followed), so the
    /// loader can say it does not read them, in a commit and in the work tree alike.
    @Test func submodulesAreSkippedAndSymlinksListedNotFollowed() async throws {
        let repo = try await GitFixture.make("special-entries")
        try repo.write("real.yaml", "real: true\n")
        let first = try await repo.commitAll("one")
        try FileManager.default.createSymbolicLink(atPath: repo.url.appendingPathComponent("link.yaml").path, withDestinationPath: "real.yaml")
        try FileManager.default.createSymbolicLink(atPath: repo.url.appendingPathComponent("passwd.yaml").path, withDestinationPath: "/etc/passwd")
        try await repo.git("add", "link.yaml", "passwd.yaml")
        // A gitlink (submodule) entry named like a config file: skipped for its kind, not its name.
        try await repo.git("update-index", "--add", "--cacheinfo", "160000,\(first),vendored.yaml")
        try await repo.git("commit", "-q", "-m", "special entries")
        #expect(try await repo.git("ls-tree", "HEAD").contains("160000 commit"))

        for worktree in [false, true] {
            let snapshot = try await read(repo.path, worktree: worktree)
            #expect(snapshot.files.map(\.path) == ["link.yaml", "passwd.yaml", "real.yaml"], "worktree: \(worktree)")
            #expect(snapshot.files[0].special == .symbolicLink(target: "real.yaml") && snapshot.files[0].contents.isEmpty)
            #expect(snapshot.files[1].special == .symbolicLink(target: "/etc/passwd") && snapshot.files[1].contents.isEmpty)
            #expect(snapshot.files[2].special == nil)
        }
    }

    /// A file over the bound is listed with its size, never inflated into memory.
    @Test func aFileOverTheSizeBoundIsListedNotRead() async throws {
        let repo = try await GitFixture.make("large-file")
        try repo.write("small.yaml", "a: 1\n")
        try repo.write("big.yaml", String(repeating: "# padding line\n", count: 4_000))
        _ = try await repo.commitAll("one")
        for worktree in [false, true] {
            try TestEnvironment.ready()
            var options = GitSourceOptions(repository: repo.path, worktree: worktree, cacheDirectory: TestEnvironment.noConfigFolder + "-cache")
            options.maxFileBytes = 10_000
            let snapshot = try await GitSource.read(options)
            #expect(snapshot.files.map(\.path) == ["big.yaml", "small.yaml"])
            #expect(snapshot.files[0].special == .tooLarge(bytes: 60_000) && snapshot.files[0].contents.isEmpty, "worktree: \(worktree)")
            #expect(snapshot.files[1].special == nil && snapshot.files[1].contents == Array("a: 1\n".utf8))
        }
    }

    @Test func uncommittedFilesNeverAppearWithoutWorktreeMode() async throws {
        let repo = try await GitFixture.make("uncommitted")
        try repo.write("a.yaml", "committed\n")
        let head = try await repo.commitAll("one")
        try repo.write("a.yaml", "modified\n")
        try repo.write("staged.yaml", "staged\n")
        try await repo.git("add", "staged.yaml")
        try repo.write("untracked.yaml", "untracked\n")

        let snapshot = try await read(repo.path)
        #expect(snapshot.commit == head)
        #expect(snapshot.files.map(\.path) == ["a.yaml"])
        #expect(text(snapshot, "a.yaml") == "committed\n")
    }

    @Test func aGeneratedTwoThousandFileRepositoryLoadsCompletely() async throws {
        let repo = try await GitFixture.make("many")
        func body(_ i: Int) -> String { "name: file-\(i)\nvalue: \(i * 7)\nnote: \(String(repeating: "x", count: i % 50))\n" }
        var stream = "commit refs/heads/main\ncommitter T <t@t> 1764000000 +0000\ndata 4\nmany\n"
        for i in 0..<2000 {
            let content = body(i)
            stream += "M 100644 inline d\(i % 20)/sub\(i % 3)/f\(i).yaml\ndata \(content.utf8.count)\n\(content)\n"
        }
        let input = try TempFolder("fast-import")
        let streamFile = input.url.appendingPathComponent("stream")
        try Data(stream.utf8).write(to: streamFile)
        try await CommandRunner.git(["fast-import", "--quiet"], in: repo.url, standardInput: streamFile)

        let snapshot = try await read(repo.path)
        #expect(snapshot.files.count == 2000)
        let byPath = Dictionary(uniqueKeysWithValues: snapshot.files.map { ($0.path, $0.contents) })
        let wrong = (0..<2000).filter { byPath["d\($0 % 20)/sub\($0 % 3)/f\($0).yaml"] != Array(body($0).utf8) }
        #expect(wrong.isEmpty, "wrong or missing contents for \(wrong.count) files, e.g. \(wrong.prefix(5))")
        #expect(snapshot.files.map(\.path) == snapshot.files.map(\.path).sorted())
    }

    @Test func blockingWorkRunsOnADedicatedThread() async throws {
        let repo = try await GitFixture.make("thread")
        try repo.write("a.yaml", "x: 1\n")
        try await repo.commitAll("one")
        let marks = Locked<[Bool]>([])
        _ = try await read(
            repo.path,
            include: { _ in
                marks.update { $0.append(Thread.current.threadDictionary[LibGit2.dedicatedThreadKey] as? Bool == true && !Thread.isMainThread) }
                return true
            })
        #expect(marks.current == [true])
    }

    @Test func concurrentReadsOfOneRepositoryAgree() async throws {
        let repo = try await GitFixture.make("concurrent")
        for i in 0..<30 { try repo.write("f\(i).yaml", "i: \(i)\n") }
        let head = try await repo.commitAll("many")
        let path = repo.path
        let results = try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let snapshot = try await read(path); return (snapshot.commit, snapshot.files.count)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == (head, 30) })
    }

    @Test func libgit2InTheseTestsSeesNoUserIdentity() throws {
        try TestEnvironment.ready()
        #expect(try LibGit2.defaultConfigValue("user.name") == nil)
        #expect(try LibGit2.defaultConfigValue("user.email") == nil)
    }
}

/// Errors: each is the right case, on one line, and says what to do.
@Suite struct ErrorTests {
    @Test func anUnknownRefSuggestsCloseNames() async throws {
        let repo = try await GitFixture.make("unknown-ref")
        try repo.write("a.yaml", "x: 1\n")
        try await repo.commitAll("one")
        try await repo.git("branch", "release-2026")
        try await repo.git("tag", "v1.0")

        let typo = await failure { _ = try await read(repo.path, ref: "mian") }
        #expect(typo == .unknownRef(ref: "mian", suggestions: ["main"]))
        #expect(typo?.description == "unknown ref 'mian': did you mean 'main'? (list refs with `git show-ref`)")

        let swapped = await failure { _ = try await read(repo.path, ref: "release-2062") }
        guard case .unknownRef(_, let suggestions)? = swapped else { Issue.record("\(String(describing: swapped))"); return }
        #expect(suggestions.first == "release-2026")
        #expect(await failure { _ = try await read(repo.path, ref: "v1.1") } == .unknownRef(ref: "v1.1", suggestions: ["v1.0"]))
        #expect(await failure { _ = try await read(repo.path, ref: "origin/main") } == .unknownRef(ref: "origin/main", suggestions: ["main"]))
        // The name exists; the history is too short: nothing to suggest.
        let pastTheRoot = await failure { _ = try await read(repo.path, ref: "HEAD~5") }
        #expect(pastTheRoot == .unknownRef(ref: "HEAD~5", suggestions: []))
        #expect(pastTheRoot?.description.contains("history") == true)
        // An empty --ref means the default.
        #expect(try await read(repo.path, ref: "").refName == "refs/heads/main")
        #expect(await failure { _ = try await read(repo.path, ref: "zzzzzzzz-nothing-like-it") } == .unknownRef(ref: "zzzzzzzz-nothing-like-it", suggestions: []))
    }

    @Test func aRefThatNamesATreeOrABlobSaysSo() async throws {
        let repo = try await GitFixture.make("not-a-commit")
        try repo.write("config/a.yaml", "x: 1\n")
        try await repo.commitAll("one")
        let tree = try await repo.git("rev-parse", "HEAD:config")
        try await repo.git("tag", "tree-tag", tree)
        try await repo.git("tag", "-a", "-m", "annotated", "blob-tag", "HEAD:config/a.yaml")
        for (ref, kind) in [("HEAD:config", "tree"), ("main^{tree}", "tree"), (tree, "tree"), ("tree-tag", "tree"), ("main:config/a.yaml", "blob"), ("blob-tag", "blob")] {
            let error = await failure { _ = try await read(repo.path, ref: ref) }
            #expect(error == .notACommit(ref: ref, kind: kind))
            #expect(error?.description.hasPrefix("'\(ref)' is a \(kind), not a commit; pass a branch, tag or commit") == true, "\(String(describing: error))")
            #expect(error?.description.contains("peeled") == false)
        }
    }

    @Test func anEmptyRepositoryHasNoCommitToRead() async throws {
        let repo = try await GitFixture.make("empty")
        let error = await failure { _ = try await read(repo.path) }
        #expect(error == .unknownRef(ref: "HEAD", suggestions: []))
        #expect(error?.description.contains("empty repository") == true)
    }

    @Test func notARepository() async throws {
        let folder = try TempFolder("plain")
        let absent = folder.url.appendingPathComponent("absent").path
        #expect(await failure { _ = try await read(folder.path) } == .notARepository(path: folder.path))
        #expect(await failure { _ = try await read(absent) } == .notARepository(path: absent))
        // A sub-folder of a work tree is not accepted: --repo names the repository's root.
        let repo = try await GitFixture.make("subfolder")
        try repo.write("sub/a.yaml", "x: 1\n")
        try await repo.commitAll("one")
        let sub = repo.url.appendingPathComponent("sub").path
        #expect(await failure { _ = try await read(sub) } == .notARepository(path: sub))
    }

    enum Damage: String, CaseIterable, Sendable {
        case garbage, truncated, empty, hashMismatch

        func apply(to file: URL, otherObject: URL) throws {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
            let original = try Data(contentsOf: file)
            switch self {
            case .garbage: try Data("this is not a zlib stream".utf8).write(to: file)
            // libgit2 1.5.1 alone loops forever on this one.
            case .truncated: try original.prefix(original.count / 2).write(to: file)
            case .empty: try Data().write(to: file)
            // A valid object, but not the one its name promises.
            case .hashMismatch: try Data(contentsOf: otherObject).write(to: file)
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func aDamagedLooseBlobIsReportedNotAHangOrACrash(_ damage: Damage) async throws {
        let repo = try await GitFixture.make("corrupt-\(damage.rawValue)")
        try repo.write("a.yaml", "x: 1\n")
        try repo.write("b.yaml", String(repeating: "line: with some content to compress\n", count: 200))
        try await repo.commitAll("one")
        let blob = try await repo.git("rev-parse", "HEAD:b.yaml")
        let other = try await repo.git("rev-parse", "HEAD:a.yaml")
        try damage.apply(to: repo.looseObject(blob), otherObject: repo.looseObject(other))

        let started = ContinuousClock.now
        let error = await failure { _ = try await read(repo.path) }
        #expect(ContinuousClock.now - started < .seconds(30))
        guard case .corruptObject(let id, let reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(id == blob, "\(reason)")
        #expect(error?.description.contains("git fsck") == true)
        // A filter that skips the damaged file reads fine.
        #expect(try await read(repo.path, include: { $0 == "a.yaml" }).files.count == 1)
    }

    @Test func aDamagedCommitOrTreeNamesItsObject() async throws {
        let repo = try await GitFixture.make("corrupt-commit")
        try repo.write("sub/a.yaml", "x: 1\n")
        let commit = try await repo.commitAll("one")
        let tree = try await repo.git("rev-parse", "HEAD:sub")
        let treeFile = repo.looseObject(tree)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: treeFile.path)
        try Data(contentsOf: treeFile).prefix(10).write(to: treeFile)
        let treeError = await failure { _ = try await read(repo.path) }
        #expect(treeError.map { if case .corruptObject(tree, _) = $0 { true } else { false } } == true, "\(String(describing: treeError))")

        let commitFile = repo.looseObject(commit)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: commitFile.path)
        try Data(contentsOf: commitFile).prefix(12).write(to: commitFile)
        for ref in ["HEAD", "main", commit, String(commit.prefix(8))] {
            let error = await failure { _ = try await read(repo.path, ref: ref) }
            #expect(error.map { if case .corruptObject(commit, _) = $0 { true } else { false } } == true, "\(ref): \(String(describing: error))")
        }
    }
}

/// `--worktree`: files on disk, uncommitted changes included, ignored files not.
@Suite struct WorktreeTests {
    @Test func theWorktreeShowsUncommittedAndUntrackedFilesButNotIgnoredOnes() async throws {
        let repo = try await GitFixture.make("worktree")
        try repo.write(".gitignore", "local.yaml\nbuild/\n*.secret.yaml\n")
        try repo.write("config/a.yaml", "committed\n")
        try repo.write("config/forced.secret.yaml", "tracked despite the rule\n")
        try await repo.git("add", "-f", "config/forced.secret.yaml")
        let head = try await repo.commitAll("one")
        try repo.write("config/a.yaml", "modified\n")
        try repo.write("config/new.yaml", "untracked\n")
        try repo.write("config/local.yaml", "ignored\n")
        try repo.write("config/other.secret.yaml", "ignored by pattern\n")
        try repo.write("config/build/x.yaml", "ignored folder\n")
        let nested = repo.url.appendingPathComponent("config/nested")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try await CommandRunner.git(["init", "-q"], in: nested)
        try repo.write("config/nested/inner.yaml", "another repository\n")

        let committed = try await read(repo.path, path: "config")
        #expect(!committed.fromWorktree)
        #expect(committed.files.map(\.path) == ["a.yaml", "forced.secret.yaml"])
        #expect(text(committed, "a.yaml") == "committed\n")

        let worktree = try await read(repo.path, path: "config", worktree: true)
        #expect(worktree.fromWorktree)
        #expect(worktree.commit == head)
        #expect(worktree.refName == "refs/heads/main")
        #expect(worktree.root == "config")
        #expect(worktree.files.map(\.path) == ["a.yaml", "forced.secret.yaml", "new.yaml"])
        #expect(worktree.files.map(\.repositoryPath) == ["config/a.yaml", "config/forced.secret.yaml", "config/new.yaml"])
        #expect(text(worktree, "a.yaml") == "modified\n")
        #expect(text(worktree, "new.yaml") == "untracked\n")

        let whole = try await read(repo.path, worktree: true)
        #expect(whole.files.map(\.path) == ["config/a.yaml", "config/forced.secret.yaml", "config/new.yaml"])
    }

    @Test func theWorktreeOfAnUnbornBranch() async throws {
        let repo = try await GitFixture.make("worktree-unborn")
        try repo.write("first.yaml", "not committed yet\n")
        let snapshot = try await read(repo.path, worktree: true)
        #expect(snapshot.commit == String(repeating: "0", count: 40))
        #expect(snapshot.refName == "refs/heads/main")
        #expect(snapshot.files.map(\.path) == ["first.yaml"])
    }

    @Test func theWorktreeIsRefusedWhereThereIsNone() async throws {
        let repo = try await GitFixture.make("worktree-refusals")
        try repo.write("a.yaml", "x: 1\n")
        try await repo.commitAll("one")
        let folder = try TempFolder("worktree-bare")
        let bare = folder.url.appendingPathComponent("r.git").path
        try await CommandRunner.git(["clone", "-q", "--bare", repo.path, bare], in: folder.url)
        let cache = try TempFolder("worktree-cache")

        func isUnavailable(_ error: GitSourceError?) -> Bool { if case .worktreeUnavailable? = error { true } else { false } }
        #expect(isUnavailable(await failure { _ = try await read(bare, worktree: true) }))
        #expect(isUnavailable(await failure { _ = try await read(repo.fileURL, worktree: true, cache: cache) }))
        #expect(isUnavailable(await failure { _ = try await read(repo.path, ref: "main", worktree: true) }))
        #expect(try cache.entries().isEmpty)
        #expect(
            await failure { _ = try await read(repo.path, path: "absent", worktree: true) }.map {
                if case .pathNotFound("absent", _) = $0 { true } else { false }
            } == true)
        #expect(
            await failure { _ = try await read(repo.path, path: "../", worktree: true) }.map {
                if case .pathNotFound = $0 { true } else { false }
            } == true)
    }
}
