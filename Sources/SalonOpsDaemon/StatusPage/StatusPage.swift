import Foundation
import Mustache
import SalonOpsCore
import SalonOpsEngine

/// The HTML status page at `/`: establishments × integrations (✅ Connecté, ❌ Erreur, ⚠ Dérive),
/// the view across providers of hours and services, the commits served and applied, the next
/// run, the last errors. Rendered from `status.mustache` (swift-mustache, which escapes every
/// value); French by default, English with `?lang=en`. Nothing on it comes from a secret: the
/// daemon's status and the report hold none, and every text passes the scanner once more.
enum StatusPage {
    enum Language: String, Sendable {
        case fr, en
    }

    static let template: MustacheTemplate = {
        do { return try MustacheTemplate(string: String(decoding: PackageResources.status_mustache, as: UTF8.self)) } catch {
            // The template is compiled into the binary and parsed by a test: a parse error is a build defect.
            fatalError("status.mustache does not parse: \(error)")
        }
    }()

    static func render(status: DaemonStatus, report: StatusReport?, providerNames: [String: String], language: Language) -> String {
        template.render(context(status: status, report: report, providerNames: providerNames, language: language))
    }

    static func context(status: DaemonStatus, report: StatusReport?, providerNames: [String: String], language: Language) -> [String: Any] {
        let t = language == .fr ? french : english
        func clean(_ text: String) -> String { SecretScanner.redact(text) }
        var context: [String: Any] = [
            "lang": language.rawValue, "t": t, "organization": clean(status.organization ?? status.repository),
            // The reason only when not ready (the fetch's own error, as /readyz gives it).
            "ready": status.ready, "readiness": status.ready ? "" : clean(status.readiness),
            "servingCommit": status.servingCommit.map { String($0.prefix(12)) } ?? "—",
            "lastAppliedCommit": status.lastAppliedCommit.map { String($0.prefix(12)) } ?? "—",
            "nextRunAt": status.nextRunAt ?? "—", "nextDriftScanAt": status.nextDriftScanAt ?? "—",
            "generatedAt": Timestamp.now(),
            "errors": status.lastErrors.map(clean), "hasErrors": !status.lastErrors.isEmpty,
        ]
        if let run = status.running ?? status.lastRun {
            context["lastRun"] = [
                "startedAt": run.startedAt, "trigger": t["trigger.\(run.trigger)"] ?? run.trigger, "outcome": t["outcome.\(run.outcome)"] ?? run.outcome,
                "scope": t["scope.\(run.scope)"] ?? clean(run.scope), "duration": String(format: "%.1f s", Double(run.durationMs) / 1000),
            ]
        }
        // Integrations without an adapter yet are named once, below the matrix, not as columns.
        let enabled = (report?.integrations ?? []).filter(\.enabled)
        let integrations = enabled.filter { $0.connection.state != .unsupported }
        let unsupported = enabled.filter { $0.connection.state == .unsupported }.map { providerNames[$0.provider] ?? $0.provider }
        context["unsupported"] = unsupported.isEmpty ? [] : [unsupported.joined(separator: ", ")]
        context["hasMatrix"] = !integrations.isEmpty
        context["integrations"] = integrations.map { ["name": $0.integration, "providerName": providerNames[$0.provider] ?? $0.provider] }
        var establishments: [(name: String, displayName: String)] = []
        for integration in integrations {
            for row in integration.establishments where !establishments.contains(where: { $0.name == row.establishment }) {
                establishments.append((row.establishment, row.displayName))
            }
        }
        context["rows"] = establishments.sorted { $0.name < $1.name }.map { establishment -> [String: Any] in
            let cells = integrations.map { integration -> [String: String] in
                let row = integration.establishments.first { $0.establishment == establishment.name }
                let state: String
                if row?.enabled != true {
                    state = "off"
                } else if integration.connection.state == .suspended {
                    state = "suspended"
                } else if !(row?.healthy ?? false) {
                    state = "error"
                } else if integration.drift > 0 {
                    state = "drift"
                } else {
                    state = "ok"
                }
                return ["integration": integration.integration, "state": state, "label": t["cell.\(state)"] ?? state]
            }
            return ["name": establishment.name, "displayName": clean(establishment.displayName), "cells": cells]
        }
        context["consistency"] = (report?.consistency?.establishments ?? []).map { row in view(row, t: t, language: language, clean: clean) }
        return context
    }

    /// One establishment of the view across providers: its differences (or that all agree), and
    /// its week as the config and each provider that carries hours hold it.
    static func view(_ row: ConsistencyView.Row, t: [String: String], language: Language, clean: (String) -> String) -> [String: Any] {
        let differences = row.providers.flatMap(\.differences).map(clean)
        let withHours = row.providers.filter { $0.holdings.hours != nil }
        let days = Weekday.allCases.map { day -> [String: Any] in
            let wanted = row.config.hours?[day.rawValue] ?? []
            var cells: [[String: Any]] = [["text": periods(wanted, t), "differs": false]]
            for held in withHours {
                let have = held.holdings.hours?[day.rawValue] ?? []
                cells.append(["text": periods(have, t), "differs": have != wanted])
            }
            return ["day": language == .fr ? day.french : day.rawValue.capitalized, "cells": cells]
        }
        let services = row.config.services.map { services in
            String(format: t["services"] ?? "%d", services.count)
        }
        return [
            "name": row.establishment, "displayName": clean(row.displayName), "concordant": differences.isEmpty, "differences": differences,
            "hasHours": row.config.hours != nil, "columns": [t["config"] ?? "config"] + withHours.map(\.providerName), "days": days,
            "services": services.map { [$0] } ?? [],
        ]
    }

    static func periods(_ periods: [String], _ t: [String: String]) -> String {
        periods.isEmpty ? (t["closed"] ?? "closed") : periods.joined(separator: ", ")
    }

    static let french: [String: String] = [
        "title": "État des intégrations", "ready": "Prêt", "unready": "Pas prêt", "serving": "Commit servi", "applied": "Dernier commit appliqué",
        "lastRun": "Dernier passage", "nextRun": "Prochain passage", "nextDrift": "Prochain contrôle complet", "matrix": "Établissements × intégrations",
        "establishment": "Établissement", "view": "Ce que chaque plateforme affiche", "concordant": "Tout concorde.", "day": "Jour", "config": "Config",
        "closed": "fermé", "services": "%d prestations au catalogue de cet établissement.", "errors": "Dernières erreurs",
        "noErrors": "Aucune erreur.", "noReport": "Pas encore de rapport : le premier passage n'est pas terminé.",
        "noView": "Pas encore de vue : elle vient du premier contrôle complet.", "generated": "Page générée le",
        "cell.ok": "✅ Connecté", "cell.error": "❌ Erreur", "cell.drift": "⚠ Dérive", "cell.off": "—", "cell.suspended": "⏸ Suspendu", "unsupported": "Pas encore pris en charge :",
        "scope.full": "tout", "scope.none": "rien",
        "trigger.schedule": "intervalle", "trigger.push": "push", "trigger.drift": "contrôle complet",
        "outcome.ok": "réussi", "outcome.changes": "dérive signalée", "outcome.failed": "échec", "outcome.refused": "refusé",
        "outcome.running": "en cours", "outcome.up-to-date": "à jour", "outcome.nothing-to-do": "rien à faire",
    ]

    static let english: [String: String] = [
        "title": "Integration status", "ready": "Ready", "unready": "Not ready", "serving": "Commit served", "applied": "Last applied commit",
        "lastRun": "Last run", "nextRun": "Next run", "nextDrift": "Next full scan", "matrix": "Establishments × integrations",
        "establishment": "Establishment", "view": "What each platform shows", "concordant": "Everything matches.", "day": "Day", "config": "Config",
        "closed": "closed", "services": "%d services in this establishment's catalogue.", "errors": "Last errors",
        "noErrors": "No errors.", "noReport": "No report yet: the first run has not finished.",
        "noView": "No view yet: it comes from the first full scan.", "generated": "Page generated at",
        "cell.ok": "✅ Connected", "cell.error": "❌ Error", "cell.drift": "⚠ Drift", "cell.off": "—", "cell.suspended": "⏸ Suspended", "unsupported": "Not supported yet:",
        "scope.full": "everything", "scope.none": "nothing",
        "trigger.schedule": "interval", "trigger.push": "push", "trigger.drift": "full scan",
        "outcome.ok": "succeeded", "outcome.changes": "drift reported", "outcome.failed": "failed", "outcome.refused": "refused",
        "outcome.running": "running", "outcome.up-to-date": "up to date", "outcome.nothing-to-do": "nothing to do",
    ]
}
