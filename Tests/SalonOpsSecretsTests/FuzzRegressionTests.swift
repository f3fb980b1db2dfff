import Foundation
import Testing
@testable import SalonOpsSecrets

/// Inputs found by the libFuzzer targets (scripts/fuzz.sh, Fuzz/), kept as regression tests.
@Suite struct FuzzRegressionTests {
    /// A real sops 3.11 file (encrypted by sops to the fuzzing key in Fuzz/Shared/FuzzSupport.swift;
    /// only parsed here, never decrypted).
    static let sopsFile = """
        a: ENC[AES256_GCM,data:0Q==,iv:fkC7tscBhTbRebZGx75+cycrEE4bA4MDv8oQbi0/xMk=,tag:B7+qPeJYzfepXZOiSYse+Q==,type:int]
        sops:
            age:
                - recipient: age14477dfqw7xuexpg34yvfghx92vrzjrcyqjnv68lqdsnfd6flkawq2g4yum
                  enc: |
                    -----BEGIN AGE ENCRYPTED FILE-----
                    YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSAzZGFjZmE5L1lieDQ3dVJz
                    VU0veVVRd0lpYkNLL284Um5ReDFkREJXbHhrCmtTRmxmN0U4ajM0V2tUOCszajRk
                    amtXSUFhbGxJdU9nQjJCSjlCaVdZTUkKLS0tICtOZ3hQREZvZ0FZeUtwdHRCYVpq
                    SndjcVR4T1ZFd1JJSVdCUThJZTI2NlUKZ57DkU5cvHi8UnNk+o/gzQ+NYClbSENd
                    XI4z0RnFBFWl9u66FgyuwR9BZW+nSPFNCJvikF0K5kBxJ6h0Qjn91g==
                    -----END AGE ENCRYPTED FILE-----
            lastmodified: "2026-11-25T10:40:38Z"
            mac: ENC[AES256_GCM,data:QHG2lLoJ1bOamkK3nUE+yc599/xpLiLz7sLRBCjsbJLw5OQBqKKPicNg8IBNHtjPjZyVowxA6Q2QhTJBoLl3FIwWESZ+0+rcAaiOwqTWRxl57DAj/8x3fntnQFdCXRviWUkwTd5si7pf8Yf5UiwOMOkiNcjMTpRmrrFQeK2fhSM=,iv:gGQxYCEwjc6/JMlvBCMth9Kq5DKtRzuG/U04LpimUxY=,tag:pK6ENA/CKezaNseNF3RJtQ==,type:str]
            unencrypted_suffix: _unencrypted
            version: 3.11.0
        """

    /// Found by Fuzz/SopsFileFuzz in CI (crash-6e585d23…, kept in Fuzz/corpus/sops): a block
    /// string whose first line is blank, as a value in a mapping inside a sequence. libyaml writes
    /// it with an explicit indentation indicator (`|4`) counted for a key at column 0; moved to the
    /// key's own column the count was wrong, and `render()` wrote text that did not parse. The
    /// indicator is now counted from the key's column (here `|2`), in every nesting.
    @Test(arguments: [
        "top: \"\\nline\\n\"\n", "list:\n    - \"\\n  indented\\n\"\n", "outer:\n    - k: v\n      enc: \"\\nEND\\n\"\n",
        "p:\n    b:\n        - x: y\n          deep: \"\\n\\n  two blank\\n\"\n",
    ])
    func blockStringsStartingWithABlankLineRoundTripAtAnyDepth(prefix: String) throws {
        let file = try SopsFile.parse(prefix + Self.sopsFile)
        let rendered = file.render()
        let again = try SopsFile.parse(rendered)
        #expect(again.documents == file.documents, "\(rendered)")
    }

    /// Found by Fuzz/SopsFileFuzz (crash-9612b275…): a `key_groups` entry that is not a mapping
    /// (`- hc_vault:xyz…`, a plain scalar) was skipped, so the file parsed, but it was written back
    /// as `key_groups: []`, which did not. It is refused now, as sops refuses it.
    @Test func aKeyGroupThatIsNotAMappingIsRefused() throws {
        let file = Self.sopsFile.replacingOccurrences(of: "sops:\n    age:", with: "sops:\n    key_groups:\n        - hc_vault:not-a-group\n    age:")
        #expect(file.contains("- hc_vault:not-a-group"))
        do {
            _ = try SopsFile.parse(file)
            Issue.record("a scalar key group was accepted")
        } catch let error as SopsError {
            #expect("\(error)".contains("each entry of `key_groups` must be a mapping"), "\(error)")
        }
    }

    /// Found by Fuzz/SopsFileFuzz (crash-b39a91b1…): a mapping key that is an empty plain scalar
    /// (`? ` with no key, or an anchor alone: `&x: null`) parsed, but `render()` wrote text that no
    /// longer parsed. sops itself refuses non-string keys; so do we now, with the key's place.
    @Test(arguments: ["? \n: null\n", "? \n: v\n", "&x: null\n", "b:\n  ? \n  : v\n", "1: x\n", "true: x\n"])
    func nonStringKeysAreRefusedClearly(prefix: String) throws {
        do {
            _ = try SopsFile.parse(prefix + Self.sopsFile)
            Issue.record("a non-string key was accepted")
        } catch let error as SopsError {
            guard case .malformedYAML(let line, _, let detail) = error else { Issue.record("\(error)"); return }
            #expect(line >= 1)
            #expect(detail.contains("sops files take string keys only"))
        }
        // Quoted, the same keys are strings and round-trip.
        let quoted = try SopsFile.parse("\"1\": x\n\"\": y\n" + Self.sopsFile)
        #expect(try SopsFile.parse(quoted.render()).documents == quoted.documents)
    }

    /// Found by Fuzz/SopsFileFuzz in CI (crash-7133603e…, minimized to `r:\n- m: #`): a comment
    /// after the first key of a mapping that starts on a list item's line was placed before that
    /// key, and `render()` then wrote it on the dash line, where it reads back before the item.
    /// go-yaml (sops 3.11: `sops decrypt` of `r:\n- m: # hi` prints `r:\n    # hi\n    - m: null`)
    /// places it before the item: so do we now, and the file round-trips.
    @Test(arguments: ["r:\n- m: #\n", "r:\n- m: # hi\n  n: 1\n", "r:\n- - x # c\n", "k: v # c\n"])
    func aCommentAfterAnItemsFirstKeyGoesBeforeTheItem(prefix: String) throws {
        let file = try SopsFile.parse(prefix + Self.sopsFile)
        #expect(try SopsFile.parse(file.render()).documents == file.documents)
        if prefix.hasPrefix("r:\n- m: # hi") {
            #expect(file.render().hasPrefix("r:\n    # hi\n    - m: null\n"), "\(file.render())")
        }
    }
}
