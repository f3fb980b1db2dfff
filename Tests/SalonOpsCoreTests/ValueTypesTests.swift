import Testing
@testable import SalonOpsCore

@Suite struct ValueTypesTests {
    @Test(arguments: [("45m", 45), ("1h", 60), ("1h30", 90), ("1h30m", 90), ("90m", 90), ("2h05", 125), ("24h", 1440), ("30min", 30)])
    func durationsParse(text: String, minutes: Int) throws {
        #expect(try ServiceDuration.parse(text).get().minutes == minutes)
    }

    @Test(arguments: ["0m", "45", "1h75", "25h", "1.5h", "", "h30", "-5m"])
    func badDurationsAreRejected(text: String) {
        guard case .failure(let failure) = ServiceDuration.parse(text) else {
            Issue.record("'\(text)' parsed")
            return
        }
        #expect(failure.code == .invalidDuration)
    }

    @Test func durationsPrintCanonically() {
        #expect(ServiceDuration(minutes: 90).description == "1h30")
        #expect(ServiceDuration(minutes: 65).description == "1h05")
        #expect(ServiceDuration(minutes: 45).description == "45m")
        #expect(ServiceDuration(minutes: 120).description == "2h")
    }

    @Test func moneyUsesMinorUnitsOfTheCurrency() throws {
        #expect(try Money.parse("65.00 EUR").get().minorUnits == 6500)
        #expect(try Money.parse("65 EUR").get().minorUnits == 6500)
        #expect(try Money.parse("65.5 EUR").get().minorUnits == 6550)
        #expect(try Money.parse("1500 JPY").get().minorUnits == 1500)
        #expect(try Money.parse("1.250 KWD").get().minorUnits == 1250)
        #expect(try Money.parse("0 EUR").get().minorUnits == 0)
        #expect(try Money.parse("65.5 EUR").get().description == "65.50 EUR")
        #expect(try Money.parse("0.05 EUR").get().description == "0.05 EUR")
    }

    @Test(arguments: [
        ("-5.00 EUR", "is negative"), ("65.005 EUR", "has 3 decimal places but EUR has 2"), ("65,00 EUR", "uses ',' as decimal separator"),
        ("65.00 EUX", "unknown currency 'EUX'; did you mean 'EUR'?"), ("65.00", "has no currency"), ("10.5 JPY", "JPY has 0"),
        ("1000000000.00 EUR", "is too large"), ("abc EUR", "is not an amount of money"),
    ])
    func impossibleMoneyIsRejected(text: String, expected: String) {
        guard case .failure(let failure) = Money.parse(text) else {
            Issue.record("'\(text)' parsed")
            return
        }
        #expect(failure.code == .invalidMoney)
        #expect(failure.message.contains(expected), "\(failure.message)")
    }

    @Test func percentages() throws {
        #expect(try Percentage.parse("20%").get().basisPoints == 2000)
        #expect(try Percentage.parse("5.5%").get().basisPoints == 550)
        #expect(try Percentage.parse("2.1%").get().description == "2.1%")
        #expect(try Percentage.parse("0%").get().basisPoints == 0)
        #expect((try? Percentage.parse("120%").get()) == nil)
        #expect((try? Percentage.parse("20").get()) == nil)
    }

    @Test func openingPeriods() throws {
        let p = try OpeningPeriod.parse("10:00-13:00").get()
        #expect(p.opens.minutes == 600 && p.closes.minutes == 780)
        #expect(try OpeningPeriod.parse("18:00-24:00").get().closes.minutes == 1440)
        guard case .failure(let inverted) = OpeningPeriod.parse("19:00-10:00") else { Issue.record("parsed"); return }
        #expect(inverted.code == .hoursInverted)
        #expect((try? OpeningPeriod.parse("25:00-26:00").get()) == nil)
        #expect((try? OpeningPeriod.parse("10h-12h").get()) == nil)
        #expect(p.overlaps(try OpeningPeriod.parse("12:00-14:00").get()))
        #expect(!p.overlaps(try OpeningPeriod.parse("13:00-14:00").get()))
    }

    @Test func dates() throws {
        #expect(try LocalDate.parse("2028-02-29").get().description == "2028-02-29")
        #expect((try? LocalDate.parse("2026-02-29").get()) == nil)
        #expect((try? LocalDate.parse("2026-13-01").get()) == nil)
        #expect(try LocalDate.parse("2026-01-01").get() < LocalDate.parse("2026-01-02").get())
    }

    @Test func calendarPeriods() throws {
        #expect(try CalendarPeriod.parse("6mo").get() == CalendarPeriod(count: 6, unit: .months))
        #expect(try CalendarPeriod.parse("90d").get().approximateDays == 90)
        #expect((try? CalendarPeriod.parse("6 months").get()) == nil)
        #expect((try? CalendarPeriod.parse("0d").get()) == nil)
    }

    @Test func timeZones() {
        #expect((try? TimeZones.validate("Europe/Paris").get()) == "Europe/Paris")
        guard case .failure(let failure) = TimeZones.validate("Europe/Pariss") else { Issue.record("accepted"); return }
        #expect(failure.message.contains("did you mean 'Europe/Paris'?"))
    }

    @Test func suggestions() {
        #expect(Suggestions.closest(to: "prise", among: ["price", "displayName", "category"]) == ["price"])
        #expect(Suggestions.closest(to: "Servise", among: ["Service", "Product"]).first == "Service")
        #expect(Suggestions.closest(to: "zzzzzz", among: ["price"]).isEmpty)
    }
}

@Suite struct LocalDateNextTests {
    @Test func theDayAfterCrossesMonthsYearsAndLeapDays() {
        #expect(LocalDate(year: 2026, month: 12, day: 25).next == LocalDate(year: 2026, month: 12, day: 26))
        #expect(LocalDate(year: 2027, month: 8, day: 31).next == LocalDate(year: 2027, month: 9, day: 1))
        #expect(LocalDate(year: 2026, month: 12, day: 31).next == LocalDate(year: 2027, month: 1, day: 1))
        #expect(LocalDate(year: 2028, month: 2, day: 28).next == LocalDate(year: 2028, month: 2, day: 29))
        #expect(LocalDate(year: 2027, month: 2, day: 28).next == LocalDate(year: 2027, month: 3, day: 1))
    }
}
