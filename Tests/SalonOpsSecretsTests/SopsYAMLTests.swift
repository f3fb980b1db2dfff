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
            return Case(
                name: name,
                input: try! String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8),
                sopsOutput: try! String(contentsOf: directory.appendingPathComponent(name + ".sops-output.yaml"), encoding: .utf8))
        }
    }
}

/// The writer's fast path decides "plain" without libyaml; whenever it does, libyaml's emitter
/// (which go-yaml ports) must agree. Seeded random strings over a hostile alphabet.
@Suite struct PlainScalarFastPathTests {
    @Test func fastPathAgreesWithLibYAML() {
        var state: UInt64 = 0x5A10_0B5
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array("ab Z09:#-?,[]{}&*!|>'\"%@`.é€ \t_/=+~".unicodeScalars)
        var checked = 0
        for _ in 0..<20_000 {
            let length = Int(next() % 12) + 1
            let text = String(String.UnicodeScalarView((0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }))
            guard SopsYAMLWriter.isPlainSafe(text) else { continue }
            checked += 1
            let libyaml = SopsYAMLWriter.emitWithLibYAML(text, style: .plain)
            #expect(libyaml == [text], "fast path says plain for \(text.debugDescription), libyaml writes \(libyaml)")
            if libyaml != [text] { break }
        }
        #expect(checked > 1_000)
    }
}
