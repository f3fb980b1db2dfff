import Foundation
import SalonOpsSecrets
import Synchronization

/// Groupon's server-to-server signature (GrouponConnect 3PIP, booking.md §5.2), checked before a
/// byte of the request is acted on:
///
///     Authorization: groupon-third-party version="1.1",digest="HMAC-SHA1",nonce="<n>",signature="<s>"
///     s = PERCENT_ENCODE(BASE64(HMAC_SHA1(key, UPPER(verb) & enc(nonce) & enc(base_url) & enc(params) & SHA256_HEX(TRIM(body)))))
///
/// The key is the signing key's text used raw (not base64-decoded). What the public text leaves
/// open is decided here and marked as assumed in docs/providers/groupon.md: `base_url` is the
/// daemon's public URL (`PublicBaseURL`, so that a reverse proxy works) followed by the path as
/// it reached the daemon; `params` are the query's parameters, OAuth 1.0a style (each name and
/// value RFC 3986-encoded, sorted by name then value, `name=value` joined with `&`); the body
/// digest is lowercase hex over the body without leading and trailing whitespace. A nonce is
/// accepted once within `GrouponNonces.window`. Every comparison is constant-time and no refusal
/// quotes the key or the signature.
public enum GrouponSignature {
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The one version accepted; 1.0 is deprecated by Groupon.
    public static let version = "1.1"
    public static let scheme = "groupon-third-party"

    /// What the `Authorization` header says, before anything is checked against it.
    public struct Authorization: Sendable, Equatable {
        public let version: String
        public let digest: String
        public let nonce: String
        /// As sent: percent-encoded base64.
        public let signature: String
    }

    /// Checks a request: the header is there and well formed, version 1.1, HMAC-SHA1, the
    /// signature matches this request under `key`, and the nonce was not seen within the window
    /// (recorded only once everything else holds, so nobody without the key can fill the set).
    /// `headers`: by lowercase name. `query`: the raw query string, without `?`.
    public static func verify(
        method: String, path: String, query: String, headers: [String: String], body: [UInt8],
        publicBaseURL: PublicBaseURL, key: Secret, nonces: GrouponNonces, now: Date
    ) throws(Refusal) {
        guard let header = headers["authorization"] else {
            throw Refusal("no Authorization header: Groupon signs every request with '\(scheme) version=\"\(version)\",digest=\"HMAC-SHA1\",nonce=…,signature=…'")
        }
        let authorization = try parse(header)
        guard authorization.version == version else {
            if authorization.version == "1.0" {
                throw Refusal("signature version 1.0 is deprecated by Groupon: only version \(version) is accepted")
            }
            throw Refusal("signature version '\(shown(authorization.version))' is not supported: only version \(version) is accepted")
        }
        guard authorization.digest.uppercased() == "HMAC-SHA1" else {
            throw Refusal("digest '\(shown(authorization.digest))' is not supported: version \(version) signs with HMAC-SHA1")
        }
        guard let parameters = GrouponQuery.decode(query) else {
            throw Refusal("the query string is not valid percent-encoding, so its parameters cannot be signed")
        }
        let base = baseString(
            method: method, nonce: authorization.nonce, baseURL: publicBaseURL.url(path: path), parameters: parameters, body: body)
        guard let given = decodedSignature(authorization.signature),
            Crypto.constantTimeEqual(given, Crypto.hmacSHA1(key: Array(key.reveal().utf8), data: Array(base.utf8)))
        else {
            throw Refusal("the signature does not match this request (method, URL, parameters, body) and the Groupon signing key")
        }
        guard nonces.admit(authorization.nonce, at: now) else {
            throw Refusal("nonce already used within the last \(Int(nonces.window / 60)) minutes: a replayed request is refused")
        }
    }

    // MARK: The algorithm

    /// `UPPER(verb) & enc(nonce) & enc(base_url) & enc(sorted_param_string) & SHA256_HEX(TRIM(body))`.
    static func baseString(method: String, nonce: String, baseURL: String, parameters: [(String, String)], body: [UInt8]) -> String {
        [method.uppercased(), encode(nonce), encode(baseURL), encode(parameterString(parameters)), hex(Crypto.sha256(trimmed(body)))]
            .joined(separator: "&")
    }

    /// OAuth 1.0a §3.4.1.3.2: each name and value encoded, sorted by name then value, `name=value`
    /// joined with `&`.
    static func parameterString(_ parameters: [(String, String)]) -> String {
        parameters.map { (encode($0.0), encode($0.1)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of UTF-8: everything but ALPHA, DIGIT, `-`, `.`, `_`, `~`, with
    /// uppercase hex digits.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)])
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    /// TRIM: the body without leading and trailing spaces, tabs, CR and LF.
    static func trimmed(_ body: [UInt8]) -> [UInt8] {
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        guard let first = body.firstIndex(where: { !blank.contains($0) }), let last = body.lastIndex(where: { !blank.contains($0) }) else { return [] }
        return Array(body[first...last])
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }

    /// The header's signature: percent-decoded (a sender that did not encode it is read the same),
    /// then base64, 20 bytes; nil otherwise.
    static func decodedSignature(_ text: String) -> [UInt8]? {
        guard text.count <= 128, let unescaped = text.removingPercentEncoding, let bytes = Data(base64Encoded: unescaped), bytes.count == 20 else { return nil }
        return Array(bytes)
    }

    // MARK: The header

    /// `groupon-third-party k="v",k="v",…`: the scheme (any case), then quoted parameters
    /// separated by commas; names in any case, each once; `version`, `digest`, `nonce` and
    /// `signature` required, others ignored.
    public static func parse(_ header: String) throws(Refusal) -> Authorization {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.count <= 1024 else { throw Refusal("the Authorization header is over 1024 characters") }
        guard let space = text.firstIndex(of: " "), text[..<space].lowercased() == scheme else {
            throw Refusal("the Authorization header is not a '\(scheme)' signature")
        }
        var fields: [String: String] = [:]
        var rest = Substring(text[space...])
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { break }
            guard let equals = rest.firstIndex(of: "=") else { throw malformed }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            guard !name.isEmpty, rest.first == "\"" else { throw malformed }
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: "\"") else { throw malformed }
            let value = String(rest[..<close])
            guard !value.contains("\\") else { throw malformed }
            guard fields.updateValue(value, forKey: name) == nil else { throw Refusal("the Authorization header gives '\(shown(name))' twice") }
            rest = rest[rest.index(after: close)...].drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { break }
            guard rest.first == "," else { throw malformed }
            rest = rest.dropFirst()
        }
        func field(_ name: String) throws(Refusal) -> String {
            guard let value = fields[name], !value.isEmpty else { throw Refusal("the Authorization header has no \(name)") }
            return value
        }
        let nonce = try field("nonce")
        guard nonce.count <= 256, nonce.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw Refusal("the nonce is not 1 to 256 printable ASCII characters")
        }
        return Authorization(version: try field("version"), digest: try field("digest"), nonce: nonce, signature: try field("signature"))
    }

    private static var malformed: Refusal { Refusal("the Authorization header is malformed: expected \(scheme) name=\"value\",name=\"value\",…") }

    /// A header value quoted in a refusal: short, printable (never the signature or a key).
    private static func shown(_ text: String) -> String {
        String(text.unicodeScalars.prefix(16).map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}

// MARK: - The base URL

extension GrouponSignature {
    /// Where Groupon reaches the daemon, as Groupon sees it (`--public-url`): scheme, host, port
    /// and the path prefix a reverse proxy strips. Signed URLs are this followed by the path the
    /// daemon received: `https://salon.example/salonops` + `/groupon/v1/feed/services/merchants`.
    /// Normalised as OAuth 1.0a §3.4.1.2 does: scheme and host lowercase, the default port left
    /// out, no trailing slash.
    public struct PublicBaseURL: Sendable, Equatable, CustomStringConvertible {
        public let origin: String
        public let pathPrefix: String

        public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
            public let description: String
        }

        public init(_ text: String) throws(Invalid) {
            let hint = "give the URL Groupon calls, without a query: https://salon.example or https://salon.example/prefix"
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
                let host = components.percentEncodedHost?.lowercased(), !host.isEmpty
            else { throw Invalid(description: "'\(text)' is not an absolute http(s) URL: \(hint)") }
            guard components.percentEncodedQuery == nil, components.percentEncodedFragment == nil, components.percentEncodedUser == nil else {
                throw Invalid(description: "'\(text)' has a query, a fragment or credentials: \(hint)")
            }
            var origin = "\(scheme)://\(host)"
            if let port = components.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) { origin += ":\(port)" }
            var prefix = components.percentEncodedPath
            while prefix.hasSuffix("/") { prefix.removeLast() }
            self.origin = origin
            self.pathPrefix = prefix
        }

        /// The signed `base_url` of a request for `path` (as received, starting with `/`).
        public func url(path: String) -> String { origin + pathPrefix + (path.hasPrefix("/") ? path : "/" + path) }

        public var description: String { origin + pathPrefix }
    }
}

// MARK: - Query parameters

enum GrouponQuery {
    /// A raw query string as name/value pairs in order, decoded as application/x-www-form-urlencoded
    /// (`+` is a space: OAuth 1.0a §3.4.1.3.1); an empty part is skipped; nil when a part is not
    /// valid percent-encoding.
    static func decode(_ query: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(halves[0]), let value = halves.count == 2 ? unescape(halves[1]) : "" else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func unescape(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

// MARK: - Replays

/// The nonces of the requests accepted within the last `window` seconds, at most `capacity` of
/// them (the oldest forgotten first): a nonce seen again is a replay. Groupon's signature covers
/// no timestamp, so a request replayed after its nonce is forgotten passes; it can only read the
/// merchants feed again. One per daemon, shared by every request.
public final class GrouponNonces: Sendable {
    public let window: TimeInterval
    public let capacity: Int
    private let state: Mutex<State>

    struct State {
        var seen: [String: Date] = [:]
        var order: [(nonce: String, at: Date)] = []
        var head = 0

        mutating func forgetOldest() {
            seen[order[head].nonce] = nil
            head += 1
        }
    }

    public init(window: TimeInterval = 3600, capacity: Int = 10_000) {
        precondition(window > 0 && capacity > 0)
        self.window = window
        self.capacity = capacity
        state = Mutex(State())
    }

    /// True, and the nonce recorded, when it was not seen within the window; false for a replay.
    public func admit(_ nonce: String, at now: Date) -> Bool {
        state.withLock { state in
            while state.head < state.order.count, now.timeIntervalSince(state.order[state.head].at) >= window { state.forgetOldest() }
            guard state.seen[nonce] == nil else { return false }
            if state.order.count - state.head >= capacity { state.forgetOldest() }
            state.seen[nonce] = now
            state.order.append((nonce, now))
            if state.head > 1024, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            return true
        }
    }

    /// How many nonces are remembered.
    public var count: Int { state.withLock { $0.order.count - $0.head } }
}
