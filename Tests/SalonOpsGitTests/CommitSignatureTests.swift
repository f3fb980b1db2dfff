import Foundation
import SalonOpsTestSupport
import Testing
@testable import SalonOpsGit

/// The signature and signed bytes libgit2 reads from a commit, against what the real git wrote.
@Suite struct CommitSignatureTests {
    @Test func aSignedCommitGivesItsSignatureAndTheObjectWithoutIt() async throws {
        let repo = try await GitFixture.make("signed")
        let key = try await SSHKeygen.makeKey("alice", in: repo.url.appendingPathComponent(".git"))
        try repo.write("config.yaml", "a: 1\n")
        let sha = try await repo.commitSigned("signed", key: key)

        let snapshot = try await read(repo.path)
        #expect(snapshot.commit == sha)
        let signature = try #require(snapshot.signature)
        #expect(signature.armored.hasPrefix("-----BEGIN SSH SIGNATURE-----\n"))
        #expect(signature.armored.trimmingCharacters(in: .newlines).hasSuffix("-----END SSH SIGNATURE-----"))
        #expect(!signature.armored.contains("\n "), "continuation spaces are removed")

        // The signed payload is the object git wrote, minus the gpgsig header and its continuation lines.
        let raw = try await repo.rawCommit("HEAD")
        var unsigned: [Substring] = []
        var inSignature = false
        for line in raw.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("gpgsig ") { inSignature = true; continue }
            if inSignature, line.hasPrefix(" ") { continue }
            inSignature = false
            unsigned.append(line)
        }
        #expect(String(decoding: signature.signedPayload, as: UTF8.self) == unsigned.joined(separator: "\n"))

        let committed = try await repo.git("log", "-1", "--format=%ct")
        #expect(snapshot.committerTime == Date(timeIntervalSince1970: try #require(TimeInterval(committed))))
    }

    @Test func anUnsignedCommitAndTheWorktreeHaveNoSignature() async throws {
        let repo = try await GitFixture.make("unsigned")
        try repo.write("config.yaml", "a: 1\n")
        try await repo.commitAll("plain")
        let snapshot = try await read(repo.path)
        #expect(snapshot.signature == nil)
        #expect(snapshot.committerTime != nil)

        let worktree = try await read(repo.path, worktree: true)
        #expect(worktree.signature == nil && worktree.committerTime == nil)
    }

    @Test func aTamperedCommitKeepsItsOldSignatureOverItsNewBytes() async throws {
        let repo = try await GitFixture.make("tampered")
        let key = try await SSHKeygen.makeKey("alice", in: repo.url.appendingPathComponent(".git"))
        try repo.write("config.yaml", "a: 1\n")
        try await repo.commitSigned("the reviewed change", key: key)
        let original = try #require(try await read(repo.path).signature)

        let raw = try await repo.rawCommit("HEAD")
        let edited = raw.replacingOccurrences(of: "the reviewed change", with: "something else")
        let id = try await repo.writeCommitObject(edited, branch: "tampered")

        let snapshot = try await read(repo.path, ref: "tampered")
        #expect(snapshot.commit == id)
        let signature = try #require(snapshot.signature)
        #expect(signature.armored == original.armored)
        #expect(signature.signedPayload != original.signedPayload)
        #expect(String(decoding: signature.signedPayload, as: UTF8.self).hasSuffix("something else\n"))
    }
}
