import Foundation
import TallyCore
import TallyMetrics
@testable import TallySpark
import XCTest

final class FigureSQLTests: XCTestCase {
    /// The shipped driver is the file in Spark/: the embedding script was run after the last edit.
    func testEmbeddedDriverIsTheFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Spark/tally_spark_driver.py")
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), SparkDriver.source + "\n",
                       "run Scripts/embed-spark-driver.sh after editing Spark/tally_spark_driver.py")
    }

    /// The dialect functions expand innermost first, arguments split at top-level commas only.
    func testDialectExpansion() {
        let s = FigureSQL.expandFunctions("SELECT QUANTILE7(HOURS_BETWEEN(a, f(b, c)), 0.5, n), LOCAL_DATE(x) FROM t", SparkDialect())
        XCTAssertEqual(s, "SELECT percentile((CAST(f(b, c) - a AS DOUBLE) / 3.6e9D), 0.5, n), to_date(timestamp_micros(x)) FROM t")
    }

    /// Parameters are bound as literals; no template name or parameter is left.
    func testStatementsBindEverything() throws {
        let sql = FigureSQL(period: try Period.parse("2024-08"), settings: Settings(), asOf: nil).statements(SparkDialect())
        XCTAssertEqual(sql.map(\.name), ["latest", "distinct_values", "victim_counts", "arrest_counts", "arrest_totals",
                                         "takedown_daily", "takedown_durations"])
        for (name, text) in sql {
            for leftover in [":periods", ":as_of_table", ":deadline", ":minor_age_limit", ":daily_from", ":period_first", "LOCAL_DATE(", "HOURS_BETWEEN(", "QUANTILE7(", "EPOCH_DAY("] {
                XCTAssertFalse(text.contains(leftover), "\(name) still has \(leftover)")
            }
        }
        let daily = sql.first { $0.name == "takedown_daily" }!.sql
        // August's report reads from July 1 (the month before, for the fines' repeat months).
        XCTAssertTrue(daily.contains("BETWEEN DATE'2024-01-01' AND DATE'2024-08-31'"), daily)
        XCTAssertTrue(daily.contains("86400000000L"))
    }

    /// A string literal survives quotes and backslashes.
    func testLiterals() {
        XCTAssertEqual(SQL.lit("it's a \\ test"), "'it\\'s a \\\\ test'")
    }
}
