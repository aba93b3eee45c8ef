import Foundation
import TallyCore
import TallyMetrics
import TallyTime

// TO BE UNIFIED WITH THE FIGURE CATALOGUE (issue 13, branch `catalogue`): these templates are
// the figure SQL in the shape that catalogue is to hold it — plain SQL over the record tables
// with a handful of named dialect functions (LOCAL_DATE, HOURS_BETWEEN, QUANTILE7) and bound
// parameters (:name) — until its templates exist; then this file keeps only the Spark dialect
// (`SparkDialect`) and the statements come from the catalogue.
//
// What the SQL computes is counts, sums and exact quantiles only; shares, Wilson intervals,
// comparisons, fines, ranks and disclosure control are computed by Tally from those
// (`StatsReport(source:)`), the same code for every engine.

/// A SQL dialect: the named functions of the figure templates written in one engine's SQL.
public protocol FigureDialect {
    /// The local date (a DATE) of a UTC-microsecond instant in the reporting time zone.
    func localDate(_ micros: String) -> String
    /// Hours from instant `a` to instant `b` (UTC microseconds) as a double.
    func hoursBetween(_ a: String, _ b: String) -> String
    /// The exact type-7 quantile `p` of `x`, each value counted `weight` times.
    func quantile7(_ x: String, _ p: String, weight: String) -> String
    /// Days since 1970-01-01 of a DATE.
    func epochDay(_ date: String) -> String
    /// A DATE literal from days since 1970-01-01.
    func dateLiteral(_ days: Int) -> String
}

/// Spark SQL (4.x). The session time zone is the reporting zone (the driver sets
/// `spark.sql.session.timeZone`), so a timestamp's date is its local date.
public struct SparkDialect: FigureDialect {
    public init() {}
    public func localDate(_ micros: String) -> String { "to_date(timestamp_micros(\(micros)))" }
    // A `/ 3600.0` literal would be DECIMAL and round to 6 places; `3.6e9D` is a double, and
    // a microsecond difference divided by it is exactly what Tally's engine computes.
    public func hoursBetween(_ a: String, _ b: String) -> String { "(CAST(\(b) - \(a) AS DOUBLE) / 3.6e9D)" }
    // `percentile` is type 7 (bit for bit with Tally on Spark 4.3); `percentile_approx` is not.
    public func quantile7(_ x: String, _ p: String, weight: String) -> String { "percentile(\(x), \(p), \(weight))" }
    public func epochDay(_ date: String) -> String { "unix_date(\(date))" }
    public func dateLiteral(_ days: Int) -> String { "DATE'\(CivilDate.isoString(days: days))'" }
}

/// The figure statements for one report: each a template expanded in a dialect with the
/// report's parameters bound as literals (so the printed SQL runs as it is).
public struct FigureSQL {
    public let coverage: ReportCoverage
    public let period: Period
    public let settings: Settings
    /// `--as-of` in UTC microseconds; nil: the latest takedown time, or the end of the period.
    public let asOf: Int64?

    public init(period: Period, settings: Settings, asOf: Int64?) {
        self.period = period
        self.coverage = ReportCoverage(period)
        self.settings = settings
        self.asOf = asOf
    }

    /// The templates (name, SQL). `:periods` is the table of the report's periods (label,
    /// first, last), `:as_of_table` a one-row table of the as-of time (`as_of`, UTC
    /// microseconds), `:deadline` the deadline in microseconds.
    public static let templates: [(name: String, sql: String)] = [
        ("latest", """
            SELECT max(greatest(requested_at, coalesce(resolved_at, requested_at))) AS latest FROM takedowns
            """),
        ("distinct_values", """
            SELECT 'victims' AS kind, 'region' AS col, region AS value FROM victims WHERE region IS NOT NULL GROUP BY region
            UNION ALL
            SELECT 'arrests', 'agency', agency FROM arrests GROUP BY agency
            """),
        ("victim_counts", """
            SELECT p.label, c.col, c.value, count(*) AS n
            FROM victims v JOIN :periods p ON v.contacted_on BETWEEN p.first AND p.last
            LATERAL VIEW inline(array(
              named_struct('col', 'age', 'value', CAST(v.age AS STRING)),
              named_struct('col', 'channel', 'value', v.channel),
              named_struct('col', 'services', 'value', v.services),
              named_struct('col', 'region', 'value', v.region))) c
            GROUP BY p.label, c.col, c.value
            """),
        ("arrest_counts", """
            SELECT p.label, c.col, c.value, count(*) AS n
            FROM arrests a JOIN :periods p ON a.arrested_on BETWEEN p.first AND p.last
            LATERAL VIEW inline(array(
              named_struct('col', 'offense', 'value', a.offense),
              named_struct('col', 'agency', 'value', a.agency))) c
            GROUP BY p.label, c.col, c.value
            """),
        ("arrest_totals", """
            SELECT p.label, count(*) AS total, count(a.suspect_age) AS known_age,
              count_if(a.suspect_age < :minor_age_limit) AS minors, count_if(a.undercover) AS undercover,
              CAST(sum(CAST(a.proceeds_seized_krw AS DECIMAL(38, 0))) AS STRING) AS proceeds
            FROM arrests a JOIN :periods p ON a.arrested_on BETWEEN p.first AND p.last
            GROUP BY p.label
            """),
        ("takedown_daily", """
            SELECT platform, EPOCH_DAY(day) AS day, count(*) AS requests, count_if(due) AS due,
              count_if(due AND rb AND duration <= :deadline) AS within,
              count_if(due AND rb AND duration > :deadline AND resolved_at <= as_of) AS late,
              count_if(due AND (outcome = 'pending' OR resolved_at > as_of)) AS overdue,
              count_if(outcome = 'refused') AS refused, count_if(detected_by = 'ai') AS ai, count(detected_by) AS detector_known
            FROM (SELECT t.*, a.as_of, LOCAL_DATE(t.requested_at) AS day, t.requested_at <= a.as_of - :deadline AS due,
                    t.outcome IN ('removed', 'blocked') AS rb, t.resolved_at - t.requested_at AS duration
                  FROM takedowns t CROSS JOIN :as_of_table a)
            WHERE day BETWEEN :daily_from AND :daily_to
            GROUP BY platform, day
            """),
        // Exact quantiles from (platform, duration, count) pairs: the same values, far fewer rows
        // to sort than requests.
        ("takedown_durations", """
            SELECT platform, grouping(platform) AS overall,
              QUANTILE7(HOURS_BETWEEN(0, duration), 0.5, n) AS median_hours, QUANTILE7(HOURS_BETWEEN(0, duration), 0.9, n) AS p90_hours
            FROM (SELECT t.platform, t.resolved_at - t.requested_at AS duration, count(*) AS n
                  FROM takedowns t CROSS JOIN :as_of_table a
                  WHERE LOCAL_DATE(t.requested_at) BETWEEN :period_first AND :period_last
                    AND t.outcome IN ('removed', 'blocked') AND t.resolved_at <= a.as_of
                  GROUP BY t.platform, t.resolved_at - t.requested_at)
            GROUP BY GROUPING SETS ((platform), ())
            """),
    ]

    /// The statements in `dialect` with the parameters bound.
    public func statements(_ d: FigureDialect) -> [(name: String, sql: String)] {
        Self.templates.map { ($0.name, expand($0.sql, d)) }
    }

    func expand(_ template: String, _ d: FigureDialect) -> String {
        let periods = "(SELECT * FROM VALUES " + coverage.periods.map {
            "(\(SQL.lit($0.label)), \(d.dateLiteral($0.first)), \(d.dateLiteral($0.last)))"
        }.joined(separator: ", ") + " AS t(label, first, last))"
        // The default as-of time: the latest takedown time, else local midnight after the period.
        let fallback = StatsReport.defaultAsOf(latest: nil, period: period, zone: settings.zone)
        let asOfSQL = asOf.map { "\($0)L" }
            ?? "coalesce((SELECT max(greatest(requested_at, coalesce(resolved_at, requested_at))) FROM takedowns), \(fallback)L)"
        let params: [(String, String)] = [
            (":periods", periods), (":as_of_table", "(SELECT \(asOfSQL) AS as_of)"), (":deadline", "\(settings.deadlineMicros)L"),
            (":minor_age_limit", "\(settings.minorAgeLimit)"),
            (":daily_from", d.dateLiteral(coverage.dailyFrom)), (":daily_to", d.dateLiteral(coverage.dailyTo)),
            (":period_first", d.dateLiteral(period.first)), (":period_last", d.dateLiteral(period.last)),
        ]
        var s = template
        for (k, v) in params { s = s.replacingOccurrences(of: k, with: v) }
        return Self.expandFunctions(s, d)
    }

    /// Replaces each named function call with the dialect's SQL, innermost arguments first.
    static func expandFunctions(_ text: String, _ d: FigureDialect) -> String {
        let names = ["LOCAL_DATE", "HOURS_BETWEEN", "QUANTILE7", "EPOCH_DAY"]
        var s = text
        while let (name, range, args) = firstCall(s, names) {
            let a = args.map { expandFunctions($0, d) }
            let out: String
            switch name {
            case "LOCAL_DATE": out = d.localDate(a[0])
            case "HOURS_BETWEEN": out = d.hoursBetween(a[0], a[1])
            case "QUANTILE7": out = d.quantile7(a[0], a[1], weight: a.count > 2 ? a[2] : "1")
            default: out = d.epochDay(a[0])
            }
            s.replaceSubrange(range, with: out)
        }
        return s
    }

    /// The first call of one of `names`: its name, its range in `s`, its arguments (split at
    /// top-level commas).
    static func firstCall(_ s: String, _ names: [String]) -> (String, Range<String.Index>, [String])? {
        var best: (String, Range<String.Index>)?
        for n in names {
            if let r = s.range(of: n + "("), best == nil || r.lowerBound < best!.1.lowerBound { best = (n, r) }
        }
        guard let (name, head) = best else { return nil }
        var depth = 1, i = head.upperBound, start = head.upperBound
        var args: [String] = []
        while i < s.endIndex {
            let c = s[i]
            if c == "(" { depth += 1 } else if c == ")" {
                depth -= 1
                if depth == 0 { args.append(String(s[start..<i]).trimmingCharacters(in: .whitespaces)); break }
            } else if c == ",", depth == 1 {
                args.append(String(s[start..<i]).trimmingCharacters(in: .whitespaces))
                start = s.index(after: i)
            }
            i = s.index(after: i)
        }
        return (name, head.lowerBound..<s.index(after: i), args)
    }
}
