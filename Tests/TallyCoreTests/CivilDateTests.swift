import Foundation
import Testing
@testable import TallyCore

@Suite struct CivilDateTests {
    /// Independent method: Foundation's Gregorian calendar in UTC, every 7th day 1900–2100.
    @Test func daysMatchFoundationCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: -25_567, through: 47_482, by: 7) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            #expect(CivilDate.civil(days: days) == (c.year!, c.month!, c.day!))
            #expect(CivilDate.days(year: c.year!, month: c.month!, day: c.day!) == days)
        }
    }

    @Test func knownDays() {
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 2024, month: 2, day: 29) == 19_782)
        #expect(CivilDate.isoString(days: 19_782) == "2024-02-29")
        #expect(CivilDate.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilDate.daysInMonth(year: 2100, month: 2) == 28)
        #expect(CivilDate.daysInMonth(year: 2000, month: 2) == 29)
    }

    @Test func isoFormatting() {
        #expect(Timestamp.isoUTC(micros: utcMicros(2024, 8, 31, 20)) == "2024-08-31T20:00:00Z")
        #expect(Timestamp.iso(micros: utcMicros(2024, 8, 31, 20), offsetSeconds: 9 * 3600) == "2024-09-01T05:00:00+09:00")
        #expect(Timestamp.isoUTC(micros: utcMicros(1969, 12, 31, 23, 59, 59) + 500_000) == "1969-12-31T23:59:59.500000Z")
    }
}

@Suite struct ZoneOffsetsTests {
    @Test func seoulIsNineHoursAhead() {
        #expect(seoul.offset(atUTC: utcMicros(2024, 8, 31, 20) / 1_000_000) == 9 * 3600)
        // 2024-08-31T20:00Z is September in Seoul (metrics.md).
        let day = seoul.localDay(utcMicros: utcMicros(2024, 8, 31, 20))
        #expect(CivilDate.isoString(days: Int(day)) == "2024-09-01")
        #expect(CivilDate.isoString(days: Int(seoul.localDay(utcMicros: utcMicros(2024, 8, 31, 14, 59, 59)))) == "2024-08-31")
    }

    @Test func berlinDaylightSaving() {
        // Compare with Foundation for a sample of instants across 2024's transitions.
        let tz = TimeZone(identifier: "Europe/Berlin")!
        for hours in stride(from: 0, to: 366 * 24, by: 5) {
            let s = utcMicros(2024, 1, 1) / 1_000_000 + Int64(hours) * 3600
            #expect(berlin.offset(atUTC: s) == Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(s)))))
        }
        // 2024-03-31 02:30 does not exist in Berlin; 2024-10-27 02:30 happens twice.
        let gap = Int64(CivilDate.days(year: 2024, month: 3, day: 31)) * 86_400 + 2 * 3600 + 1800
        #expect(berlin.utc(fromLocal: gap) == .failure(.nonexistent))
        let twice = Int64(CivilDate.days(year: 2024, month: 10, day: 27)) * 86_400 + 2 * 3600 + 1800
        #expect(berlin.utc(fromLocal: twice) == .success(utcMicros(2024, 10, 27, 0, 30) / 1_000_000))
    }

    @Test func unknownZone() {
        #expect(ZoneOffsets(identifier: "Mars/Olympus") == nil)
    }
}
