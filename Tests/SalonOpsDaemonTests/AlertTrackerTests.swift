import Foundation
import Testing

@testable import SalonOpsDaemon

/// Once per change of state, at most one per key every interval, a problem on first sight only.
@Suite struct AlertTrackerTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func events(_ alerts: [Alert]) -> [String] { alerts.map { "\($0.event.rawValue) \($0.key)" } }

    @Test func oncePerChangeOfStateAndNeverForTheSameState() {
        var tracker = AlertTracker(minimumInterval: 300)
        tracker.observe("stripe", .ok, summary: "ok")
        #expect(tracker.due(at: Self.t0).isEmpty, "a first state that is fine is not news")
        tracker.observe("stripe", .failed, summary: "Stripe failed", details: ["apply: price p: declined"])
        let failure = tracker.due(at: Self.t0.addingTimeInterval(10))
        #expect(Self.events(failure) == ["failure stripe"] && failure.first?.previous == .ok && failure.first?.details == ["apply: price p: declined"])
        tracker.observe("stripe", .failed, summary: "Stripe failed again")
        #expect(tracker.due(at: Self.t0.addingTimeInterval(600)).isEmpty)
        tracker.observe("stripe", .ok, summary: "Stripe is in sync again")
        #expect(Self.events(tracker.due(at: Self.t0.addingTimeInterval(700))) == ["recovery stripe"])
    }

    /// A change inside the window waits for it; a state that went and came back inside it is not sent.
    @Test func atMostOneAlertPerKeyEveryInterval() {
        var tracker = AlertTracker(minimumInterval: 300)
        tracker.observe("planity", .failed, summary: "failed")
        #expect(Self.events(tracker.due(at: Self.t0)) == ["failure planity"])
        tracker.observe("planity", .ok, summary: "ok again")
        #expect(tracker.due(at: Self.t0.addingTimeInterval(60)).isEmpty, "held inside the window")
        #expect(Self.events(tracker.due(at: Self.t0.addingTimeInterval(301))) == ["recovery planity"], "sent once the window passed")
        tracker.observe("planity", .failed, summary: "failed")
        #expect(tracker.due(at: Self.t0.addingTimeInterval(320)).isEmpty)
        tracker.observe("planity", .ok, summary: "ok")
        #expect(tracker.due(at: Self.t0.addingTimeInterval(700)).isEmpty, "back where the last alert left it: nothing to say")
        // Keys are independent.
        tracker.observe("stripe", .drift, summary: "drift")
        tracker.observe("fetch", .failed, summary: "fetch failed")
        #expect(Self.events(tracker.due(at: Self.t0.addingTimeInterval(701))) == ["failure fetch", "drift stripe"])
    }

    /// Drift that the run corrected returns to ok silently; a failure's end is always news.
    @Test func correctedDriftEndsQuietly() {
        var tracker = AlertTracker(minimumInterval: 0)
        tracker.observe("stripe", .drift, summary: "1 resource changed outside SalonOps, corrected")
        #expect(Self.events(tracker.due(at: Self.t0)) == ["drift stripe"])
        tracker.observe("stripe", .ok, summary: "in sync", quietAfterDrift: true)
        #expect(tracker.due(at: Self.t0.addingTimeInterval(1)).isEmpty)
        tracker.observe("stripe", .drift, summary: "drift again")
        #expect(Self.events(tracker.due(at: Self.t0.addingTimeInterval(2))) == ["drift stripe"], "new drift after a quiet return is news")
        tracker.observe("stripe", .failed, summary: "failed")
        _ = tracker.due(at: Self.t0.addingTimeInterval(3))
        tracker.observe("stripe", .ok, summary: "in sync", quietAfterDrift: true)
        #expect(Self.events(tracker.due(at: Self.t0.addingTimeInterval(4))) == ["recovery stripe"])
    }

    @Test func slackAndWebhookBodies() throws {
        let alert = Alert(event: .failure, key: "stripe", level: .failed, previous: .ok, summary: "Stripe (stripe) failed <now>", details: ["a & b"])
        let slack = try #require(try JSONSerialization.jsonObject(with: Data(Notifier.slackBody(alert, repository: "r", commit: "abc", statusPage: "http://h/"))) as? [String: Any])
        #expect(slack["text"] as? String == "❌ Stripe (stripe) failed <now>")
        let block = try #require((slack["blocks"] as? [[String: Any]])?.first?["text"] as? [String: Any])
        #expect((block["text"] as? String)?.contains("• a &amp; b") == true && (block["text"] as? String)?.contains("<http://h/|status>") == true)
        let generic = try #require(
            try JSONSerialization.jsonObject(with: Data(Notifier.webhookBody(alert, repository: "r", commit: "abc", statusPage: "http://h/", at: Self.t0))) as? [String: Any])
        #expect(generic["schema"] as? String == "salonops.notification/v1" && generic["event"] as? String == "failure" && generic["previous"] as? String == "ok")
        #expect(generic["at"] as? String == "2027-01-15T08:00:00Z")
    }

    @Test func theEmailCarriesTheAlertInTextAndEscapedHTML() {
        let alert = Alert(event: .drift, key: "planity", level: .drift, previous: .ok, summary: "Planity (planity): 2 resource(s) changed <by hand>", details: ["venue a & b"])
        let email = Notifier.email(alert, to: ["ops@example.com"], repository: "file:///r.git", commit: "0123456789abcdef", statusPage: "http://h/?lang=en")
        #expect(email.to == ["ops@example.com"])
        #expect(email.subject == "⚠️ SalonOps: Planity (planity): 2 resource(s) changed <by hand>")
        #expect(email.text.contains("- venue a & b") && email.text.contains("Repository: file:///r.git @ 0123456789ab") && email.text.contains("Status: http://h/?lang=en"))
        #expect(email.html?.contains("&lt;by hand&gt;") == true && email.html?.contains("<li>venue a &amp; b</li>") == true)
        #expect(email.html?.contains("<a href=\"http://h/?lang=en\">") == true && email.html?.contains("<by hand>") == false)
        #expect(email.tags == ["salonops-alert", "salonops-drift"])
        let recovery = Alert(event: .recovery, key: "fetch", level: .ok, previous: .failed, summary: String(repeating: "x", count: 400), details: [])
        #expect(Notifier.email(recovery, to: [], repository: "r", commit: nil, statusPage: "s").subject.count == 200, "a subject is bounded")
    }
}
