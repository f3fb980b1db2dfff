import Foundation
import SalonOpsEngine
import Testing

@testable import SalonOpsDaemon

/// The status page's template and context, without a browser (DaemonCommandTests renders the
/// real daemon's page in Chromium).
@Suite struct StatusPageTests {
    static let canary = "sk_live_51CanaryStatusPage0000000000000000000000"

    static func report(displayName: String = "Lyon 2", drift: Int = 0, healthy: Bool = true) throws -> StatusReport {
        let json = """
            {"schema":"salonops.status/v1","generatedAt":"2026-12-02T10:00:00Z","command":"run","repository":"file:///r","commit":"\(String(repeating: "a", count: 40))",
             "integrations":[
              {"integration":"planity","provider":"planity","enabled":true,"connection":{"state":"connected"},
               "establishments":[{"establishment":"lyon-2","displayName":\(try String(decoding: JSONEncoder().encode(displayName), as: UTF8.self)),"enabled":true,"healthy":\(healthy)},
                                 {"establishment":"paris-11","displayName":"Paris 11","enabled":false,"healthy":false}],
               "drift":\(drift),"changes":{"planned":0,"applied":0,"failed":0,"skipped":0},"errors":[],"durationMs":10,"requests":3}]}
            """
        return try JSONDecoder().decode(StatusReport.self, from: Data(json.utf8))
    }

    static func status(errors: [String] = [], ready: Bool = true) -> DaemonStatus {
        DaemonStatus(
            startedAt: "2026-12-02T09:00:00Z", repository: "file:///r", organization: "Belle Époque", ref: "main", ready: ready,
            readiness: ready ? "ok: serving 0123456789ab" : "fetch failed: gone; still serving 0123456789ab",
            lastFetch: nil, servingCommit: "0123456789abcdef", lastAppliedCommit: "0123456789abcdef", running: nil, lastRun: nil, cycles: 1,
            nextRunAt: "2026-12-02T10:10:00Z", nextDriftScanAt: "2026-12-02T11:00:00Z", lastErrors: errors)
    }

    @Test func frenchByDefaultEnglishOnRequest() throws {
        let report = try Self.report()
        let french = StatusPage.render(status: Self.status(), report: report, providerNames: ["planity": "Planity"], language: .fr)
        #expect(french.contains(#"<html lang="fr">"#) && french.contains("État des intégrations") && french.contains("✅ Connecté"))
        #expect(french.contains(#"<tr data-establishment="lyon-2"><th scope="row">Lyon 2</th><td class="ok" data-integration="planity">✅ Connecté</td></tr>"#), "\(french)")
        #expect(french.contains(#"<td class="off" data-integration="planity">—</td>"#), "an establishment the integration does not cover")
        let english = StatusPage.render(status: Self.status(), report: report, providerNames: ["planity": "Planity"], language: .en)
        #expect(english.contains(#"<html lang="en">"#) && english.contains("Integration status") && english.contains("✅ Connected"))
        #expect(english.contains(#"name="viewport" content="width=device-width, initial-scale=1""#))
    }

    @Test func driftErrorsAndAnUnreadyDaemonShow() throws {
        let drifted = StatusPage.render(status: Self.status(), report: try Self.report(drift: 2), providerNames: [:], language: .fr)
        #expect(drifted.contains(#"<td class="drift" data-integration="planity">⚠ Dérive</td>"#))
        let failing = StatusPage.render(status: Self.status(ready: false), report: try Self.report(healthy: false), providerNames: [:], language: .fr)
        #expect(failing.contains(#"<td class="error" data-integration="planity">❌ Erreur</td>"#))
        #expect(failing.contains("❌ Pas prêt") && failing.contains("still serving 0123456789ab"))
        let empty = StatusPage.render(status: Self.status(), report: nil, providerNames: [:], language: .en)
        #expect(empty.contains("No report yet") && !empty.contains(#"<table id="matrix">"#))
    }

    /// Every value is escaped, and a secret that reached an error line is redacted once more.
    @Test func valuesAreEscapedAndSecretsNeverShown() throws {
        let page = StatusPage.render(
            status: Self.status(errors: ["2026-12-02T10:00:00Z stripe: rejected key \(Self.canary)"]), report: try Self.report(displayName: "<script>alert(1)</script>"),
            providerNames: [:], language: .fr)
        #expect(!page.contains("<script>") && page.contains("&lt;script&gt;"))
        #expect(!page.contains(Self.canary) && page.contains("stripe: rejected key"))
    }
}
