// libFuzzer target: CreationRules.parse (.sops.yaml) and rule lookup.
// Built by scripts/fuzz.sh with -parse-as-library -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let rules = try? CreationRules.parse(text, path: "/fuzz/.sops.yaml") else { return 0 }
    for relative in ["secrets/prod.enc.yaml", "credentials/stripe.yaml", "a.json", ""] {
        _ = try? rules.rule(forRelativePath: relative)
    }
    _ = try? rules.rule(for: "/fuzz/secrets/x.yaml")
    return 0
}
