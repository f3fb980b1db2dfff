import Foundation
import SalonOpsEngine
import Testing

@testable import SalonOpsDaemon

@Suite struct ScheduleTests {
    /// ±10 %: the ends of the unit interval give the ends of the window, the middle the interval.
    @Test func jitterStaysWithinItsFraction() {
        let schedule = Schedule(interval: .seconds(600), jitter: 0.1)
        #expect(schedule.delay(unit: 0) == .seconds(540))
        #expect(schedule.delay(unit: 0.5) == .seconds(600))
        #expect(schedule.delay(unit: 0.999_999) < .seconds(660))
        #expect(schedule.delay(unit: 0.999_999) > .seconds(659))
        // A jitter past one half is held there, so a delay is never zero or negative.
        #expect(Schedule(interval: .seconds(10), jitter: 3).delay(unit: 0) == .seconds(5))
    }
}

@Suite struct SuspensionAlertTests {
    /// A suspension past its date is an alert once (not at every cycle), and listed as overdue.
    @Test func anOverdueSuspensionAlertsOnce() async {
        let state = DaemonState(repository: "file:///r", ref: "main")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let suspension = Suspension(integration: "planity", since: "2027-01-01T00:00:00Z", until: "2027-01-10T00:00:00Z", by: "ops@host", reason: nil)
        await state.suspensions([suspension], now: Date(timeIntervalSince1970: 1_799_000_000))
        let before = await state.status
        #expect(before.overdueSuspensions.isEmpty && before.lastErrors.isEmpty)
        await state.suspensions([suspension], now: now)
        await state.suspensions([suspension], now: now.addingTimeInterval(600))
        let after = await state.status
        #expect(after.overdueSuspensions == ["planity"])
        #expect(after.lastErrors.count == 1)
        #expect(after.lastErrors.first?.contains("planity's suspension was to end 2027-01-10T00:00:00Z") == true)
    }
}
