import Foundation
import Testing
@testable import SalonOpsCore
import SalonOpsProviders

/// Each folder of examples/invalid is one broken repository with the exact lines `validate`
/// must print for it (expected.txt).
@Suite struct InvalidExamplesTests {
    static let cases: [String] = {
        let base = Fixtures.packageRoot.appendingPathComponent("examples/invalid")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: base.appendingPathComponent("\($0)/expected.txt").path) }.sorted()
    }()

    @Test func everyErrorClassHasACase() {
        #expect(Self.cases.count >= 25, "examples/invalid has \(Self.cases.count) cases")
    }

    @Test(arguments: cases)
    func caseGivesExactlyItsExpectedDiagnostics(name: String) throws {
        let folder = "examples/invalid/\(name)"
        let expected = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("\(folder)/expected.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let result = ConfigLoader.load(try Fixtures.filesOnDisk(folder), catalog: Registry.catalog)
        #expect(!expected.isEmpty)
        #expect(Fixtures.lines(result) == expected)
        #expect(result.hasErrors)
        for diagnostic in result.diagnostics where diagnostic.severity == .error {
            #expect(diagnostic.hint != nil, "no hint for \(diagnostic.headline)")
        }
    }
}
