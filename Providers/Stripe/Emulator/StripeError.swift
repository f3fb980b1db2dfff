import SalonOpsEmulatorKit
/// An error in the shape of Stripe's API:
/// `{"error":{"code":…,"doc_url":…,"message":…,"param":…,"type":…}}`.
struct StripeError: Error, Sendable {
    var status: Int
    var type: String
    var message: String
    var param: String? = nil
    var code: String? = nil
    var headers: [(String, String)] = []

    var json: JSONValue {
        var fields: [(String, JSONValue)] = []
        if let code {
            fields.append(("code", .string(code)))
            fields.append(("doc_url", .string("https://stripe.com/docs/error-codes/" + code.replacingOccurrences(of: "_", with: "-"))))
        }
        fields.append(("message", .string(message)))
        if let param { fields.append(("param", .string(param))) }
        fields.append(("type", .string(type)))
        return .object([("error", .object(fields))])
    }

    var response: EmulatorResponse { .json(status, json, headers: headers) }

    static func invalid(_ message: String, param: String? = nil, code: String? = nil, status: Int = 400) -> StripeError {
        StripeError(status: status, type: "invalid_request_error", message: message, param: param, code: code)
    }

    static func unknownParameter(_ name: String) -> StripeError {
        .invalid("Received unknown parameter: \(name)", param: name, code: "parameter_unknown")
    }

    static func unsupportedParameter(_ name: String) -> StripeError {
        .invalid(
            "Received parameter \(name), which the real Stripe API accepts but the SalonOps sandbox does not implement.",
            param: name, code: "parameter_unknown")
    }

    static func missing(_ name: String) -> StripeError {
        .invalid("Missing required param: \(name).", param: name, code: "parameter_missing")
    }

    static func emptyString(_ name: String) -> StripeError {
        .invalid(
            "You passed an empty string for '\(name)'. We assume empty values are an attempt to unset a parameter; however '\(name)' cannot be unset. You should remove '\(name)' from your request or supply a non-empty value.",
            param: name, code: "parameter_invalid_empty")
    }

    static func exclusive(_ names: [String]) -> StripeError {
        .invalid(
            "You may only specify one of these parameters: \(names.joined(separator: ", ")).", param: names.last,
            code: "parameters_exclusive")
    }

    /// `resource` as Stripe names it in messages: "product", "price", "tax rate"…
    static func noSuch(_ resource: String, _ id: String, param: String = "id", status: Int = 404) -> StripeError {
        .invalid("No such \(resource): '\(id)'", param: param, code: "resource_missing", status: status)
    }

    static func unrecognizedURL(method: String, path: String) -> StripeError {
        .invalid(
            "Unrecognized request URL (\(method): \(path)). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
            status: 404)
    }
}
