import Foundation
import TallyCore
import TallyMetrics
import TallyTime
@testable import TallySpark
import XCTest

final class SparkSQLTests: XCTestCase {
    /// The shipped driver is the file in Spark/: the embedding script was run after the last edit.
    func testEmbeddedDriverIsTheFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Spark/tally_spark_driver.py")
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), SparkDriver.source + "\n",
                       "run Scripts/embed-spark-driver.sh after editing Spark/tally_spark_driver.py")
    }

    func job(_ period: String, fines: FineSchedule? = nil) throws -> SparkJob {
        SparkJob(inputs: ["/data/t.csv"], kind: nil, period: try Period.parse(period), settings: Settings(), asOf: nil, fines: fines,
                 registry: nil, options: SparkOptions(), nowMicros: 1_800_000_000_000_000)
    }

    /// Every figure query of the catalogue, in Spark SQL: no SQLite-only construct is left, the
    /// vintage views are the record views, and a month asks each comparison query again for
    /// the previous month and the year to date.
    func testFigureQueriesInSparkSQL() throws {
        let month = try job("2024-08").figureQueries()
        let year = try job("2024").figureQueries()
        XCTAssertEqual(Set(year.map(\.sql)).count, FigureQueries.all.count - 1, "every query but fines.monthly (no schedule)")
        XCTAssertGreaterThan(month.count, year.count, "a month also asks for the previous month and the year to date")
        for q in month {
            for leftover in ["zone_offsets", "AS REAL", "LOCAL_DATE(", "HOURS_BETWEEN(", "QUANTILE7(", "QUANTILE_RANKS(", "_history", "q_rank"] {
                XCTAssertFalse(q.sql.contains(leftover), "\(leftover) in \(q.sql)")
            }
            XCTAssertFalse(q.parameters.contains { $0.name == "as_of" }, "the as-of time is bound by the driver")
        }
        let hours = month.first { $0.sql.contains("takedowns.median_hours") }!.sql
        XCTAssertTrue(hours.contains("(CAST((resolved_at) - (requested_at) AS DOUBLE) / 3.6e9D) AS hours"), hours)
        XCTAssertTrue(hours.contains("percentile(hours, 0.5)"), hours)
        XCTAssertTrue(hours.contains("CAST(to_date(timestamp_micros(requested_at)) AS STRING) BETWEEN :first_day AND :last_day"), hours)
        let days = Set(month.compactMap { q in q.parameters.first { $0.name == "first_day" }.map { "\($0.value)" } })
        XCTAssertEqual(days, ["'2024-08-01'", "'2024-07-01'", "'2024-01-01'"])
    }

    /// The record contract's SQL names every column and says, in the ingest's words, what
    /// each kind of field expects.
    func testRecordSQLFromTheSchema() {
        let statements = RecordSQL(zone: ZoneOffsets(identifier: "Asia/Seoul")!, nowMicros: 1_800_000_000_000_000).statements()
        XCTAssertEqual(statements.map(\.name), ["checked_arrests", "valid_arrests", "versions_arrests", "arrests",
                                                "checked_victims", "valid_victims", "versions_victims", "victims",
                                                "checked_takedowns", "valid_takedowns", "versions_takedowns", "takedowns",
                                                "checked_decisions", "valid_decisions", "versions_decisions", "decisions",
                                                "row_outcomes", "file_notes", "quarantine"])
        let all = statements.map(\.sql).joined(separator: "\n")
        for kind in RecordSQL.kinds {  // the kinds the Spark path reads
            for c in kind.schema.columns where !c.freeText {
                XCTAssertTrue(all.contains(SQL.lit("expected \(c.kind.expectation)")) || c.kind == .string || c.kind.code == .set
                                || all.contains("; expected \(c.kind.expectation)'"),
                              "\(kind).\(c.name)")
            }
        }
        // Decisions: the ingest's words for their own rules.
        for reason in ["expected a date written YYYY-MM-DD 00:00:00", "' is not a KEYWORD_* value; expected ",
                       "' is not a two-letter country code; expected ", "a member of the JSON array is not a string; expected ",
                       "created_at is before application_date (", "a quoted field is still open at the end of the line"] {
            XCTAssertTrue(all.contains(reason.replacingOccurrences(of: "'", with: "\\'")) || all.contains(reason), reason)
        }
        XCTAssertFalse(all.contains("decision_facts` AS") && !all.contains("CAST(NULL AS STRING) AS `decision_facts__t`"),
                       "free text is not read")
        XCTAssertTrue(all.contains("'required value is missing'"))
        XCTAssertTrue(all.contains("a correction needs `tally ingest --revise --reason TEXT`"))
        XCTAssertTrue(all.contains("local time does not exist in Asia/Seoul (skipped by a daylight-saving change); give an offset"))
    }

    /// A string literal survives quotes and backslashes; enumerations fold ASCII letters only.
    func testLiterals() {
        XCTAssertEqual(SQL.lit("it's a \\ test"), "'it\\'s a \\\\ test'")
        XCTAssertEqual(SQL.asciiLower("x"), "translate(x, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
    }

    /// Spark's last words: the driver's own line when there is one.
    func testLastError() {
        XCTAssertEqual(SparkJob.lastError("noise\ntally-spark-driver: no file matches --input '/x/*.csv'\nmore"), "no file matches --input '/x/*.csv'")
    }
}
