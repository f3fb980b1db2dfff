import SalonOpsEmulatorKit
import Foundation

/// The Stripe emulator, served under `/stripe/api`: `/stripe/api/v1/products` is Stripe's
/// `https://api.stripe.com/v1/products`. Form-encoded requests, Bearer `sk_test_…` auth, Stripe's
/// errors, lists and idempotency keys.
public final class StripeEmulator: ProviderEmulator {
    public let id = "stripe"
    let seed: UInt64
    private let state: Locked<StripeState>
    static let defaultAPIVersion = "2024-06-20"

    public init(seed: UInt64) {
        self.seed = seed
        self.state = Locked(StripeState(seed: seed))
    }

    public func reset() {
        state.withLock { $0 = StripeState(seed: seed) }
        churned.withLock { $0 = 0 }
    }

    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse {
        let requestID = state.withLock { $0.newRequestID() }
        switch fault {
        case .rateLimited:
            return StripeError(
                status: 429, type: "invalid_request_error",
                message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
                code: "rate_limit",
                headers: [("Retry-After", String(retryAfterSeconds)), ("Request-Id", requestID)]
            ).response
        case .unavailable, .connectionReset:
            return StripeError(
                status: 503, type: "api_error",
                message: "The Stripe API is temporarily unavailable (injected by the SalonOps sandbox). Please retry your request.",
                headers: [("Request-Id", requestID)]
            ).response
        }
    }

    /// Products the churn fault made: `prod_churn_<n>`, n below this.
    private let churned = Locked(0)

    /// Someone else adds a product, or archives-and-deletes one they added earlier.
    public func churn(_ draw: UInt64, like request: EmulatorRequest) async {
        guard let authorization = request.header("authorization") else { return }
        let made = churned.withLock { $0 }
        var headers = ["authorization": authorization]
        if draw % 2 == 0 || made == 0 {
            let number = churned.withLock { count -> Int in
                count += 1
                return count - 1
            }
            headers["content-type"] = "application/x-www-form-urlencoded"
            _ = await respond(
                to: EmulatorRequest(method: "POST", path: "/api/v1/products", headers: headers, body: "id=prod_churn_\(number)&name=Churn%20\(number)"))
        } else {
            _ = await respond(to: EmulatorRequest(method: "DELETE", path: "/api/v1/products/prod_churn_\((draw / 2) % UInt64(made))", headers: headers))
        }
    }

    public func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        // Stripe has one host: the endpoint segment is `api`.
        var request = request
        let endpoint = request.endpoint
        if endpoint.name == "api" { request.path = endpoint.path }
        return state.withLock { $0.handle(request) }
    }
}

extension StripeState {
    /// One request, start to end, under the provider's lock.
    mutating func handle(_ request: EmulatorRequest) -> EmulatorResponse {
        let requestID = newRequestID()
        var headers: [(String, String)] = [("Request-Id", requestID)]
        do {
            let apiKey = try Self.authenticate(request)
            let version = try Self.apiVersion(request)
            headers.append(("Stripe-Version", version))
            let params = try Self.parameters(request)
            if request.method == "POST", let key = request.header("idempotency-key") {
                headers.append(("Idempotency-Key", key))
                return try idempotent(request, params: params, apiKey: apiKey, key: key, requestID: requestID, headers: headers)
            }
            return .json(200, try answer(request, StripeParams(params)), headers: headers)
        } catch {
            var response = error.response
            response.headers = headers + response.headers
            return response
        }
    }

    private mutating func idempotent(
        _ request: EmulatorRequest, params: FormParameters, apiKey: String, key: String,
        requestID: String, headers: [(String, String)]
    ) throws(StripeError) -> EmulatorResponse {
        guard key.count <= 255 else {
            throw .invalid("Invalid Idempotency-Key: it must be at most 255 characters long.", param: "Idempotency-Key")
        }
        let endpoint = "\(request.method) \(request.path)"
        switch idempotency.begin(scope: apiKey, key: key, endpoint: endpoint, fingerprint: params.fingerprint) {
        case .replay(let stored):
            var replay = stored
            replay.headers =
                headers + [("Idempotent-Replayed", "true")]
                + stored.headers.filter { $0.0 == "Content-Type" }
                + [("Original-Request", stored.headers.first { $0.0 == "Request-Id" }?.1 ?? requestID)]
            return replay
        case .endpointMismatch(let original):
            throw StripeError(
                status: 400, type: "idempotency_error",
                message:
                    "Keys for idempotent requests can only be used for the same endpoint they were first used for ('\(original)' vs '\(endpoint)'). Try using a key other than '\(key)' if you meant to execute a different request."
            )
        case .parameterMismatch:
            throw StripeError(
                status: 400, type: "idempotency_error",
                message:
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '\(key)' if you meant to execute a different request."
            )
        case .inFlight:
            throw StripeError(
                status: 409, type: "idempotency_error",
                message:
                    "There is currently another in-progress request using this Stripe idempotency key (that is, with the same key and the same API key). Please retry your request after a short while."
            )
        case .proceed:
            let response: EmulatorResponse
            do {
                response = .json(200, try answer(request, StripeParams(params)), headers: headers)
            } catch {
                // Like Stripe, a request that fails validation leaves no result behind: a
                // corrected retry may reuse the key.
                idempotency.abandon(scope: apiKey, key: key)
                throw error
            }
            idempotency.finish(scope: apiKey, key: key, response: response)
            return response
        }
    }

    /// `Authorization: Bearer sk_test_…` (or Basic with the key as user name, as Stripe accepts).
    /// Any test-mode secret or restricted key is valid; it also scopes idempotency keys.
    static func authenticate(_ request: EmulatorRequest) throws(StripeError) -> String {
        let challenge = [("WWW-Authenticate", "Bearer realm=\"Stripe\"")]
        guard let header = request.header("authorization")?.trimmingWhitespace, !header.isEmpty else {
            throw StripeError(
                status: 401, type: "invalid_request_error",
                message:
                    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
                headers: challenge)
        }
        var key = ""
        if header.lowercased().hasPrefix("bearer ") {
            key = String(header.dropFirst(7)).trimmingWhitespace
        } else if header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingWhitespace),
            let decoded = String(data: data, encoding: .utf8)
        {
            key = String(decoded.prefix { $0 != ":" })
        }
        let valid =
            (key.hasPrefix("sk_test_") || key.hasPrefix("rk_test_")) && key.count > 8
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        guard valid else {
            // Like Stripe, show only enough of the key to recognise it.
            let shown =
                key.count < 16
                ? String(repeating: "*", count: max(key.count, 4))
                : String(key.prefix(8)) + String(repeating: "*", count: key.count - 12) + String(key.suffix(4))
            throw StripeError(
                status: 401, type: "invalid_request_error",
                message: "Invalid API Key provided: \(shown)", code: key.isEmpty ? nil : "api_key_invalid",
                headers: challenge)
        }
        return key
    }

    /// `Stripe-Version: 2024-06-20` (optionally with a `.name` suffix); echoed back.
    static func apiVersion(_ request: EmulatorRequest) throws(StripeError) -> String {
        guard let version = request.header("stripe-version")?.trimmingWhitespace else { return StripeEmulator.defaultAPIVersion }
        let date = version.prefix { $0 != "." }
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.map(\.count) == [4, 2, 2], parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else {
            throw .invalid("Invalid Stripe API version: \(version)", param: "Stripe-Version")
        }
        return version
    }

    /// The query string for GET, the form body (plus any query) otherwise.
    static func parameters(_ request: EmulatorRequest) throws(StripeError) -> FormParameters {
        do {
            var params = FormParameters()
            if request.method != "GET", !request.body.isEmpty {
                if let type = request.header("content-type"), !type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
                    throw StripeError.invalid("Invalid request: unsupported Content-Type \(type). If error persists and you need assistance, please contact support@stripe.com.")
                }
                params = try FormDecoder.decode(request.body)
            }
            if !request.query.isEmpty { params.merge(try FormDecoder.decode(request.query)) }
            return params
        } catch let error as FormDecodingError {
            throw .invalid(error.message, param: error.parameter)
        } catch let error as StripeError {
            throw error
        } catch {
            throw .invalid("Invalid request: \(error)")
        }
    }

    /// The route's answer with the request's `expand` applied. A path that cannot be expanded fails
    /// the whole request: what the route changed is rolled back, so a refused create makes nothing.
    mutating func answer(_ request: EmulatorRequest, _ p: StripeParams) throws(StripeError) -> JSONValue {
        guard p.has("expand") else { return try route(request, p) }
        let before = self
        do {
            return try expanding(try route(request, p), p)
        } catch {
            self = before
            throw error
        }
    }

    /// `/v1/<resource>[/<id>]` by method.
    mutating func route(_ request: EmulatorRequest, _ p: StripeParams) throws(StripeError) -> JSONValue {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            String($0).removingPercentEncoding ?? String($0)
        }
        let unrecognized = StripeError.unrecognizedURL(method: request.method, path: request.path)
        guard segments.count >= 2, segments.count <= 3, segments[0] == "v1", !segments.contains("") else { throw unrecognized }
        let resource = segments[1], id = segments.count == 3 ? segments[2] : nil
        switch (request.method, resource, id) {
        case ("GET", "balance", nil):
            try p.allowOnly([])
            return balance

        case ("POST", "products", nil): return try createProduct(p)
        case ("GET", "products", nil): return try listProducts(p)
        case ("GET", "products", let id?): return try retrieve(products[id], "product", id, p)
        case ("POST", "products", let id?): return try updateProduct(id, p)
        case ("DELETE", "products", let id?): try p.allowOnly([]); return try deleteProduct(id)

        case ("POST", "prices", nil): return try createPrice(p)
        case ("GET", "prices", nil): return try listPrices(p)
        case ("GET", "prices", let id?): return try retrieve(prices[id], "price", id, p)
        case ("POST", "prices", let id?): return try updatePrice(id, p)

        case ("POST", "plans", nil): return try createPlan(p)
        case ("GET", "plans", nil): return try listPlans(p)
        case ("GET", "plans", let id?): return try retrieve(plans[id], "plan", id, p)
        case ("POST", "plans", let id?): return try updatePlan(id, p)
        case ("DELETE", "plans", let id?): try p.allowOnly([]); return try deletePlan(id)

        case ("POST", "coupons", nil): return try createCoupon(p)
        case ("GET", "coupons", nil): return try listCoupons(p)
        case ("GET", "coupons", let id?): return try retrieve(coupons[id], "coupon", id, p)
        case ("POST", "coupons", let id?): return try updateCoupon(id, p)
        case ("DELETE", "coupons", let id?): try p.allowOnly([]); return try deleteCoupon(id)

        case ("POST", "tax_rates", nil): return try createTaxRate(p)
        case ("GET", "tax_rates", nil): return try listTaxRates(p)
        case ("GET", "tax_rates", let id?): return try retrieve(taxRates[id], "tax rate", id, p)
        case ("POST", "tax_rates", let id?): return try updateTaxRate(id, p)

        case ("POST", "webhook_endpoints", nil): return try createWebhookEndpoint(p)
        case ("GET", "webhook_endpoints", nil): return try listWebhookEndpoints(p)
        case ("GET", "webhook_endpoints", let id?): return try retrieve(webhookEndpoints[id], "webhook endpoint", id, p)
        case ("POST", "webhook_endpoints", let id?): return try updateWebhookEndpoint(id, p)
        case ("DELETE", "webhook_endpoints", let id?): try p.allowOnly([]); return try deleteWebhookEndpoint(id)

        default: throw unrecognized
        }
    }

    private func retrieve(
        _ record: (some StripeRecord)?, _ resource: String, _ id: String,
        _ p: StripeParams
    ) throws(StripeError) -> JSONValue {
        try p.allowOnly([])
        guard let record else { throw .noSuch(resource, id) }
        return record.json
    }
}
