import Foundation
import SalonOpsEmulatorKit

/// An error as the Business Profile APIs answer it: google.rpc.Status in its JSON mapping,
/// `{"error":{"code","message","status","details":[…]}}` (AIP-193, cloud.google.com/apis/design/errors;
/// notes booking.md §2.5). A different envelope from Calendar's "v1" one (`errors[]`).
struct BusinessProfileStatus: Error, Sendable {
    /// The HTTP status, also the envelope's `code`.
    var code: Int
    /// The canonical code name (`INVALID_ARGUMENT`, `NOT_FOUND`…).
    var status: String
    var message: String
    var details: [JSONValue] = []
    var headers: [(String, String)] = []

    var json: JSONValue {
        var error: [(String, JSONValue)] = [("code", .int(code)), ("message", .string(message)), ("status", .string(status))]
        if !details.isEmpty { error.append(("details", .array(details))) }
        return .object([("error", .object(error))])
    }

    var response: EmulatorResponse { .json(code, json, headers: headers).withGoogleJSONType }

    /// The API a request went to: errors name its service in their `ErrorInfo.domain`.
    enum Service: String, Sendable {
        case businessInformation = "mybusinessbusinessinformation.googleapis.com"
        case accountManagement = "mybusinessaccountmanagement.googleapis.com"
    }

    /// `google.rpc.ErrorInfo`.
    static func errorInfo(reason: String, domain: String, metadata: [(String, String)] = []) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("@type", .string("type.googleapis.com/google.rpc.ErrorInfo")), ("reason", .string(reason)), ("domain", .string(domain)),
        ]
        if !metadata.isEmpty { fields.append(("metadata", .object(metadata.map { ($0.0, .string($0.1)) }))) }
        return .object(fields)
    }

    /// `google.rpc.BadRequest` with one field violation (the request's own parameters).
    static func badRequest(field: String, description: String) -> JSONValue {
        .object([
            ("@type", .string("type.googleapis.com/google.rpc.BadRequest")),
            ("fieldViolations", .array([.object([("field", .string(field)), ("description", .string(description))])])),
        ])
    }
}

extension EmulatorResponse {
    /// Google labels its JSON `application/json; charset=UTF-8`.
    var withGoogleJSONType: EmulatorResponse {
        var copy = self
        copy.headers = copy.headers.map { $0.0 == "Content-Type" ? ($0.0, "application/json; charset=UTF-8") : $0 }
        return copy
    }
}

/// The errors the emulator answers. [C] documented, [R] seen in public captures, [A] assumed.
extension BusinessProfileStatus {
    /// The generic text of a 400 [R notes §2.5: "Request contains an invalid argument." seen by integrators].
    static let invalidArgumentText = "Request contains an invalid argument."

    /// A request parameter the method cannot use (a missing mask, a page size out of range).
    static func invalidParameter(_ field: String, _ description: String) -> BusinessProfileStatus {
        BusinessProfileStatus(
            code: 400, status: "INVALID_ARGUMENT", message: invalidArgumentText, details: [badRequest(field: field, description: description)])
    }

    /// A Location value the API refuses, with the Business Information `ErrorCode` as the
    /// ErrorInfo reason and the field in `metadata.field_mask` [C ErrorCode page: "Metadata keys
    /// include field_mask"; A the field path is the camelCase mask path the client sent].
    static func invalidLocation(_ reason: String, field: String, _ detail: String) -> BusinessProfileStatus {
        BusinessProfileStatus(
            code: 400, status: "INVALID_ARGUMENT", message: "\(invalidArgumentText) \(detail)",
            details: [errorInfo(reason: reason, domain: Service.businessInformation.rawValue, metadata: [("field_mask", field)])])
    }

    /// A body that is not the JSON of the method's request message [R Google's ESF wording].
    static func invalidPayload(_ detail: String) -> BusinessProfileStatus {
        BusinessProfileStatus(code: 400, status: "INVALID_ARGUMENT", message: "Invalid JSON payload received. \(detail)")
    }

    /// A query parameter the method does not declare [R Google's ESF wording].
    static func unknownParameter(_ name: String) -> BusinessProfileStatus {
        invalidPayload("Unknown name \"\(name)\": Cannot bind query parameter. Field '\(name)' could not be found in request message.")
    }

    /// No credential [R the text Google front ends answer; A the ErrorInfo].
    static func credentialsMissing(_ service: Service) -> BusinessProfileStatus {
        BusinessProfileStatus(
            code: 401, status: "UNAUTHENTICATED",
            message: "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid "
                + "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            details: [errorInfo(reason: "CREDENTIALS_MISSING", domain: "googleapis.com", metadata: [("service", service.rawValue)])],
            headers: [("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"")])
    }

    /// A token this emulator did not issue, or one that expired [R text; A the ErrorInfo reason].
    static func invalidCredentials(_ service: Service) -> BusinessProfileStatus {
        BusinessProfileStatus(
            code: 401, status: "UNAUTHENTICATED",
            message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
                + "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            details: [errorInfo(reason: "ACCESS_TOKEN_EXPIRED", domain: "googleapis.com", metadata: [("service", service.rawValue)])],
            headers: [("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")])
    }

    /// An unknown account or location ("NOT_FOUND also when no access" [C spec:am accounts.get]).
    static let notFound = BusinessProfileStatus(code: 404, status: "NOT_FOUND", message: "Requested entity was not found.")

    /// A path no method serves [A Google answers its HTML 404 page; the emulator keeps JSON].
    static func unknownPath(_ path: String) -> BusinessProfileStatus {
        BusinessProfileStatus(code: 404, status: "NOT_FOUND", message: "The requested URL \(path) was not found on this server.")
    }

    /// A method of the API the emulator does not serve [A].
    static func notEmulated(_ method: String) -> BusinessProfileStatus {
        BusinessProfileStatus(code: 501, status: "UNIMPLEMENTED", message: "The SalonOps sandbox does not emulate \(method).")
    }

    /// A quota exceeded: 429 RESOURCE_EXHAUSTED [C developers.google.com/my-business/content/limits]
    /// with the standard ErrorInfo and `Retry-After` [A details and header; notes §2.6].
    static func quotaExceeded(metric: String, limit: String, retryAfterSeconds: Int) -> BusinessProfileStatus {
        BusinessProfileStatus(
            code: 429, status: "RESOURCE_EXHAUSTED",
            message: "Quota exceeded for quota metric '\(metric)' and limit '\(limit)'.",
            details: [
                errorInfo(reason: "RATE_LIMIT_EXCEEDED", domain: "googleapis.com", metadata: [("quota_metric", metric), ("quota_limit", limit)])
            ],
            headers: [("Retry-After", String(max(1, retryAfterSeconds)))])
    }

    /// The injected 503 [A text: Google's canonical UNAVAILABLE wording].
    static let unavailable = BusinessProfileStatus(code: 503, status: "UNAVAILABLE", message: "The service is currently unavailable.")
}
