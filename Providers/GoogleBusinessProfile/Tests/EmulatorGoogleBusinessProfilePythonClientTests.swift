import Foundation
import SalonOpsEmulatorKit
import SalonOpsGoogleBusinessProfileEmulator
import SalonOpsProviderTesting
import SalonOpsSandbox
import SalonOpsTestSupport
import Testing

/// The test venv's python, with google-api-python-client 2.202.0, google-auth and
/// google-auth-httplib2 (`make test-deps`).
let gbpVenvPython = Paths.packageRoot.appendingPathComponent(".venv/bin/python3").path

/// Whether the venv has the packages the peer imports (checked once, bounded).
let gbpPythonClientAvailable: Bool = {
    guard FileManager.default.isExecutableFile(atPath: gbpVenvPython) else { return false }
    let imports = "import googleapiclient.discovery, google.oauth2.credentials, google_auth_httplib2, httplib2"
    return (try? CommandRunner.run(gbpVenvPython, ["-c", imports], timeout: 60))?.status == 0
}()

@Suite(
    .enabled(
        if: gbpSpecAvailable && gbpPythonClientAvailable,
        "needs the Business Profile discovery documents and google-api-python-client, google-auth, google-auth-httplib2 in .venv (make test-deps)"))
struct EmulatorGoogleBusinessProfilePythonClientTests {
    @Test func officialClientDrivesTheEmulator() async throws {
        // google-auth reads the real clock for expiry, so the emulator does too.
        let options = GoogleBusinessProfileOptions(
            locations: (1...5).map { .init(account: "accounts/1", name: "locations/10\($0)", title: "Belle Époque \($0)") },
            clients: [.init(clientID: "client-1.apps.googleusercontent.com", clientSecret: "secret-1", refreshToken: "1//refresh-1")])
        let emulator = GoogleBusinessProfileEmulator(seed: 5, options: options)
        try await withSandbox(SandboxConfiguration(seed: 5, emulators: [emulator])) { sandbox in
            let base = sandbox.server.baseURL + "/google-business-profile"
            let script = Paths.packageRoot.appendingPathComponent("Providers/GoogleBusinessProfile/Tests/Peers/gbp_client.py").path
            let result = try await CommandRunner.run(
                gbpVenvPython, [script, base, "client-1.apps.googleusercontent.com", "secret-1", "1//refresh-1"],
                environment: ["NO_PROXY": "127.0.0.1", "PYTHONDONTWRITEBYTECODE": "1"], timeout: 120)
            #expect(result.status == 0, "\(result.stderr)")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
            #expect(seen["refreshed"] as? Bool == true)
            #expect(seen["accounts"] as? [String] == ["accounts/1"])
            #expect(seen["accounts_next"] as? Bool == false)
            #expect(seen["pages"] as? Int == 3)
            let locations = try #require(seen["locations"] as? [[Any]])
            #expect(locations.compactMap { $0.first as? String } == (1...5).map { "locations/10\($0)" })
            #expect(locations.allSatisfy { $0.last as? [String] == ["name", "title"] }, "only the read mask's fields")
            #expect(seen["patched_periods"] as? Int == 3)
            #expect(seen["patched_language"] as? String == "fr")
            #expect(seen["read_keys"] as? [String] == ["regularHours", "specialHours"])
            #expect(seen["read_back_equal"] as? Bool == true)
            #expect(seen["invalid_status"] as? Int == 400)
            #expect(seen["invalid_reason"] as? String == "INVALID_TIME_SCHEDULE")
            #expect(seen["invalid_field_mask"] as? String == "regularHours")
            #expect(seen["no_mask_status"] as? Int == 400)

            // What the client sent, as the counters saw it.
            let stats = try await sandbox.request(.GET, "/_sandbox/stats")
            let rows = (stats.json["requests"] as? [[String: Any]] ?? []).filter { $0["provider"] as? String == "google-business-profile" }
            let paths = Set(rows.compactMap { row in (row["method"] as? String).flatMap { method in (row["path"] as? String).map { method + " " + $0 } } })
            #expect(
                paths == [
                    "POST /oauth/token", "GET /accounts/v1/accounts", "GET /api/v1/accounts/{accountId}/locations", "PATCH /api/v1/locations/{locationId}",
                    "GET /api/v1/locations/{locationId}",
                ], "\(paths)")
            #expect(stats.json["writes"] as? Int == 2)
        }
    }
}
