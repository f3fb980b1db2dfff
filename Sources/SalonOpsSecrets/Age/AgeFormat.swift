/// The age v1 header, its strict base64, and the ASCII armor (C2SP age spec).
enum AgeBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// Standard alphabet; `padded` adds "=" to a multiple of 4.
    static func encode<C: Collection>(_ data: C, padded: Bool) -> [UInt8] where C.Element == UInt8 {
        let bytes = Array(data)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        switch bytes.count - i {
        case 1:
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
            if padded { out += Array("==".utf8) }
        case 2:
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
            if padded { out += Array("=".utf8) }
        default: break
        }
        return out
    }

    static func encodeString(_ data: [UInt8]) -> String { String(decoding: encode(data, padded: false), as: UTF8.self) }

    /// Strict decoding: only alphabet characters (no whitespace or newlines), canonical (unused
    /// bits zero); with `padded`, the length is a multiple of 4 and "=" appears only as padding.
    static func decode<C: Collection>(_ text: C, padded: Bool) -> [UInt8]? where C.Element == UInt8 {
        var chars = Array(text)
        if padded {
            guard chars.count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, chars.last == UInt8(ascii: "=") { chars.removeLast(); padding += 1 }
            if padding > 0, chars.count % 4 == 0 { return nil }  // "====" style
        }
        guard chars.count % 4 != 1 else { return nil }
        var values: [UInt8] = []
        values.reserveCapacity(chars.count)
        for char in chars {
            let value = reverse[Int(char)]
            guard value >= 0 else { return nil }
            values.append(UInt8(value))
        }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i + 4 <= values.count {
            let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12 | UInt32(values[i + 2]) << 6 | UInt32(values[i + 3])
            out += [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
            i += 4
        }
        switch values.count - i {
        case 2:
            guard values[i + 1] & 0x0f == 0 else { return nil }
            out.append(values[i] << 2 | values[i + 1] >> 4)
        case 3:
            guard values[i + 2] & 0x03 == 0 else { return nil }
            let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12 | UInt32(values[i + 2]) << 6
            out += [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff)]
        default: break
        }
        return out
    }
}

/// One recipient stanza: `-> type args…` and a body.
struct AgeStanza: Equatable {
    var type: String
    var arguments: [String]
    var body: [UInt8]
    /// The 1-based header line of the `->` line (0 for stanzas built here).
    var line: Int = 0
}

struct AgeHeader {
    static let versionLine = "age-encryption.org/v1"
    var stanzas: [AgeStanza]
    var mac: [UInt8]
    /// The header bytes the MAC covers: up to and including "---".
    var macInput: [UInt8]
    /// Where the payload (nonce, then chunks) begins in the binary file.
    var payloadOffset: Int

    /// The header without the MAC: everything up to and including "---".
    static func serializeWithoutMAC(_ stanzas: [AgeStanza]) -> [UInt8] {
        var out = Array((versionLine + "\n").utf8)
        for stanza in stanzas {
            out += Array((["->", stanza.type] + stanza.arguments).joined(separator: " ").utf8)
            out.append(0x0a)
            let encoded = AgeBase64.encode(stanza.body, padded: false)
            var start = 0
            while start + 64 <= encoded.count {
                out += encoded[start..<start + 64]
                out.append(0x0a)
                start += 64
            }
            out += encoded[start...]  // the last, shorter line: empty when the body fills whole lines
            out.append(0x0a)
        }
        out += Array("---".utf8)
        return out
    }

    private static func isValidArgument(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { (33...126).contains($0) }
    }

    /// Parses a binary age file's header. Strict: every line ends in LF, canonical base64,
    /// 64-column body lines.
    static func parse(_ file: [UInt8]) throws -> AgeHeader {
        var offset = 0
        var lineNumber = 0
        /// The next line without its LF, or nil at the end of the file before an LF.
        func nextLine() -> ArraySlice<UInt8>? {
            guard let newline = file[offset...].firstIndex(of: 0x0a) else { return nil }
            let line = file[offset..<newline]
            offset = newline + 1
            lineNumber += 1
            return line
        }

        guard let version = nextLine() else {
            if file.starts(with: Array("age-encryption.org/".utf8)) { throw AgeError.malformedHeader(line: 1, expected: "a version line ending in a newline") }
            throw AgeError.notAgeFile
        }
        guard Array(version) == Array(versionLine.utf8) else {
            if Array(version) == Array((versionLine + "\r").utf8) {
                throw AgeError.malformedHeader(line: 1, expected: "header lines ending in LF (this file has CRLF line ends: was it converted as text?)")
            }
            if version.starts(with: Array("age-encryption.org/".utf8)) { throw AgeError.unsupportedVersion }
            throw AgeError.notAgeFile
        }

        var stanzas: [AgeStanza] = []
        while true {
            let lineStart = offset
            guard let line = nextLine() else {
                throw AgeError.malformedHeader(line: lineNumber + 1, expected: "a stanza (\"-> …\") or the MAC line (\"--- …\"), each ending in a newline")
            }
            let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            if line.starts(with: Array("---".utf8)) {
                guard parts.count == 2, Array(parts[0]) == Array("---".utf8),
                    let mac = AgeBase64.decode(parts[1], padded: false), mac.count == 32
                else {
                    throw AgeError.malformedHeader(line: lineNumber, expected: "the MAC line \"--- \" followed by 43 characters of unpadded base64 (32 bytes)")
                }
                return AgeHeader(stanzas: stanzas, mac: mac, macInput: Array(file[..<(lineStart + 3)]), payloadOffset: offset)
            }
            guard parts.count >= 2, Array(parts[0]) == Array("->".utf8), parts.dropFirst().allSatisfy(isValidArgument) else {
                throw AgeError.malformedHeader(
                    line: lineNumber, expected: "a stanza line \"-> type args…\" (arguments of printable ASCII, separated by single spaces) or the MAC line \"--- …\"")
            }
            let stanzaLine = lineNumber
            var body: [UInt8] = []
            while true {
                guard let bodyLine = nextLine() else {
                    throw AgeError.malformedHeader(line: lineNumber + 1, expected: "a stanza body line ending in a newline")
                }
                guard bodyLine.count <= 64 else {
                    throw AgeError.malformedHeader(line: lineNumber, expected: "a stanza body line of at most 64 columns")
                }
                guard let decoded = AgeBase64.decode(bodyLine, padded: false) else {
                    throw AgeError.malformedHeader(line: lineNumber, expected: "a stanza body line of canonical unpadded base64")
                }
                body += decoded
                if bodyLine.count < 64 { break }  // a full line is always followed by another, possibly empty
            }
            stanzas.append(
                AgeStanza(
                    type: String(decoding: parts[1], as: UTF8.self),
                    arguments: parts.dropFirst(2).map { String(decoding: $0, as: UTF8.self) },
                    body: body, line: stanzaLine))
        }
    }
}

/// The ASCII armor: a BEGIN line, padded standard base64 at 64 columns, an END line.
enum AgeArmor {
    static let begin = "-----BEGIN AGE ENCRYPTED FILE-----"
    static let end = "-----END AGE ENCRYPTED FILE-----"
    private static let maxWhitespace = 1024

    static func encode(_ data: [UInt8]) -> [UInt8] {
        let encoded = AgeBase64.encode(data, padded: true)
        var out = Array((begin + "\n").utf8)
        var start = 0
        while start < encoded.count {
            let stop = min(start + 64, encoded.count)
            out += encoded[start..<stop]
            out.append(0x0a)
            start = stop
        }
        out += Array((end + "\n").utf8)
        return out
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d || byte == 0x0b || byte == 0x0c
    }

    /// Whether the file looks armored: after optional whitespace-only lines, it starts with "-----BEGIN".
    static func looksArmored(_ file: [UInt8]) -> Bool {
        let start = file.firstIndex { !isWhitespace($0) } ?? file.count
        return file[start...].starts(with: Array("-----BEGIN".utf8))
    }

    /// Decodes armor with the rules age applies: whitespace-only lines before BEGIN and whitespace
    /// after END are tolerated (up to 1 KiB each); CRLF line ends are tolerated; every line but the
    /// last is 64 columns; each line is canonical padded base64.
    static func decode(_ file: [UInt8]) throws -> [UInt8] {
        var offset = 0
        var lineNumber = 0
        func nextLine() -> ArraySlice<UInt8>? {
            guard offset < file.count else { return nil }
            let newline = file[offset...].firstIndex(of: 0x0a)
            var line = file[offset..<(newline ?? file.count)]
            offset = newline.map { $0 + 1 } ?? file.count
            if line.last == 0x0d { line = line.dropLast() }
            lineNumber += 1
            return line
        }
        func drainTrailing() throws {
            let rest = file[offset...]
            guard rest.allSatisfy(isWhitespace) else { throw AgeError.badArmor(.dataAfterEnd) }
            guard rest.count < maxWhitespace else { throw AgeError.badArmor(.tooMuchWhitespace) }
        }
        let beginBytes = Array(begin.utf8), endBytes = Array(end.utf8)

        var skipped = 0
        while true {
            guard let line = nextLine() else { throw AgeError.badArmor(.missingBegin) }
            if line.allSatisfy(isWhitespace) {
                skipped += line.count + 1
                guard skipped <= maxWhitespace else { throw AgeError.badArmor(.tooMuchWhitespace) }
                continue
            }
            guard Array(line) == beginBytes else { throw AgeError.badArmor(.missingBegin) }
            break
        }
        var out: [UInt8] = []
        while true {
            guard let line = nextLine() else { throw AgeError.badArmor(.missingEnd) }
            if Array(line) == endBytes {
                try drainTrailing()
                return out
            }
            guard line.count <= 64 else { throw AgeError.badArmor(.lineTooLong(line: lineNumber)) }
            guard let decoded = AgeBase64.decode(line, padded: true) else { throw AgeError.badArmor(.invalidBase64(line: lineNumber)) }
            out += decoded
            if decoded.count < 48 {
                let shortLine = lineNumber
                guard let closing = nextLine() else { throw AgeError.badArmor(.missingEnd) }
                guard Array(closing) == endBytes else { throw AgeError.badArmor(.shortLineNotLast(line: shortLine)) }
                try drainTrailing()
                return out
            }
        }
    }
}
