import Foundation

/// One sops value: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, AES-256-GCM under the file's data
/// key with the value's key path (`a:b:`) as additional data, so a value moved to another key no
/// longer decrypts.
struct EncryptedValue: Equatable {
    var data: [UInt8]
    var iv: [UInt8]
    var tag: [UInt8]
    var type: String

    static let prefix = "ENC[AES256_GCM,"

    static func looksEncrypted(_ text: String) -> Bool { text.hasPrefix("ENC[") }

    init(data: [UInt8], iv: [UInt8], tag: [UInt8], type: String) {
        self.data = data; self.iv = iv; self.tag = tag; self.type = type
    }

    /// Parses the text form; `path` only names the value in errors.
    init(parsing text: String, path: String) throws {
        guard text.hasPrefix(Self.prefix), text.hasSuffix("]") else {
            throw SopsError.malformedValue(path: path, detail: "expected ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]")
        }
        let body = text.dropFirst(Self.prefix.count).dropLast()
        var fields: [String: Substring] = [:]
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = part.firstIndex(of: ":") else {
                throw SopsError.malformedValue(path: path, detail: "field without a name")
            }
            fields[String(part[..<colon])] = part[part.index(after: colon)...]
        }
        func decode(_ name: String) throws -> [UInt8] {
            guard let value = fields[name] else { throw SopsError.malformedValue(path: path, detail: "no \(name) field") }
            guard let bytes = Data(base64Encoded: String(value)) else {
                throw SopsError.malformedValue(path: path, detail: "\(name) is not valid base64 (truncated?)")
            }
            return [UInt8](bytes)
        }
        data = try decode("data")
        iv = try decode("iv")
        tag = try decode("tag")
        guard !iv.isEmpty else { throw SopsError.malformedValue(path: path, detail: "the iv is empty") }
        guard tag.count == 16 else { throw SopsError.malformedValue(path: path, detail: "the tag is \(tag.count) bytes, not 16 (truncated?)") }
        guard let type = fields["type"].map(String.init) else { throw SopsError.malformedValue(path: path, detail: "no type field") }
        guard ["str", "int", "float", "bool", "time", "comment", "bytes"].contains(type) else {
            throw SopsError.malformedValue(path: path, detail: "unknown type \"\(type)\"")
        }
        self.type = type
    }

    var text: String {
        "ENC[AES256_GCM,data:\(Data(data).base64EncodedString()),iv:\(Data(iv).base64EncodedString()),tag:\(Data(tag).base64EncodedString()),type:\(type)]"
    }
}

enum SopsValueCipher {
    /// Encrypts a value; `reuseIV` keeps an unchanged value's ciphertext identical (small git diffs).
    static func encrypt(_ plaintext: [UInt8], type: String, key: [UInt8], aad: String, iv reuseIV: [UInt8]? = nil) throws -> String {
        let iv = try reuseIV ?? Crypto.randomBytes(32)
        let sealed = try Crypto.aes256GCMSeal(key: key, iv: iv, plaintext: plaintext, aad: Array(aad.utf8))
        return EncryptedValue(data: sealed.ciphertext, iv: iv, tag: sealed.tag, type: type).text
    }

    static func decrypt(_ value: EncryptedValue, key: [UInt8], aad: String, path: String) throws -> [UInt8] {
        do {
            return try Crypto.aes256GCMOpen(key: key, iv: value.iv, ciphertext: value.data, tag: value.tag, aad: Array(aad.utf8))
        } catch CryptoError.authenticationFailed {
            throw SopsError.valueAuthenticationFailed(path: path)
        }
    }

    /// The typed value from decrypted bytes, as sops reads each type back.
    static func scalar(from plaintext: [UInt8], type: String, path: String) throws -> SopsScalar {
        let text = String(decoding: plaintext, as: UTF8.self)
        switch type {
        case "str", "bytes":
            return .string(text)
        case "int":
            guard let value = Int64(text) else { throw SopsError.malformedValue(path: path, detail: "an int value does not decrypt to a number") }
            return .int(value)
        case "float":
            guard let value = goParseFloat(text) else { throw SopsError.malformedValue(path: path, detail: "a float value does not decrypt to a number") }
            return .float(value)
        case "bool":
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw SopsError.malformedValue(path: path, detail: "a bool value does not decrypt to True or False")
            }
        case "time":
            return .time(text)
        default:
            throw SopsError.malformedValue(path: path, detail: "a \(type) value where a scalar was expected")
        }
    }

    private static func goParseFloat(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf", "inf", "+inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        case "NaN", "nan": return .nan
        default: return Double(text)
        }
    }
}
