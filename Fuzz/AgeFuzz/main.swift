// libFuzzer target: Age.decrypt (armor detection and decoding, header parsing, X25519 unwrap with
// a fixed identity, header MAC, STREAM payload), plus the key parsers on the same bytes.
// Built by scripts/fuzz.sh with -parse-as-library -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)

    if let plaintext = try? Age.decrypt(bytes, identities: [FuzzKey.identity]) {
        // Whatever opens must seal and open again to the same bytes (binary and armored).
        for armor in [false, true] {
            do {
                let sealed = try Age.encrypt(plaintext, to: [FuzzKey.identity.recipient], armor: armor)
                let opened = try Age.decrypt(sealed, identities: [FuzzKey.identity])
                fuzzCheck(opened == plaintext, "encrypt/decrypt round trip changed \(plaintext.count) bytes (armor: \(armor))")
            } catch {
                fatalError("fuzz invariant: re-encrypting \(plaintext.count) bytes failed (armor: \(armor)): \(error)")
            }
        }
    }

    // The pieces on their own (internal API): every input parses or throws.
    if AgeArmor.looksArmored(bytes) { _ = try? AgeArmor.decode(bytes) }
    if let header = try? AgeHeader.parse(bytes) {
        // A parsed header serializes back to its own MAC input.
        fuzzCheck(AgeHeader.serializeWithoutMAC(header.stanzas) == header.macInput, "header serialize != macInput")
    }

    // Text inputs: recipients, identities and key files.
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? AgeKeyFile.parse(text)
    if size < 200 {
        _ = try? AgeRecipient(text)
        _ = try? AgeIdentity(text)
    }
    return 0
}
