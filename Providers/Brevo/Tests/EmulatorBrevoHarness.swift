import Foundation
import SalonOpsBrevoEmulator
import SalonOpsEmulatorKit
import SalonOpsProviderTesting

/// Brevo's OpenAPI description, read once (shared/specs beside the package, or the machine's copy).
let brevoSpec: OpenAPIDocument? = SharedSpecs.locate("brevo-v3.openapi.yml").flatMap { try? OpenAPIDocument(contentsOf: $0) }

/// An emulator in process, and what each exchange with it was, for checking against the spec.
final class BrevoExchanges: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    struct Exchange {
        var method: String
        var path: String
        var query: [(String, String)]
        var body: String
        var response: EmulatorResponse
    }

    let emulator: BrevoEmulator
    let clock: SandboxClock
    private(set) var log: [Exchange] = []

    init(options: [String: String] = [:]) throws {
        clock = SandboxClock.manual(startingAt: Date(timeIntervalSince1970: 1_796_000_000))
        emulator = try BrevoEmulator.make(seed: 5, options: options, clock: clock)
    }

    /// One request to `path` below `/v3`; `query` in order.
    @discardableResult
    func send(_ method: String, _ path: String, query: [(String, String)] = [], json: String = "", apiKey: String? = "xkeysib-harness") async -> EmulatorResponse {
        let text = query.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        // Past the contacts endpoints' 10 a second: the tests are about shapes, not pacing.
        clock.advance(by: 0.2)
        var headers = ["content-type": "application/json"]
        if let apiKey { headers["api-key"] = apiKey }
        let response = await emulator.respond(to: EmulatorRequest(method: method, path: "/api" + path, query: text, headers: headers, body: json))
        log.append(Exchange(method: method, path: path, query: query, body: json, response: response))
        return response
    }

    func header(_ response: EmulatorResponse, _ name: String) -> String? { response.headers.first { $0.0.lowercased() == name }?.1 }
}

extension EmulatorResponse {
    var object: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    var code: String? { object["code"]?.string }
    var id: Int? { object["id"]?.int }
}
