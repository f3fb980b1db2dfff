/// The providers this build knows, injected by the caller (the CLI passes the registry's list):
/// the engine holds nothing provider-specific.
public struct ProviderSet: Sendable {
    public let modules: [any ProviderModule.Type]
    /// Catalogue entries of providers without an adapter yet (validated, reported unsupported).
    public let planned: [ProviderSpec]

    public init(modules: [any ProviderModule.Type], planned: [ProviderSpec] = []) {
        self.modules = modules
        self.planned = planned
    }

    public func module(_ id: String) -> (any ProviderModule.Type)? { modules.first { $0.spec.id == id } }
    public var catalog: ProviderCatalog {
        ProviderCatalog(
            modules.map { module in
                var spec = module.spec
                spec.officialHosts = module.traits.officialHosts
                return spec
            } + planned)
    }
    public var supported: Set<String> { Set(modules.map { $0.spec.id }) }

    /// Every kind of every adapter, keyed "provider/kind" (for rendering).
    public var kinds: [String: ResourceKind] {
        var all: [String: ResourceKind] = [:]
        for module in modules { for kind in module.spec.kinds { all["\(module.spec.id)/\(kind.name)"] = kind } }
        return all
    }
}
