import Foundation
import TallyCore
import TallyMetrics
import TallyTime

/// Spark SQL (4.x) as a dialect of the catalogue's figure SQL (`SQLDialect`): the only Spark
/// spelling of a figure in Tally. The figures' SQL itself comes from `FigureQueries`, as
/// `tally verify` and `tally figures --sql` run it on SQLite.
///
/// The driver sets `spark.sql.session.timeZone` to the reporting zone, so an instant's date in
/// that zone is `to_date` of it.
public struct SparkDialect: SQLDialect {
    public init() {}
    public var name: String { "spark" }

    // `3.6e9D` is a double; a `/ 3600.0` literal would be DECIMAL and round to 6 places. A
    // microsecond difference divided by it is exactly what Tally's engine computes.
    public func hoursBetween(_ from: String, _ to: String) -> String {
        "(CAST((\(to)) - (\(from)) AS DOUBLE) / 3.6e9D)"
    }

    /// `YYYY-MM-DD`, as the store's dates are text and the templates compare text.
    public func localDate(_ instant: String) -> String {
        "CAST(to_date(timestamp_micros(\(instant))) AS STRING)"
    }

    /// UTC midnight starting a `YYYY-MM-DD` date, in microseconds (independent of the session
    /// time zone).
    public func utcMicros(_ date: String) -> String {
        "(CAST(unix_date(to_date(\(date))) AS BIGINT) * 86400000000)"
    }

    /// Spark's `percentile` needs no ranks; the select list still needs an item.
    public func quantileRanks(_ value: String, partition: String?) -> String { "0 AS q_unused" }

    // `percentile` is type 7 (bit for bit with Tally's engine on Spark 4.3); `percentile_approx`
    // is not, and must not be used.
    public func quantile7(_ value: String, _ p: String) -> String { "percentile(\(value), \(p))" }

    /// A decisions set column (JSON array text, canonical) against a table of values.
    public func setHasAny(_ set: String, _ list: String) -> String {
        "arrays_overlap(from_json(\(set), 'array<string>'), (SELECT collect_list(key) FROM \(list)))"
    }

    public func prelude(zone: ZoneOffsets, usesLocalDate: Bool) -> [(name: String, sql: String)] { [] }

    /// Spark SQL's session variables, for a person running the printed SQL in `spark-sql`.
    public func parameterScript(_ parameters: [(name: String, value: FigureSQLValue)]) -> String {
        parameters.map { "DECLARE OR REPLACE VARIABLE \($0.name) = \($0.value.description);" }.joined(separator: "\n")
    }

    /// A rendered query adapted to what the Spark engine reads: its record views hold the
    /// inputs' records (one vintage: the files given), and Spark's `REAL` is single precision.
    public static func adapt(_ sql: String) -> String {
        var s = sql
        for kind in RecordSQL.kinds {
            let v = FigureQueries.atVintage(kind)
            s = s.replacingOccurrences(of: v.sql.trimmed, with: "SELECT * FROM \(kind.rawValue)")
        }
        // An empty list (no sexual-abuse list in the settings) in SQLite's spelling.
        return s.replacingOccurrences(of: " AS REAL)", with: " AS DOUBLE)")
            .replacingOccurrences(of: "SELECT NULL WHERE 0", with: "SELECT CAST(NULL AS STRING) AS key WHERE false")
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
