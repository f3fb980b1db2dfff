/// Deterministic randomness: every random choice of the sandbox (faults, latency, generated ids,
/// secrets) comes from a generator seeded from `SandboxConfiguration.seed`, so a run is
/// reproducible for a given seed and request order.
///
/// SplitMix64 derives independent streams from the seed; each stream is xoshiro256**.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// `stream` separates uses (faults, ids…) so that one does not shift the other's sequence.
    public init(seed: UInt64, stream: UInt64) {
        var sm = SplitMix64(state: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = (sm.next(), sm.next(), sm.next(), sm.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

/// Random identifiers in a provider's style, from a seeded stream.
public struct IdentifierGenerator: Sendable {
    private var random: SeededGenerator
    public static let alphanumerics = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    public static let upperAlphanumerics = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    public init(seed: UInt64, stream: UInt64) { random = SeededGenerator(seed: seed, stream: stream) }

    public mutating func string(length: Int, alphabet: [Character] = IdentifierGenerator.alphanumerics) -> String {
        String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    /// `prefix_` followed by `length` alphanumerics.
    public mutating func id(_ prefix: String, length: Int) -> String { prefix + "_" + string(length: length) }
}
