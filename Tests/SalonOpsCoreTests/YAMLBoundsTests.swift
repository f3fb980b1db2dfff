import Foundation
import SalonOpsProviders
import SalonOpsYAML
import Testing
@testable import SalonOpsCore

/// Every YAML the loader reads is bounded before a tree is built: alias expansion, nesting,
/// size, documents. Each of these inputs kept `validate` busy for minutes (or would overflow
/// Yams's recursive composer); each is now a located `yaml-limit` error, found in one pass.
@Suite struct YAMLBoundsTests {
    /// Nine levels of nine aliases: 9^9 values once expanded, a few hundred bytes written.
    static func laughs(levels: Int = 9, key: Bool = false) -> String {
        var lines = [#"l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for level in 1..<levels {
            lines.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]")
        }
        if key { lines += ["? *l\(levels - 1)", ": x"] }
        return lines.joined(separator: "\n") + "\n"
    }

    static func limitErrors(_ text: String, path: String = "bomb.yaml") -> [Diagnostic] {
        Fixtures.load(["org.yaml": Fixtures.organization, path: text]).diagnostics.filter { $0.code == .yamlLimit }
    }

    @Test func aBillionLaughsIsRefusedWhereItCrossesTheLimit() throws {
        let errors = Self.limitErrors(Self.laughs())
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.severity == .error)
        #expect(error.location.file == "bomb.yaml")
        #expect(error.location.line == 6, "the first line whose aliases pass 250,000 values: \(error.location)")
        #expect(error.message.contains("250000 values once its aliases are resolved"))
        #expect(error.hint?.contains("instead of repeating aliases") == true)
    }

    /// Yams hashes a mapping's keys to find duplicates: an alias key hashes its whole expansion.
    @Test func anAliasUsedAsAKeyIsBoundedToo() {
        #expect(Self.limitErrors(Self.laughs(levels: 7, key: true)).count == 1)
    }

    @Test(arguments: [500, 100_000])
    func nestingPastTheDepthLimitIsRefusedBeforeTheRecursiveComposer(depth: Int) throws {
        let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let errors = Fixtures.load(["org.yaml": Fixtures.organization, "bomb.yaml": "a: " + deep]).diagnostics.filter { $0.severity == .error }
        let error = try #require(errors.first)
        #expect(errors.count == 1, "\(errors)")
        #expect(error.code == .yamlLimit)
        #expect(error.message.contains("nested more than 64 levels"))
        // Ours at the 64th bracket (the top mapping is the first level); libyaml's own (1,000
        // levels) when its scanner reads that far ahead first.
        #expect(error.location.line == 1)
        if depth < 1_000 { #expect(error.location.column == 67, "\(error.location)") }
    }

    @Test func anAliasThatNestsPastTheDepthLimitIsRefused() {
        var text = "a: &a " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n"
        text += "b: " + String(repeating: "[", count: 30) + "*a" + String(repeating: "]", count: 30) + "\n"
        #expect(Self.limitErrors(text).first?.message.contains("alias '*a' nests collections more than 64 levels deep") == true)
    }

    @Test func anOversizedFileIsRefusedWithItsSize() throws {
        let line = "# " + String(repeating: "x", count: 1022) + "\n"
        let error = try #require(Self.limitErrors(String(repeating: line, count: 9 * 1024)).first)
        #expect(error.message == "the file is 9.0 MiB, over the 8.0 MiB limit for one YAML file")
        #expect(error.location.line == 1)
    }

    @Test func tooManyDocumentsAreRefused() throws {
        let error = try #require(Self.limitErrors(String(repeating: "---\na: 1\n", count: 1_001)).first)
        #expect(error.message.contains("more than 1000 YAML documents"))
        #expect(error.location.line == 2_001)
    }

    /// An encrypted file is read with no key (any commit can carry one): bounded the same way.
    @Test func aBillionLaughsInASopsFileIsRefused() {
        #expect(Self.limitErrors(Self.laughs(), path: "secrets/stripe.sops.yaml").count == 1)
        #expect(Self.limitErrors(Self.laughs(), path: ".sops.yaml").count == 1)
    }

    /// What real configs do with aliases (a shared spec, a few repeated lists) stays allowed.
    @Test func ordinaryAliasesStayAllowed() {
        #expect(Self.limitErrors(LoaderTests.services).isEmpty)
        #expect(YAMLBounds.check(Self.laughs(levels: 5)) == nil, "9^5 = 59,049 values")
        #expect(YAMLBounds.check("a: [unclosed") == nil, "a syntax error is the parser's to report")
    }
}
