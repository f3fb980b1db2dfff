/// What moved between two commits of the config, in the terms a run narrows by: whole
/// integrations, and establishments (for every integration that covers them). A change-scoped
/// run reconciles only these; what did not move is left to the drift scan.
public struct ChangeSet: Sendable, Equatable {
    /// Everything must be looked at (the Organization moved, or a change cannot be narrowed).
    public var everything: Bool
    /// Integrations whose own document or credentials moved: reconciled whole.
    public var integrations: Set<String>
    /// Establishments that moved, directly or through a catalogue item they sell (old or new).
    public var establishments: Set<String>
    /// A Service, Product or Offer moved: integrations that hold catalogue-level resources
    /// (which no establishment scope narrows) must take part even if no seller moved.
    public var catalogue: Bool
    /// Why, one line per moved document, for the log and the report.
    public var reasons: [String]

    public init(everything: Bool = false, integrations: Set<String> = [], establishments: Set<String> = [], catalogue: Bool = false, reasons: [String] = []) {
        self.everything = everything
        self.integrations = integrations
        self.establishments = establishments
        self.catalogue = catalogue
        self.reasons = reasons
    }

    public static let full = ChangeSet(everything: true, reasons: ["full scan"])

    public var isEmpty: Bool { !everything && integrations.isEmpty && establishments.isEmpty && !catalogue }

    /// Compares the documents of two loaded commits. `changedPaths` (from the repository root,
    /// as libgit2's tree diff gives them) name the encrypted files that moved, which the model
    /// holds only as outlines; `root` is the config root inside the repository.
    public static func between(_ old: DesiredState, _ new: DesiredState, changedPaths: [String], root: String) -> ChangeSet {
        var change = ChangeSet()
        if old.organization != new.organization {
            change.everything = true
            change.reasons.append("Organization changed")
        }
        func compare<Document: Hashable>(_ kind: DocumentKind, _ before: [Document], _ after: [Document], name: (Document) -> String) -> [String] {
            let oldByName = Dictionary(before.map { (name($0), $0) }, uniquingKeysWith: { a, _ in a })
            let newByName = Dictionary(after.map { (name($0), $0) }, uniquingKeysWith: { a, _ in a })
            var moved: [String] = []
            for key in Set(oldByName.keys).union(newByName.keys).sorted() {
                switch (oldByName[key], newByName[key]) {
                case (nil, _?): change.reasons.append("\(kind.rawValue) \(key) added")
                case (_?, nil): change.reasons.append("\(kind.rawValue) \(key) removed")
                case (let a?, let b?) where a != b: change.reasons.append("\(kind.rawValue) \(key) changed")
                default: continue
                }
                moved.append(key)
            }
            return moved
        }
        for name in compare(.establishment, old.establishments, new.establishments, name: { $0.metadata.name }) {
            change.establishments.insert(name)
        }
        let services = compare(.service, old.services, new.services, name: { $0.metadata.name })
        let products = compare(.product, old.products, new.products, name: { $0.metadata.name })
        let offers = compare(.offer, old.offers, new.offers, name: { $0.metadata.name })
        if !(services.isEmpty && products.isEmpty && offers.isEmpty) {
            change.catalogue = true
            // A changed Service touches every establishment that sells it, before or after.
            for state in [old, new] {
                for establishment in state.establishments {
                    let catalogue = establishment.catalogue
                    if services.contains(where: catalogue.services.includes) || products.contains(where: catalogue.products.includes)
                        || offers.contains(where: catalogue.offers.includes)
                    {
                        change.establishments.insert(establishment.metadata.name)
                    }
                }
            }
        }
        for name in compare(.integration, old.integrations, new.integrations, name: { $0.metadata.name }) {
            change.integrations.insert(name)
        }
        // Credentials: an encrypted file that moved moves every integration reading from it.
        let prefix = root.isEmpty ? "" : root + "/"
        let moved = Set(changedPaths.compactMap { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil })
        for integration in new.integrations where integration.credentials.contains(where: { moved.contains($0.reference.file) }) {
            if change.integrations.insert(integration.metadata.name).inserted {
                change.reasons.append("credentials of Integration \(integration.metadata.name) changed")
            }
        }
        return change
    }
}
