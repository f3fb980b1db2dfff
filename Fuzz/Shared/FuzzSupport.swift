// Shared by the fuzz targets (compiled into the same module as Sources/SalonOpsSecrets by
// scripts/fuzz.sh, so internal API is reachable). Not product code.

/// The fixed identity every fuzz target decrypts with. A throwaway key made for fuzzing only:
/// scripts/fuzz.sh encrypts its seed corpus to FuzzKey.recipient with the real age and sops, so
/// mutations start from files this identity can open. Never use it for anything real.
enum FuzzKey {
    static let secret = "AGE-SECRET-KEY-160L0J892WT0LG26VNP4NUPTKYRK38ZRK4VT70FLS94SJKJT84D0SX4F9UF"
    static let recipient = "age14477dfqw7xuexpg34yvfghx92vrzjrcyqjnv68lqdsnfd6flkawq2g4yum"
    static let identity: AgeIdentity = {
        let identity = try! AgeIdentity(secret)
        precondition(identity.recipient.description == recipient, "FuzzKey: secret and recipient disagree")
        return identity
    }()
}

/// The fuzzer's input as bytes.
@inline(__always)
func fuzzBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// An invariant the code under test must keep: a failure is reported as a crash (with the
/// message), which libFuzzer saves as crash-<sha1>.
@inline(__always)
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz invariant: \(message())") }
}

/// Documents as go-yaml (and so sops) round-trips them: a float with no fractional part is
/// written in Go's shortest form (`0864` read as the float 864 is written `864`), which reads
/// back as the int of the same value. That is sops' own behaviour, kept on purpose (see
/// ScalarResolution.formatFloatForYAML); every other change is a failure.
func fuzzSameValues(_ a: [SopsNode], _ b: [SopsNode]) -> Bool {
    a.map(fuzzNormalized) == b.map(fuzzNormalized)
}

func fuzzNormalized(_ node: SopsNode) -> SopsNode {
    switch node {
    case .mapping(let items):
        return .mapping(
            items.map { item in
                if case .entry(let key, let value) = item { return .entry(key, fuzzNormalized(value)) }
                return item
            })
    case .sequence(let nodes): return .sequence(nodes.map(fuzzNormalized))
    case .scalar(.float(let value)) where value.rounded() == value && abs(value) < 9.0e15: return .scalar(.int(Int64(value)))
    default: return node
    }
}
