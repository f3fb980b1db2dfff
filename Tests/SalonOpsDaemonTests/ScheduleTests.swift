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
