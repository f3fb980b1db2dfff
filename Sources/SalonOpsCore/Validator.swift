import Foundation

/// Checks that need the whole repository: one Organization, unique names, and every reference
/// (establishment → catalogue, staff → service, integration → establishment, credential →
/// encrypted file and key path) pointing at something that exists.
/// A file of the config that did not parse: where it stopped.
public struct UnreadableFile: Sendable {
    public let path: String
    public let role: ConfigFile.Role
    public let error: SourceLocation
}

public enum Validator {
    /// `unreadable`: files that did not parse. What they declare is unknown, so a reference to
    /// a missing name (or a missing Organization) may be theirs: those errors are held back and
    /// counted in one warning, and credentials in an unreadable encrypted file are not checked
    /// (its own error says what is wrong), rather than a cascade of false errors.
    public static func validate(
        _ state: DesiredState, configFilePaths: Set<String>, catalog: ProviderCatalog, now: Date = Date(), unreadable: [UnreadableFile] = []
    ) -> [Diagnostic] {
        let diagnostics = validateAll(state, configFilePaths: configFilePaths, catalog: catalog, now: now, unreadable: Set(unreadable.map(\.path)))
        let configs = unreadable.filter { $0.role == .config || $0.role == .sopsRules }
        guard let first = configs.first else { return diagnostics }
        let heldBack = diagnostics.filter(\.mayBeCausedByAnUnreadableFile)
        guard !heldBack.isEmpty else { return diagnostics }
        let names = configs.prefix(3).map { "'\($0.error.file)'" }.joined(separator: ", ") + (configs.count > 3 ? ", …" : "")
        return diagnostics.filter { !$0.mayBeCausedByAnUnreadableFile } + [
            Diagnostic(
                .warning, .referencesUnchecked, at: first.error,
                "\(heldBack.count) reference(s) to names not found were not reported: \(names) does not parse, and may declare them",
                hint: "fix the YAML error(s) above first; validate then checks every reference again")
        ]
    }

    static func validateAll(_ state: DesiredState, configFilePaths: Set<String>, catalog: ProviderCatalog, now: Date, unreadable: Set<String>) -> [Diagnostic] {
        let sink = DiagnosticSink()
        checkProviders(state, catalog: catalog, sink)
        checkOrganization(state, sink)
        let services = names(state.services.map(\.metadata), kind: .service, sink)
        let products = names(state.products.map(\.metadata), kind: .product, sink)
        let offers = names(state.offers.map(\.metadata), kind: .offer, sink)
        let establishments = names(state.establishments.map(\.metadata), kind: .establishment, sink)
        _ = names(state.integrations.map(\.metadata), kind: .integration, sink)

        for establishment in state.establishments {
            checkEstablishment(establishment, services: services, products: products, offers: offers, sink)
        }
        for offer in state.offers {
            let context = "Offer '\(offer.metadata.name)'"
            for inclusion in offer.includes { reference(inclusion.service, to: .service, known: services, from: context, sink) }
            for ref in offer.appliesToServices { reference(ref, to: .service, known: services, from: context, sink) }
            for ref in offer.appliesToProducts { reference(ref, to: .product, known: products, from: context, sink) }
            for ref in offer.restrictions.establishments { reference(ref, to: .establishment, known: establishments, from: context, sink) }
        }
        for integration in state.integrations {
            let context = "Integration '\(integration.metadata.name)'"
            if case .only(let refs) = integration.establishments {
                for ref in refs { reference(ref, to: .establishment, known: establishments, from: context, sink) }
            }
            for ref in integration.settingsEstablishmentKeys {
                reference(ref, to: .establishment, known: establishments, from: "\(context) settings", sink)
                if establishments.contains(ref.value), !integration.establishments.includes(ref.value) {
                    sink.warning(
                        .danglingReference, at: ref.location, "\(context) settings name establishment '\(ref.value)', which the integration does not cover",
                        hint: "add '\(ref.value)' to spec.establishments or remove this entry")
                }
            }
            for credential in integration.credentials where !unreadable.contains(credential.reference.file) {
                checkCredential(credential, in: state, configFilePaths: configFilePaths, context: context, sink)
                checkRotation(credential, in: state, now: now, context: context, sink)
            }
        }
        checkRecipients(state, sink)
        checkSharedAccounts(state, catalog: catalog, sink)
        return sink.diagnostics
    }

    /// Two enabled Integrations of one provider with the same credentials (and the same
    /// account-choosing settings, and endpoint) manage one account: each would see the other's
    /// resources as its own orphans or drift, and they would undo each other on every run.
    static func checkSharedAccounts(_ state: DesiredState, catalog: ProviderCatalog, _ sink: DiagnosticSink) {
        var first: [String: Integration] = [:]
        for integration in state.integrations.sorted(by: { $0.metadata.location < $1.metadata.location }) where integration.enabled {
            guard !integration.credentials.isEmpty else { continue }
            let provider = integration.provider.value
            let settings = catalog.spec(provider)?.accountSettings ?? []
            let chosen = settings.map { "\($0)=\(integration.settings?.value.scalar(at: $0) ?? "")" }
            let account =
                ([provider, integration.endpoint?.value ?? ""] + integration.credentials.map(\.reference.description).sorted() + chosen)
                .joined(separator: "\u{1F}")
            guard let earlier = first[account] else {
                first[account] = integration
                continue
            }
            sink.error(
                .sharedAccount, at: integration.metadata.location,
                "Integration '\(integration.metadata.name)' manages the same \(catalog.displayName(provider)) account as '\(earlier.metadata.name)' (\(earlier.metadata.location)): the same credentials\(settings.isEmpty ? "" : " and " + settings.joined(separator: ", "))",
                hint: settings.isEmpty
                    ? "merge them into one Integration, or give each the credentials of its own account"
                    : "merge them, or set \(settings.joined(separator: ", ")) to the account each one manages")
        }
    }

    static func checkOrganization(_ state: DesiredState, _ sink: DiagnosticSink) {
        guard state.organization == nil else { return }
        let anchor = [
            state.establishments.first?.metadata.location, state.services.first?.metadata.location,
            state.integrations.first?.metadata.location,
        ].compactMap { $0 }.min()
        sink.error(
            .organizationCount, at: anchor ?? SourceLocation(file: ".", line: 1, column: 1),
            "the config has no Organization document",
            hint: "add one, e.g. organization.yaml with 'kind: Organization', its name, displayName and defaults", unresolvedName: true)
    }

    /// Reports duplicates (the later one, naming the first) and returns the set of names.
    static func names(_ items: [Metadata], kind: DocumentKind, _ sink: DiagnosticSink) -> Set<String> {
        var first: [String: SourceLocation] = [:]
        for metadata in items.sorted(by: { $0.location < $1.location }) {
            if let earlier = first[metadata.name] {
                sink.error(
                    .duplicateName, at: metadata.location, "\(kind.rawValue) '\(metadata.name)' is declared twice; the first is at \(earlier)",
                    hint: "rename one of them or remove the duplicate")
            } else {
                first[metadata.name] = metadata.location
            }
        }
        return Set(first.keys)
    }

    static func reference(_ ref: NameReference, to kind: DocumentKind, known: Set<String>, from context: String, _ sink: DiagnosticSink) {
        guard !known.contains(ref.value) else { return }
        sink.error(
            .danglingReference, at: ref.location,
            "\(context) refers to \(kind.rawValue.lowercased()) '\(ref.value)', which does not exist\(Suggestions.didYouMean(ref.value, among: known))",
            hint: "use the metadata.name of \(kind.article) \(kind.rawValue) document, or declare '\(ref.value)'", unresolvedName: true)
    }

    static func checkEstablishment(_ e: Establishment, services: Set<String>, products: Set<String>, offers: Set<String>, _ sink: DiagnosticSink) {
        let context = "Establishment '\(e.metadata.name)'"
        if case .only(let refs) = e.catalogue.services { for ref in refs { reference(ref, to: .service, known: services, from: context, sink) } }
        if case .only(let refs) = e.catalogue.products { for ref in refs { reference(ref, to: .product, known: products, from: context, sink) } }
        if case .only(let refs) = e.catalogue.offers { for ref in refs { reference(ref, to: .offer, known: offers, from: context, sink) } }
        let sold = { (name: String) in services.contains(name) && e.catalogue.services.includes(name) }
        if case .only(let refs) = e.catalogue.services, refs.isEmpty {
            sink.warning(
                .emptyCatalogue, at: e.metadata.location, "\(context) sells no service: booking providers will list nothing for it",
                hint: "list services under catalogue.services, or remove the line to sell the whole catalogue")
        }

        for override in e.overrides {
            switch override.target {
            case .service(let ref):
                reference(ref, to: .service, known: services, from: "\(context) override", sink)
                if services.contains(ref.value), !sold(ref.value) {
                    sink.error(
                        .danglingReference, at: ref.location, "\(context) overrides service '\(ref.value)', which it does not sell",
                        hint: "add '\(ref.value)' to catalogue.services or remove the override")
                }
            case .product(let ref):
                reference(ref, to: .product, known: products, from: "\(context) override", sink)
                if products.contains(ref.value), !e.catalogue.products.includes(ref.value) {
                    sink.error(
                        .danglingReference, at: ref.location, "\(context) overrides product '\(ref.value)', which it does not sell",
                        hint: "add '\(ref.value)' to catalogue.products or remove the override")
                }
            }
        }
        uniqueWithin(e.staff.map { ($0.name, $0.location) }, what: "staff member", context: context, sink)
        uniqueWithin(e.rooms.map { ($0.name, $0.location) }, what: "room", context: context, sink)
        for member in e.staff {
            for ref in member.services {
                reference(ref, to: .service, known: services, from: "\(context) staff '\(member.name)'", sink)
                if services.contains(ref.value), !sold(ref.value) {
                    sink.error(
                        .danglingReference, at: ref.location, "\(context) staff '\(member.name)' performs service '\(ref.value)', which the establishment does not sell",
                        hint: "add '\(ref.value)' to catalogue.services or remove it from this person's services")
                }
            }
        }
        for room in e.rooms {
            for ref in room.services { reference(ref, to: .service, known: services, from: "\(context) room '\(room.name)'", sink) }
        }
    }

    static func uniqueWithin(_ items: [(String, SourceLocation)], what: String, context: String, _ sink: DiagnosticSink) {
        var seen: [String: SourceLocation] = [:]
        for (name, location) in items {
            if let first = seen[name] {
                sink.error(.duplicateName, at: location, "\(context) has two \(what)s named '\(name)'; the first is at \(first)", hint: "give each \(what) its own name")
            } else {
                seen[name] = location
            }
        }
    }

    static func checkCredential(_ credential: CredentialReference, in state: DesiredState, configFilePaths: Set<String>, context: String, _ sink: DiagnosticSink) {
        let ref = credential.reference
        let what = "\(context) credential '\(credential.name)'"
        guard let outline = state.encryptedFiles[ref.file] else {
            if configFilePaths.contains(ref.file) {
                sink.error(
                    .credentialNotEncrypted, at: credential.location, "\(what) points into '\(ref.file)', which is not an encrypted file",
                    hint: "credentials live in sops-encrypted files named *.sops.yaml; create one with 'salonops secrets encrypt'")
            } else {
                let suggestion = Suggestions.didYouMean(ref.file, among: state.encryptedFiles.keys)
                sink.error(
                    .credentialFileMissing, at: credential.location, "\(what) points into '\(ref.file)', which does not exist in the config\(suggestion)",
                    hint: "paths are relative to the config root; create the file with 'salonops secrets encrypt' and commit it")
            }
            return
        }
        guard outline.hasSopsMetadata else {
            sink.error(
                .credentialNotEncrypted, at: credential.location, "\(what) points into '\(ref.file)', which has no sops metadata: it is not encrypted",
                hint: "encrypt it with 'salonops secrets encrypt \(ref.file)' (or sops), then commit it")
            return
        }
        let path = ref.keyPath.joined(separator: ".")
        switch outline.entries[path] {
        case nil:
            let suggestion = Suggestions.didYouMean(path, among: outline.leafPaths)
            sink.error(
                .credentialKeyMissing, at: credential.location, "\(what) names key '\(path)', which '\(ref.file)' does not have\(suggestion)",
                hint: "add it with 'salonops secrets set \(ref.file) \(path)' or fix the key path after '#'")
        case .map?, .list?:
            sink.error(
                .credentialKeyMissing, at: credential.location,
                "\(what) names key '\(path)' in '\(ref.file)', which holds a \(outline.entries[path] == .map ? "map" : "list"), not a single value",
                hint: "point at one value, e.g. '\(ref.file)#\(outline.leafPaths.first { $0.hasPrefix(path + ".") } ?? path + ".<key>")'")
        case .plaintext?:
            sink.error(
                .credentialNotEncrypted, at: credential.location, "\(what) names key '\(path)' in '\(ref.file)', whose value is not encrypted",
                hint: "a credential must be an ENC[...] value: remove the unencrypted suffix or rule that leaves it in clear and re-encrypt")
        case .empty?:
            sink.error(
                .credentialKeyMissing, at: credential.location, "\(what) names key '\(path)' in '\(ref.file)', whose value is empty",
                hint: "set it with 'salonops secrets set \(ref.file) \(path)'")
        case .encrypted?:
            break
        }
    }

    /// Each encrypted file's recipients against the creation rule of the nearest `.sops.yaml`
    /// above it: a difference means someone cannot read it, or someone removed still can.
    static func checkRecipients(_ state: DesiredState, _ sink: DiagnosticSink) {
        for (path, outline) in state.encryptedFiles.sorted(by: { $0.key < $1.key }) where outline.hasSopsMetadata {
            let candidates = state.sopsRules.values.filter { $0.directory.isEmpty || path.hasPrefix($0.directory + "/") }
            guard let rules = candidates.max(by: { $0.directory.count < $1.directory.count }) else { continue }
            guard !rules.rules.isEmpty else { continue }  // a broken .sops.yaml is reported on its own
            guard let rule = rules.rule(forConfigPath: path) else {
                sink.warning(
                    .recipientsMismatch, at: outline.location, "no creation rule in '\(rules.repositoryPath)' matches '\(path)'",
                    hint: "add a rule whose path_regex matches it, so 'salonops secrets' and sops know its recipients")
                continue
            }
            let actual = Set(outline.recipients)
            guard actual != rule.recipients else { continue }
            let missing = rule.recipients.subtracting(actual).sorted()
            let extra = actual.subtracting(rule.recipients).sorted()
            var parts: [String] = []
            if !missing.isEmpty { parts.append("lacks \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("still has \(extra.joined(separator: ", "))") }
            sink.error(
                .recipientsMismatch, at: outline.location,
                "'\(path)' \(parts.joined(separator: " and ")) compared with the rule at \(rule.location)",
                hint: extra.isEmpty
                    ? "run 'salonops secrets updatekeys \(path)' and commit the file"
                    : "run 'salonops secrets revoke <recipient>' (removes and rotates) or 'updatekeys', then commit")
        }
    }

    /// A credential whose file was last written longer ago than its `rotateAfter`.
    static func checkRotation(_ credential: CredentialReference, in state: DesiredState, now: Date, context: String, _ sink: DiagnosticSink) {
        guard let period = credential.rotateAfter, let outline = state.encryptedFiles[credential.reference.file],
            let text = outline.lastModified, let written = ISO8601DateFormatter().date(from: text)
        else { return }
        let days = Int(now.timeIntervalSince(written) / 86_400)
        guard days > period.approximateDays else { return }
        sink.warning(
            .rotationDue, at: credential.location,
            "\(context) credential '\(credential.name)' is due for rotation: '\(credential.reference.file)' was last written on \(text.prefix(10)), more than rotateAfter (\(period)) ago",
            hint: "issue a new key at the provider, then 'salonops secrets set \(credential.reference.file) \(credential.reference.keyPath.joined(separator: "."))' and commit")
    }
}
