/// Shamir's secret sharing over GF(2^8) as sops uses it (HashiCorp Vault's layout): each share is
/// the polynomial values for every secret byte followed by the share's x coordinate.
enum Shamir {
    /// Multiplication in the AES field (x^8 + x^4 + x^3 + x + 1), in constant time.
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var result: UInt8 = 0
        for i in stride(from: 7, through: 0, by: -1) {
            let bit = (b >> UInt8(i)) & 1
            result = ((0 &- bit) & a) ^ ((0 &- (result >> 7)) & 0x1B) ^ (result &+ result)
        }
        return result
    }

    static func inverse(_ a: UInt8) -> UInt8 {
        // a^254 = a^-1 in GF(2^8).
        var result: UInt8 = 1
        var base = a
        var exponent = 254
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    static func split(_ secret: [UInt8], parts: Int, threshold: Int) throws -> [[UInt8]] {
        guard parts >= 2, parts <= 255, threshold >= 2, threshold <= parts, !secret.isEmpty else {
            throw SopsError.badRule("key groups: need 2…255 groups and a threshold between 2 and the number of groups")
        }
        // Distinct non-zero x coordinates, in random order.
        var xs = Array(UInt8(1)...UInt8(255))
        let shuffleBytes = try Crypto.randomBytes(255 * 2)
        for i in stride(from: xs.count - 1, to: 0, by: -1) {
            let j = Int(UInt16(shuffleBytes[2 * i]) << 8 | UInt16(shuffleBytes[2 * i + 1])) % (i + 1)
            xs.swapAt(i, j)
        }
        var shares = (0..<parts).map { _ in [UInt8](repeating: 0, count: secret.count + 1) }
        for (index, byte) in secret.enumerated() {
            let coefficients = [byte] + (try Crypto.randomBytes(threshold - 1))
            for part in 0..<parts {
                let x = xs[part]
                var y: UInt8 = 0
                for coefficient in coefficients.reversed() { y = multiply(y, x) ^ coefficient }
                shares[part][index] = y
            }
        }
        for part in 0..<parts { shares[part][secret.count] = xs[part] }
        return shares
    }

    static func combine(_ shares: [[UInt8]]) throws -> [UInt8] {
        guard shares.count >= 2, let length = shares.first?.count, length >= 2, shares.allSatisfy({ $0.count == length }) else {
            throw SopsError.malformedMetadata("the key group shares do not fit together")
        }
        let xs = shares.map { $0[length - 1] }
        guard Set(xs).count == xs.count, !xs.contains(0) else { throw SopsError.malformedMetadata("two key group shares have the same coordinate") }
        var secret = [UInt8](repeating: 0, count: length - 1)
        for index in 0..<(length - 1) {
            var value: UInt8 = 0
            for i in 0..<shares.count {
                // Lagrange basis at 0: Π x_j / (x_j - x_i); subtraction is xor here.
                var basis: UInt8 = 1
                for j in 0..<shares.count where j != i {
                    basis = multiply(basis, multiply(xs[j], inverse(xs[j] ^ xs[i])))
                }
                value ^= multiply(shares[i][index], basis)
            }
            secret[index] = value
        }
        return secret
    }
}
