import Foundation
import SalonOpsEmulatorKit

/// `/senders` (spec: getSenders, createSender, updateSender, deleteSender). A new sender is
/// inactive until Brevo validates its address (a code it emails there), except on a domain
/// the account has authenticated (the `authenticatedDomains` option).
extension BrevoState {
    mutating func senders(_ method: String, _ segments: [String], _ request: EmulatorRequest, authenticatedDomains: Set<String>) throws(BrevoError) -> EmulatorResponse {
        let (route, id) = Self.route(segments)
        switch (method, route) {
        case ("GET", ""):
            let query = try BrevoQuery(request)
            var found = senders
            if let domain = query["domain"]?.lowercased() { found = found.filter { $0.email.hasSuffix("@" + domain) } }
            // No sender here uses a dedicated IP.
            if query["ip"] != nil { found = [] }
            return .json(200, .object([("senders", .array(found.map(\.json)))]))
        case ("POST", ""):
            let body = try BrevoBody(request)
            let name = try body.required("name"), email = try body.required("email").lowercased()
            guard BrevoFormat.isEmail(email) else { throw .invalid("email is not valid") }
            // Assumed (undocumented): one sender per address.
            guard !senders.contains(where: { $0.email == email }) else { throw BrevoError(status: 400, code: .duplicateParameter, message: "Sender already exists") }
            let sender = Sender(id: nextID("sender"), name: name, email: email, active: Self.authenticated(email, authenticatedDomains))
            senders.append(sender)
            return .json(201, .object([("id", .int(sender.id))]))
        case ("PUT", "{id}"):
            let index = try senderIndex(id)
            let body = try BrevoBody(request, required: false)
            if let name = try body.string("name") { senders[index].name = name }
            if let email = try body.string("email")?.lowercased(), email != senders[index].email {
                guard BrevoFormat.isEmail(email) else { throw .invalid("email is not valid") }
                guard !senders.contains(where: { $0.email == email }) else { throw BrevoError(status: 400, code: .duplicateParameter, message: "Sender already exists") }
                senders[index].email = email
                // A new address is validated anew.
                senders[index].active = Self.authenticated(email, authenticatedDomains)
            }
            return EmulatorResponse(status: 204, body: "")
        case ("DELETE", "{id}"):
            senders.remove(at: try senderIndex(id))
            return EmulatorResponse(status: 204, body: "")
        default:
            throw BrevoError.unknownRoute(method, "/senders/" + segments.joined(separator: "/"))
        }
    }

    static func authenticated(_ email: String, _ domains: Set<String>) -> Bool {
        guard let at = email.lastIndex(of: "@") else { return false }
        return domains.contains(String(email[email.index(after: at)...]))
    }

    func senderIndex(_ id: String) throws(BrevoError) -> Int {
        guard let number = Int(id) else { throw .invalid("senderId should be an integer") }
        guard let index = senders.firstIndex(where: { $0.id == number }) else { throw .notFound("Sender ID does not exist") }
        return index
    }
}
