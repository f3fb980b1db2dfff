extension Validator {
    /// What only the provider knows: `ignore:` paths name a kind and a field the provider's
    /// adapter manages, and the provider's own rules on the config (before any call).
    static func checkProviders(_ state: DesiredState, catalog: ProviderCatalog, _ sink: DiagnosticSink) {
        for integration in state.integrations {
            guard let spec = catalog.spec(integration.provider.value) else { continue }
            if !spec.kinds.isEmpty {
                for rule in integration.ignore {
                    let parts = rule.value.split(separator: ".", maxSplits: 1).map(String.init)
                    let kinds = spec.kinds.map(\.name)
                    guard let kind = spec.kinds.first(where: { $0.name == parts[0] }) else {
                        sink.error(
                            .unknownIgnorePath, at: rule.location,
                            "ignore '\(rule.value)': \(spec.displayName) has no resource kind '\(parts[0])'\(Suggestions.didYouMean(parts[0], among: kinds))",
                            hint: "its kinds are \(kinds.joined(separator: ", ")); write '<kind>.<field>'")
                        continue
                    }
                    guard parts.count == 2 else { continue }  // a whole kind
                    let field = parts[1]
                    let known = kind.fields.contains { $0 == field || $0.hasPrefix(field + ".") || field.hasPrefix($0 + ".") }
                    if !known {
                        // A field SalonOps never sets is never touched: the rule does nothing,
                        // which is worth saying (a typo?) but not worth refusing the config.
                        let fields = kind.fields.sorted()
                        sink.warning(
                            .unknownIgnorePath, at: rule.location,
                            "ignore '\(rule.value)' has no effect: SalonOps does not manage \(spec.displayName) \(kind.name) field '\(field)'\(Suggestions.didYouMean(field, among: fields))",
                            hint: "the fields it manages are \(fields.joined(separator: ", ")); fields it does not manage are never changed")
                    }
                }
            }
            if integration.enabled, let validate = spec.validate {
                sink.append(contentsOf: validate(integration, state))
            }
        }
    }
}
