import Foundation
import SalonOpsEmulatorKit
import SalonOpsGoogleBusinessProfileEmulator
import SalonOpsProviderTesting
import Testing

/// `regularHours` and `specialHours` as spec:bi describes them (notes booking.md §2.4).
@Suite(.enabled(if: gbpSpecAvailable, Comment(rawValue: gbpSpecMissing)))
struct EmulatorGoogleBusinessProfileHoursTests {
    typealias H = Hours

    /// The notes' example: a lunch break, and Saturday from `{}` (00:00) to `{"hours": 24}`.
    @Test func acceptsLunchBreaksMidnightAndOvernight() async throws {
        let g = try GBPHarness()
        let periods = [
            H.period("TUESDAY", H.time(9), "TUESDAY", H.time(12, 30)), H.period("TUESDAY", H.time(14), "TUESDAY", H.time(19)),
            H.period("SATURDAY", [:], "SATURDAY", H.time(24)), H.period("THURSDAY", H.time(20), "FRIDAY", H.time(2)),
            H.period("SUNDAY", H.time(22), "MONDAY", H.time(1)),
        ]
        let reply = try await g.patch("locations/101", mask: "regularHours", H.regular(periods))
        #expect(reply.status == 200, "\(reply.body)")
        let stored = (g.stored("locations/101")["regularHours"] as? [String: Any])?["periods"] as? [[String: Any]]
        #expect(stored?.count == 5)
        #expect(stored?[2]["openTime"] as? [String: Int] == [:])
        #expect(stored?[2]["closeTime"] as? [String: Int] == ["hours": 24])
    }

    @Test(arguments: [
        // Close before open on the same day; two days later; opening 24:00 on the same day.
        ("MONDAY", 18, "MONDAY", 9, "INVALID_TIME_SCHEDULE"), ("MONDAY", 9, "WEDNESDAY", 18, "INVALID_TIME_SCHEDULE"),
        ("MONDAY", 24, "MONDAY", 24, "INVALID_TIME_SCHEDULE"), ("MONDAY", 9, "MONDAY", 25, "INVALID_HOURS_VALUE"),
        ("MONDAY", -1, "MONDAY", 9, "INVALID_HOURS_VALUE"), ("DAY_OF_WEEK_UNSPECIFIED", 9, "MONDAY", 18, "REQUIRED_FIELD_MISSING_VALUE"),
    ])
    func refusesInvalidPeriods(openDay: String, open: Int, closeDay: String, close: Int, reason: String) async throws {
        let g = try GBPHarness()
        let reply = try await g.patch("locations/101", mask: "regularHours", H.regular([H.period(openDay, ["hours": open], closeDay, ["hours": close])]))
        #expect(reply.status == 400)
        #expect(reply.reason == reason, "\(reply.body)")
        #expect(reply.fieldMask == "regularHours")
        #expect(g.stored("locations/101")["regularHours"] == nil, "nothing written")
    }

    @Test func refusesMinutesOutOfRangeTwentyFourThirtyMissingMembersAndOverlaps() async throws {
        let g = try GBPHarness()
        let cases: [([[String: Any]], String)] = [
            ([H.period("MONDAY", H.time(9, 60), "MONDAY", H.time(18))], "INVALID_HOURS_VALUE"),
            ([H.period("MONDAY", H.time(9), "MONDAY", H.time(24, 30))], "INVALID_HOURS_VALUE"),
            ([["openDay": "MONDAY", "openTime": H.time(9), "closeDay": "MONDAY"]], "REQUIRED_FIELD_MISSING_VALUE"),
            ([["openTime": H.time(9), "closeDay": "MONDAY", "closeTime": H.time(18)]], "REQUIRED_FIELD_MISSING_VALUE"),
            ([H.period("MONDAY", H.time(9), "MONDAY", H.time(14)), H.period("MONDAY", H.time(13), "MONDAY", H.time(18))], "INVALID_TIME_SCHEDULE"),
            ([H.period("SUNDAY", H.time(22), "MONDAY", H.time(3)), H.period("MONDAY", H.time(2), "MONDAY", H.time(8))], "INVALID_TIME_SCHEDULE"),
        ]
        for (periods, reason) in cases {
            let reply = try await g.patch("locations/101", mask: "regularHours", H.regular(periods))
            #expect(reply.status == 400)
            #expect(reply.reason == reason, "\(periods): \(reply.body)")
        }
        let adjacent = [H.period("MONDAY", H.time(9), "MONDAY", H.time(12)), H.period("MONDAY", H.time(12), "MONDAY", H.time(18))]
        #expect(try await g.patch("locations/101", mask: "regularHours", H.regular(adjacent)).status == 200)
        let unknownDay = try await g.patch("locations/101", mask: "regularHours", H.regular([H.period("LUNDI", H.time(9), "LUNDI", H.time(18))]), shape: .invalid)
        #expect(unknownDay.status == 400)
    }

    /// The examples of spec:bi `SpecialHourPeriod` (notes §2.4), valid and invalid, on 2015-11-23.
    @Test func specialHourExamplesOfTheSpec() async throws {
        let g = try GBPHarness()
        let day = H.date(2015, 11, 23), next = H.date(2015, 11, 24)
        let valid = [
            H.special(day, open: H.time(8), close: H.time(18)), H.special(day, end: next, open: H.time(13), close: H.time(11, 59)),
            H.special(day, open: H.time(20), close: H.time(24)), H.special(day, end: next, open: H.time(20), close: [:]),
        ]
        for period in valid {
            let reply = try await g.patch("locations/101", mask: "regularHours,specialHours", H.withSpecial([period]))
            #expect(reply.status == 200, "\(period): \(reply.body)")
        }
        let invalid = [
            H.special(day, open: H.time(13), close: H.time(11, 59)), H.special(day, end: next, open: H.time(13), close: H.time(12)),
            H.special(day, end: H.date(2015, 11, 25), open: H.time(8), close: H.time(18)), H.special(day, end: next, open: H.time(8), close: H.time(9)),
        ]
        for period in invalid {
            let reply = try await g.patch("locations/101", mask: "regularHours,specialHours", H.withSpecial([period]))
            #expect(reply.status == 400)
            #expect(reply.reason == "INVALID_TIME_SCHEDULE", "\(period): \(reply.body)")
            #expect(reply.fieldMask == "specialHours")
        }
    }

    @Test func closedDaysMissingTimesDatesAndOverlaps() async throws {
        let g = try GBPHarness()
        let christmas = H.date(2026, 12, 25)
        // closed: true ignores the rest, even times that would be invalid.
        let closed = H.special(christmas, end: H.date(2026, 12, 31), open: H.time(18), close: H.time(9), closed: true)
        #expect(try await g.patch("locations/101", mask: "regularHours,specialHours", H.withSpecial([closed])).status == 200)

        let cases: [([[String: Any]], String)] = [
            ([H.special(christmas, open: H.time(9))], "REQUIRED_FIELD_MISSING_VALUE"),
            ([["openTime": H.time(9), "closeTime": H.time(12)]], "REQUIRED_FIELD_MISSING_VALUE"),
            ([H.special(H.date(2026, 2, 30), closed: true)], "INVALID_HOURS_VALUE"),
            ([H.special(christmas, open: H.time(9), close: H.time(13)), H.special(christmas, open: H.time(12), close: H.time(18))], "OVERLAPPED_SPECIAL_HOURS"),
            ([H.special(christmas, closed: true), H.special(christmas, open: H.time(9), close: H.time(12))], "OVERLAPPED_SPECIAL_HOURS"),
        ]
        for (periods, reason) in cases {
            let reply = try await g.patch("locations/101", mask: "regularHours,specialHours", H.withSpecial(periods))
            #expect(reply.status == 400)
            #expect(reply.reason == reason, "\(periods): \(reply.body)")
        }
        let splitDay = [H.special(christmas, open: H.time(9), close: H.time(12)), H.special(christmas, open: H.time(14), close: H.time(18))]
        #expect(try await g.patch("locations/101", mask: "regularHours,specialHours", H.withSpecial(splitDay)).status == 200)
    }

    @Test func specialHoursNeedRegularHours() async throws {
        let g = try GBPHarness()
        let periods = ["specialHours": ["specialHourPeriods": [H.special(H.date(2026, 12, 25), closed: true)]]]
        let alone = try await g.patch("locations/101", mask: "specialHours", periods)
        #expect(alone.status == 400)
        #expect(alone.reason == "SPECIAL_HOURS_SET_WITHOUT_REGULAR_HOURS")
        #expect(try await g.patch("locations/101", mask: "regularHours", H.tuesday).status == 200)
        #expect(try await g.patch("locations/101", mask: "specialHours", periods).status == 200)
        // Clearing the regular hours while special hours remain is refused too.
        let clearing = try await g.patch("locations/101", mask: "regularHours", [:])
        #expect(clearing.reason == "SPECIAL_HOURS_SET_WITHOUT_REGULAR_HOURS")
        #expect(try await g.patch("locations/101", mask: "regularHours,specialHours", [:]).status == 200)
        #expect(g.stored("locations/101")["regularHours"] == nil && g.stored("locations/101")["specialHours"] == nil)
    }
}
