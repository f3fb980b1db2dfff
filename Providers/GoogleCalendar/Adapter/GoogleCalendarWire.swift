import Foundation
import SalonOpsProviderKit

/// Google Calendar's wire format: JSON bodies, the "v1" error envelope
/// `{"error":{"errors":[{domain,reason,message,locationType,location}],"code","message"}}`
/// (https://developers.google.com/workspace/calendar/api/guides/errors), `pageToken` paging,
/// ETags.
enum GoogleCalendarWire {
    /// Google's advice: `rateLimitExceeded` and `userRateLimitExceeded` (403 or 429) are retried
    /// with backoff; `quotaExceeded` (usage limits) is not a short-term limit and is reported.
    static func classify(_ response: ProviderResponse) -> ResponseClass {
        let status = response.status
        guard !(200..<300).contains(status) else { return .success }
        let error = (try? JSONValue.parse(response.body))?["error"]
        let first = error?["errors"]?.array?.first
        let reason = first?["reason"]?.string ?? ""
        let message = (error?["message"]?.string ?? "Google answered HTTP \(status)") + (reason.isEmpty ? "" : " (\(reason))")
        let after = ResponseClass.retryAfter(response)
        switch (status, reason) {
        case (403, "rateLimitExceeded"), (403, "userRateLimitExceeded"), (429, _):
            return .retry(after: after, ProviderError(.rateLimited(retryAfter: after), status: status, message: message))
        case (403, "quotaExceeded"):
            return .failure(ProviderError(.permanent, status: status, message: message + ": Calendar usage limits; wait for them to reset"))
        case (401, _), (403, _): return .failure(ProviderError(.auth, status: status, message: message))
        case (404, _), (410, _): return .failure(ProviderError(.notFound, status: status, message: message))
        case (409, "duplicate"): return .failure(ProviderError(.alreadyExists, status: status, message: message))
        case (409, _), (412, _): return .failure(ProviderError(.conflict, status: status, message: message))
        case (500...599, _): return .retry(after: after, ProviderError(.transient, status: status, message: message))
        case (400, _): return .failure(ProviderError(.invalid(field: first?["location"]?.string), status: status, message: message))
        default: return .failure(ProviderError(.permanent, status: status, message: message))
        }
    }

    // MARK: markers

    static let ownerProperty = Markers.ownerName
    static let idProperty = Markers.keyName
    static let digestProperty = Markers.digestName

    /// A client-chosen event id: base32hex (`a`–`v`, `0`–`9`), 5 to 1024 characters
    /// (spec: `Event.id`); hex digits are a subset. Two 64-bit digests: collisions are not a
    /// concern at a salon chain's scale.
    static func eventID(owner: String, key: String) -> String {
        StableDigest.of("closure|\(owner)|\(key)") + StableDigest.of("salonops|\(key)|\(owner)")
    }

    // MARK: observed

    static func calendar(_ entry: JSONValue) -> ObservedResource? {
        guard let id = entry["id"]?.string, entry["deleted"]?.bool != true else { return nil }
        let (text, owner, key, digest) = Markers.untag(entry["description"]?.string ?? "")
        let summary = entry["summaryOverride"]?.string ?? entry["summary"]?.string ?? id
        return ObservedResource(
            kind: "calendar", remoteID: id, key: key, owner: owner, naturalKey: summary,
            fields: [
                "summary": .string(entry["summary"]?.string ?? ""), "description": .string(text),
                "timeZone": .string(entry["timeZone"]?.string ?? ""),
            ],
            appliedDigest: digest, title: summary)
    }

    static func acl(_ rule: JSONValue, calendar: String) -> ObservedResource? {
        // `none` is a deleted rule; `owner` is the calendar owner's own rule (the delegated user),
        // which comes with every calendar and which SalonOps never sets.
        guard let id = rule["id"]?.string, let role = rule["role"]?.string, role != "none", role != "owner" else { return nil }
        let type = rule.at("scope.type")?.string ?? "", value = rule.at("scope.value")?.string ?? ""
        return ObservedResource(
            kind: "acl", remoteID: calendar + "/" + id, key: nil, owner: nil, naturalKey: id,
            fields: ["role": .string(role), "scope.type": .string(type), "scope.value": .string(value.lowercased())],
            references: ["calendar": calendar], version: rule["etag"]?.string, title: "\(id) → \(calendar)")
    }

    static func closure(_ event: JSONValue, calendar: String) -> ObservedResource? {
        guard let id = event["id"]?.string, event["status"]?.string != "cancelled" else { return nil }
        let properties = event.at("extendedProperties.private")
        let markers = Markers.read { properties?[$0]?.string }
        return ObservedResource(
            kind: "closure", remoteID: calendar + "/" + id, key: markers.key, owner: markers.owner,
            fields: [
                "summary": .string(event["summary"]?.string ?? ""),
                "start.date": event.at("start.date")?.string.map(FieldValue.string) ?? .null,
                "end.date": event.at("end.date")?.string.map(FieldValue.string) ?? .null,
                // `opaque` is the default and is not always written back.
                "transparency": .string(event["transparency"]?.string ?? "opaque"),
            ],
            references: ["calendar": calendar], appliedDigest: markers.digest,
            version: event["etag"]?.string, title: event["summary"]?.string ?? id)
    }

    /// `calendarId/ruleId` or `calendarId/eventId`: sub-resources are named within their calendar.
    static func split(_ remoteID: String) -> (calendar: String, id: String) {
        guard let slash = remoteID.firstIndex(of: "/") else { return (remoteID, "") }
        return (String(remoteID[..<slash]), String(remoteID[remoteID.index(after: slash)...]))
    }

    /// A path segment, percent-encoded (`c1@group.calendar.google.com` → `c1%40group…`).
    static func segment(_ text: String) -> String { Query.encode(text) }
}
