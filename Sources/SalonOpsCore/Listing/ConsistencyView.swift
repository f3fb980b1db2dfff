/// One establishment as the config declares it and as each provider holds it, with every
/// difference named with its provider: the promise that every platform agrees, shown
/// (`salonops status`). Built from what the last plan observed, so it costs no request.
public struct ConsistencyView: Sendable, Hashable, Codable {
    /// What one Integration holds for one establishment.
    public struct Held: Sendable, Hashable, Codable {
        public var integration: String
        public var provider: String
        public var providerName: String
        public var holdings: Holdings
        /// « Treatwell · Lyon 2 : jeudi 10:00–19:00 au lieu de 10:00–21:00 ».
        public var differences: [String]

        public init(integration: String, provider: String, providerName: String, holdings: Holdings, differences: [String] = []) {
            self.integration = integration
            self.provider = provider
            self.providerName = providerName
            self.holdings = holdings
            self.differences = differences
        }
    }

    public struct Row: Sendable, Hashable, Codable {
        public var establishment: String
        public var displayName: String
        public var config: Holdings
        public var providers: [Held]
    }

    public var establishments: [Row]
    /// When the plan it comes from observed the providers, and at which commit of the config.
    public var observedAt: String?
    public var commit: String?

    public var differenceCount: Int { establishments.reduce(0) { $0 + $1.providers.reduce(0) { $0 + $1.differences.count } } }

    /// `held[establishment]`: what each Integration holds there (only those that carry something).
    public static func make(state: DesiredState, held: [String: [Held]]) -> ConsistencyView {
        let rows = state.establishments.sorted { $0.metadata.name < $1.metadata.name }.compactMap { establishment -> Row? in
            let name = establishment.metadata.name
            guard var columns = held[name], !columns.isEmpty else { return nil }
            let config = Holdings.config(of: establishment, in: state)
            columns.sort { $0.integration < $1.integration }
            for index in columns.indices {
                let prefix = "\(columns[index].providerName) · \(establishment.displayName) : "
                columns[index].differences = differences(config, columns[index].holdings).map { prefix + $0 }
            }
            return Row(establishment: name, displayName: establishment.displayName, config: config, providers: columns)
        }
        return ConsistencyView(establishments: rows)
    }

    /// What `held` says otherwise than `config`, in the owner's words, for the parts it carries.
    public static func differences(_ config: Holdings, _ held: Holdings) -> [String] {
        var out: [String] = []
        if let hours = held.hours, let wanted = config.hours {
            for day in Weekday.allCases {
                let have = hours[day.rawValue] ?? [], want = wanted[day.rawValue] ?? []
                if have != want { out.append("\(day.french) \(Self.periods(have)) au lieu de \(Self.periods(want))") }
            }
        }
        if let days = held.closedDays, let wanted = config.closedDays {
            let have = Set(days), want = Set(wanted)
            for day in wanted where !have.contains(day) { out.append("fermeture du \(Self.date(day)) absente (ouvert ce jour-là)") }
            for day in days where !want.contains(day) { out.append("fermé le \(Self.date(day)), ce que la config ne dit pas") }
        }
        if let services = held.services, let wanted = config.services {
            let have = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let want = Set(wanted.map(\.name))
            for service in wanted {
                guard let found = have[service.name] else {
                    out.append("« \(service.title) » absent")
                    continue
                }
                if let price = found.price, let wantedPrice = service.price, price != wantedPrice || (found.currency != nil && found.currency != service.currency) {
                    let currency = service.currency ?? "EUR"
                    out.append(
                        "« \(service.title) » \(PlanRenderer.frenchMoney(price, currency: found.currency ?? currency)) au lieu de \(PlanRenderer.frenchMoney(wantedPrice, currency: currency))"
                    )
                }
                if let minutes = found.durationMinutes, let wantedMinutes = service.durationMinutes, minutes != wantedMinutes {
                    out.append("« \(service.title) » \(minutes) min au lieu de \(wantedMinutes) min")
                }
            }
            for service in services where !want.contains(service.name) { out.append("« \(service.title) » en plus, hors catalogue") }
        }
        return out
    }

    static func periods(_ periods: [String]) -> String {
        periods.isEmpty ? "fermé" : periods.map { $0.replacingOccurrences(of: "-", with: "–") }.joined(separator: ", ")
    }

    static func date(_ iso: String) -> String {
        if case .success(let day) = LocalDate.parse(iso) { return day.french }
        return iso
    }

    // MARK: rendering

    /// The section of status.md: per establishment, each part side by side, then the differences.
    public func markdown() -> String {
        guard !establishments.isEmpty else { return "" }
        var out = "\n## Ce que chaque plateforme affiche\n"
        if let observedAt { out += "\nD'après la dernière observation (\(observedAt)\(commit.map { ", commit `\($0.prefix(12))`" } ?? "")), sans requête de plus.\n" }
        for row in establishments {
            out += "\n### \(row.displayName)\n\n"
            out += "| | Config | " + row.providers.map(\.providerName).joined(separator: " | ") + " |\n"
            out += "| --- | --- |" + String(repeating: " --- |", count: row.providers.count) + "\n"
            func line(_ label: String, _ cell: (Holdings) -> String?) {
                out += "| \(label) | \(cell(row.config) ?? "—") | " + row.providers.map { cell($0.holdings) ?? "·" }.joined(separator: " | ") + " |\n"
            }
            for day in Weekday.allCases {
                line(day.french) { holdings in holdings.hours.map { Self.periods($0[day.rawValue] ?? []) } }
            }
            line("fermetures") { holdings in holdings.closedDays.map { Self.dayRanges($0) } }
            for service in row.config.services ?? [] {
                line(service.title) { holdings in
                    guard let services = holdings.services else { return nil }
                    guard let found = services.first(where: { $0.name == service.name }) else { return "absent" }
                    return Self.describe(found)
                }
            }
            let extra = Set(row.providers.flatMap { ($0.holdings.services ?? []).map(\.name) }).subtracting((row.config.services ?? []).map(\.name))
            for name in extra.sorted() {
                let title = row.providers.lazy.compactMap { $0.holdings.services?.first { $0.name == name }?.title }.first ?? name
                line(title + " (hors catalogue)") { holdings in
                    guard let services = holdings.services else { return nil }
                    return services.first { $0.name == name }.map(Self.describe) ?? "—"
                }
            }
            let differences = row.providers.flatMap(\.differences)
            out += differences.isEmpty ? "\n✅ Tout concorde.\n" : "\n" + differences.map { "- ❌ \($0)\n" }.joined()
        }
        return out.replacingOccurrences(of: "|  |", with: "| |")
    }

    static func describe(_ service: HeldService) -> String {
        var parts: [String] = []
        if let price = service.price { parts.append(PlanRenderer.frenchMoney(price, currency: service.currency ?? "EUR")) }
        if let minutes = service.durationMinutes { parts.append("\(minutes) min") }
        return parts.isEmpty ? "publié" : parts.joined(separator: ", ")
    }

    /// Runs of consecutive days as ranges: `25/12/2026, 02/08/2027 → 21/08/2027`.
    static func dayRanges(_ days: [String]) -> String {
        let dates = days.compactMap { text -> LocalDate? in
            if case .success(let day) = LocalDate.parse(text) { return day }
            return nil
        }.sorted()
        guard !dates.isEmpty else { return "aucune" }
        var ranges: [(LocalDate, LocalDate)] = []
        for day in dates {
            if let last = ranges.last, last.1.next == day { ranges[ranges.count - 1].1 = day } else { ranges.append((day, day)) }
        }
        return ranges.map { $0.0 == $0.1 ? $0.0.french : "\($0.0.french) → \($0.1.french)" }.joined(separator: ", ")
    }
}
