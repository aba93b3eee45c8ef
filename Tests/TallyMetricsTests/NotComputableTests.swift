import Testing
import TallyCore
@testable import TallyMetrics

/// A figure that cannot be computed is shown and published as such, with its reason.
@Suite struct NotComputableTests {
    func row(_ name: String, fine: Int?, problem: String? = nil) -> PlatformRow {
        var r = PlatformRow(platform: name, counts: TakedownCounts())
        r.fineKRW = fine
        r.fineNotComputable = problem
        return r
    }

    @Test func totalFineOverflowsToNotComputable() {
        let half = Int.max / 2 + 1   // two of these exceed Int.max by one
        #expect(StatsReport.totalFine([row("a", fine: half - 1), row("b", fine: half)]) == .count(Int.max))
        guard case .notComputable(let why) = StatsReport.totalFine([row("a", fine: half), row("b", fine: half)]) else {
            Issue.record("an overflowing sum was computed"); return
        }
        #expect(why.contains("9,223,372,036,854,775,807"))
        guard case .notComputable(let why2) = StatsReport.totalFine([row("a", fine: 5), row("b", fine: nil, problem: "too big")]) else {
            Issue.record("a total over a not computable fine was computed"); return
        }
        #expect(why2.contains("platform b"))
        #expect(StatsReport.totalFine([row("a", fine: 5), row("b", fine: nil)]) == .count(5))
    }

    @Test func notComputableIsNullInJSONAndListedWithItsReason() {
        var f = Figures()
        f["a.total"] = .count(3)
        f["a.sum_krw"] = .notComputable("the sum exceeds the largest 64-bit integer")
        #expect(f.json.rendered(pretty: false) == #"{"a.total":3,"a.sum_krw":null}"#)
        #expect(f.notComputable.map(\.id) == ["a.sum_krw"])
        #expect(FigureFormat.text("a.sum_krw", f["a.sum_krw"]!) == "not computable: the sum exceeds the largest 64-bit integer")
    }

    @Test func hugeNumbersFormatWithoutTrapping() {
        #expect(FigureFormat.fixed(1e300, 1) == "1e+300")
        // The kind (money) is the catalogue's, not guessed from a suffix.
        #expect(FigureFormat.text("arrests.proceeds_seized_krw", .number(1e19)) == "1e+19 KRW")
        #expect(FigureFormat.fixed(123.45, 1) == "123.5")
    }
}
