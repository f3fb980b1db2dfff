/// Bech32 (BIP 173, not bech32m), as age uses it: no 90-character limit, checksum over the
/// lower-cased human-readable part, 5→8-bit conversion without padding.
enum Bech32 {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in charset.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { checksum ^= generator[i] }
        }
        return checksum
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func lower(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { (0x41...0x5a).contains($0) ? $0 + 0x20 : $0 }
    }

    private static func convert(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0, bits = 0
        var out: [UInt8] = []
        let maxValue = (1 << to) - 1
        for value in data {
            guard Int(value) >> from == 0 else { return nil }
            accumulator = (accumulator << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((accumulator >> bits) & maxValue))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << (to - bits)) & maxValue)) }
        } else if bits >= from || (accumulator << (to - bits)) & maxValue != 0 {
            return nil
        }
        return out
    }

    /// Lower-case encoding; the caller upper-cases it where the format wants that.
    static func encode(hrp: String, data: [UInt8]) -> String {
        let hrpBytes = lower(Array(hrp.utf8))
        let values = convert(data, from: 8, to: 5, pad: true)!
        let polymodValue = polymod(expand(hrpBytes) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((polymodValue >> UInt32(5 * (5 - $0))) & 31) }
        return String(decoding: hrpBytes + [UInt8(ascii: "1")] + (values + checksum).map { charset[Int($0)] }, as: UTF8.self)
    }

    /// Returns the human-readable part as written (case kept) and the 8-bit data.
    static func decode(_ text: String) throws(AgeKeyEncodingProblem) -> (hrp: String, data: [UInt8]) {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ (33...126).contains($0) }) else { throw .invalidCharacter }
        let hasLower = bytes.contains { (0x61...0x7a).contains($0) }
        let hasUpper = bytes.contains { (0x41...0x5a).contains($0) }
        guard !(hasLower && hasUpper) else { throw .mixedCase }
        guard let separator = bytes.lastIndex(of: UInt8(ascii: "1")), separator >= 1, separator + 7 <= bytes.count else {
            throw .missingSeparator
        }
        let hrp = Array(bytes[..<separator])
        var values: [UInt8] = []
        values.reserveCapacity(bytes.count - separator - 1)
        for byte in lower(Array(bytes[(separator + 1)...])) {
            let value = reverse[Int(byte)]
            guard value >= 0 else { throw .invalidCharacter }
            values.append(UInt8(value))
        }
        guard polymod(expand(lower(hrp)) + values) == 1 else { throw .badChecksum }
        guard let data = convert(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else { throw .badPadding }
        return (String(decoding: hrp, as: UTF8.self), data)
    }
}
