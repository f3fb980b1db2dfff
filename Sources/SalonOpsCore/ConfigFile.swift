/// One file of the config repository, as read from a commit (or the work tree).
public struct ConfigFile: Sendable, Hashable {
    /// Path relative to the config root ('/' separated): what references such as
    /// `secret: secrets/stripe.sops.yaml#...` are relative to.
    public let path: String
    /// Path relative to the repository root: what messages show, so editors and CI can open it.
    public let repositoryPath: String
    public let contents: [UInt8]
    /// An entry of the tree that is not read as a file (`contents` is empty).
    public let special: Special?

    public enum Special: Sendable, Hashable {
        /// Never followed: what it points at is judged at its own path, if it is in the tree.
        case symbolicLink(target: String)
        /// Over the source's size bound: listed, not read.
        case tooLarge(bytes: Int)
    }

    public init(path: String, repositoryPath: String? = nil, contents: [UInt8], special: Special? = nil) {
        self.path = path
        self.repositoryPath = repositoryPath ?? path
        self.contents = contents
        self.special = special
    }

    public enum Role: Sendable, Equatable {
        /// YAML documents of the desired state.
        case config
        /// A sops-encrypted file (`*.sops.yaml`): holds credentials, never config documents.
        case encrypted
        /// sops creation rules (`.sops.yaml`).
        case sopsRules
        /// Anything else (README, scripts): not read.
        case other
    }

    public var role: Role {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name == ".sops.yaml" || name == ".sops.yml" { return .sopsRules }
        if name.hasSuffix(".sops.yaml") || name.hasSuffix(".sops.yml") { return .encrypted }
        if name.hasSuffix(".yaml") || name.hasSuffix(".yml") { return .config }
        return .other
    }

    /// Files the loader reads: what a git source should hand over. Every file: YAML is parsed,
    /// and the rest is looked through for credentials committed by mistake (a key in a README,
    /// an age identity file).
    public static func isRelevant(_ path: String) -> Bool { true }
}
