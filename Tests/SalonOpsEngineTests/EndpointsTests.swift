import Foundation
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsProviders
import Testing
@testable import SalonOpsEngine

/// Where each provider endpoint is reached: --endpoint, then the Integration's endpoint: (the
/// `api` endpoint), then --sandbox (`URL/<provider>/<endpoint>`), then the real URL from the
/// provider's traits with its settings filled in.
@Suite struct EndpointsTests {
    func api(_ endpoints: Endpoints, _ integration: Integration) throws -> String? {
        let module = try #require(Registry.providers.module(integration.provider.value))
        return try endpoints.urls(for: integration, traits: module.traits).get()["api"]
    }

    @Test func precedence() throws {
        var files = EngineFixtures.files()
        let state = try EngineFixtures.state(files)
        let stripe = try #require(state.integrations.first)
        #expect(try api(Endpoints(), stripe) == "https://api.stripe.com")
        #expect(try api(Endpoints(sandbox: "http://127.0.0.1:9/"), stripe) == "http://127.0.0.1:9/stripe/api")
        files["integrations/stripe.yaml"] = EngineFixtures.integration(extra: "  endpoint: http://127.0.0.1:12111")
        let withEndpoint = try #require(try EngineFixtures.state(files).integrations.first)
        #expect(try api(Endpoints(sandbox: "http://127.0.0.1:9"), withEndpoint) == "http://127.0.0.1:12111")
        #expect(try api(Endpoints(overrides: ["stripe": "http://127.0.0.1:7"], sandbox: "http://127.0.0.1:9"), withEndpoint) == "http://127.0.0.1:7")
    }

    @Test func placeholdersComeFromSettingsAndAMissingOneIsNamed() throws {
        let settings = SettingsReader(
            .map([
                (
                    key: Located("shopDomain", at: SourceLocation(file: "f", line: 1, column: 1)),
                    value: Located(.scalar("belle.myshopify.com"), at: SourceLocation(file: "f", line: 1, column: 13))
                )
            ]))
        #expect(Endpoint("api", "https://{shopDomain}/admin/api/2025-01").resolve(settings) == "https://belle.myshopify.com/admin/api/2025-01")
        #expect(Endpoint("api", "https://{shop}/admin").resolve(settings) == nil)
        #expect(Endpoint("api", "https://{shopDomain").resolve(settings) == nil)
    }
}
