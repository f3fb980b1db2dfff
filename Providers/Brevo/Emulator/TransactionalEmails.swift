import Foundation
import SalonOpsEmulatorKit

/// `POST /smtp/email` (sendTransacEmail) and `GET /smtp/emails` (getTransacEmailsList): what is
/// sent is logged, one entry per recipient, as Brevo's email log reads it back. Nothing is
/// delivered. This emulator holds no templates, so a `templateId` is never found.
extension BrevoState {
    mutating func sendEmail(_ request: EmulatorRequest, now: Date) throws(BrevoError) -> EmulatorResponse {
        let body = try BrevoBody(request)
        if let template = try body.int("templateId") { throw .notFound("Template ID \(template) does not exist") }
        // sender: `{name?, email}` or `{name?, id}` ("Mandatory if templateId is not passed").
        guard let sender = body["sender"], !sender.isNull else { throw .missing("sender is missing") }
        guard sender.pairs != nil else { throw .invalid("sender should be an object") }
        let from: Sender
        if let id = sender["id"]?.int {
            guard let found = senders.first(where: { $0.id == id }) else { throw .invalid("Sender ID \(id) does not exist") }
            from = found
        } else if let email = sender["email"]?.string?.lowercased() {
            guard BrevoFormat.isEmail(email) else { throw .invalid("sender.email is not valid") }
            guard let found = senders.first(where: { $0.email == email }) else {
                throw .invalid("Sending has been rejected because the sender you used \(email) is not valid. Validate your sender or authenticate your domain")
            }
            from = found
        } else {
            throw .missing("sender.email or sender.id is missing")
        }
        // Assumed (docs/providers/brevo.md): Brevo refuses to send from an address not yet validated.
        guard from.active else {
            throw .invalid("Sending has been rejected because the sender you used \(from.email) is not valid. Validate your sender or authenticate your domain")
        }
        guard let toValue = body["to"], !toValue.isNull else { throw .missing("to is missing") }
        guard let to = toValue.array, !to.isEmpty else { throw .invalid("to should be a non-empty array") }
        var recipients: [String] = []
        for item in to {
            guard let email = item["email"]?.string else { throw .missing("to.email is missing") }
            guard BrevoFormat.isEmail(email) else { throw .invalid("to.email \(email) is not valid") }
            recipients.append(email)
        }
        let subject = try body.required("subject")
        let html = try body.string("htmlContent"), text = try body.string("textContent")
        guard html != nil || text != nil else {
            throw .missing("htmlContent or textContent is missing")
        }
        let tags = try body.strings("tags") ?? []
        let messageID = "<\(Self.compactTimestamp(now)).\(random.string(length: 12, alphabet: Array("0123456789")))@smtp-relay.mailin.fr>"
        for email in recipients {
            emails.append(
                SentEmail(
                    email: email, subject: subject, templateID: nil, messageID: messageID, uuid: uuid(), date: BrevoFormat.timestamp(now),
                    from: from.email, tags: tags))
        }
        return .json(201, .object([("messageId", .string(messageID))]))
    }

    func listEmails(_ request: EmulatorRequest) throws(BrevoError) -> EmulatorResponse {
        let query = try BrevoQuery(request)
        let email = query["email"], messageID = query["messageId"], template = query["templateId"]
        guard email != nil || messageID != nil || template != nil else { throw .missing("email, messageId or templateId is missing") }
        let templateID: Int?
        if let template {
            guard let number = Int(template) else { throw .invalid("templateId should be an integer") }
            templateID = number
        } else {
            templateID = nil
        }
        // "Mandatory if endDate is used" and the reverse; this emulator keeps every email, so the
        // period narrows nothing further.
        if (query["startDate"] == nil) != (query["endDate"] == nil) { throw .missing("startDate and endDate go together") }
        let matching = emails.filter { entry in
            (email.map { $0.lowercased() == entry.email.lowercased() } ?? true) && (messageID.map { $0 == entry.messageID } ?? true)
                && (templateID.map { $0 == entry.templateID } ?? true)
        }
        let page = try Self.page(matching, query, defaultLimit: 500, maxLimit: 1000)
        return .json(200, .object([("count", .int(matching.count)), ("transactionalEmails", .array(page.map(\.json)))]))
    }

    mutating func uuid() -> String {
        let hex = Array("0123456789abcdef")
        let text = random.string(length: 32, alphabet: hex)
        let parts = [text.prefix(8), text.dropFirst(8).prefix(4), "4" + text.dropFirst(13).prefix(3), "8" + text.dropFirst(17).prefix(3), text.suffix(12)]
        return parts.joined(separator: "-")
    }

    static func compactTimestamp(_ date: Date) -> String { BrevoFormat.utc(date, "yyyyMMddHHmmss") }
}
