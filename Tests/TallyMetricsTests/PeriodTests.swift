import Testing
import TallyTime
@testable import TallyMetrics

@Suite struct PeriodTests {
    func day(_ s: String) -> Int {
        let p = s.split(separator: "-").map { Int($0)! }
        return CivilDate.days(year: p[0], month: p[1], day: p[2])
    }

    @Test func forms() throws {
        let m = try Period.parse("2024-02")
        #expect((m.first, m.last, m.kind, m.label) == (day("2024-02-01"), day("2024-02-29"), .month, "2024-02"))
        let q = try Period.parse("2024-Q3")
        #expect((q.first, q.last, q.label) == (day("2024-07-01"), day("2024-09-30"), "2024-Q3"))
        let y = try Period.parse("2023")
        #expect((y.first, y.last) == (day("2023-01-01"), day("2023-12-31")))
        let r = try Period.parse("2024-01..2024-08")
        #expect((r.first, r.last, r.kind) == (day("2024-01-01"), day("2024-08-31"), .range))
        let d = try Period.parse("2024-08-15..2024-09-02")
        #expect((d.first, d.last, d.label) == (day("2024-08-15"), day("2024-09-02"), "2024-08-15..2024-09-02"))
        #expect(try Period.parse("2024-03-05").first == day("2024-03-05"))
        let qq = try Period.parse("2024-Q1..2024-Q2")
        #expect((qq.first, qq.last) == (day("2024-01-01"), day("2024-06-30")))
    }

    @Test(arguments: ["2024-13", "2024-Q5", "24-01", "2024-1", "2024-02-30", "2024-09..2024-01", "", "last month", "2024-08..", "2024-01..2024-02..2024-03"])
    func malformed(_ text: String) {
        #expect(throws: PeriodError.self) { try Period.parse(text) }
    }

    @Test func comparisons() throws {
        let jan = try Period.parse("2024-01")
        #expect(jan.previousMonth == .month(2023, 12))
        #expect(jan.yearToDate?.first == day("2024-01-01") && jan.yearToDate?.last == day("2024-01-31"))
        let aug = try Period.parse("2024-08")
        #expect(aug.previousMonth == .month(2024, 7))
        #expect(aug.yearToDate?.first == day("2024-01-01") && aug.yearToDate?.last == day("2024-08-31"))
        #expect(try Period.parse("2024-Q3").previousMonth == nil)
        #expect(try Period.parse("2024-11..2025-02").months.map { "\($0.year)-\($0.month)" } == ["2024-11", "2024-12", "2025-1", "2025-2"])
    }
}
