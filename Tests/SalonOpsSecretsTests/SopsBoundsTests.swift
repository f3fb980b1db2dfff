import Foundation
import Testing
@testable import SalonOpsSecrets

/// The sops reader and the `.sops.yaml` reader are bounded as the config loader is: a
/// "billion laughs" or a deep nest fails at once, located, before Yams builds a tree.
@Suite struct SopsBoundsTests {
    static let laughs: String = {
        var lines = [#"l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for level in 1..<9 { lines.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]") }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func aSopsFileAliasBombFailsLocated() {
        #expect {
            _ = try SopsFile.parse(Self.laughs + FuzzRegressionTests.sopsFile)
        } throws: { error in
            guard case .malformedYAML(let line, _, let detail) = error as? SopsError else { return false }
            return line == 6 && detail.contains("once its aliases are resolved")
        }
    }

    @Test func aDeepSopsFileFailsLocated() {
        #expect {
            _ = try SopsFile.parse("a: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "\n" + FuzzRegressionTests.sopsFile)
        } throws: { error in
            guard case .malformedYAML(_, _, let detail) = error as? SopsError else { return false }
            return detail.contains("nested more than 64 levels")
        }
    }

    @Test func aCreationRulesAliasBombFailsLocated() {
        #expect {
            _ = try CreationRules.parse(Self.laughs + "creation_rules:\n  - age: age1x\n", path: ".sops.yaml")
        } throws: { error in
            "\(error)".contains(".sops.yaml:6:") && "\(error)".contains("once its aliases are resolved")
        }
    }
}
