import Foundation

/// Finds provider credentials written in plaintext, so they are caught before they reach git
/// history. Messages name the kind of key and where it is, never the value.
public enum SecretScanner {
    /// Characters a key's body is made of.
    enum Alphabet: Sendable {
        case alphanumeric, upperAlphanumeric, hex, token, any

        func contains(_ c: UInt8) -> Bool {
            switch self {
            case .alphanumeric: SecretScanner.isAlnum(c)
            case .upperAlphanumeric: (c >= 48 && c <= 57) || (c >= 65 && c <= 90)
            case .hex: SecretScanner.isHex(c)
            case .token: SecretScanner.isToken(c)
            case .any: true
            }
        }
    }

    struct Pattern: Sendable {
        let prefix: [UInt8]
        /// Characters allowed after the prefix, and how many at least make it a real key.
        let body: Alphabet
        let minimumBody: Int
        let what: String
        /// True when the prefix must not follow a letter or digit (avoids matches inside words).
        let needsBoundary: Bool
    }

    static let ageIdentity = "an age private key (AGE-SECRET-KEY-1…)"

    static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
    static func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }
    static func isToken(_ c: UInt8) -> Bool { isAlnum(c) || c == 95 || c == 45 }  // _ -

    static let patterns: [Pattern] = [
        Pattern(prefix: Array("sk_live_".utf8), body: .alphanumeric, minimumBody: 16, what: "a Stripe live secret key (sk_live_…)", needsBoundary: true),
        Pattern(prefix: Array("sk_test_".utf8), body: .alphanumeric, minimumBody: 16, what: "a Stripe test secret key (sk_test_…)", needsBoundary: true),
        Pattern(prefix: Array("rk_live_".utf8), body: .alphanumeric, minimumBody: 16, what: "a Stripe live restricted key (rk_live_…)", needsBoundary: true),
        Pattern(prefix: Array("rk_test_".utf8), body: .alphanumeric, minimumBody: 16, what: "a Stripe test restricted key (rk_test_…)", needsBoundary: true),
        Pattern(prefix: Array("whsec_".utf8), body: .alphanumeric, minimumBody: 16, what: "a Stripe webhook signing secret (whsec_…)", needsBoundary: true),
        Pattern(prefix: Array("xkeysib-".utf8), body: .token, minimumBody: 32, what: "a Brevo API key (xkeysib-…)", needsBoundary: true),
        Pattern(prefix: Array("xsmtpsib-".utf8), body: .token, minimumBody: 32, what: "a Brevo SMTP key (xsmtpsib-…)", needsBoundary: true),
        Pattern(prefix: Array("1//0".utf8), body: .token, minimumBody: 30, what: "a Google OAuth refresh token (1//0…)", needsBoundary: true),
        Pattern(prefix: Array("ya29.".utf8), body: .token, minimumBody: 30, what: "a Google OAuth access token (ya29.…)", needsBoundary: true),
        Pattern(prefix: Array("GOCSPX-".utf8), body: .token, minimumBody: 20, what: "a Google OAuth client secret (GOCSPX-…)", needsBoundary: true),
        Pattern(prefix: Array("AIza".utf8), body: .token, minimumBody: 35, what: "a Google API key (AIza…)", needsBoundary: true),
        Pattern(prefix: Array("EAA".utf8), body: .alphanumeric, minimumBody: 60, what: "a Meta access token (EAA…)", needsBoundary: true),
        Pattern(prefix: Array("shpat_".utf8), body: .hex, minimumBody: 32, what: "a Shopify admin access token (shpat_…)", needsBoundary: true),
        Pattern(prefix: Array("shpss_".utf8), body: .hex, minimumBody: 32, what: "a Shopify shared secret (shpss_…)", needsBoundary: true),
        Pattern(prefix: Array("shpca_".utf8), body: .hex, minimumBody: 32, what: "a Shopify custom app token (shpca_…)", needsBoundary: true),
        Pattern(prefix: Array("shppa_".utf8), body: .hex, minimumBody: 32, what: "a Shopify private app token (shppa_…)", needsBoundary: true),
        Pattern(prefix: Array("A21AA".utf8), body: .token, minimumBody: 40, what: "a PayPal access token (A21AA…)", needsBoundary: true),
        Pattern(prefix: Array("AGE-SECRET-KEY-1".utf8), body: .alphanumeric, minimumBody: 50, what: ageIdentity, needsBoundary: true),
        Pattern(prefix: Array("ghp_".utf8), body: .alphanumeric, minimumBody: 30, what: "a GitHub personal access token (ghp_…)", needsBoundary: true),
        Pattern(prefix: Array("AKIA".utf8), body: .upperAlphanumeric, minimumBody: 16, what: "an AWS access key ID (AKIA…)", needsBoundary: true),
        Pattern(prefix: Array("ASIA".utf8), body: .upperAlphanumeric, minimumBody: 16, what: "an AWS temporary access key ID (ASIA…)", needsBoundary: true),
        Pattern(prefix: Array("xoxb-".utf8), body: .token, minimumBody: 20, what: "a Slack bot token (xoxb-…)", needsBoundary: true),
        Pattern(prefix: Array("xoxp-".utf8), body: .token, minimumBody: 20, what: "a Slack user token (xoxp-…)", needsBoundary: true),
        Pattern(prefix: Array("SG.".utf8), body: .token, minimumBody: 40, what: "a SendGrid API key (SG.…)", needsBoundary: true),
        Pattern(prefix: Array("sq0atp-".utf8), body: .token, minimumBody: 20, what: "a Square access token (sq0atp-…)", needsBoundary: true),
        Pattern(prefix: Array("sq0csp-".utf8), body: .token, minimumBody: 20, what: "a Square application secret (sq0csp-…)", needsBoundary: true),
        Pattern(prefix: Array("glpat-".utf8), body: .token, minimumBody: 20, what: "a GitLab access token (glpat-…)", needsBoundary: true),
        Pattern(prefix: Array("github_pat_".utf8), body: .token, minimumBody: 30, what: "a GitHub fine-grained token (github_pat_…)", needsBoundary: true),
        Pattern(prefix: Array("-----BEGIN ".utf8), body: .any, minimumBody: 0, what: "a private key (-----BEGIN … PRIVATE KEY-----)", needsBoundary: false),
    ]

    public struct Finding: Sendable, Hashable {
        /// 0-based byte offset of the match in the scanned text.
        public let offset: Int
        /// Length in bytes of the matched credential.
        public let length: Int
        public let what: String
    }

    /// Every match in `bytes`. The PEM pattern only counts when it is a private key header.
    public static func findings(in bytes: [UInt8]) -> [Finding] {
        var result: [Finding] = []
        let count = bytes.count
        var i = 0
        var twilioSIDs: [Int] = []
        var hexTokens: [Int] = []
        while i < count {
            let c = bytes[i]
            let boundary = i == 0 || !isToken(bytes[i - 1])
            var matched = false
            for pattern in patterns where pattern.prefix[0] == c && (!pattern.needsBoundary || boundary) {
                guard matches(bytes, at: i, pattern.prefix) else { continue }
                if pattern.minimumBody == 0 {
                    // PEM: only a private key header is a secret.
                    let end = Swift.min(count, i + 64)
                    let line = bytes[i..<end].prefix { $0 != 10 }
                    if String(decoding: line, as: UTF8.self).contains("PRIVATE KEY-----") {
                        result.append(Finding(offset: i, length: line.count, what: pattern.what))
                        i += pattern.prefix.count
                        matched = true
                        break
                    }
                    continue
                }
                var j = i + pattern.prefix.count
                while j < count, pattern.body.contains(bytes[j]) { j += 1 }
                if j - i - pattern.prefix.count >= pattern.minimumBody {
                    result.append(Finding(offset: i, length: j - i, what: pattern.what))
                    i = j
                    matched = true
                    break
                }
            }
            if matched { continue }
            // Twilio: an account SID (AC + 32 hex) next to a 32-hex auth token.
            if boundary, isHex(c) || c == 65 {
                var j = i
                while j < count, isToken(bytes[j]) { j += 1 }
                let length = j - i
                if length == 34, c == 65, bytes[i + 1] == 67, bytes[(i + 2)..<j].allSatisfy(isHex) {
                    twilioSIDs.append(i)
                } else if length == 32, bytes[i..<j].allSatisfy(isHex) {
                    hexTokens.append(i)
                }
                i = Swift.max(j, i + 1)
                continue
            }
            i += 1
        }
        if !twilioSIDs.isEmpty {
            for offset in hexTokens {
                result.append(Finding(offset: offset, length: 32, what: "a Twilio auth token (32 hexadecimal characters next to an account SID)"))
            }
        }
        return result.sorted { $0.offset < $1.offset }
    }

    static func matches(_ bytes: [UInt8], at index: Int, _ prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for k in 0..<prefix.count where bytes[index + k] != prefix[k] { return false }
        return true
    }

    /// True when a single value looks like a known credential.
    public static func looksSecret(_ value: String) -> Bool {
        !findings(in: Array(value.utf8)).isEmpty
    }

    /// True when a value looks like a known credential or like a random token of any provider
    /// (see `randomTokens`): such a value is never quoted back in a message.
    public static func mustNotQuote(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return !findings(in: bytes).isEmpty || !randomTokens(in: bytes).isEmpty
    }

    /// Spans that look machine-made rather than written: 24 or more characters of a token or
    /// base64 alphabet with letters and digits mixed and a high spread of characters. Not used
    /// to flag files (prose and ids would trip it), only to keep what a config quotes back out of
    /// messages: a config's own names are words. Lowercase hex (commit ids, fingerprints) is kept.
    static func randomTokens(in bytes: [UInt8]) -> [Finding] {
        func isPart(_ c: UInt8) -> Bool { isToken(c) || c == 43 || c == 61 || c == 47 }  // + = /
        var result: [Finding] = []
        var i = 0
        while i < bytes.count {
            guard isPart(bytes[i]) else {
                i += 1
                continue
            }
            var j = i
            while j < bytes.count, isPart(bytes[j]) { j += 1 }
            // A path is words between slashes: judge each segment of it, not the whole.
            var start = i
            for end in (i...j) where end == j || bytes[end] == 47 {
                let span = bytes[start..<end]
                if span.count >= 24, looksRandom(span) { result.append(Finding(offset: start, length: span.count, what: "a random token")) }
                start = end + 1
            }
            i = j
        }
        if result.isEmpty, bytes.count >= 24, bytes.allSatisfy(isPart), looksRandom(bytes[...]) {
            result.append(Finding(offset: 0, length: bytes.count, what: "a random token"))
        }
        return result
    }

    static func looksRandom(_ span: ArraySlice<UInt8>) -> Bool {
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        func isLetter(_ c: UInt8) -> Bool { (65...90).contains(c) || (97...122).contains(c) }
        guard span.filter(isDigit).count >= 2, span.filter(isLetter).count >= 4 else { return false }
        // Lowercase hex is a commit id or a fingerprint; an age recipient (bech32) is public.
        if span.allSatisfy(isHex) { return false }
        if span.starts(with: Array("age1".utf8)), span.allSatisfy({ isDigit($0) || (97...122).contains($0) }) { return false }
        // A name is words and numbers joined by '-' or '_' ("soin-75-minutes"); a token mixes
        // letters and digits inside one run.
        let runs = span.split { $0 == 45 || $0 == 95 }
        guard runs.contains(where: { $0.count >= 6 && $0.contains(where: isDigit) && $0.contains(where: isLetter) }) else { return false }
        var counts: [UInt8: Int] = [:]
        for c in span { counts[c, default: 0] += 1 }
        let n = Double(span.count)
        let entropy = counts.values.reduce(0.0) { sum, count in
            let p = Double(count) / n
            return sum - p * log2(p)
        }
        return entropy >= 3.8
    }

    /// The text with every credential-shaped span replaced, so no message can carry one.
    /// `randomTokens`: also what only looks random (for diagnostics, which quote the config).
    public static func redact(_ text: String, randomTokens alsoRandom: Bool = false) -> String {
        let bytes = Array(text.utf8)
        var found = findings(in: bytes)
        if alsoRandom {
            found = (found + randomTokens(in: bytes).filter { token in !found.contains { $0.offset < token.offset + token.length && token.offset < $0.offset + $0.length } })
                .sorted { $0.offset < $1.offset }
        }
        guard !found.isEmpty else { return text }
        var out: [UInt8] = []
        var position = 0
        for finding in found where finding.offset >= position {
            out.append(contentsOf: bytes[position..<finding.offset])
            out.append(contentsOf: Array("‹redacted›".utf8))
            position = finding.offset + finding.length
        }
        out.append(contentsOf: bytes[Swift.min(position, bytes.count)...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Diagnostics for a plaintext file (or what an encrypted file leaves in clear): one per
    /// finding, located by line and column.
    public static func diagnostics(for bytes: [UInt8], file: String, inEncryptedFile: Bool = false) -> [Diagnostic] {
        let found = findings(in: bytes)
        guard !found.isEmpty else { return [] }
        var lineStarts = [0]
        for (index, byte) in bytes.enumerated() where byte == 10 { lineStarts.append(index + 1) }
        return found.map { finding in
            let line = lineStarts.lastIndex { $0 <= finding.offset } ?? 0
            let column = String(decoding: bytes[lineStarts[line]..<finding.offset], as: UTF8.self).unicodeScalars.count + 1
            let location = SourceLocation(file: file, line: line + 1, column: column)
            if finding.what == ageIdentity {
                return Diagnostic(
                    .error, .secretInPlaintext, at: location, "an age private key (AGE-SECRET-KEY-1…) is committed in the config",
                    hint: "remove it from the repository and rotate: anyone with the repository can decrypt every secret (salonops secrets revoke <its recipient>)")
            }
            return Diagnostic(
                .error, .secretInPlaintext, at: location,
                inEncryptedFile
                    ? "this encrypted file holds, in clear (a comment or an unencrypted value), what looks like \(finding.what)"
                    : "this file is not encrypted but holds what looks like \(finding.what)",
                hint: plaintextHint)
        }
    }

    public static let plaintextHint =
        "move it into an encrypted file (e.g. secrets/<provider>.sops.yaml) and reference it as 'secret: <file>#<key.path>'; it is in git history now, so revoke it in the provider's dashboard"
}
