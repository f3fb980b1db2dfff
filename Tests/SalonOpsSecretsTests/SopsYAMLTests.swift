import Foundation
import Testing
@testable import SalonOpsSecrets

/// Reading and writing YAML as sops does: what `sops decrypt` prints for a plaintext file is what
/// parsing that file and writing it back gives here (types resolved, comments placed, quoting).
@Suite struct SopsYAMLTests {
    @Test(arguments: SopsYAMLCorpus.cases)
    func roundTripMatchesSopsOutput(_ sample: SopsYAMLCorpus.Case) throws {
        let documents = try SopsYAMLReader.parse(sample.input)
        #expect(SopsYAMLWriter.render(documents) == sample.sopsOutput)
    }
}

/// Inputs under Fixtures/yaml, each with what `sops decrypt` (3.11.0) printed after `sops encrypt`.
enum SopsYAMLCorpus {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let sopsOutput: String
        var testDescription: String { name }
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/yaml")

    static var cases: [Case] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".input.yaml") }.sorted().map { file in
            let name = String(file.dropLast(".input.yaml".count))
            return Case(name: name,
                        input: try! String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8),
                        sopsOutput: try! String(contentsOf: directory.appendingPathComponent(name + ".sops-output.yaml"), encoding: .utf8))
        }
    }
}
