import Foundation
import TallyCharts
import TallyCore
import TallyMetrics
import TallyTime
@testable import TallySpark
import XCTest

/// What `tally bulletin --engine spark` asks of Spark besides the period's figures, and how
/// its answers become the charts' numbers (no Spark needed: the job's plan and a made-up answer;
/// Tests/spark/test_spark_bulletin.py runs the real thing against the local engine).
final class SparkBulletinTests: XCTestCase {
    static let charts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Charts")

    func job(_ period: String, charts: [String]) throws -> SparkJob {
        var j = SparkJob(inputs: ["/data/t.csv"], kind: nil, period: try Period.parse(period), settings: Settings(), asOf: nil, fines: nil,
                         registry: nil, options: SparkOptions(), nowMicros: 1_800_000_000_000_000)
        j.charts = try charts.map { try ChartSpec.load(Self.charts.appendingPathComponent($0).path) }
        return j
    }

    /// A year-to-date chart of victims asks for January to July (August is the period, computed
    /// whole) with the one query its figures come from; a chart comparing with the previous year
    /// also asks for the same months of 2023; histograms and ranked bars ask for no month.
    func testMonthsOfMonthlyCharts() throws {
        let j = try job("2024-08", charts: ["victims-age-stacked.yaml", "takedowns-monthly-lines.yaml", "hours-to-removal.yaml",
                                            "platform-compliance.yaml"])
        let months = j.monthQueries()
        let labels = months.map { $0.0.label }
        XCTAssertEqual(labels, (1...7).map { String(format: "2024-%02d", $0) } + (1...8).map { String(format: "2023-%02d", $0) })
        XCTAssertEqual(months.first?.1, ["victims.counts", "takedowns.counts"])
        XCTAssertEqual(months.last?.1, ["takedowns.counts"])
        // Asked of Spark: each month's query once, without comparisons (no `.prev` months beyond these).
        let queries = try j.figureQueries()
        let firstDays = Set(queries.compactMap { q in q.parameters.first { $0.name == "first_day" }.map { "\($0.value)" } })
        XCTAssertTrue(firstDays.isSuperset(of: ["'2024-03-01'", "'2023-08-01'", "'2024-01-01'", "'2024-07-01'"]))
        let march = queries.filter { $0.parameters.contains { $0.name == "first_day" && $0.value == .text("2024-03-01") } }
        XCTAssertEqual(march.count, 2, "victims.counts and takedowns.counts for March, nothing else")
        // The histograms' populations: the catalogue's own CTEs, aggregated.
        let extra = j.chartStatements()
        XCTAssertEqual(extra.map(\.key), ["charts.ranges", "charts.removals", "charts.decision_delays"])
        XCTAssertTrue(extra[2].sql.contains("GROUP BY disclosure_hours"), extra[2].sql)
        XCTAssertTrue(extra[1].sql.contains("GROUP BY platform, hours"), extra[1].sql)
        XCTAssertTrue(extra[1].sql.contains("(CAST((resolved_at) - (requested_at) AS DOUBLE) / 3.6e9D) AS hours"), extra[1].sql)
        guard case .object(let d) = try j.description(result: "/tmp/r.json") else { return XCTFail() }
        XCTAssertEqual(d.first { $0.0 == "hash_inputs" }?.1, .bool(true))
        // A stats job: none of this.
        var plain = j
        plain.charts = nil
        XCTAssertTrue(plain.chartStatements().isEmpty)
        XCTAssertLessThan(try plain.figureQueries().count, queries.count)
    }

    func run(_ answers: [String: Result<[[FigureSQLValue]], SparkError>]) -> SparkRun {
        var r = SparkRun(sparkVersion: "4.3.0", master: "local[2]", seconds: 1, files: [], quarantineOut: nil, asOf: 0, answers: answers)
        var a = SparkFileReport(path: "hdfs://nn/secret-folder/takedowns.csv", kind: "takedowns", status: "read")
        a.rowsRead = 10; a.loaded = 8; a.duplicates = 1; a.quarantined = 1; a.sha256 = "ab"
        let b = SparkFileReport(path: "file:/x/empty.csv", kind: nil, status: "rejected")
        r.files = [a, b]
        r.records = [.takedowns: 8]
        return r
    }

    /// (group, value, count) rows become the populations the charts bin, values repeated by
    /// their counts; the date ranges decide `mayHaveRecords` as the tables' would (instants with
    /// a day of slack); the provenance names files without folders and leaves out rejected ones.
    func testChartSourceFromAnswers() throws {
        let day = Int64(86_400_000_000)
        let aug1 = Int64(CivilDate.days(year: 2024, month: 8, day: 1)) * day
        let r = run([
            "charts.ranges": .success([[.text("2024-01-05"), .text("2024-12-20"), .null, .null, .int(aug1), .int(aug1 + 3 * day)]]),
            "charts.removals": .success([[.text("Naver"), .double(1.5), .int(2)], [.text("Kakao"), .double(30), .int(1)],
                                         [.text("Naver"), .double(24), .int(1)]]),
        ])
        let j = try job("2024-08", charts: ["hours-to-removal.yaml"])
        let report = StatsReport(recomputed: RecomputedFigures(figures: Figures(), suppressedIDs: []), period: j.period, asOf: 0,
                                 settings: Settings(), fines: nil, suppress: true)
        let s = SparkChartSource(job: j, run: r, report: report)
        XCTAssertEqual(try s.removalHours(byPlatform: true)["Naver"], [1.5, 1.5, 24])
        XCTAssertEqual(try s.removalHours(byPlatform: true)["Kakao"], [30])
        XCTAssertEqual(try s.removalHours(byPlatform: false)[""]?.sorted(), [1.5, 1.5, 24, 30])
        XCTAssertTrue(s.mayHaveRecords(try Period.parse("2024-03")))
        XCTAssertFalse(s.mayHaveRecords(try Period.parse("2023-08")))
        XCTAssertFalse(s.mayHaveRecords(try Period.parse("2024-12-21..2024-12-31")))
        XCTAssertEqual(try s.decisionDelays().disclosureHours, [], "no decisions were read")
        XCTAssertThrowsError(try s.report(try Period.parse("2024-03")), "a month no chart asked for")
        XCTAssertEqual(try s.report(j.period).period, j.period)
        let p = r.provenance
        XCTAssertEqual(p.files.map(\.name), ["takedowns.csv"])
        XCTAssertEqual(p.files.first?.sha256, "ab")
        let f = try XCTUnwrap(p.files.first)
        XCTAssertEqual([f.batch, f.rowsRead, f.loaded, f.duplicates, f.quarantined], [1, 10, 8, 1, 1])
        XCTAssertFalse(p.json.rendered().contains("secret-folder"))
    }
}
