import Foundation
import Testing

/// One broken config repository of the bad-input corpus, declared as data: what to change in
/// examples/salon-chain (or which few files to commit instead), and what `salonops` must say.
///
/// Adding a case is one entry in a `Cases+<Category>.swift` table (or a new table listed in
/// `CorpusCase.all`). Paths are relative to the config root (`examples/salon-chain` in the
/// corpus repository); the runner adds that prefix to the expected location.
struct CorpusCase: Sendable, CustomTestStringConvertible {
    enum Category: String, CaseIterable, Sendable {
        case yamlSyntax = "YAML syntax"
        case encoding = "encodings"
        case schema = "schema"
        case references = "references"
        case hours = "hours"
        case closures = "closures"
        case durations = "durations"
        case money = "money"
        case vat = "VAT"
        case timezones = "time zones"
        case refs = "refs"
        case objects = "git objects"
        case size = "oversized files"
        case secrets = "secrets where nobody looks"
        case quoted = "values quoted back"
        case endpoints = "unsafe endpoints"
        case cascades = "error cascades"
        case links = "symbolic links"
        case aliases = "alias bombs"
    }

    enum Change: Sendable {
        /// The first occurrence of `old` in `file` becomes `new` (a missing `old` fails the case,
        /// so the table cannot silently drift from the example).
        case replace(_ file: String, _ old: String, _ new: String)
        case write(_ file: String, _ bytes: [UInt8])
        case delete(_ file: String)
        /// Re-encodes a file of the example: `transform` gets its bytes and returns the new ones.
        case transform(_ file: String, @Sendable ([UInt8]) -> [UInt8])
        /// A symbolic link at `file` (git mode 120000) pointing at `target`.
        case symlink(_ file: String, target: String)

        static func write(_ file: String, _ text: String) -> Change { .write(file, Array(text.utf8)) }
    }

    /// Damage done to the object of `file` after the case's commit is built (see `ObjectDamage`).
    enum ObjectDamage: String, Sendable {
        case garbage, truncated, empty, wrongContent, missing, truncatedTree
    }

    enum Expectation: Sendable {
        /// An error with this code at `file:line:col` (relative to the config root), whose text
        /// (message and hint) contains every `says`, and contains none of `never`.
        case diagnostic(code: String, at: String, says: [String], never: [String])
        /// The source cannot be read at all: one `error: fetch: …` line containing every `says`.
        case fetchError(says: [String])
    }

    let name: String
    let category: Category
    /// false: the config root holds only the case's `write`s (no example files).
    var overExample = true
    var changes: [Change] = []
    /// The `--ref` to pass; nil for the case's own branch. `{case}` stands for that branch.
    var ref: String?
    /// The `--path` to pass; nil for the config root.
    var path: String?
    var damage: ObjectDamage?
    let expect: Expectation

    var testDescription: String { "\(category.rawValue)/\(name)" }

    /// The common shape: a patch over the example, one expected error.
    static func patch(
        _ name: String, _ category: Category, _ code: String, at: String, says: [String] = [], never: [String] = [], _ changes: Change...
    ) -> CorpusCase {
        CorpusCase(name: name, category: category, changes: changes, expect: .diagnostic(code: code, at: at, says: says, never: never))
    }

    /// A small self-contained repository: only these files under the config root.
    static func files(_ name: String, _ category: Category, _ code: String, at: String, says: [String] = [], _ files: [String: String]) -> CorpusCase {
        CorpusCase(
            name: name, category: category, overExample: false, changes: files.sorted { $0.key < $1.key }.map { .write($0.key, $0.value) },
            expect: .diagnostic(code: code, at: at, says: says, never: []))
    }

    /// The example as is, read through a ref or path that cannot work.
    static func source(_ name: String, ref: String? = nil, path: String? = nil, says: [String]) -> CorpusCase {
        CorpusCase(name: name, category: .refs, ref: ref, path: path, expect: .fetchError(says: says))
    }

    /// One new YAML file whose git object is damaged after it is committed.
    static func damaged(_ name: String, _ damage: ObjectDamage, says: [String]) -> CorpusCase {
        CorpusCase(
            name: name, category: .objects,
            changes: [.write("catalogue/damaged-\(name).yaml", "# unique to this case: \(name)\n" + String(repeating: "# filler so the object compresses\n", count: 80))],
            damage: damage, expect: .fetchError(says: says))
    }

    /// Every table of the corpus.
    static let all: [CorpusCase] =
        yamlSyntaxCases + encodingCases + schemaCases + referenceCases + hoursCases + closureCases + durationCases + moneyCases + vatCases
        + timezoneCases + sourceCases + objectCases + sizeCases + hostileCases

    /// A minimal valid Organization, for self-contained cases.
    static let organization = """
        apiVersion: salonops.io/v1
        kind: Organization
        metadata: {name: corpus}
        spec: {displayName: Corpus}

        """
}

/// Byte-level helpers for the encoding cases.
enum Bytes {
    static func crlf(_ bytes: [UInt8]) -> [UInt8] { bytes.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] } }
    static func crOnly(_ bytes: [UInt8]) -> [UInt8] { bytes.map { $0 == 0x0A ? 0x0D : $0 } }
    static func bom(_ bytes: [UInt8]) -> [UInt8] { [0xEF, 0xBB, 0xBF] + bytes }

    static func utf16(_ bytes: [UInt8], bigEndian: Bool, bom: Bool) -> [UInt8] {
        let units = Array(String(decoding: bytes, as: UTF8.self).utf16)
        let mark: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        return mark + units.flatMap { bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    /// Latin-1 for the characters it has, '?' for the others.
    static func latin1(_ bytes: [UInt8]) -> [UInt8] {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.map { $0.value < 0x100 ? UInt8($0.value) : UInt8(ascii: "?") }
    }

    /// The first occurrence of `old` replaced by raw bytes.
    static func replacing(_ old: String, with new: [UInt8]) -> @Sendable ([UInt8]) -> [UInt8] {
        { bytes in
            let needle = Array(old.utf8)
            guard let start = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<$0 + needle.count]) == needle }) else { return bytes }
            return Array(bytes[..<start]) + new + Array(bytes[(start + needle.count)...])
        }
    }

    static func then(_ first: @escaping @Sendable ([UInt8]) -> [UInt8], _ second: @escaping @Sendable ([UInt8]) -> [UInt8]) -> @Sendable ([UInt8]) -> [UInt8] {
        { second(first($0)) }
    }
}
