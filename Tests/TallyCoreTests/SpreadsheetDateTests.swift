import Foundation
import Testing
@testable import TallyCore

/// Excel serials and the date layouts of source profiles (TallyTime).
@Suite struct ExcelSerialTests {
    func day(_ text: String, _ system: ExcelSerial.System = .e1900) -> String? {
        if case .success(let v) = ExcelSerial.localDateTime(text, system: system) { return v.hasTime ? v.isoDateTime : v.isoDate }
        return nil
    }
    func problem(_ text: String, _ system: ExcelSerial.System = .e1900) -> ExcelSerial.Problem? {
        if case .failure(let p) = ExcelSerial.localDateTime(text, system: system) { return p }
        return nil
    }

    /// Around Excel's fictitious 1900-02-29 (hand-worked: serial 1 is 1900-01-01).
    @Test func serialsAroundTheFictitiousLeapDay() {
        #expect(day("1") == "1900-01-01")
        #expect(day("59") == "1900-02-28")
        #expect(problem("60") == .fictitiousLeapDay)
        #expect(day("61") == "1900-03-01")
        #expect(day("0") == nil)
        #expect(problem("0") == .outOfRange)
        #expect(day("45505") == "2024-08-01")
        #expect(day("2958465") == "9999-12-31")
        #expect(problem("2958466") == .outOfRange)
    }

    /// Independent method: from 61 on, Excel's serial is the day count from 1899-12-30, as
    /// Foundation's calendar counts it; every 97th serial up to 2100.
    @Test func serialsFrom61MatchFoundationsCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let base = calendar.date(from: DateComponents(year: 1899, month: 12, day: 30))!
        for n in stride(from: 61, through: 73_000, by: 97) {
            let date = calendar.date(byAdding: .day, value: n, to: base)!
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let expected = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            #expect(day(String(n)) == expected, "serial \(n)")
            // 1904 system: the same day is 1462 less (from 1904-01-01 on).
            if n >= 1462 { #expect(day(String(n - 1462), .e1904) == expected, "1904 serial \(n - 1462)") }
        }
    }

    @Test func the1904System() {
        #expect(day("0", .e1904) == "1904-01-01")
        #expect(day("43313", .e1904) == "2022-08-02")
        #expect(day("60", .e1904) == "1904-03-01")  // no fictitious day in 1904: 1904 was a real leap year
        #expect(day("59", .e1904) == "1904-02-29")
    }

    /// The fraction is the time of day, rounded to the nearest second.
    @Test func fractionsAreTimesRoundedToTheSecond() {
        #expect(day("45505.5") == "2024-08-01T12:00:00")
        #expect(day("45505.545243055555") == "2024-08-01T13:05:09")   // 47,109 s / 86,400
        #expect(day("45505.5452430") == "2024-08-01T13:05:09")         // 47,108.995 s rounds up
        #expect(day("45505.99999999") == "2024-08-02T00:00:00")        // 86,399.9991 s: the next midnight
        #expect(day("45505.0") == "2024-08-01")                         // no time of day
        #expect(day("0.5", .e1904) == "1904-01-01T12:00:00")
    }

    @Test func malformedSerials() {
        for text in ["", "-1", "45505.", ".5", "4.5E4", "45,505", "45505 ", "1e3"] {
            #expect(problem(text) == .malformed || problem(text) == .outOfRange, "\(text)")
        }
        #expect(problem("-1") == .malformed)
    }

    @Test func serialRoundTrip() {
        for text in ["1", "59", "61", "45505", "45505.5"] {
            guard case .success(let v) = ExcelSerial.localDateTime(text, system: .e1900) else { Issue.record("\(text)"); continue }
            #expect(ExcelSerial.serial(of: v, system: .e1900) == Double(text)!)
        }
    }
}

@Suite struct DateTimePatternTests {
    func parse(_ pattern: String, _ text: String) -> String? {
        guard let p = try? DateTimePattern(pattern) else { Issue.record("bad pattern \(pattern)"); return nil }
        return p.parse(text).map { $0.hasTime ? $0.isoDateTime : $0.isoDate }
    }

    /// 오전 12시 is just after midnight, 오후 12시 is noon (hand-worked).
    @Test func koreanHalvesOfTheDay() {
        let p = "YYYY-M-D A h:m:s"
        #expect(parse(p, "2024-08-01 오전 12:00:00") == "2024-08-01T00:00:00")
        #expect(parse(p, "2024-08-01 오전 12:30:05") == "2024-08-01T00:30:05")
        #expect(parse(p, "2024-08-01 오전 1:05:09") == "2024-08-01T01:05:09")
        #expect(parse(p, "2024-08-01 오전 11:59:59") == "2024-08-01T11:59:59")
        #expect(parse(p, "2024-08-01 오후 12:00:00") == "2024-08-01T12:00:00")
        #expect(parse(p, "2024-08-01 오후 12:59:59") == "2024-08-01T12:59:59")
        #expect(parse(p, "2024-08-01 오후 1:05:09") == "2024-08-01T13:05:09")
        #expect(parse(p, "2024-08-01 오후 11:59:59") == "2024-08-01T23:59:59")
        #expect(parse(p, "2024-08-01 PM 1:05:09") == "2024-08-01T13:05:09")
        #expect(parse(p, "2024-08-01 am 12:05:09") == "2024-08-01T00:05:09")
        #expect(parse(p, "2024-08-01 오전 0:05:09") == "2024-08-01T00:05:09")
        #expect(parse(p, "2024-08-01 오후 0:05:09") == nil)
        #expect(parse(p, "2024-08-01 오후 13:05:09") == nil)
        #expect(parse(p, "2024-08-01 13:05:09") == nil)
        #expect(parse(p, "2024-08-01  오후   1:05:09") == "2024-08-01T13:05:09")  // runs of spaces
    }

    @Test func dateLayouts() {
        #expect(parse("YYYY.M.D", "2024.08.01") == "2024-08-01")
        #expect(parse("YYYY.M.D", "2024.8.1") == "2024-08-01")
        #expect(parse("YYYY. M. D.", "2024. 8. 1.") == "2024-08-01")
        #expect(parse("YYYYMMDD", "20240801") == "2024-08-01")
        #expect(parse("YYYY.MM.DD", "2024.8.1") == nil)   // two letters: exactly two digits
        #expect(parse("YYYY년 M월 D일", "2024년 8월 1일") == "2024-08-01")
        #expect(parse("yyyy-MM-dd HH:mm", "2024-08-01 23:59") == "2024-08-01T23:59:00")
        #expect(parse("YYYY.M.D H:m:s.S", "2024.8.1 9:05:09.25") == "2024-08-01T09:05:09.250000")
        #expect(parse("YYYY.M.D", "2023.2.29") == nil)
        #expect(parse("YYYY.M.D", "2024.2.29") == "2024-02-29")
        #expect(parse("YYYY.M.D", "2024.13.1") == nil)
        #expect(parse("YYYY.M.D", "2024.8.1 ") == nil)   // the whole text must fit
        #expect(parse("YYYY-M-D H:m", "2024-08-01 24:00") == nil)
    }

    @Test func patternMistakesAreNamed() {
        func message(_ p: String) -> String? {
            do { _ = try DateTimePattern(p); return nil } catch { return (error as? DateTimePattern.PatternError)?.description }
        }
        #expect(message("YYYY-MM-DD hh:mm") == "a 12-hour h needs A (오전/오후)")
        #expect(message("YYYY-MM-DD A HH:mm") == "A needs a 12-hour h")
        #expect(message("YY-MM-DD") == "the year is written YYYY (four letters)")
        #expect(message("YYYY-MM-DDTHH:mm") == "unknown letter 'T' (letters: Y M D H h m s S A)")
        #expect(message("YYYY-MM") == "no day (a layout needs Y, M and D)")
        #expect(message("YYYY-M-D m") == "minutes or seconds without an hour")
    }

    @Test func isoForms() {
        #expect(LocalDateTime.parseISO("2024-08-01")?.0.isoDate == "2024-08-01")
        #expect(LocalDateTime.parseISO("2024-08-01 13:05")?.0.isoDateTime == "2024-08-01T13:05:00")
        #expect(LocalDateTime.parseISO("2024-08-01T13:05:09.5")?.0.isoDateTime == "2024-08-01T13:05:09.500000")
        #expect(LocalDateTime.parseISO("2024-08-01T13:05:09+09:00")?.offset == "+09:00")
        #expect(LocalDateTime.parseISO("2024-08-01T13:05:09Z")?.offset == "Z")
        #expect(LocalDateTime.parseISO("2024-08-01T13:05:09+9") == nil)
        #expect(LocalDateTime.parseISO("2024.08.01") == nil)
        #expect(LocalDateTime.parseISO("2024-02-30") == nil)
    }
}
