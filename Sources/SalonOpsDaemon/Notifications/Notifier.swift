import AsyncHTTPClient
import Foundation
import NIOCore
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviderKit
import SalonOpsSecrets

/// Where alerts go: a generic JSON webhook, or a Slack-compatible incoming webhook. Their URLs
/// carry tokens, so they come from the config repository's encrypted files (`FILE#KEY`), never
/// from the command line, and no message ever names them.
public struct NotificationTarget: Sendable, Equatable {
    public enum Format: String, Sendable {
        case webhook, slack
    }

    public var format: Format
    public var reference: SecretReference

    public init(format: Format, reference: SecretReference) {
        self.format = format
        self.reference = reference
    }

    /// The name of its secret among the run's own secrets.
    public func secretName(_ index: Int) -> String { "notify-\(format.rawValue)-\(index)" }
}

/// Sends alerts to every target, each POST bounded (10 s, one retry), and by email through an
/// integration that can send it; a target that fails is a warning in the log and the daemon's
/// last errors, never a failed run.
struct Notifier {
    let client: HTTPClient
    let output: EngineOutput

    /// Email through an integration's provider (Brevo's transactional email): its session as
    /// the last run left it, and its provider's request.
    struct Mailer: Sendable {
        let session: StandingSession
        let sending: any EmailSending.Type
        let recipients: [String]
    }

    static let schema = "salonops.notification/v1"

    /// The generic body: the alert, the repository, the commit, where to look.
    static func webhookBody(_ alert: Alert, repository: String, commit: String?, statusPage: String, at date: Date) -> [UInt8] {
        var object: [String: Any] = [
            "schema": schema, "event": alert.event.rawValue, "key": alert.key, "state": alert.level.rawValue, "summary": alert.summary,
            "details": alert.details, "repository": repository, "statusPage": statusPage, "at": SopsFile.rfc3339(date),
        ]
        if let previous = alert.previous { object["previous"] = previous.rawValue }
        if let commit { object["commit"] = commit }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    /// Slack's incoming-webhook shape: `text` (the notification's fallback) and mrkdwn blocks.
    static func slackBody(_ alert: Alert, repository: String, commit: String?, statusPage: String) -> [UInt8] {
        let icon = alert.event == .recovery ? "✅" : (alert.event == .drift ? "⚠️" : "❌")
        let text = "\(icon) \(alert.summary)"
        var lines = [text] + alert.details.prefix(5).map { "• \(escape($0))" }
        lines.append("_\(escape(repository))\(commit.map { " @ `\($0.prefix(12))`" } ?? "")_ · <\(statusPage)|status>")
        let object: [String: Any] = [
            "text": text,
            "blocks": [["type": "section", "text": ["type": "mrkdwn", "text": lines.joined(separator: "\n")]]],
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    /// The email: the summary as subject, the details, where the commit and the status page are.
    static func email(_ alert: Alert, to recipients: [String], repository: String, commit: String?, statusPage: String) -> EmailMessage {
        let icon = alert.event == .recovery ? "✅" : (alert.event == .drift ? "⚠️" : "❌")
        let subject = "\(icon) SalonOps: \(alert.summary)"
        let lines =
            [alert.summary, ""] + alert.details.prefix(10).map { "- \($0)" } + (alert.details.isEmpty ? [] : [""])
            + ["Repository: \(repository)\(commit.map { " @ \($0.prefix(12))" } ?? "")", "Status: \(statusPage)"]
        // Slack's three, and the quote that ends an attribute.
        func html(_ text: String) -> String { escape(text).replacingOccurrences(of: "\"", with: "&quot;") }
        var body = "<p>\(html(alert.summary))</p>"
        if !alert.details.isEmpty { body += "<ul>" + alert.details.prefix(10).map { "<li>\(html($0))</li>" }.joined() + "</ul>" }
        body += "<p>\(html(repository))\(commit.map { " @ <code>\($0.prefix(12))</code>" } ?? "") · <a href=\"\(html(statusPage))\">status</a></p>"
        return EmailMessage(
            to: recipients, subject: String(subject.prefix(200)), text: lines.joined(separator: "\n"), html: body,
            tags: ["salonops-alert", "salonops-\(alert.event.rawValue)"])
    }

    /// Slack's three control characters.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Sends each alert to each target whose URL was decrypted; returns the failures, named
    /// by target kind and index only.
    func send(
        _ alerts: [Alert], to targets: [(target: NotificationTarget, url: Secret)], mailer: Mailer?, repository: String, commit: String?,
        statusPage: String
    ) async -> [String] {
        var failures: [String] = []
        for alert in alerts {
            if let mailer {
                let message = Self.email(alert, to: mailer.recipients, repository: repository, commit: commit, statusPage: statusPage)
                do {
                    _ = try await mailer.session.send(try mailer.sending.emailRequest(message, integration: mailer.session.integration), client: client)
                } catch {
                    let name = mailer.session.integration.metadata.name
                    failures.append("notification email through \(name) (\(alert.event.rawValue) \(alert.key)): \(SecretScanner.redact("\(error)"))")
                }
            }
            for (index, entry) in targets.enumerated() {
                let body =
                    entry.target.format == .slack
                    ? Self.slackBody(alert, repository: repository, commit: commit, statusPage: statusPage)
                    : Self.webhookBody(alert, repository: repository, commit: commit, statusPage: statusPage, at: Date())
                if let failure = await post(body, to: entry.url) {
                    failures.append("notification \(entry.target.format.rawValue) #\(index + 1) (\(alert.event.rawValue) \(alert.key)): \(failure)")
                }
            }
        }
        for failure in failures { output.err("warning: \(failure)") }
        return failures
    }

    /// nil when delivered (2xx); else why, without the URL.
    private func post(_ body: [UInt8], to url: Secret) async -> String? {
        let address = url.reveal()
        if let problem = EndpointPolicy.problem(address) { return "the URL is refused: \(problem.message)" }
        var last = "not sent"
        for attempt in 1...2 {
            var request = HTTPClientRequest(url: address)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "salonops")
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 1 << 16)
                if (200..<300).contains(response.status.code) { return nil }
                last = "HTTP \(response.status.code)"
                if response.status.code < 500 && response.status.code != 429 { return last }
            } catch {
                last = "no answer (\(type(of: error)))"
            }
            if attempt == 1 { try? await Task.sleep(for: .milliseconds(500)) }
        }
        return last
    }
}
