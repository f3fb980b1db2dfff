import SalonOpsCore
import SalonOpsProviderKit

/// Which integrations a run plans, and the part of the config each looks at: everything, or
/// what a change-scoped run found moved (`ChangeSet`). An integration outside it is not
/// observed at all.
public enum RunScope: Sendable, Equatable {
    case all
    case only([String: Scope])

    public func scope(for integration: String) -> Scope? {
        switch self {
        case .all: .all
        case .only(let scopes): scopes[integration]
        }
    }

    public var isFull: Bool { self == .all }

    /// "full", or each integration and what it looked at, with the kinds when narrowed to some:
    /// `planity (lyon-2: venue); stripe (catalogue)`.
    public var summary: String {
        guard case .only(let scopes) = self else { return "full" }
        guard !scopes.isEmpty else { return "none" }
        return scopes.keys.sorted().map { name in
            guard let establishments = scopes[name]!.establishments else { return "\(name) (whole)" }
            let kinds = scopes[name]!.kinds.map { ": " + $0.sorted().joined(separator: ", ") } ?? ""
            return "\(name) (\(establishments.isEmpty ? "catalogue" : establishments.sorted().joined(separator: ", "))\(kinds))"
        }.joined(separator: "; ")
    }

    /// Per enabled integration of `new`: whole when its own document or credentials moved; its
    /// covered establishments that moved (before or after: a removed establishment is still
    /// looked at, so what it had is pruned); when a catalogue item moved, every integration
    /// takes part, narrowed to the sellers it covers (an adapter with catalogue-level resources
    /// ignores the establishment scope and reads them all).
    /// Only integrations with an adapter in `providers` take part.
    public static func of(_ change: ChangeSet, old: DesiredState, new: DesiredState, providers: ProviderSet) -> RunScope {
        guard !change.everything else { return .all }
        var scopes: [String: Scope] = [:]
        for integration in new.integrations where integration.enabled && providers.module(integration.provider.value) != nil {
            let name = integration.metadata.name
            if change.integrations.contains(name) {
                scopes[name] = .all
                continue
            }
            let previous = old.integrations.first { $0.metadata.name == name }?.establishments
            let touched = change.establishments.filter { establishment in
                integration.establishments.includes(establishment) || previous?.includes(establishment) == true
            }
            if !touched.isEmpty || change.catalogue { scopes[name] = Scope(establishments: Set(touched)) }
        }
        return .only(scopes)
    }
}
