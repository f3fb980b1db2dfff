/// The assumed contract's error shape: `{"errors":[{"code","field","detail"}]}`.
public struct VenueAPIError: Error, Sendable {
    public let status: Int
    public let code: String
    public let field: String?
    public let detail: String
    public var headers: [(String, String)] = []

    public init(_ status: Int, _ code: String, field: String? = nil, _ detail: String) {
        self.status = status
        self.code = code
        self.field = field
        self.detail = detail
    }

    public static func invalid(_ field: String, _ detail: String) -> VenueAPIError { VenueAPIError(400, "VALIDATION_FAILED", field: field, detail) }
    public static let unauthorized = VenueAPIError(401, "UNAUTHORIZED", "a valid 'Authorization: Bearer <apiKey>' is required")
    public static func notFound(_ what: String) -> VenueAPIError { VenueAPIError(404, "NOT_FOUND", "\(what) not found") }
    public static func forbidden(_ venue: String) -> VenueAPIError { VenueAPIError(403, "FORBIDDEN", "venue \(venue) is not in this account") }
    public static let preconditionRequired = VenueAPIError(428, "PRECONDITION_REQUIRED", "send If-Match: \"<version>\" to change this object")
    public static func versionMismatch(current: Int) -> VenueAPIError { VenueAPIError(412, "VERSION_MISMATCH", "the object is at version \(current)") }
    public static let keyReused = VenueAPIError(422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request")

    public static func rateLimited(retryAfter seconds: Int) -> VenueAPIError {
        var error = VenueAPIError(429, "RATE_LIMITED", "too many requests for this API key")
        error.headers = [("Retry-After", String(seconds))]
        return error
    }

    public static let unavailable = VenueAPIError(503, "SERVICE_UNAVAILABLE", "try again later")

    public var response: EmulatorResponse {
        var entry: [(String, JSONValue)] = [("code", .string(code))]
        if let field { entry.append(("field", .string(field))) }
        entry.append(("detail", .string(detail)))
        return .json(status, .object([("errors", .array([.object(entry)]))]), headers: headers)
    }
}
