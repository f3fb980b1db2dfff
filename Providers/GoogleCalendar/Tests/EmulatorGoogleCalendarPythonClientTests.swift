import Foundation
import SalonOpsSandbox
import SalonOpsEmulatorKit
import SalonOpsGoogleCalendarEmulator
import SalonOpsProviderTesting
import SalonOpsTestSupport
import Testing

/// The test venv's python (`make test-deps` installs google-api-python-client, google-auth,
/// google-auth-httplib2 and httplib2 into it).
let venvPython = Paths.packageRoot.appendingPathComponent(".venv/bin/python3").path
let googleClientAvailable = FileManager.default.isExecutableFile(atPath: venvPython)

@Suite(
    .enabled(
        if: calendarSpecAvailable && googleClientAvailable,
        "needs the Calendar discovery document and google-api-python-client in .venv (make test-deps)"))
struct GoogleCalendarPythonClientTests {
    @Test func officialClientDrivesTheEmulator() async throws {
        // google-auth signs with the real clock, so the emulator reads the system clock here.
        try await withGoogleSandbox(clock: .system) { g in
            let key = g.key
            let directory = key.directory
            let keyFile = directory.appendingPathComponent("service-account-\(UUID().uuidString).json")
            let info: [String: Any] = [
                "type": "service_account", "project_id": "salonops-test", "private_key_id": GoogleFixture.keyID,
                "private_key": key.privateKeyPEM, "client_email": GoogleFixture.serviceAccount, "client_id": "1234567890",
                "token_uri": g.tokenURL,
            ]
            try JSONSerialization.data(withJSONObject: info).write(to: keyFile)
            defer { try? FileManager.default.removeItem(at: keyFile) }
            let script = Paths.packageRoot.appendingPathComponent("Providers/GoogleCalendar/Tests/Peers/google_calendar_client.py").path
            let result = try await CommandRunner.run(
                venvPython, [script, keyFile.path, g.apiRoot, GoogleFixture.admin],
                environment: ["NO_PROXY": "127.0.0.1", "PYTHONDONTWRITEBYTECODE": "1"],
                timeout: 120)
            #expect(result.status == 0, "\(result.stderr)")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
            let calendars = try #require(seen["calendars"] as? [String])
            #expect(calendars.count == 5)
            #expect(calendars.allSatisfy { $0.hasSuffix("@group.calendar.google.com") })
            #expect(seen["listed"] as? [String] == [GoogleFixture.admin] + calendars)
            #expect(seen["pages"] as? Int == 3)
            #expect(seen["sync_token"] as? Bool == true)
            #expect(seen["rule"] as? String == "user:stylist@salon.example")
            #expect(seen["acl"] as? [String] == ["user:\(GoogleFixture.admin)", "user:stylist@salon.example"])
            #expect(seen["event"] as? String == "c0ffee0000salon")
            #expect(seen["filtered"] as? [String] == ["c0ffee0000salon"])
            #expect(seen["filtered_other"] as? [String] == [])
            #expect(seen["patched_summary"] as? String == "Noël")
            #expect(seen["stale_status"] as? Int == 412)
            #expect(seen["stale_reason"] as? String == "conditionNotMet")
            #expect(seen["duplicate_status"] as? Int == 409)
            #expect(seen["duplicate_message"] as? String == "The requested identifier already exists.")
            // A 204 with no body: the client's RawModel (a method with no response schema) gives "".
            let deleted = seen["delete_result"]
            #expect((deleted as? String) == "" || (deleted as? [String: Any])?.isEmpty == true, "\(String(describing: deleted))")
            #expect(seen["after_delete"] as? String == "cancelled")
            #expect(seen["deleted_calendar_status"] as? Int == 404)

            // What the client sent, as the counters saw it: every template a discovery method.
            let stats = try await g.sandbox.request(.GET, "/_sandbox/stats")
            let rows = (stats.json["requests"] as? [[String: Any]] ?? []).filter { $0["provider"] as? String == "google-calendar" }
            let discovery = try #require(g.discovery)
            for row in rows {
                guard let method = row["method"] as? String, let path = row["path"] as? String, path.hasPrefix("/api/") else { continue }
                #expect(discovery.methods.contains { $0.httpMethod == method && "/api/" + $0.path == path }, "\(method) \(path)")
            }
            #expect(rows.contains { $0["path"] as? String == "/oauth/token" })
        }
    }
}
