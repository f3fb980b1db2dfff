// libFuzzer target: SopsFile.parse (Yams + comment placement + metadata), then the data key with
// a fixed age identity and value decryption, then a few round-trip invariants.
// Built by scripts/fuzz.sh with -parse-as-library -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    // The lower layer on its own: every input either parses or throws.
    _ = try? SopsYAMLReader.parse(text)
    _ = SopsFile.isEncrypted(text)

    guard let file = try? SopsFile.parse(text) else { return 0 }

    // What we write must read back as the same file.
    let rendered = file.render()
    let reparsed: SopsFile
    do { reparsed = try SopsFile.parse(rendered) } catch {
        fatalError("fuzz invariant: SopsFile.render() output does not parse: \(error)")
    }
    fuzzCheck(fuzzSameValues(reparsed.documents, file.documents), "render/parse changed the documents")

    // Every ENC[…] string seen by the value parser either parses or throws.
    _ = try? EncryptedValue(parsing: file.metadata.mac, path: "sops.mac")

    guard let key = try? file.dataKey(using: [FuzzKey.identity]) else { return 0 }
    _ = try? file.decrypt(with: key, verifyMAC: false)
    guard let decrypted = try? file.decrypt(with: key) else { return 0 }

    // A file that decrypts with its MAC checked re-encrypts (keeping key and IVs) to a file
    // that decrypts to the same plaintext.
    _ = SopsYAMLWriter.render(decrypted.documents)
    let settings = SopsFile.Settings(
        groups: [[FuzzKey.identity.recipient]], rule: file.metadata.rule ?? .default,
        macOnlyEncrypted: file.metadata.macOnlyEncrypted)
    if file.metadata.keyGroups.count == 1,
        let again = try? SopsFile.encrypt(decrypted.documents, settings: settings, reusing: (file, key, decrypted))
    {
        do {
            let back = try SopsFile.parse(again.render())
            let plain = try back.decrypt(with: back.dataKey(using: [FuzzKey.identity]))
            fuzzCheck(plain.documents == decrypted.documents, "re-encrypt/decrypt changed the plaintext")
        } catch {
            fatalError("fuzz invariant: a re-encrypted file does not decrypt: \(error)")
        }
    }
    return 0
}
