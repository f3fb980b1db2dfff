import Foundation
import SalonOpsEmulatorKit

/// One Brevo account in memory: contact folders and lists, senders, webhooks and the log of
/// transactional emails sent. Ids are server-assigned int64s, one sequence per collection.
struct BrevoState {
    struct Folder {
        var id: Int
        var name: String
    }

    struct ContactList {
        var id: Int
        var name: String
        var folderID: Int
        var createdAt: String
    }

    struct Sender {
        var id: Int
        var name: String
        var email: String
        var active: Bool
    }

    struct Webhook {
        var id: Int
        var url: String
        var description: String
        var events: [String]
        var type: String
        var channel: String
        var batched: Bool?
        var domain: String?
        var createdAt: String
        var modifiedAt: String
    }

    struct SentEmail {
        var email: String
        var subject: String
        var templateID: Int?
        var messageID: String
        var uuid: String
        var date: String
        var from: String
        var tags: [String]
    }

    var folders: [Folder] = []
    var lists: [ContactList] = []
    var senders: [Sender] = []
    var webhooks: [Webhook] = []
    var emails: [SentEmail] = []
    private var lastID: [String: Int] = [:]
    var random: IdentifierGenerator

    init(seed: UInt64) { random = IdentifierGenerator(seed: seed, stream: 41) }

    /// A path below a collection as its template (ids as `{id}`), and the id in it.
    static func route(_ segments: [String]) -> (route: String, id: String) {
        (segments.map { Int($0) != nil ? "{id}" : $0 }.joined(separator: "/"), segments.first { Int($0) != nil } ?? "")
    }

    mutating func nextID(_ collection: String) -> Int {
        lastID[collection, default: 0] += 1
        return lastID[collection]!
    }

    /// A page of `items` in creation order (`sort=asc`) or newest first (the default).
    static func page<T>(_ items: [T], _ query: BrevoQuery, defaultLimit: Int, maxLimit: Int) throws(BrevoError) -> [T] {
        let limit = try query.int("limit", default: defaultLimit, in: 0...maxLimit)
        let offset = try query.int("offset", default: 0, in: 0...Int.max)
        let ordered = try query.ascending() ? items : items.reversed()
        guard offset < ordered.count else { return [] }
        return Array(ordered[offset..<min(ordered.count, offset + limit)])
    }
}

// MARK: JSON, as the spec's read models write it

extension BrevoState.Folder {
    /// `getFolder`: the subscriber counts are being dropped and read 0 (brevo-python 5.1.0).
    var json: JSONValue {
        .object([("id", .int(id)), ("name", .string(name)), ("totalBlacklisted", .int(0)), ("totalSubscribers", .int(0)), ("uniqueSubscribers", .int(0))])
    }
}

extension BrevoState.ContactList {
    /// `getLists` items carry `folderId`; `getFolderLists` items do not.
    func json(withFolder: Bool, detailed: Bool = false) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .int(id)), ("name", .string(name)), ("totalBlacklisted", .int(0)), ("totalSubscribers", .int(0)), ("uniqueSubscribers", .int(0)),
        ]
        if withFolder { pairs.append(("folderId", .int(folderID))) }
        if detailed { pairs.append(("createdAt", .string(createdAt))) }
        return .object(pairs)
    }
}

extension BrevoState.Sender {
    var json: JSONValue { .object([("id", .int(id)), ("name", .string(name)), ("email", .string(email)), ("active", .bool(active))]) }
}

extension BrevoState.Webhook {
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .int(id)), ("url", .string(url)), ("description", .string(description)), ("events", .array(events.map(JSONValue.string))),
            ("type", .string(type)), ("channel", .string(channel)), ("createdAt", .string(createdAt)), ("modifiedAt", .string(modifiedAt)),
        ]
        if let batched { pairs.append(("batched", .bool(batched))) }
        if let domain { pairs.append(("domain", .string(domain))) }
        return .object(pairs)
    }
}

extension BrevoState.SentEmail {
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("email", .string(email)), ("subject", .string(subject))]
        if let templateID { pairs.append(("templateId", .int(templateID))) }
        pairs += [
            ("messageId", .string(messageID)), ("uuid", .string(uuid)), ("date", .string(date)), ("from", .string(from)),
            ("tags", .array(tags.map(JSONValue.string))),
        ]
        return .object(pairs)
    }
}
