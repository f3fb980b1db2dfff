import Foundation
import SalonOpsCore
import Testing
@testable import SalonOpsEngine

/// Where each provider is reached: --endpoint, then the Integration's endpoint:, then --sandbox, then the real API.
@Suite struct EndpointsTests {
    @Test func precedence() throws {
        var files = EngineFixtures.files()
        let state = try EngineFixtures.state(files)
        let stripe = try #require(state.integrations.first)
        #expect(Endpoints().url(for: stripe) == "https://api.stripe.com")
        #expect(Endpoints(sandbox: "http://127.0.0.1:9/").url(for: stripe) == "http://127.0.0.1:9/stripe")
        files["integrations/stripe.yaml"] = EngineFixtures.integration(extra: "  endpoint: http://127.0.0.1:12111")
        let withEndpoint = try #require(try EngineFixtures.state(files).integrations.first)
        #expect(Endpoints(sandbox: "http://127.0.0.1:9").url(for: withEndpoint) == "http://127.0.0.1:12111")
        #expect(Endpoints(overrides: ["stripe": "http://127.0.0.1:7"], sandbox: "http://127.0.0.1:9").url(for: withEndpoint) == "http://127.0.0.1:7")
    }
}
