import Foundation

/// Where a provider's credentials may be sent. An `endpoint:` in the config, `--endpoint` and
/// `--sandbox` all receive the integration's key: refuse a URL that would hand it to someone
/// else. Loopback is this machine (local emulators, localstripe), so plain http is allowed there.
public enum EndpointPolicy {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public let hint: String
        public var description: String { "\(message) (\(hint))" }
    }

    /// Nil when `url` may receive the credentials of a provider whose real API lives at
    /// `officialHosts` (empty: no look-alike check).
    public static func problem(_ url: String, officialHosts: [String] = []) -> Problem? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let rawHost = components.host, !rawHost.isEmpty
        else {
            return Problem(message: "'\(redactingUserInfo(url))' is not an http(s) URL", hint: "e.g. https://api.stripe.com or http://127.0.0.1:12111")
        }
        let shown = redactingUserInfo(url)
        guard scheme == "https" || scheme == "http" else {
            return Problem(message: "'\(shown)' is not an http(s) URL", hint: "e.g. https://api.stripe.com or http://127.0.0.1:12111")
        }
        if components.user != nil || components.password != nil {
            return Problem(
                message: "'\(shown)' carries a user name or password in the URL; it would be sent, logged and kept in reports",
                hint: "remove 'user:password@': credentials come from the encrypted files only")
        }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]."))
        if isLoopback(host) { return nil }
        if scheme == "http" {
            return Problem(
                message: "'\(shown)' is plain http to \(host), which is not this machine: the credentials would cross the network in clear",
                hint: "use https://, or http://127.0.0.1:PORT for an emulator on this machine")
        }
        if let official = imitated(host, officialHosts: officialHosts) {
            return Problem(
                message: "'\(shown)' names \(host), which looks like \(official) but is not it: the credentials would go to whoever holds that name",
                hint: "use https://\(official) (or remove endpoint: to use it by default), or an emulator on 127.0.0.1")
        }
        return nil
    }

    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The official host `host` imitates, if it does: not that host nor one of its domain's, but
    /// naming the domain's brand ("api.stripe.com.evil.io", "stripe-api.com") or within two
    /// letters of the domain ("api.strlpe.com").
    static func imitated(_ host: String, officialHosts: [String]) -> String? {
        for official in officialHosts.map({ $0.lowercased() }) {
            let domain = registrableDomain(official)
            if host == official || host == domain || host.hasSuffix("." + domain) { return nil }
        }
        for official in officialHosts.map({ $0.lowercased() }) {
            let domain = registrableDomain(official)
            let brand = String(domain.split(separator: ".").first ?? "")
            if brand.count >= 4, host.contains(brand) { return official }
            if editDistance(registrableDomain(host), domain, limit: 2) <= 2 { return official }
        }
        return nil
    }

    /// The last two labels ("api.stripe.com" → "stripe.com"); enough for the providers' hosts.
    static func registrableDomain(_ host: String) -> String {
        host.split(separator: ".").suffix(2).joined(separator: ".")
    }

    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a), b = Array(b)
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The URL with any `user:password@` replaced, so a message never repeats it.
    public static func redactingUserInfo(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "‹user:password›" + String(rest[at...])
    }
}
