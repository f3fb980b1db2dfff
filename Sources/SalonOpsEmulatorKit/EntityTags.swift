import Foundation
/// Entity tags and the HTTP conditional headers (RFC 9110 §13): an emulator derives a resource's
/// tag from its version and asks these helpers whether `If-Match` / `If-None-Match` hold. The
/// provider's own error (Google: 412 `conditionNotMet`) is the provider's business.
public enum EntityTags {
    /// A strong tag from a version number: `"00000000000000000042"`, quoted as on the wire.
    public static func strong(version: Int) -> String {
        let digits = String(version)
        return "\"" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "\""
    }

    /// The tags listed in a conditional header; `*` is returned as itself.
    public static func listed(in header: String) -> [String] {
        header.split(separator: ",").map { part in
            var tag = String(part).trimmingWhitespace
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag
        }.filter { !$0.isEmpty }
    }

    /// `If-Match`: true when the header is absent, `*`, or lists the current tag (weak comparison
    /// of the opaque part, so a client that forgot the quotes still matches, as Google is lenient).
    public static func ifMatchHolds(_ header: String?, current: String) -> Bool {
        guard let header, !header.trimmingWhitespace.isEmpty else { return true }
        let tags = listed(in: header)
        return tags.contains("*") || tags.contains { unquoted($0) == unquoted(current) }
    }

    /// `If-None-Match` on a read: true when the client's copy is current (answer 304).
    public static func ifNoneMatchHits(_ header: String?, current: String) -> Bool {
        guard let header, !header.trimmingWhitespace.isEmpty else { return false }
        let tags = listed(in: header)
        return tags.contains("*") || tags.contains { unquoted($0) == unquoted(current) }
    }

    private static func unquoted(_ tag: String) -> Substring {
        var s = Substring(tag)
        if s.hasPrefix("\"") { s = s.dropFirst() }
        if s.hasSuffix("\"") { s = s.dropLast() }
        return s
    }
}
