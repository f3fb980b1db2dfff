import Foundation

/// Plans as people read them: first one line per change in plain French for the salon owner,
/// then Terraform-like detail (`+ ~ - -/+`) for whoever reviews the config; Markdown for pull
/// requests; JSON (`salonops.plan/v1`, docs/plan-json.md) for machines. No value of a
/// sensitive field ever appears, only fingerprints.
public struct PlanRenderer: Sendable {
    /// "provider/kind" → kind, for labels, money fields and sensitivity.
    public var kinds: [String: ResourceKind]
    /// Establishment key → display name ("paris-11" → "Paris 11").
    public var establishmentNames: [String: String]
    public var colour: Bool

    public init(kinds: [String: ResourceKind], establishmentNames: [String: String], colour: Bool) {
        self.kinds = kinds
        self.establishmentNames = establishmentNames
        self.colour = colour
    }

    func kind(_ provider: String, _ name: String) -> ResourceKind {
        kinds["\(provider)/\(name)"] ?? ResourceKind(name: name, label: name)
    }

    // MARK: Owner summary

    public func summaryLines(_ plan: Plan) -> [String] {
        var lines: [String] = []
        for integration in plan.integrations {
            let name = integration.providerName
            if let error = integration.error {
                lines.append("\(name) : erreur (\(error.stage)) : \(error.message)")
                continue
            }
            for change in integration.changes where change.duplicateOf == nil {
                let scope = change.establishment.map { " · " + (establishmentNames[$0] ?? $0) } ?? ""
                var line = "\(name)\(scope) : \(describe(change, provider: integration.provider))"
                if change.drift { line = "écart constaté (\(change.willApply ? "corrigé" : "non corrigé")) — " + line }
                lines.append(line)
            }
            for orphan in integration.orphans {
                lines.append("\(name) : \(kind(integration.provider, orphan.kind).label) « \(orphan.title) » n'est plus dans la configuration (conservé)")
            }
            for duplicate in integration.duplicates {
                let label = kind(integration.provider, duplicate.kind).label
                let copies = duplicate.extra.count == 1 ? "1 doublon" : "\(duplicate.extra.count) doublons"
                lines.append(
                    "\(name) : \(label) « \(duplicate.title) » existe en \(duplicate.extra.count + 1) exemplaires : \(duplicate.kept) conservé, "
                        + (duplicate.retired ? "\(copies) retiré(s)" : "\(copies) à retirer avec `\(Self.retireCommand)`"))
            }
            for finding in integration.findings {
                let scope = finding.establishment.map { " · " + (establishmentNames[$0] ?? $0) } ?? ""
                lines.append("\(name)\(scope) : à corriger à la main : \(describe(finding, provider: integration.provider))")
            }
            if let refusal = integration.refusal { lines.append("\(name) : refusé par sécurité : \(refusal)") }
        }
        return lines
    }

    func describe(_ change: Change, provider: String) -> String {
        let kind = kind(provider, change.kind)
        let title = "« \(change.title) »"
        switch change.action {
        case .create:
            let price = kind.moneyFields.keys.sorted().compactMap { field in change.desired.flatMap { money(field, in: $0.fields, kind: kind) } }.first
            return "ajout \(Self.of(kind.label)) \(title)" + (price.map { " à \($0)" } ?? "")
        case .delete:
            return "suppression \(Self.of(kind.label)) \(title)"
        case .adopt:
            return "reprise \(Self.of(kind.label)) \(title) existant"
                + (change.fieldChanges.isEmpty ? "" : " (" + fieldPhrases(change, kind: kind).map { "\($0.label) \($0.change)" }.joined(separator: ", ") + ")")
        case .update, .replace:
            let phrases = fieldPhrases(change, kind: kind)
            guard !phrases.isEmpty else { return "\(kind.label) \(title) mis à jour" }
            return phrases.map { "\($0.label) de \(title) \($0.change)" }.joined(separator: ", ")
        }
    }

    /// What to set by hand, with the exact values: « téléphone de « Paris 11 » : mettre +33… (au lieu de +33…) ».
    func describe(_ finding: Finding, provider: String) -> String {
        let kind = kind(provider, finding.kind)
        let title = "« \(finding.title) »"
        switch finding.problem {
        case .missing:
            return "\(kind.label) \(title) absent chez le fournisseur : à créer ou à rattacher"
                + (finding.remoteID.map { " (identifiant attendu \($0))" } ?? "")
        case .differs:
            let phrases = finding.fieldChanges.map { change -> String in
                let label = kind.fieldLabels[change.field] ?? change.field
                let want = change.after.map { $0.description } ?? "rien"
                let have = change.before.map { $0.description } ?? "rien"
                return "\(label) de \(title) : mettre \(want) (au lieu de \(have))"
            }
            return phrases.joined(separator: ", ")
        }
    }

    /// "de produit", "d'abonnement": French elision before a vowel.
    static func of(_ noun: String) -> String {
        guard let first = noun.first else { return "de" }
        return "aeiouhéèêàâîôûAEIOUÉ".contains(first) ? "d'\(noun)" : "de \(noun)"
    }

    private func fieldPhrases(_ change: Change, kind: ResourceKind) -> [(label: String, change: String)] {
        // A money amount and its currency read as one phrase.
        let changed = Set(change.fieldChanges.map(\.field))
        let hidden = Set(kind.moneyFields.filter { changed.contains($0.key) }.map(\.value))
        return change.fieldChanges.filter { !hidden.contains($0.field) }
            .map { fieldChange in
                let label = kind.fieldLabels[fieldChange.field] ?? fieldChange.field
                if let phrase = Self.weekOrDays(fieldChange.before, fieldChange.after) { return (label, phrase) }
                return (
                    label,
                    "\(ownerValue(fieldChange.before, field: fieldChange.field, change: change, kind: kind, before: true)) → \(ownerValue(fieldChange.after, field: fieldChange.field, change: change, kind: kind, before: false))"
                )
            }
    }

    /// Opening hours (`OpeningHoursField`) as the days that change, « jeudi 10:00–20:00 →
    /// 10:00–21:00 », lists of labelled entries (a listing's services) as those added, removed
    /// or repriced, and lists of dated entries (closed days) as the days added and removed,
    /// rather than the whole lists; nil for any other value.
    static func weekOrDays(_ before: FieldValue?, _ after: FieldValue?) -> String? {
        if let new = OpeningHoursField.holdings(after), let old = OpeningHoursField.holdings(before) ?? (before == nil || before == .null ? [:] : nil) {
            let days = Weekday.allCases.filter { (old[$0.rawValue] ?? []) != (new[$0.rawValue] ?? []) }
            guard !days.isEmpty else { return nil }
            return ": "
                + days.map { "\($0.french) \(ConsistencyView.periods(old[$0.rawValue] ?? [])) → \(ConsistencyView.periods(new[$0.rawValue] ?? []))" }.joined(separator: ", ")
        }
        if let new = labelledEntries(after), let old = labelledEntries(before) ?? (before == nil || before == .null ? [:] : nil) {
            var parts: [String] = []
            for label in new.keys.sorted() where old[label] == nil { parts.append("+ « \(label) »" + (price(new[label]!).map { " \($0)" } ?? "")) }
            for label in old.keys.sorted() where new[label] == nil { parts.append("− « \(label) »") }
            for label in new.keys.sorted() where old[label] != nil && old[label] != new[label] {
                parts.append("« \(label) » \(price(old[label]!) ?? "—") → \(price(new[label]!) ?? "—")")
            }
            return parts.isEmpty ? nil : ": " + parts.joined(separator: ", ")
        }
        guard let new = datedEntries(after), let old = datedEntries(before) ?? (before == nil || before == .null ? [] : nil) else { return nil }
        let added = new.subtracting(old).sorted(), removed = old.subtracting(new).sorted()
        var parts: [String] = []
        if !added.isEmpty { parts.append("+ " + ConsistencyView.dayRanges(added)) }
        if !removed.isEmpty { parts.append("− " + ConsistencyView.dayRanges(removed)) }
        return parts.isEmpty ? nil : ": " + parts.joined(separator: ", ")
    }

    /// Entries of a list of objects that all have a `label` (services as a listing shows them), by label.
    static func labelledEntries(_ value: FieldValue?) -> [String: [FieldEntry]]? {
        guard case .list(let items)? = value else { return nil }
        var entries: [String: [FieldEntry]] = [:]
        for item in items {
            guard case .object(let fields) = item, case .string(let label)? = fields.first(where: { $0.name == "label" })?.value else { return nil }
            entries[label] = fields
        }
        return entries
    }

    /// `price` (minor units) with its `currency`, as the owner reads it.
    static func price(_ entries: [FieldEntry]) -> String? {
        guard case .int(let amount)? = entries.first(where: { $0.name == "price" })?.value,
            case .string(let code)? = entries.first(where: { $0.name == "currency" })?.value
        else { return nil }
        return frenchMoney(amount, currency: code)
    }

    /// The `date` of each entry of a list of objects that all have one; nil otherwise.
    static func datedEntries(_ value: FieldValue?) -> Set<String>? {
        guard case .list(let items)? = value else { return nil }
        var dates = Set<String>()
        for item in items {
            guard case .object(let entries) = item, case .string(let date)? = entries.first(where: { $0.name == "date" })?.value else { return nil }
            dates.insert(date)
        }
        return dates
    }

    private func ownerValue(_ value: FieldValue?, field: String, change: Change, kind: ResourceKind, before: Bool) -> String {
        guard let value else { return "—" }
        if let currencyField = kind.moneyFields[field], case .int(let amount) = value {
            let currencyValue = before ? change.fieldChanges.first { $0.field == currencyField }?.before : nil
            let currency = currencyValue ?? change.desired?.fields[currencyField]
            if case .string(let code)? = currency { return Self.frenchMoney(amount, currency: code) }
        }
        switch value {
        case .string(let s): return s
        case .null: return "—"
        case .bool(let b): return b ? "oui" : "non"
        default: return value.description
        }
    }

    private func money(_ field: String, in fields: [String: FieldValue], kind: ResourceKind) -> String? {
        guard let currencyField = kind.moneyFields[field], case .int(let amount)? = fields[field], case .string(let code)? = fields[currencyField] else { return nil }
        return Self.frenchMoney(amount, currency: code)
    }

    /// 6500 EUR → "65,00 €" (French typography, non-breaking space before the symbol).
    public static func frenchMoney(_ minorUnits: Int64, currency code: String) -> String {
        let upper = code.uppercased()
        let digits = Currency(code: upper)?.minorDigits ?? 2
        let symbols = ["EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"]
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let whole = String(magnitude / divisor)
        var grouped = ""
        for (index, character) in whole.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append("\u{202F}") }
            grouped.append(character)
        }
        var text = String(grouped.reversed())
        if digits > 0 {
            let fraction = String(magnitude % divisor)
            text += "," + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return (negative ? "-" : "") + text + "\u{00A0}" + (symbols[upper] ?? upper)
    }

    // MARK: Detail

    public func detail(_ plan: Plan) -> String {
        var out = ""
        for integration in plan.integrations {
            out += bold("\(integration.providerName) (Integration '\(integration.integration)', drift: \(integration.drift.rawValue))") + "\n"
            if let error = integration.error {
                out += paint("  error: \(error)", .red) + "\n"
                continue
            }
            for change in integration.changes {
                let kind = kind(integration.provider, change.kind)
                let (symbol, color) = Self.symbol(change.action)
                let scope = change.establishment.map { " (\(establishmentNames[$0] ?? $0))" } ?? ""
                let remote = change.remoteID.map { " [\($0)]" } ?? ""
                var header = "  \(symbol) \(change.kind) \(change.key)\(remote)  « \(change.title) »\(scope)"
                if change.action == .replace { header += " — replaced: \(change.replaceBecause.joined(separator: ", ")) cannot change" }
                if change.action == .adopt { header += " — adopted (existing, unmarked)" }
                if let kept = change.duplicateOf { header += " — duplicate of [\(kept)], retired" }
                if change.drift { header += change.willApply ? " — drift, corrected" : " — drift, reported only (drift: \(integration.drift.rawValue))" }
                out += paint(header, color) + "\n"
                for fieldChange in change.fieldChanges {
                    let before = fieldChange.before.map { detailValue($0, field: fieldChange.field, kind: kind, change: change) }
                    let after = fieldChange.after.map { detailValue($0, field: fieldChange.field, kind: kind, change: change) }
                    switch (before, after) {
                    case (nil, let after?): out += paint("      + \(fieldChange.field): \(after)", .green) + "\n"
                    case (let before?, nil): out += paint("      - \(fieldChange.field): \(before)", .red) + "\n"
                    case (let before?, let after?): out += paint("      ~ \(fieldChange.field): \(before) → \(after)", .yellow) + "\n"
                    default: break
                    }
                }
            }
            for orphan in integration.orphans {
                out += "    \(orphan.kind) \(orphan.key) [\(orphan.remoteID)]  « \(orphan.title) » — orphaned, kept (prune: false)\n"
            }
            for duplicate in integration.duplicates {
                let others = duplicate.extra.map { "[\($0)]" }.joined(separator: ", ")
                out +=
                    paint(
                        "  ! \(duplicate.kind) \(duplicate.key) [\(duplicate.kept)]  « \(duplicate.title) » — \(duplicate.extra.count + 1) found under this key: kept [\(duplicate.kept)], "
                            + (duplicate.retired
                                ? "retiring \(others)" : "duplicates \(others) kept too; retire them with `\(Self.retireCommand)` (or prune: true)"),
                        .yellow) + "\n"
            }
            for finding in integration.findings {
                let remote = finding.remoteID.map { " [\($0)]" } ?? ""
                out +=
                    paint(
                        "  ! \(finding.kind) \(finding.key)\(remote)  « \(finding.title) » — \(finding.problem == .missing ? "missing at the provider" : "differs"): to correct by hand, never applied",
                        .yellow) + "\n"
                for change in finding.fieldChanges {
                    out += "      set \(change.field) to \(change.after?.description ?? "nothing") (now \(change.before?.description ?? "nothing"))\n"
                }
            }
            for note in integration.notes {
                let subject = [note.kind, note.key].compactMap { $0 }.joined(separator: " ")
                out += "  note: \(subject.isEmpty ? "" : subject + ": ")\(note.message)\n"
            }
            if let refusal = integration.refusal { out += paint("  refused: \(refusal) (use --force to override)", .red) + "\n" }
            out +=
                "  \(integration.applicable.count) to apply, \(integration.unchanged) unchanged, \(integration.orphans.count) orphaned, \(integration.unmanaged) unmanaged (never touched)"
            out += (integration.findings.isEmpty ? "" : ", \(integration.findings.count) to correct by hand")
            let duplicates = integration.duplicates.reduce(0) { $0 + $1.extra.count }
            out += (duplicates == 0 ? "" : ", \(duplicates) duplicate(s)") + "\n\n"
        }
        return out
    }

    private func detailValue(_ value: FieldValue, field: String, kind: ResourceKind, change: Change) -> String {
        if let currencyField = kind.moneyFields[field], case .int(let amount) = value,
            case .string(let code)? = change.desired?.fields[currencyField]
        {
            return "\(amount) (\(Self.frenchMoney(amount, currency: code)))"
        }
        return value.description
    }

    static func symbol(_ action: Change.Action) -> (String, Colour) {
        switch action {
        case .create: ("+", .green)
        case .update: ("~", .yellow)
        case .adopt: ("~", .yellow)
        case .replace: ("-/+", .magenta)
        case .delete: ("-", .red)
        }
    }

    // MARK: Text, Markdown

    public func text(_ plan: Plan) -> String {
        var out = "Plan for commit \(plan.commit.prefix(12)) of \(plan.repository)\n\n"
        let summary = summaryLines(plan)
        if summary.isEmpty {
            out += "Rien à changer : tout est à jour.\n\n"
        } else {
            out += bold("En bref :") + "\n" + summary.map { "  • \($0)\n" }.joined() + "\n"
        }
        out += detail(plan)
        out += totals(plan) + "\n"
        return out
    }

    public func totals(_ plan: Plan) -> String {
        let changes = plan.integrations.flatMap(\.applicable)
        func count(_ action: Change.Action) -> Int { changes.filter { $0.action == action }.count }
        return
            "Plan: \(count(.create)) to create, \(count(.update) + count(.adopt)) to update, \(count(.replace)) to replace, \(count(.delete)) to delete; \(plan.driftCount) drift, \(plan.integrations.reduce(0) { $0 + $1.orphans.count }) orphaned"
            + (plan.findingCount > 0 ? ", \(plan.findingCount) to correct by hand" : "")
            + (plan.duplicateCount > 0 ? ", \(plan.duplicateCount) duplicate(s)." : ".")
    }

    /// What retires duplicates when the Integration does not prune.
    public static let retireCommand = "salonops reconcile --retire-duplicates"

    public func markdown(_ plan: Plan) -> String {
        var out = "### SalonOps plan for `\(plan.commit.prefix(12))`\n\n"
        let summary = summaryLines(plan)
        out += summary.isEmpty ? "Rien à changer : tout est à jour.\n\n" : summary.map { "- \($0)\n" }.joined() + "\n"
        out += "<details><summary>\(totals(plan))</summary>\n\n```diff\n"
        let plain = PlanRenderer(kinds: kinds, establishmentNames: establishmentNames, colour: false)
        // diff-highlighting reads the first column: + green, - red, ! orange.
        out += plain.detail(plan).split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("-/+") || trimmed.hasPrefix("~") || trimmed.hasPrefix("!") { return "!" + line }
            if trimmed.hasPrefix("+") { return "+" + line }
            if trimmed.hasPrefix("-") { return "-" + line }
            return " " + line
        }.joined(separator: "\n")
        out += "```\n\n</details>\n"
        return out
    }

    public static func json(_ plan: Plan) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(plan)) ?? Data(), as: UTF8.self) + "\n"
    }

    // MARK: Colour

    enum Colour: String { case green = "32", yellow = "33", red = "31", magenta = "35" }

    func paint(_ text: String, _ colour: Colour) -> String {
        self.colour ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
}
