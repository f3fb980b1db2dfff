/// Reads an Integration's provider settings by key path (the loader has already checked them
/// against the provider's schema).
public struct SettingsReader: Sendable {
    public let root: SettingValue?

    public init(_ root: SettingValue?) { self.root = root }

    public func value(_ path: [String]) -> SettingValue? {
        var current = root
        for key in path {
            guard case .map(let pairs)? = current, let pair = pairs.first(where: { $0.key.value == key }) else { return nil }
            current = pair.value.value
        }
        return current
    }

    /// Where a setting's value is written (for a provider rule's diagnostic); nil when absent.
    public func location(_ path: String...) -> SourceLocation? {
        var current = root
        var found: SourceLocation?
        for key in path {
            guard case .map(let pairs)? = current, let pair = pairs.first(where: { $0.key.value == key }) else { return nil }
            current = pair.value.value
            found = pair.value.location
        }
        return found
    }

    public func string(_ path: String...) -> String? {
        if case .scalar(let s)? = value(path) { return s }
        return nil
    }

    public func bool(_ path: String...) -> Bool? {
        guard case .scalar(let s)? = value(path) else { return nil }
        return ["true", "yes", "on"].contains(s.lowercased()) ? true : (["false", "no", "off"].contains(s.lowercased()) ? false : nil)
    }

    public func strings(_ path: String...) -> [String]? {
        guard case .list(let items)? = value(path) else { return nil }
        return items.compactMap {
            if case .scalar(let s) = $0.value { return s }; return nil
        }
    }

    /// A mapping of scalars (`locationIds: {paris-11: locations/1}`), keys in order.
    public func map(_ path: String...) -> [(String, String)]? {
        guard case .map(let pairs)? = value(path) else { return nil }
        return pairs.compactMap { pair in
            if case .scalar(let s) = pair.value.value { return (pair.key.value, s) }; return nil
        }
    }
}
