import Foundation
import SalonOpsProviders
import Testing
@testable import SalonOpsCore

/// Credentials where nobody looks: a comment, a file that is not YAML, an identity file, what
/// a sops file leaves in clear. And the tree entries that are not read as files: links and
/// files too large to read. Each is named with its file and line.
@Suite struct UnnoticedSecretsTests {
    static func load(_ files: [ConfigFile]) -> LoadResult {
        ConfigLoader.load([Fixtures.file("organization.yaml", Fixtures.organization)] + files, catalog: Registry.catalog)
    }

    static func text(_ path: String, _ text: String) -> ConfigFile { Fixtures.file(path, text) }

    @Test func anAWSKeyInAYAMLCommentIsFound() throws {
        let result = Self.load([Self.text("notes.yaml", "# aws for the backups: AKIAIOSFODNN7EXAMPLE\nfoo: 1\n")])
        let error = try #require(result.diagnostics.first { $0.code == .secretInPlaintext })
        #expect(error.location.description == "notes.yaml:1:24")
        #expect(error.message.contains("an AWS access key ID"))
    }

    @Test func anAgeIdentityCommittedAnywhereInTheTreeIsAnErrorThatSaysRotate() throws {
        let identity = "# created: 2026-11-30T10:00:00Z\n# public key: age1xyz\nAGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS\n"
        let result = Self.load([Self.text("keys/ops.txt", identity)])
        let error = try #require(result.diagnostics.first { $0.code == .secretInPlaintext })
        #expect(error.location.description == "keys/ops.txt:3:1")
        #expect(error.message == "an age private key (AGE-SECRET-KEY-1…) is committed in the config")
        #expect(error.hint?.contains("remove it from the repository and rotate: anyone with the repository can decrypt every secret") == true)
        #expect(!error.message.contains("QYQSZQ") && !(error.hint ?? "").contains("QYQSZQ"))
    }

    @Test func aCredentialInAFileThatIsNotYAMLIsFound() throws {
        let result = Self.load([Self.text("README.md", "# Setup\n\nThe test key is `sk_test_51Habc0123456789abcdefXYZ`.\n")])
        let error = try #require(result.diagnostics.first { $0.code == .secretInPlaintext })
        #expect(error.location.description == "README.md:3:18")
        #expect(result.state.documentCount == 1, "a README is not a config document")
    }

    @Test func binaryFilesAreNotLookedThrough() {
        let image = ConfigFile(path: "logo.png", contents: [0x89, 0x50, 0x4E, 0x47, 0, 0] + Array("sk_live_0123456789abcdefghij".utf8))
        #expect(Self.load([image]).diagnostics.isEmpty)
    }

    @Test func plaintextInACommentOfASopsFileIsFound() throws {
        let sops =
            "# old key, revoked? sk_live_0123456789abcdefghijKLMN\nstripe:\n    secret_key: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]\n"
            + "sops:\n    version: 3.11.0\n"
        let result = Self.load([Self.text("secrets/stripe.sops.yaml", sops)])
        let error = try #require(result.diagnostics.first { $0.code == .secretInPlaintext })
        #expect(error.location.description == "secrets/stripe.sops.yaml:1:21")
        #expect(error.message.contains("this encrypted file holds, in clear (a comment or an unencrypted value)"))
    }

    @Test func linksAreNeverFollowedAndThoseThatLeaveTheTreeAreRefused() throws {
        let outside = ["/etc/salonops/stripe.yaml", "../../shared/stripe.yaml", "a/../../../x.yaml"]
        for target in outside {
            let link = ConfigFile(path: "integrations/stripe.yaml", contents: [], special: .symbolicLink(target: target))
            let error = try #require(Self.load([link]).diagnostics.first { $0.code == .symbolicLink }, "\(target)")
            #expect(error.severity == .error)
            #expect(error.message.contains("outside the config tree"))
        }
        let inside = ConfigFile(path: "integrations/stripe.yaml", contents: [], special: .symbolicLink(target: "../shared/stripe.yaml"))
        let warning = try #require(Self.load([inside]).diagnostics.first { $0.code == .symbolicLink })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("not read (links are never followed"))
        let readme = ConfigFile(path: "docs/README.md", contents: [], special: .symbolicLink(target: "../README.md"))
        #expect(Self.load([readme]).diagnostics.isEmpty, "a link to a non-YAML file inside the tree says nothing")
    }

    @Test func aYAMLFileTooLargeToReadIsRefusedWithItsSize() throws {
        let big = ConfigFile(path: "catalogue/all.yaml", contents: [], special: .tooLarge(bytes: 3 << 30))
        let error = try #require(Self.load([big]).diagnostics.first)
        #expect(error.code == .yamlLimit)
        #expect(error.message == "the file is 3072.0 MiB, over the 8.0 MiB limit for one YAML file")
        let video = ConfigFile(path: "media/promo.mp4", contents: [], special: .tooLarge(bytes: 3 << 30))
        #expect(Self.load([video]).diagnostics.isEmpty)
    }
}
