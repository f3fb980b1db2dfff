/// What bytes a config file holds before it is read as YAML: UTF-8 (with or without a byte-order
/// mark), UTF-16, or something else, with the position of the first byte that is not UTF-8.
enum TextEncoding {
    static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The bytes without a leading UTF-8 byte-order mark. Accepted rather than refused: Windows
    /// editors add it silently, sops and kubectl (go-yaml) skip it, and libyaml, as Yams drives
    /// it, would otherwise glue it to the first key (`\u{FEFF}apiVersion`, then "missing apiVersion").
    static func strippingBOM(_ bytes: [UInt8]) -> [UInt8] {
        bytes.starts(with: utf8BOM) ? Array(bytes.dropFirst(3)) : bytes
    }

    enum UTF16Order: String { case littleEndian = "little-endian", bigEndian = "big-endian" }

    /// UTF-16 by its byte-order mark, or (without one) by ASCII text with every other byte 0,
    /// which is how Notepad's "Unicode" and PowerShell's `>` write YAML.
    static func utf16Order(_ bytes: [UInt8]) -> UTF16Order? {
        if bytes.starts(with: [0xFF, 0xFE]) { return .littleEndian }
        if bytes.starts(with: [0xFE, 0xFF]) { return .bigEndian }
        let sample = bytes.prefix(64)
        guard sample.count >= 4, sample.count % 2 == 0 else { return nil }
        let even = stride(from: 0, to: sample.count, by: 2).map { sample[sample.startIndex + $0] }
        let odd = stride(from: 1, to: sample.count, by: 2).map { sample[sample.startIndex + $0] }
        if odd.allSatisfy({ $0 == 0 }) && even.allSatisfy({ $0 != 0 && $0 < 0x80 }) { return .littleEndian }
        if even.allSatisfy({ $0 == 0 }) && odd.allSatisfy({ $0 != 0 && $0 < 0x80 }) { return .bigEndian }
        return nil
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            var lowest: UInt8 = 0x80, highest: UInt8 = 0xBF  // allowed range of the second byte
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowest = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; highest = 0x9F
            case 0xF0: length = 4; lowest = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; highest = 0x8F
            default: return index
            }
            for k in 1..<length {
                guard index + k < bytes.count else { return index }
                let byte = bytes[index + k]
                if k == 1 ? !(lowest...highest).contains(byte) : !(0x80...0xBF).contains(byte) { return index }
            }
            index += length
        }
        return nil
    }

    /// The 1-based line and column of a byte offset, as libyaml and editors count them: line
    /// breaks are LF, CRLF or a lone CR; a column counts characters (UTF-8 lead bytes), not bytes.
    static func position(ofByte offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1, index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == 0x0A || (byte == 0x0D && (index + 1 >= bytes.count || bytes[index + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if byte != 0x0D && (byte & 0xC0) != 0x80 {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }

    /// "U+0000 (NUL)", for a message about one character.
    static func describe(_ scalar: UInt32) -> String {
        let names: [UInt32: String] = [0x00: "NUL", 0x07: "BEL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed", 0x1B: "escape", 0x7F: "DEL"]
        let hex = String(scalar, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return names[scalar].map { "\(code) (\($0))" } ?? code
    }
}
