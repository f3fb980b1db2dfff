import Foundation
import SalonOpsCore
import SalonOpsSecrets

/// Everything under `/groupon/` that the daemon's HTTP server receives, answered in one call
/// (docs/providers/groupon.md): the signature first (401 `INVALID_REQUEST_SIGNATURE` otherwise,
/// whatever the path), then the merchants feed; availability and bookings belong to the salon's
/// booking app (501), any other path is 404. Every error is Groupon's envelope,
/// `{"errors":[{"code":…,"message":…}],"httpCode":…}`. Pure but for the nonce set.
public enum GrouponEndpoint {
    public typealias Response = (status: Int, headers: [String: String], body: [UInt8])

    /// Bodies above this are refused (413) before the signature is computed.
    public static let maximumBody = 1 << 20

    /// Paths of the 3PIP contract that the salon's booking app answers, not SalonOps.
    public static let bookingAppPaths = [
        "/groupon/v1/feed/services/availability", "/groupon/v1/bookings", "/groupon/v1/products", "/groupon/v2/products",
        "/groupon/v1/reservations", "/groupon/v2/reservations", "/groupon/v1/system", "/groupon/v1/feed", "/groupon/v2/feed",
    ]

    /// - Parameters:
    ///   - path: the request's path as received, without the query (`/groupon/v1/feed/services/merchants`).
    ///   - query: the raw query string, without `?` (empty when none).
    ///   - headers: by lowercase name.
    ///   - publicBaseURL: where Groupon reaches the daemon (`--public-url`), the start of every signed URL.
    ///   - state: the desired state of the commit being served; nil before one is (503).
    ///   - secret: the decrypted Groupon signing key; nil before it is (503).
    ///   - nonces: the daemon's one set of recent nonces.
    public static func respond(
        method: String, path: String, query: String, headers: [String: String], body: [UInt8],
        publicBaseURL: GrouponSignature.PublicBaseURL, state: DesiredState?, secret: Secret?, nonces: GrouponNonces, now: Date
    ) -> Response {
        var extra: [String: String] = [:]
        if let request = headers["x-request-id"], request.count <= 256, request.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            extra["x-request-id"] = request
        }
        func failure(_ status: Int, _ code: String, _ message: String, headers more: [String: String] = [:]) -> Response {
            (status, contentType.merging(extra) { a, _ in a }.merging(more) { a, _ in a }, encode(Envelope(errors: [.init(code: code, message: message)], httpCode: status)))
        }
        guard path == "/groupon" || path.hasPrefix("/groupon/") else {
            return failure(404, "NOT_FOUND", "not a Groupon path: SalonOps answers Groupon under /groupon/")
        }
        guard body.count <= maximumBody else {
            return failure(413, "MALFORMED_REQUEST", "the body is over \(maximumBody) bytes")
        }
        guard let secret else {
            return failure(503, "UNKNOWN_ERROR", "not ready: the Groupon signing key is decrypted by the daemon's first run, which has not finished")
        }
        do {
            try GrouponSignature.verify(
                method: method, path: path, query: query, headers: headers, body: body, publicBaseURL: publicBaseURL, key: secret, nonces: nonces, now: now)
        } catch {
            return failure(401, "INVALID_REQUEST_SIGNATURE", "\(error)", headers: ["www-authenticate": "\(GrouponSignature.scheme) version=\"\(GrouponSignature.version)\""])
        }
        if path == GrouponFeed.path {
            guard method.uppercased() == "GET" else {
                return failure(405, "MALFORMED_REQUEST", "\(GrouponFeed.path) is read with GET", headers: ["allow": "GET"])
            }
            guard let state else {
                return failure(503, "UNKNOWN_ERROR", "not ready: no commit of the config has been applied yet, so there is no feed to serve")
            }
            let ids: [String]
            do { ids = try GrouponFeed.ids(query: GrouponQuery.decode(query) ?? []) } catch {
                return failure(400, "MALFORMED_REQUEST", "\(error)")
            }
            return (200, contentType.merging(extra) { a, _ in a }, encode(GrouponFeed.document(ids: ids, state: state)))
        }
        if bookingAppPaths.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) {
            return failure(
                501, "NOT_IMPLEMENTED",
                "\(path) belongs to the salon's booking app, not SalonOps (which serves only \(GrouponFeed.path)): route availability and bookings to the booking app")
        }
        return failure(404, "NOT_FOUND", "no such Groupon endpoint: SalonOps serves \(GrouponFeed.path)")
    }

    static let contentType = ["content-type": "application/json; charset=utf-8"]

    /// Groupon's error envelope; `message` is SalonOps' own addition, for whoever reads the logs.
    struct Envelope: Encodable {
        struct Entry: Encodable {
            let code: String
            let message: String
        }
        let errors: [Entry]
        let httpCode: Int
    }

    /// Keys sorted, slashes as they are: the same value always gives the same bytes.
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data(#"{"errors":[{"code":"UNKNOWN_ERROR"}],"httpCode":500}"#.utf8))
    }
}
