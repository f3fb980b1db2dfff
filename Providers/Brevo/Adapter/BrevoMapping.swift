import SalonOpsProviderKit

/// The config projected into Brevo (pure):
/// - the folder `listFolder` (default "SalonOps") and, in it, one list per `contactLists` entry;
/// - the sender of `settings.sender` (its From name defaulting to the Organization's name);
/// - a webhook when `settings.webhook` is given, its type read from its events.
/// `smsSender` is no resource at Brevo (a string sent with each SMS): checked by `validate` only.
enum BrevoMapping {
    static let defaultFolder = "SalonOps"
    static let folderKey = "folder"
    static let senderKey = "sender"
    static let webhookKey = "webhook"

    static func project(_ integration: Integration, organizationName: String?) -> Projection {
        let settings = SettingsReader(integration.settings?.value)
        var projection = Projection()
        let lists = settings.strings("contactLists") ?? []
        if !lists.isEmpty {
            let folder = settings.string("listFolder") ?? defaultFolder
            projection.resources.append(
                DesiredResource(kind: "folder", key: folderKey, title: folder, fields: ["name": .string(folder)], naturalKey: folder))
            for name in lists {
                projection.resources.append(
                    DesiredResource(
                        kind: "list", key: name, title: name, fields: ["name": .string(name)],
                        references: ["folder": ResourceRef("folder", folderKey)], naturalKey: name))
            }
        }
        if let email = settings.string("sender", "email")?.lowercased() {
            let name = settings.string("sender", "name") ?? organizationName ?? email
            projection.resources.append(
                DesiredResource(
                    kind: "sender", key: senderKey, title: "\(name) <\(email)>", fields: ["name": .string(name), "email": .string(email)],
                    naturalKey: email))
            projection.notes.append(
                PlanNote(
                    kind: "sender", key: senderKey,
                    "Brevo sends from \(email) only once the address is validated, which Brevo alone records (`active`): when Brevo lists it as not validated, open the code Brevo emailed to \(email) and enter it in Brevo → Senders, Domains & Dedicated IPs → Senders → \(email) → Verify (or authenticate the domain there); `salonops check` says whether it is validated"
                ))
        }
        if let url = settings.string("webhook", "url") {
            let events = (settings.strings("webhook", "events") ?? []).sorted()
            projection.resources.append(
                DesiredResource(
                    kind: "webhook", key: webhookKey, title: url,
                    fields: [
                        "url": .string(url), "events": .list(events.map(FieldValue.string)),
                        "type": .string(BrevoWire.webhookType(events: events) ?? "transactional"), "channel": .string("email"),
                        "description": .string("SalonOps: \(integration.metadata.name)"),
                    ],
                    naturalKey: url))
        }
        if let sms = settings.string("smsSender") {
            projection.notes.append(PlanNote("The SMS sender '\(sms)' is not a Brevo resource: it is given with each SMS, so there is nothing to reconcile"))
        }
        return projection
    }

    // MARK: validate

    /// Brevo's own rules, before any call: the SMS sender's form (spec: `sendTransacSms.sender`),
    /// list names, and webhook events of one type.
    static func validate(_ integration: Integration, _ state: DesiredState) -> [Diagnostic] {
        let settings = SettingsReader(integration.settings?.value)
        let label = "Integration '\(integration.metadata.name)'"
        let fallback = integration.settings?.location ?? integration.metadata.location
        var out: [Diagnostic] = []
        if let sms = settings.string("smsSender"), let problem = smsSenderProblem(sms) {
            out.append(
                Diagnostic(
                    .error, .providerRule, at: settings.location("smsSender") ?? fallback, "\(label): smsSender '\(sms)' \(problem)",
                    hint:
                        "write at most 11 letters and digits with no space, accent or punctuation (e.g. '\(suggestedSMSSender(sms))'), or a phone number of at most 15 digits"
                ))
        }
        out += listRules(settings, label: label, fallback: fallback)
        out += webhookRules(settings, label: label, fallback: fallback)
        return out
    }

    /// Why `sender` cannot be a Brevo SMS sender, or nil: "11 alphanumeric characters max, or
    /// 15 numeric characters max".
    static func smsSenderProblem(_ sender: String) -> String? {
        let ascii = sender.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        if sender.isEmpty { return "is empty" }
        guard ascii else { return "has characters Brevo does not take in an SMS sender (only A–Z, a–z and 0–9)" }
        if sender.allSatisfy(\.isNumber) { return sender.count <= 15 ? nil : "is \(sender.count) digits long; a numeric sender has at most 15" }
        return sender.count <= 11 ? nil : "is \(sender.count) characters long; an alphanumeric sender has at most 11"
    }

    static func suggestedSMSSender(_ sender: String) -> String {
        let plain = sender.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
        let kept = String(plain.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
        return kept.isEmpty ? "SALON" : String(kept.prefix(11))
    }

    static func listRules(_ settings: SettingsReader, label: String, fallback: SourceLocation) -> [Diagnostic] {
        guard case .list(let items)? = settings.value(["contactLists"]) else { return [] }
        var seen: Set<String> = []
        var out: [Diagnostic] = []
        for item in items {
            guard case .scalar(let name) = item.value else { continue }
            if name.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(Diagnostic(.error, .providerRule, at: item.location, "\(label): a contact list has an empty name", hint: "give the list a name, or remove the entry"))
            } else if !seen.insert(name).inserted {
                out.append(
                    Diagnostic(
                        .error, .providerRule, at: item.location, "\(label): the contact list '\(name)' is listed twice; SalonOps tells its lists apart by name",
                        hint: "remove the second '\(name)'"))
            }
        }
        return out
    }

    static func webhookRules(_ settings: SettingsReader, label: String, fallback: SourceLocation) -> [Diagnostic] {
        guard settings.value(["webhook"]) != nil else { return [] }
        let at = settings.location("webhook", "events") ?? settings.location("webhook") ?? fallback
        let events = settings.strings("webhook", "events") ?? []
        guard !events.isEmpty else {
            return [
                Diagnostic(
                    .error, .providerRule, at: at, "\(label): a Brevo webhook needs its events",
                    hint: "add 'events: [delivered, hardBounce, softBounce, blocked, spam]' (transactional emails) under webhook")
            ]
        }
        let unknown = events.filter { !BrevoWire.transactionalEvents.contains($0) && !BrevoWire.marketingEvents.contains($0) }
        if !unknown.isEmpty {
            return [
                Diagnostic(
                    .error, .providerRule, at: at, "\(label): Brevo has no email webhook event \(unknown.map { "'\($0)'" }.joined(separator: ", "))",
                    hint:
                        "transactional events: \(BrevoWire.transactionalEvents.joined(separator: ", ")); marketing events: \(BrevoWire.marketingEvents.joined(separator: ", "))"
                )
            ]
        }
        guard BrevoWire.webhookType(events: events) == nil else { return [] }
        let onlyTransactional = events.filter { !BrevoWire.marketingEvents.contains($0) }
        let onlyMarketing = events.filter { !BrevoWire.transactionalEvents.contains($0) }
        return [
            Diagnostic(
                .error, .providerRule, at: at,
                "\(label): a Brevo webhook is either transactional or marketing, and these events mix both (\(onlyTransactional.joined(separator: ", ")) are transactional only, \(onlyMarketing.joined(separator: ", ")) marketing only)",
                hint: "keep the events of one type; a second webhook of the other type is not managed by SalonOps")
        ]
    }
}
