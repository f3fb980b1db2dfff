// libFuzzer target: ConfigLoader.load (YAML bounds, Yams, the document decoder, the validator's
// cross-file checks, the secret scanner) over one to four files cut from the input.
// Built by scripts/fuzz.sh with -parse-as-library -sanitize=fuzzer,address, in one module with
// the sources of Sources/SalonOpsCore (internal API reachable).

import Foundation

/// A small catalogue with every kind of setting, so provider settings are decoded too (the
/// real one lives in SalonOpsProviders, which needs the whole engine).
let fuzzCatalog = ProviderCatalog([
    ProviderSpec(
        id: "stripe", displayName: "Stripe", credentials: ["secretKey"],
        settings: [.webhook, SettingField("statementDescriptor", .string), SettingField("livemode", .bool)]),
    ProviderSpec(
        id: "planity", displayName: "Planity", credentials: ["apiKey"],
        settings: [
            SettingField("venues", .establishmentMap(.object([SettingField("id", .string, required: true), SettingField("seats", .int)]))),
            SettingField("contact", .email), SettingField("mode", .oneOf(["live", "test"])), SettingField("tags", .list(.string)),
        ], accountSettings: ["contact"]),
])

/// A secret the input may carry: it must never come back in a message.
let canary = "sk_live_FUZZcanary0123456789"

/// Files are separated by a line `#--- <path>`; the first file has no header (config.yaml).
func files(in text: String) -> [ConfigFile] {
    var result: [ConfigFile] = []
    var path = "config.yaml"
    var lines: [Substring] = []
    func flush() {
        result.append(ConfigFile(path: path, repositoryPath: "cfg/" + path, contents: Array(lines.joined(separator: "\n").utf8)))
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("#--- "), result.count < 3 {
            flush()
            lines = []
            path = String(line.dropFirst(5)).trimmingCharacters(in: .whitespaces)
            if path.isEmpty { path = "empty.yaml" }
            continue
        }
        lines.append(line)
    }
    flush()
    return result
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let input = files(in: text)
    // Raw bytes as well as text: encodings are the loader's to report, not a crash.
    let raw = ConfigFile(path: "raw.yaml", repositoryPath: "cfg/raw.yaml", contents: bytes)
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let result = ConfigLoader.load(input + [raw], catalog: fuzzCatalog, now: now)

    let paths = Set((input + [raw]).map(\.repositoryPath))
    for diagnostic in result.diagnostics {
        let location = diagnostic.location
        if location.line < 1 || location.column < 1 { fatalError("fuzz invariant: a diagnostic at \(location)") }
        // "." is the config as a whole (no Organization, and no document to point at).
        if !paths.contains(location.file) && location.file != "." { fatalError("fuzz invariant: a diagnostic names '\(location.file)', not a file of the input") }
        if diagnostic.message.contains(canary) || (diagnostic.hint ?? "").contains(canary) {
            fatalError("fuzz invariant: the canary secret is quoted in \(diagnostic.code.rawValue)")
        }
    }
    // The same input gives the same report (files are parsed in parallel).
    let again = ConfigLoader.load(input + [raw], catalog: fuzzCatalog, now: now)
    if again.diagnostics != result.diagnostics { fatalError("fuzz invariant: two loads of one input disagree") }
    return 0
}
