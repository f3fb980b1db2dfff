import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// The promise of declaring things once, shown: after an apply every provider that carries hours,
/// closures or services holds what the config says (`salonops status`); a change of hours in one
/// establishment reaches every provider that carries hours in one run; a change made at one
/// provider behind the tool's back is named with that provider.
@Suite struct ConsistencyCommandTests {
    typealias Setup = ReconcileCommandTests.Setup

    static let bookingProviders = ["Google Business Profile", "Planity", "Treatwell"]

    func status(_ setup: Setup) async throws -> [String: Any] {
        let status = try await CommandRunner.run(
            Paths.salonops, ["status", "--format", "json", "--state-dir", setup.state.path], environment: setup.environment, timeout: 30)
        try #require(status.status == 0, "\(status.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    }

    /// Establishment → provider name → its differences.
    func differences(_ report: [String: Any]) throws -> [String: [String: [String]]] {
        let consistency = try #require(report["consistency"] as? [String: Any])
        var out: [String: [String: [String]]] = [:]
        for row in consistency["establishments"] as? [[String: Any]] ?? [] {
            let name = try #require(row["establishment"] as? String)
            for held in row["providers"] as? [[String: Any]] ?? [] {
                out[name, default: [:]][held["providerName"] as? String ?? "?"] = held["differences"] as? [String] ?? []
            }
        }
        return out
    }

    @Test func afterAnApplyEveryProviderHoldsWhatTheConfigSays() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let applied = try await setup.salonops(["apply", "--auto-approve"], timeout: 300)
        #expect(applied.status == 0, "\(applied.stdout.suffix(3000))\(applied.stderr)")
        let view = try differences(try await status(setup))
        #expect(Set(view.keys) == ["paris-11", "lyon-2", "bordeaux-chartrons"])
        for (establishment, providers) in view {
            for provider in ["Google Business Profile", "Planity", "Stripe"] { #expect(providers[provider] != nil, "\(establishment): no \(provider)") }
            #expect((providers["Treatwell"] != nil) == (establishment != "bordeaux-chartrons"), "Treatwell covers Paris and Lyon only")
            for (provider, differences) in providers { #expect(differences.isEmpty, "\(establishment) · \(provider): \(differences)") }
        }
        let text = try await CommandRunner.run(Paths.salonops, ["status", "--state-dir", setup.state.path], environment: setup.environment, timeout: 30)
        #expect(text.stdout.contains("## Ce que chaque plateforme affiche") && text.stdout.contains("✅ Tout concorde."), "\(text.stdout.suffix(2000))")
        #expect(text.stdout.contains("| jeudi | 10:00–21:00 |"), "Paris' late Thursday, side by side")
    }

    /// Lyon 2 closes later on Thursdays: every provider that carries hours says so in the owner's
    /// summary, and one apply carries it everywhere.
    @Test func aChangeOfHoursReachesEveryProviderInOneRun() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let first = try await setup.salonops(["apply", "--auto-approve"], timeout: 300)
        try #require(first.status == 0, "\(first.stderr)")
        let file = setup.repo.appendingPathComponent("examples/salon-chain/establishments/lyon-2.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try #require(text.contains(#"thursday: ["10:00-13:00", "14:00-20:00"]"#))
        try text.replacingOccurrences(of: #"thursday: ["10:00-13:00", "14:00-20:00"]"#, with: #"thursday: ["10:00-13:00", "14:00-21:00"]"#)
            .write(to: file, atomically: true, encoding: .utf8)
        _ = try await CommandRunner.git(["commit", "-qam", "Lyon 2: open until 21:00 on Thursdays"], in: setup.repo)

        let plan = try await setup.salonops(["plan"], timeout: 120)
        #expect(plan.status == 2, "\(plan.stderr)")
        let summary = plan.stdout.split(separator: "\n").filter { $0.contains("jeudi 10:00–13:00, 14:00–20:00 → 10:00–13:00, 14:00–21:00") }
        for provider in Self.bookingProviders {
            #expect(summary.contains { $0.contains("• \(provider) · Belle Époque Lyon 2") }, "\(provider) in the summary: \(summary)")
        }
        #expect(summary.count == Self.bookingProviders.count, "\(summary)")
        let applied = try await setup.salonops(["apply", "--auto-approve"], timeout: 120)
        #expect(applied.status == 0, "\(applied.stdout.suffix(2000))\(applied.stderr)")
        let settled = try await setup.salonops(["plan"], timeout: 120)
        #expect(settled.status == 0, "\(settled.stdout.suffix(2000))")
        let lyon = try differences(try await status(setup))["lyon-2"] ?? [:]
        #expect(lyon.values.allSatisfy { $0.isEmpty }, "\(lyon)")
    }

    /// Someone closes Lyon 2 early on Thursdays in Treatwell's back office: the next plan's
    /// status names it, with Treatwell, and nobody else.
    @Test func aDifferenceMadeAtOneProviderIsNamedWithIt() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.cleanUp() } }
        let first = try await setup.salonops(["apply", "--auto-approve"], timeout: 300)
        try #require(first.status == 0, "\(first.stderr)")
        try await Self.treatwellHours(setup, venue: "402387", thursday: ("10:00", "19:00"))
        let plan = try await setup.salonops(["plan"], timeout: 120)
        #expect(plan.status == 2, "drift is reported: \(plan.stdout.suffix(2000))")
        let lyon = try differences(try await status(setup))["lyon-2"] ?? [:]
        #expect(lyon["Treatwell"] == ["Treatwell · Belle Époque Lyon 2 – Presqu'île : jeudi 10:00–19:00 au lieu de 10:00–13:00, 14:00–20:00"], "\(lyon)")
        #expect(lyon.filter { $0.key != "Treatwell" }.values.allSatisfy { $0.isEmpty }, "\(lyon)")
    }

    /// Through Treatwell's API (the assumed contract, docs/assumed-venue-api.md): read the venue
    /// for its version, then PATCH its hours with `If-Match`.
    static func treatwellHours(_ setup: Setup, venue: String, thursday: (String, String)) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let url = setup.sandbox.baseURL + "/treatwell/api/v1/venues/\(venue)"
        var read = HTTPClientRequest(url: url)
        read.headers.add(name: "Authorization", value: "Bearer back-office")
        let answer = try await client.execute(read, timeout: .seconds(10))
        let body = try await answer.body.collect(upTo: 1 << 20)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        let version = try #require(answer.headers.first(name: "ETag") ?? (json["version"].map { "\"\($0)\"" }))
        var periods = ((json["openingHours"] as? [String: Any])?["periods"] as? [[String: Any]] ?? []).filter { $0["day"] as? String != "THU" }
        periods.append(["day": "THU", "open": thursday.0, "close": thursday.1])
        var patch = HTTPClientRequest(url: url)
        patch.method = .PATCH
        patch.headers.add(name: "Authorization", value: "Bearer back-office")
        patch.headers.add(name: "Content-Type", value: "application/json")
        patch.headers.add(name: "If-Match", value: version)
        patch.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["openingHours": ["periods": periods]])))
        let patched = try await client.execute(patch, timeout: .seconds(10))
        let reply = try await patched.body.collect(upTo: 1 << 20)
        try #require(patched.status == .ok, "\(patched.status): \(String(buffer: reply))")
    }
}
