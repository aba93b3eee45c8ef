import Foundation
import Testing
@testable import TallyCharts
import TallyMetrics

/// Chart specs: the committed ones load; mistakes are errors naming the key and what was expected.
@Suite struct SpecTests {
    static let chartsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Charts").path

    @Test func committedSpecsLoad() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.chartsDir).filter { $0.hasSuffix(".yaml") && !$0.hasSuffix("bulletin.yaml") }.sorted()
        #expect(names == ["dsa-automation.yaml", "dsa-disclosure-delay.yaml", "dsa-moderation-delay.yaml", "dsa-sexual-abuse-by-platform.yaml",
                          "hours-by-platform.yaml", "hours-to-removal.yaml", "platform-compliance.yaml", "revisions-compliance.yaml", "takedowns-monthly-lines.yaml",
                          "victims-age-stacked.yaml", "victims-monthly.yaml"])
        var kinds = Set<ChartKind>()
        for n in names {
            let s = try ChartSpec.load(Self.chartsDir + "/" + n)
            kinds.insert(s.kind)
            #expect(!s.title.ko.isEmpty && !s.title.en.isEmpty)
            #expect(s.title.ko.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }, "\(n): Korean title in Hangul")
            #expect(s.source != nil && s.note != nil && s.subtitle != nil, "\(n): subtitle, note and source")
        }
        #expect(kinds == Set(ChartKind.allCases))
        let stacked = try ChartSpec.load(Self.chartsDir + "/victims-age-stacked.yaml")
        #expect(stacked.series.count == 3)
        #expect(stacked.series[1].terms.map(\.id) == ["victims.total", "victims.minors", "victims.age_unknown"])
        #expect(stacked.series[1].terms.map(\.sign) == [1, -1, -1])
        #expect(stacked.series[2].role == .unknown)
        let multiples = try ChartSpec.load(Self.chartsDir + "/hours-by-platform.yaml")
        #expect(multiples.kind == .smallMultiples && multiples.rankedOnly && multiples.columns == 4)
        #expect(multiples.panelFormat == .percent && multiples.binHours == 6 && multiples.maxHours == 96 && multiples.markDeadline)
    }

    /// Decisions' charts: ranked bars of a `decision_platforms` column, histograms of the
    /// delays on a log axis; the keys that go with them, and the errors when misused.
    @Test func decisionsKeys() throws {
        let r = try ChartSpec(file: "c.yaml", text: "kind: ranked_bars\n" + title + "records: decisions\nvalue: sexual_abuse\nplatforms: all\n")
        #expect(r.decisionValue == .sexual_abuse && !r.rankedOnly)
        let h = try ChartSpec(file: "c.yaml", text: "kind: histogram\n" + title + "values: moderation_delay_days\nx_scale: log\nmin_value: 0.5\nmax_value: 5000\n")
        #expect(h.histogramValues == .moderation_delay_days && h.logX && h.minValue == 0.5 && h.maxValue == 5000 && h.binsPerDecade == 2 && !h.markDeadline)
        #expect(error("kind: ranked_bars\n" + title + "records: arrests\n") == "c.yaml: key 'records': expected one of takedowns, decisions, not 'arrests'")
        #expect(error("kind: ranked_bars\n" + title + "records: decisions\nvalue: compliance\n")
                == "c.yaml: key 'value': expected one of total, sexual_abuse, automated_detection_share, automated_decision_share, removed_share, disclosure_delay_median_hours, moderation_delay_median_days, not 'compliance'")
        #expect(error("kind: histogram\n" + title + "x_scale: cubic\n") == "c.yaml: key 'x_scale': expected one of linear, log, not 'cubic'")
        #expect(error("kind: histogram\n" + title + "min_value: 1\n") == "c.yaml: key 'min_value': goes with x_scale: log only")
        #expect(error("kind: histogram\n" + title + "x_scale: log\nmin_value: 10\nmax_value: 1\n") == "c.yaml: key 'max_value': expected more than min_value (10.0), not 1.0")
        #expect(error("kind: small_multiples\n" + title + "values: disclosure_delay_hours\n") == "c.yaml: key 'values': expected one of hours_to_removal, not 'disclosure_delay_hours'")
    }

    @Test func smallMultiplesKeys() throws {
        let s = try ChartSpec(file: "c.yaml", text: "kind: small_multiples\n" + title)
        #expect(s.columns == 3 && s.rankedOnly && s.panelFormat == .count && s.binHours == 4 && s.maxHours == 96 && s.tickHours == 24)
        let all = try ChartSpec(file: "c.yaml", text: "kind: small_multiples\n" + title + "platforms: all\ncolumns: 2\ny: share\nbin_hours: 8\ndeadline: false\n")
        #expect(!all.rankedOnly && all.columns == 2 && all.panelFormat == .percent && all.binHours == 8 && !all.markDeadline)
        let k = "kind: small_multiples\n" + title
        #expect(error(k + "platforms: some\n") == "c.yaml: key 'platforms': expected one of ranked, all, not 'some'")
        #expect(error(k + "columns: 0\n") == "c.yaml: key 'columns': expected a whole number of at least 1, not 0")
        #expect(error(k + "columns: 7\n") == "c.yaml: key 'columns': expected a whole number from 1 to 6, not 7")
        #expect(error(k + "columns: two\n") == "c.yaml: key 'columns': expected a whole number of at least 1, not 'two'")
        #expect(error(k + "y: density\n") == "c.yaml: key 'y': expected one of count, share, not 'density'")
        #expect(error(k + "values: hours_to_refusal\n") == "c.yaml: key 'values': expected one of hours_to_removal, not 'hours_to_refusal'")
        #expect(error(k + "max_hours: 96\nbin_hours: 0.1\n") == "c.yaml: key 'bin_hours': expected at most 500 bins up to max_hours (96.0 / 0.1)")
        #expect(error(k + "series: []\n").hasPrefix("c.yaml: unknown key 'series'; expected one of: kind, title, subtitle, note, source, format, values, platforms, columns, y"))
        // The histogram keeps its keys: `columns` is small multiples' only.
        #expect(error("kind: histogram\n" + title + "columns: 2\n").hasPrefix("c.yaml: unknown key 'columns'"))
    }

    func error(_ yaml: String) -> String {
        do {
            _ = try ChartSpec(file: "c.yaml", text: yaml)
            return "no error"
        } catch { return "\(error)" }
    }

    let title = "title: {ko: 제목, en: Title}\n"
    let series = "series:\n  - figure: victims.total\n    label: {ko: 피해자, en: Victims}\n"

    @Test func clearErrors() {
        #expect(error("kind: pie\n" + title) == "c.yaml: key 'kind': expected one of bars, stacked_bars, lines, ranked_bars, histogram, small_multiples, revisions, not 'pie'")
        #expect(error(title) == "c.yaml: missing key 'kind' (one of bars, stacked_bars, lines, ranked_bars, histogram, small_multiples, revisions)")
        #expect(error("kind: revisions\n" + title) == "c.yaml: missing key 'figure' (a figure id such as takedowns.compliance)")
        #expect(error("kind: revisions\nfigure: victims.total - victims.minors\n" + title) == "c.yaml: key 'figure': expected one figure id, not 'victims.total - victims.minors'")
        #expect(error("kind: revisions\nfigure: victims.total\nseries: []\n" + title).hasPrefix("c.yaml: "))
        #expect(error("kind: bars\n" + series) == "c.yaml: missing key 'title' (a mapping with ko and en texts)")
        #expect(error("kind: bars\ntitle: {ko: 제목}\n" + series) == "c.yaml: missing key 'title.en' (a mapping with ko and en texts)")
        #expect(error("kind: bars\n" + title + series + "colour: red\n").hasPrefix("c.yaml: unknown key 'colour'; expected one of: kind, title"))
        #expect(error("kind: bars\n" + title) == "c.yaml: missing key 'series' (a list of series, each with figure and label)")
        #expect(error("kind: bars\n" + title + "series: victims.total\n") == "c.yaml: key 'series': expected a list")
        #expect(error("kind: bars\n" + title + "series:\n  - figure: victims.total\n") == "c.yaml: missing key 'series[1].label' (a mapping with ko and en texts)")
        #expect(error("kind: bars\n" + title + "series:\n  - figure: victims total\n    label: x\n")
                == "c.yaml: key 'series[1].figure': expected a figure id such as victims.total, found 'victims'")
        #expect(error("kind: bars\n" + title + "series:\n  - figure: victims.total * 2\n    label: x\n")
                == "c.yaml: key 'series[1].figure': expected figure ids joined by ' + ' or ' - ', found '*'")
        #expect(error("kind: stacked_bars\n" + title + series) == "c.yaml: key 'series': expected two or more series for stacked_bars")
        #expect(error("kind: bars\n" + title + series + "months: last_year\n") == "c.yaml: key 'months': expected one of year_to_date, period, not 'last_year'")
        #expect(error("kind: bars\ntitle: {ko: 제목, en: 'Title {yr}'}\n" + series).hasPrefix("c.yaml: key 'title.en': unknown placeholder '{yr}'"))
        #expect(error("kind: ranked_bars\n" + title + "value: median_hours\ninterval: compliance_ci95\n") == "c.yaml: key 'interval': compliance_ci95 goes with value: compliance only")
        #expect(error("kind: histogram\n" + title + "bin_hours: four\n") == "c.yaml: key 'bin_hours': expected a number of at least 0.1, not 'four'")
        #expect(error("kind: histogram\n" + title + "bin_hours: 0\n") == "c.yaml: key 'bin_hours': expected a number of at least 0.1, not 0.0")
        #expect(error("kind: [bars\n").hasPrefix("c.yaml: not valid YAML"))
        #expect(error("kind: lines\n" + title + series + "compare: last_month\n") == "c.yaml: key 'compare': expected one of previous_year, not 'last_month'")
    }
}
