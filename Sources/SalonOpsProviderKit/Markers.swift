/// SalonOps' ownership markers on a resource: which config owns it, under which key, and the
/// digest of what was last applied (so drift is told apart from a config change). Where they go
/// depends on the API (`ResourceKind.Identity`); their names and forms are the same everywhere.
public struct Markers: Sendable, Hashable {
    public var owner: String
    public var key: String
    public var digest: String

    public init(owner: String, key: String, digest: String) {
        self.owner = owner
        self.key = key
        self.digest = digest
    }

    public init(owner: String, _ desired: DesiredResource) {
        self.init(owner: owner, key: desired.key, digest: desired.digest)
    }

    public static let ownerName = "salonops_owner"
    public static let keyName = "salonops_id"
    public static let digestName = "salonops_digest"

    /// As free-form metadata (Stripe `metadata[…]`, Google `extendedProperties.private`).
    public var properties: [(String, String)] { [(Self.ownerName, owner), (Self.keyName, key), (Self.digestName, digest)] }

    public var json: JSONValue { .object(properties.map { ($0.0, .string($0.1)) }) }

    /// What observe reads back: (owner, key, digest), each nil when absent.
    public static func read(_ properties: (String) -> String?) -> (owner: String?, key: String?, digest: String?) {
        (properties(ownerName), properties(keyName), properties(digestName))
    }

    /// As the last line of a text field with no better room (a calendar's description):
    /// `[salonops owner=… id=… digest=…]`.
    public func tagging(_ text: String) -> String { text + "\n\n[salonops owner=\(owner) id=\(key) digest=\(digest)]" }

    /// The text without its tag, and the tag's markers.
    public static func untag(_ text: String) -> (text: String, owner: String?, key: String?, digest: String?) {
        guard let open = text.range(of: "[salonops ", options: .backwards), text.hasSuffix("]") else { return (text, nil, nil, nil) }
        var values: [String: String] = [:]
        for part in text[open.upperBound..<text.index(before: text.endIndex)].split(separator: " ") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { values[pair[0]] = pair[1] }
        }
        var rest = String(text[..<open.lowerBound])
        while rest.hasSuffix("\n") { rest.removeLast() }
        return (rest, values["owner"], values["id"], values["digest"])
    }
}
