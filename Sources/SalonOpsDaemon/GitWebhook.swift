import Foundation
import SalonOpsSecrets

/// A push notification from a git host, checked against the shared secret before a byte of
/// its body is parsed. GitHub signs the raw body (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`),
/// Gitea and Forgejo send the bare hex HMAC-SHA256 (`X-Gitea-Signature`, `X-Forgejo-Signature`),
/// GitLab sends the secret itself (`X-Gitlab-Token`). Every comparison is constant-time.
public enum GitWebhook {
    public enum Sender: String, Sendable {
        case github, gitlab, gitea
    }

    /// What a verified delivery asks for.
    public enum Event: Sendable, Equatable {
        /// A push to `ref` (`refs/heads/main`), or nil when the body does not say.
        case push(ref: String?)
        /// A test delivery (GitHub's `ping`, a host's "test" button): verified, triggers nothing.
        case ping
        /// Any other event (issues, merge requests): verified, triggers nothing.
        case other(String)
    }

    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Bodies above this are refused before they are read whole (413).
    public static let maximumBody = 1 << 20

    /// `headers`: by lowercase name. Throws `Refusal` (a 401) when no known signature header is
    /// there or it does not match; the message never quotes the secret or the signature.
    public static func verify(headers: [String: String], body: [UInt8], secret: Secret) throws -> (Sender, Event) {
        let key = Array(secret.reveal().utf8)
        let sender: Sender
        if let forgejo = headers["x-forgejo-signature"] ?? headers["x-gitea-signature"] {
            // Forgejo sends both; when its own header is there it is the one checked.
            guard matches(hex: forgejo, key: key, body: body) else { throw Refusal("the X-Gitea-Signature (or X-Forgejo-Signature) does not match this body and secret") }
            sender = .gitea
        } else if let github = headers["x-hub-signature-256"] {
            guard github.hasPrefix("sha256="), matches(hex: String(github.dropFirst(7)), key: key, body: body) else {
                throw Refusal("the X-Hub-Signature-256 does not match this body and secret")
            }
            sender = .github
        } else if let token = headers["x-gitlab-token"] {
            guard Crypto.constantTimeEqual(Crypto.sha256(Array(token.utf8)), Crypto.sha256(key)) else {
                throw Refusal("the X-Gitlab-Token is not the configured secret")
            }
            sender = .gitlab
        } else {
            throw Refusal("no signature: expected X-Hub-Signature-256 (GitHub), X-Gitlab-Token (GitLab) or X-Gitea-Signature (Gitea, Forgejo)")
        }
        return (sender, event(sender, headers: headers, body: body))
    }

    static func matches(hex: String, key: [UInt8], body: [UInt8]) -> Bool {
        guard let given = bytes(hex: hex) else { return false }
        return Crypto.constantTimeEqual(given, Crypto.hmacSHA256(key: key, data: body))
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The event, from its header and (for the ref of a push) the verified body.
    static func event(_ sender: Sender, headers: [String: String], body: [UInt8]) -> Event {
        let name: String
        switch sender {
        case .github: name = headers["x-github-event"] ?? ""
        case .gitlab: name = headers["x-gitlab-event"] ?? ""
        case .gitea: name = headers["x-forgejo-event"] ?? headers["x-gitea-event"] ?? ""
        }
        switch name.lowercased() {
        case "push", "push hook":
            let ref = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["ref"] as? String
            return .push(ref: ref)
        case "ping", "": return .ping
        default: return .other(name)
        }
    }

    /// The one value a host sends for the branch the daemon follows (`--ref main` →
    /// `refs/heads/main`); a push elsewhere is verified and ignored.
    public static func concerns(_ ref: String?, following followed: String?) -> Bool {
        guard let ref, let followed, !followed.isEmpty else { return true }
        if followed.hasPrefix("refs/") { return ref == followed }
        return ref == "refs/heads/\(followed)" || ref == "refs/tags/\(followed)"
    }
}
