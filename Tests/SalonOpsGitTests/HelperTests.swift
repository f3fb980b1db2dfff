import CLibGit2
import Foundation
import Testing
@testable import SalonOpsGit

/// The pure parts: URL recognition, redaction, cache names, suggestions, loose-object checks.
@Suite struct HelperTests {
    @Test func urlsAreToldFromPaths() {
        #expect(RemoteLocation.isURL("https://git.example/salon.git"))
        #expect(RemoteLocation.isURL("ssh://git@git.example/salon.git"))
        #expect(RemoteLocation.isURL("git@github.example:salon/config.git"))
        #expect(RemoteLocation.isURL("file:///srv/git/salon.git"))
        #expect(!RemoteLocation.isURL("/srv/git/salon"))
        #expect(!RemoteLocation.isURL("./config"))
        #expect(!RemoteLocation.isURL("config/a:b"))
        #expect(!RemoteLocation.isURL("C"))
    }

    @Test func userInfoIsStrippedAnywhereInAMessage() {
        #expect(Redaction.strippingUserinfo("https://u:p@host/x.git") == "https://host/x.git")
        #expect(Redaction.strippingUserinfo("failed for 'https://tok@host:8443/x' and http://a:b@c") == "failed for 'https://host:8443/x' and http://c")
        #expect(Redaction.strippingUserinfo("git@host:path stays") == "git@host:path stays")
        #expect(Redaction.strippingUserinfo("https://host/a@b") == "https://host/a@b")
        #expect(Redaction.removing(["s3cret"], from: "x s3cret y") == "x <redacted> y")
        #expect(Redaction.oneLine("a\nb\r\n\tc ") == "a b c")
        #expect(RemoteLocation.secrets(in: "https://u:p%40ss@host/x").contains("p@ss"))
        let error = GitSourceError.unreachableRemote(url: "https://h/x", reason: "from https://u:tok@h/x:\nline two")
        #expect(error.description.hasPrefix("cannot fetch https://h/x: from https://h/x: line two ("))
    }

    @Test func cacheFolderNamesAreStableAndIgnoreCredentials() {
        let name = RemoteLocation.cacheFolderName("https://u:p@host/salon-config.git")
        #expect(name == RemoteLocation.cacheFolderName("https://host/salon-config.git"))
        #expect(name.hasPrefix("salon-config-"))
        #expect(name.count == "salon-config-".count + 12)
        #expect(name != RemoteLocation.cacheFolderName("https://other/salon-config.git"))
        #expect(RemoteLocation.cacheFolderName("git@host:team/app.git").hasPrefix("app-"))
        #expect(RemoteLocation.cacheFolderName("https://host/").hasPrefix("host-"))
        #expect(RemoteLocation.cacheFolderName("file:///x/..").hasPrefix("repository-"))
    }

    @Test func suggestionsAreCloseNamesBestFirst() {
        let names = ["main", "maintenance", "release-2026", "v1.0", "feature/login", "trunk"]
        #expect(RefSuggestions.closest(to: "mian", among: names) == ["main"])
        #expect(RefSuggestions.closest(to: "MAIN", among: names).first == "main")
        #expect(RefSuggestions.closest(to: "maint", among: names) == ["main", "maintenance"])
        #expect(RefSuggestions.closest(to: "feature/logni", among: names) == ["feature/login"])
        #expect(RefSuggestions.closest(to: "upstream/trunk", among: names) == ["trunk"])
        #expect(RefSuggestions.closest(to: "xyzzy", among: names).isEmpty)
        #expect(RefSuggestions.closest(to: "a", among: ["b", "c", "d", "e"]).count == 3)
        #expect(RefSuggestions.levenshtein("kitten", "sitting") == 3)
    }

    @Test func configRootsAreNormalised() {
        #expect(ConfigRoot(nil).path == "")
        #expect(ConfigRoot("").path == "")
        #expect(ConfigRoot("./a//b/").path == "a/b")
        #expect(!ConfigRoot("a/b").escapes)
        #expect(ConfigRoot("a/../..").escapes)
        #expect(ConfigRoot("a").repositoryPath("x.yaml") == "a/x.yaml")
        #expect(ConfigRoot(".").repositoryPath("x.yaml") == "x.yaml")
    }

    @Test func credentialsFromTheEnvironment() {
        let credentials = GitCredentials.fromEnvironment(["SALONOPS_GIT_TOKEN": "t", "SALONOPS_GIT_USERNAME": "", "SALONOPS_SSH_KEY": "/k"])
        #expect(credentials == GitCredentials(httpsToken: "t", httpsUsername: nil, sshKeyPath: "/k", sshUsername: nil))
        #expect(GitCredentials.fromEnvironment([:]) == GitCredentials())
    }

    @Test func looseObjectFilesAreChecked() throws {
        let content = Array("blob 11\0hello world".utf8)
        let compressed = try deflate(content)
        #expect(LooseObjectFile.damage(compressed) == nil)
        #expect(LooseObjectFile.damage([]) == "the file is empty")
        #expect(LooseObjectFile.damage(Array("plain text".utf8)) == "it is not a zlib stream")
        for cut in 1..<compressed.count {
            #expect(LooseObjectFile.damage(Array(compressed.prefix(cut))) != nil, "cut at \(cut)")
        }
        #expect(LooseObjectFile.damage(try deflate(Array("blob 12\0hello world".utf8)))?.contains("fewer bytes") == true)
        #expect(LooseObjectFile.damage(try deflate(Array("blob 3\0hello world".utf8)))?.contains("more bytes") == true)
        #expect(LooseObjectFile.damage(try deflate(Array("bolb 11\0hello world".utf8)))?.contains("header") == true)
        #expect(LooseObjectFile.damage(try deflate(Array(repeating: 0x61, count: 100))) != nil)
    }

    private func deflate(_ bytes: [UInt8]) throws -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = compress(&output, &size, bytes, uLong(bytes.count))
        try #require(status == Z_OK)
        return Array(output.prefix(Int(size)))
    }
}

extension LibGit2 {
    /// A value from the configuration libgit2 would use outside any repository.
    static func defaultConfigValue(_ name: String) throws -> String? {
        var config: OpaquePointer?
        let code = git_config_open_default(&config)
        guard code == 0, let config else { throw LastError.read(code: code).error("opening the default config") }
        defer { git_config_free(config) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_config_get_string_buf(&buffer, config, name) == 0 else { return nil }
        return LibGit2.string(buffer.ptr)
    }
}
