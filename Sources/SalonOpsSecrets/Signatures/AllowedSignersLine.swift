import Foundation

/// Reads one line of an allowed_signers file, as ssh-keygen's sshsig.c does: the principals
/// (quoted or not), then a key type, or else options and then a key type; the base64 key; the
/// rest is a comment.
struct AllowedSignersLine {
    let characters: [Character]
    let number: Int
    let path: String
    let timeZone: TimeZone
    private var position = 0

    init(_ text: String, number: Int, path: String, timeZone: TimeZone) {
        characters = Array(text)
        self.number = number
        self.path = path
        self.timeZone = timeZone
    }

    static let keyTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    static func looksLikeKeyType(_ field: String) -> Bool {
        keyTypes.contains(field) || (["ssh-", "ecdsa-", "sk-"].contains { field.hasPrefix($0) } && !field.contains("="))
    }

    /// The entry, or nil for a blank or comment line.
    mutating func parse() throws(AllowedSignersError) -> AllowedSigners.Entry? {
        skipSpaces()
        guard position < characters.count, characters[position] != "#" else { return nil }
        let (principals, _) = try field("the principals")
        var (keyType, keyTypeColumn) = try field("a key type")
        var options = Options()
        // Options, when present, come before the key type; a misspelt key type is not an option.
        if !Self.looksLikeKeyType(keyType) {
            options = try parseOptions(keyType, column: keyTypeColumn)
            (keyType, keyTypeColumn) = try field("a key type after the options")
        }
        if keyType.hasSuffix("-cert-v01@openssh.com") {
            throw error(at: keyTypeColumn, "certificate keys are not supported", hint: "list the plain public key of each signer")
        }
        guard Self.keyTypes.contains(keyType) else {
            throw error(at: keyTypeColumn, "unknown key type '\(keyType)'", hint: "write `PRINCIPAL [OPTIONS] ssh-ed25519 AAAA…`")
        }
        let (encoded, keyColumn) = try field("the base64 key")
        guard let blob = Data(base64Encoded: encoded), let key = try? SSHPublicKey(blob: Array(blob)) else {
            throw error(at: keyColumn, "the key is not base64 of an SSH public key", hint: "copy it from the signer's .pub file")
        }
        guard key.type == keyType else {
            throw error(at: keyColumn, "the key is a \(key.type) key, but the line says \(keyType)", hint: "copy the whole line of the signer's .pub file")
        }
        return AllowedSigners.Entry(
            line: number, principals: principals.replacingOccurrences(of: "\"", with: ""), namespaces: options.namespaces,
            validAfter: options.validAfter, validBefore: options.validBefore, key: key)
    }

    private struct Options {
        var namespaces: String?
        var validAfter: Date?
        var validBefore: Date?
    }

    /// `name[="value"]` items separated by commas, no spaces outside quotes.
    private func parseOptions(_ text: String, column: Int) throws(AllowedSignersError) -> Options {
        var options = Options()
        var offset = 0
        for item in Self.splitOutsideQuotes(text) {
            let itemColumn = column + offset
            offset += item.count + 1
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts.first?.lowercased() ?? ""
            if name == "cert-authority" {
                throw error(
                    at: itemColumn, "cert-authority lines are not supported (SSH certificates are not verified)",
                    hint: "list each signer's own public key instead")
            }
            guard ["namespaces", "valid-after", "valid-before"].contains(name) else {
                throw error(at: itemColumn, "unknown option '\(parts.first ?? "")'", hint: "options are namespaces=\"…\", valid-after=\"…\" and valid-before=\"…\"")
            }
            guard parts.count == 2, parts[1].count >= 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\"") else {
                throw error(at: itemColumn, "\(name) needs a quoted value", hint: "write \(name)=\"\(name == "namespaces" ? "git" : "20260101")\"")
            }
            let value = String(parts[1].dropFirst().dropLast())
            let valueColumn = itemColumn + name.count + 2
            switch name {
            case "namespaces":
                guard options.namespaces == nil else { throw error(at: itemColumn, "namespaces is given twice", hint: "list them in one: namespaces=\"git,file\"") }
                options.namespaces = value
            case "valid-after":
                guard options.validAfter == nil else { throw error(at: itemColumn, "valid-after is given twice", hint: "keep one") }
                options.validAfter = try time(value, column: valueColumn)
            default:
                guard options.validBefore == nil else { throw error(at: itemColumn, "valid-before is given twice", hint: "keep one") }
                options.validBefore = try time(value, column: valueColumn)
            }
        }
        if let after = options.validAfter, let before = options.validBefore, before <= after {
            throw error(at: column, "valid-before is not after valid-after", hint: "swap them, or fix the dates")
        }
        return options
    }

    /// `YYYYMMDD[Z]` or `YYYYMMDDHHMM[SS][Z]`; without `Z`, in `timeZone` (ssh-keygen's rule).
    private func time(_ text: String, column: Int) throws(AllowedSignersError) -> Date {
        let utc = text.hasSuffix("Z")
        let digits = utc ? String(text.dropLast()) : text
        let invalid = error(at: column, "'\(text)' is not a time", hint: "write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with a trailing Z for UTC")
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { throw invalid }
        let numbers = Array(digits)
        func number(_ start: Int, _ length: Int) -> Int { Int(String(numbers[start..<start + length])) ?? -1 }
        var components = DateComponents(
            year: number(0, 4), month: number(4, 2), day: number(6, 2), hour: digits.count > 8 ? number(8, 2) : 0,
            minute: digits.count > 8 ? number(10, 2) : 0, second: digits.count > 12 ? number(12, 2) : 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc ? TimeZone(identifier: "UTC")! : timeZone
        components.calendar = calendar
        // Foundation rolls 31 February over into March: refuse what does not come back unchanged.
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
                == DateComponents(year: components.year, month: components.month, day: components.day, hour: components.hour, minute: components.minute, second: components.second)
        else { throw invalid }
        return date
    }

    // MARK: - Fields

    private mutating func skipSpaces() {
        while position < characters.count, characters[position] == " " || characters[position] == "\t" { position += 1 }
    }

    /// The next space-delimited field (spaces inside double quotes kept) and its 1-based column.
    private mutating func field(_ what: String) throws(AllowedSignersError) -> (String, Int) {
        skipSpaces()
        let start = position
        var quoted = false
        while position < characters.count, quoted || (characters[position] != " " && characters[position] != "\t") {
            if characters[position] == "\"" { quoted.toggle() }
            position += 1
        }
        guard !quoted else { throw error(at: start + 1, "a quote is not closed", hint: "close it with \"") }
        guard position > start else {
            throw error(at: start + 1, "the line ends where \(what) should be", hint: "write `PRINCIPAL [OPTIONS] ssh-ed25519 AAAA…`")
        }
        return (String(characters[start..<position]), start + 1)
    }

    static func splitOutsideQuotes(_ text: String) -> [String] {
        var items: [String] = [], current = "", quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == ",", !quoted {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        return items + [current]
    }

    private func error(at column: Int, _ message: String, hint: String) -> AllowedSignersError {
        AllowedSignersError(path: path, line: number, column: column, message: message, hint: hint)
    }
}
