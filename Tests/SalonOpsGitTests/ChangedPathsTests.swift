import Foundation
import SalonOpsTestSupport
import Testing

@testable import SalonOpsGit

/// libgit2's tree diff between two commits, against what the real `git diff --name-only` says.
@Suite struct ChangedPathsTests {
    @Test func theChangedPathsAreGitsOwn() async throws {
        let repo = try await GitFixture.make("changed-paths")
        try repo.write("config/a.yaml", "a: 1\n")
        try repo.write("config/sub/b.yaml", "b: 1\n")
        try repo.write("config/old.yaml", "o: 1\n")
        try repo.write("README.md", "readme\n")
        let first = try await repo.commitAll("one").trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.write("config/sub/b.yaml", "b: 2\n")
        try repo.write("config/new.yaml", "n: 1\n")
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("config/old.yaml"))
        try repo.write("README.md", "readme, edited\n")
        let second = try await repo.commitAll("two").trimmingCharacters(in: .whitespacesAndNewlines)
        let options = GitSourceOptions(repository: repo.path, cacheDirectory: repo.path + "/.cache")
        let paths = try await GitSource.changedPaths(options, from: first, to: second)
        let expected = try await repo.git("diff", "--name-only", "--no-renames", first, second).split(separator: "\n").map(String.init).sorted()
        #expect(paths == expected)
        #expect(paths == ["README.md", "config/new.yaml", "config/old.yaml", "config/sub/b.yaml"])
        #expect(try await GitSource.changedPaths(options, from: second, to: second).isEmpty)
        // Abbreviated SHAs and refs resolve as revparse does.
        #expect(try await GitSource.changedPaths(options, from: String(first.prefix(10)), to: "HEAD") == paths)
    }

    @Test func anUnknownCommitIsNamed() async throws {
        let repo = try await GitFixture.make("changed-paths-unknown")
        try repo.write("a.yaml", "a: 1\n")
        let commit = try await repo.commitAll("one").trimmingCharacters(in: .whitespacesAndNewlines)
        let options = GitSourceOptions(repository: repo.path, cacheDirectory: repo.path + "/.cache")
        await #expect(throws: GitSourceError.self) {
            try await GitSource.changedPaths(options, from: String(repeating: "e", count: 40), to: commit)
        }
    }
}
