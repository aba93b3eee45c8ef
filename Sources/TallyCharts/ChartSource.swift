import TallyMetrics
import TallyTime

/// Where a chart context takes its numbers when they do not come from record tables loaded
/// in this process: `tally bulletin --engine spark`, whose figures and distributions Apache
/// Spark computed (TallySpark's `SparkChartSource`). What a chart draws from it is exactly what
/// it draws from the tables: the same reports, and the same populations of durations.
public protocol ChartSource: AnyObject {
    /// The as-of time the figures were computed at.
    var asOf: Int64 { get }
    /// The report of a period (the context's own period, or a month a chart shows).
    func report(_ p: Period) throws -> StatsReport
    /// Whether any victim, arrest or takedown request may fall in `p` (as
    /// `ChartContext.mayHaveRecords` decides it from the tables' date ranges).
    func mayHaveRecords(_ p: Period) -> Bool
    /// Hours to removal of the context's period, by platform, or all under "" (the populations
    /// of `takedowns.median_hours` and `platforms.<platform>.median_hours`).
    func removalHours(byPlatform: Bool) throws -> [String: [Double]]
    /// Decisions' delays of the context's period (the populations of the delay quantiles).
    func decisionDelays() throws -> (moderationDays: [Double], disclosureHours: [Double])
}
