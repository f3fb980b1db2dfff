import Foundation
import SalonOpsSecrets
import SalonOpsTestSupport
import Testing

@testable import SalonOpsDaemon

/// Push deliveries as GitHub, GitLab, Gitea and Forgejo sign them, the signatures made by the
/// `openssl` CLI.
@Suite struct GitWebhookTests {
    static let secret = Secret(Array("s3cret-hook".utf8), fingerprintKey: [])
    static let body = Array(#"{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567"}"#.utf8)

    static func hmac(_ body: [UInt8]) async throws -> String {
        let folder = try Paths.temporaryDirectory("webhook")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("body")
        try Data(body).write(to: file)
        let result = try await CommandRunner.run(OpenSSLTestKeys.openssl, ["dgst", "-sha256", "-hmac", "s3cret-hook", "-hex", file.path])
        try #require(result.status == 0, "\(result.stderr)")
        return String(try #require(result.stdout.split(separator: " ").last)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func eachHostsSignatureIsVerified() async throws {
        let hex = try await Self.hmac(Self.body)
        let github = try GitWebhook.verify(headers: ["x-github-event": "push", "x-hub-signature-256": "sha256=" + hex], body: Self.body, secret: Self.secret)
        #expect(github.0 == .github && github.1 == .push(ref: "refs/heads/main"))
        let gitea = try GitWebhook.verify(headers: ["x-gitea-event": "push", "x-gitea-signature": hex.uppercased()], body: Self.body, secret: Self.secret)
        #expect(gitea.0 == .gitea && gitea.1 == .push(ref: "refs/heads/main"))
        let gitlab = try GitWebhook.verify(headers: ["x-gitlab-event": "Push Hook", "x-gitlab-token": "s3cret-hook"], body: Self.body, secret: Self.secret)
        #expect(gitlab.0 == .gitlab && gitlab.1 == .push(ref: "refs/heads/main"))
        let ping = try GitWebhook.verify(headers: ["x-github-event": "ping", "x-hub-signature-256": "sha256=" + hex], body: Self.body, secret: Self.secret)
        #expect(ping.1 == .ping)
        let issue = try GitWebhook.verify(headers: ["x-github-event": "issues", "x-hub-signature-256": "sha256=" + hex], body: Self.body, secret: Self.secret)
        #expect(issue.1 == .other("issues"))
    }

    /// Forgejo sends its own header and Gitea's: its own is the one checked, and a bad one is
    /// not rescued by a good Gitea header.
    @Test func forgejosOwnHeaderIsTheOneChecked() async throws {
        let hex = try await Self.hmac(Self.body)
        #expect(throws: GitWebhook.Refusal.self) {
            try GitWebhook.verify(headers: ["x-forgejo-signature": String(repeating: "a", count: 64), "x-gitea-signature": hex], body: Self.body, secret: Self.secret)
        }
        #expect(try GitWebhook.verify(headers: ["x-forgejo-signature": hex, "x-forgejo-event": "push"], body: Self.body, secret: Self.secret).0 == .gitea)
    }

    @Test func whatIsRefusedAndWhy() async throws {
        let hex = try await Self.hmac(Self.body)
        var tampered = Self.body
        tampered[tampered.count - 3] ^= 1
        let cases: [([String: String], [UInt8], String)] = [
            ([:], Self.body, "no signature"),
            (["x-hub-signature-256": "sha256=" + hex], tampered, "does not match"),
            (["x-hub-signature-256": hex], Self.body, "does not match"),
            (["x-hub-signature-256": "sha256=" + hex.dropLast(2)], Self.body, "does not match"),
            (["x-hub-signature-256": "sha256=" + hex.dropLast(2) + "zz"], Self.body, "does not match"),
            (["x-gitea-signature": hex], tampered, "does not match"),
            (["x-gitlab-token": "s3cret-hoo"], Self.body, "not the configured secret"),
            (["x-gitlab-token": ""], Self.body, "not the configured secret"),
        ]
        for (headers, body, reason) in cases {
            do {
                _ = try GitWebhook.verify(headers: headers, body: body, secret: Self.secret)
                Issue.record("accepted \(headers)")
            } catch let refusal as GitWebhook.Refusal {
                #expect(refusal.description.contains(reason), "\(headers): \(refusal)")
                #expect(!refusal.description.contains("s3cret-hook") && !refusal.description.contains(hex))
            }
        }
    }

    @Test func onlyPushesToTheFollowedRefConcernTheDaemon() {
        #expect(GitWebhook.concerns("refs/heads/main", following: "main"))
        #expect(GitWebhook.concerns("refs/tags/v2", following: "v2"))
        #expect(GitWebhook.concerns("refs/heads/main", following: "refs/heads/main"))
        #expect(!GitWebhook.concerns("refs/heads/feature", following: "main"))
        #expect(!GitWebhook.concerns("refs/heads/mainline", following: "main"))
        // Following the remote's default branch, or a body without a ref: every push.
        #expect(GitWebhook.concerns("refs/heads/feature", following: nil))
        #expect(GitWebhook.concerns(nil, following: "main"))
    }
}
