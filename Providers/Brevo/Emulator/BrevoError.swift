import SalonOpsEmulatorKit

/// Brevo's error envelope (spec: `errorModel`): `{"code": <enum>, "message": <text>}`, with the
/// HTTP statuses of the spec's table (400, 401, 402, 403, 404, 405, 406, 422).
struct BrevoError: Error {
    /// The spec's `errorModel.code` enum.
    enum Code: String {
        case invalidParameter = "invalid_parameter", missingParameter = "missing_parameter", outOfRange = "out_of_range"
        case documentNotFound = "document_not_found", notEnoughCredits = "not_enough_credits", permissionDenied = "permission_denied"
        case duplicateParameter = "duplicate_parameter", duplicateRequest = "duplicate_request", methodNotAllowed = "method_not_allowed"
        case unauthorized, accountUnderValidation = "account_under_validation", notAcceptable = "not_acceptable"
        case badRequest = "bad_request", unprocessableEntity = "unprocessable_entity"
        /// Not in the spec's enum: Brevo documents 429 without its body (assumed, docs/providers/brevo.md).
        case tooManyRequests = "too_many_requests"
    }

    var status: Int
    var code: Code
    var message: String
    var headers: [(String, String)] = []

    static func invalid(_ message: String) -> BrevoError { BrevoError(status: 400, code: .invalidParameter, message: message) }
    static func missing(_ message: String) -> BrevoError { BrevoError(status: 400, code: .missingParameter, message: message) }
    static func notFound(_ message: String) -> BrevoError { BrevoError(status: 404, code: .documentNotFound, message: message) }

    var response: EmulatorResponse {
        .json(status, .object([("code", .string(code.rawValue)), ("message", .string(message))]), headers: headers)
    }
}
