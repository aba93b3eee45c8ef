import TallyEngine
import TallyMetrics
import TallyTime

/// Where charts get their numbers: the loaded records and the settings, for one period
/// and one as-of time. Monthly series are the figures of `StatsReport` for each month (at
/// the same as-of time), so a chart shows exactly what `tally stats` prints; reports are
/// computed once and shared by every chart drawn from the context, and all of them (the
/// period's, and those of the months of trend charts) come from one `SharedFigures`: one
/// pass over the takedowns for every month, its comparisons and the hours to removal.
public final class ChartContext {
    public let tables: RecordTables
    public let period: Period
    public let asOf: Int64
    public let settings: Settings
    public let fines: FineSchedule?
    public let suppress: Bool
    private var reports: [String: StatsReport] = [:]
    /// What every report of the context shares (one takedown pass).
    public let shared: SharedFigures
    /// The revisions triangle of a figure over months, from the store's vintages; set by
    /// whoever has the store (`tally chart`), needed by `revisions` charts only.
    public var revisionTriangle: ((_ figure: String, _ months: [Period]) throws -> RevisionTriangle)?
    /// Set when the numbers come from elsewhere than `tables` (which are then empty).
    public let source: ChartSource?

    public init(tables: RecordTables, period: Period, asOf: Int64? = nil, settings: Settings,
                fines: FineSchedule? = nil, suppress: Bool = true) {
        self.tables = tables
        self.period = period
        // The pass covers, from the start, the months a bulletin of the period shows with
        // their comparisons: the period's, and every month of its years to the period's end
        // (year-to-date charts). Others (a comparison year) widen it when asked for.
        let firstYear = CivilDate.civil(days: period.first).year
        let span = SharedFigures.days(for: [period, .month(firstYear, 1)])
        shared = SharedFigures(tables: tables, asOf: asOf, settings: settings, span: span)
        self.asOf = shared.asOf(for: period)
        self.settings = settings
        self.fines = fines
        self.suppress = suppress
        self.source = nil
    }

    /// A context whose reports and distributions come from `source` (figures computed by
    /// another engine), not from record tables.
    public init(source: ChartSource, period: Period, settings: Settings, fines: FineSchedule? = nil, suppress: Bool = true) {
        self.tables = RecordTables(arrests: Table([]), victims: Table([]), takedowns: Table([]))
        self.period = period
        self.asOf = source.asOf
        // Unused: every number comes from the source.
        shared = SharedFigures(tables: tables, asOf: source.asOf, settings: settings)
        self.settings = settings
        self.fines = fines
        self.suppress = suppress
        self.source = source
    }

    /// The report of `p` (cached).
    public func report(_ p: Period) throws -> StatsReport {
        if let r = reports[p.label] { return r }
        if let source { return try source.report(p) }
        let r = try StatsReport(shared: shared, period: p, fines: fines, suppress: suppress)
        reports[p.label] = r
        return r
    }

    /// Whether any record (victim, arrest or takedown request) may fall in `p`: a quick
    /// look at the date ranges (a day of slack for time zones), so that a comparison year
    /// without data costs nothing.
    public func mayHaveRecords(_ p: Period) -> Bool {
        if let source { return source.mayHaveRecords(p) }
        func overlaps(_ t: Table, _ column: String, micros: Bool) -> Bool {
            guard let c = try? t.column(column) else { return false }
            var lo = Int64.max, hi = Int64.min
            if micros {
                c.withInt64s { v in
                    for i in 0..<c.count where c.isValid(i) { lo = min(lo, v[i]); hi = max(hi, v[i]) }
                }
                guard lo <= hi else { return false }
                lo = lo / 86_400_000_000 - 1; hi = hi / 86_400_000_000 + 1
            } else {
                c.withInt32s { v in
                    for i in 0..<c.count where c.isValid(i) { lo = min(lo, Int64(v[i])); hi = max(hi, Int64(v[i])) }
                }
            }
            return lo <= Int64(p.last) && hi >= Int64(p.first)
        }
        return overlaps(tables.victims, "contacted_on", micros: false) || overlaps(tables.arrests, "arrested_on", micros: false)
            || overlaps(tables.takedowns, "requested_at", micros: true)
    }

    /// The report of the context's period.
    public var main: StatsReport { get throws { try report(period) } }

    /// Hours from request to removal of the period's requests removed or blocked and
    /// resolved at or before the as-of time: the durations `takedowns.median_hours` is
    /// the median of (metrics.md).
    public func hoursToRemoval() throws -> [Double] {
        try removals(byPlatform: false)[""] ?? []
    }

    /// The same durations as `hoursToRemoval`, by platform: those `median_hours` of the
    /// platform league is computed over. Platforms without removals are absent.
    public func hoursToRemovalByPlatform() throws -> [String: [Double]] {
        try removals(byPlatform: true)
    }

    /// Decisions' delays of the period (`decisions.moderation_delay_*_days` and
    /// `decisions.disclosure_delay_*_hours` are their quantiles); empty without decisions.
    public func decisionDelays() throws -> (moderationDays: [Double], disclosureHours: [Double]) {
        if let source { return try source.decisionDelays() }
        guard let d = tables.decisions, d.rowCount > 0 else { return ([], []) }
        let r = try shared.decisions(d, period)
        return (r.moderationDays, r.disclosureHours)
    }

    /// The hours of the removals, by platform or all under "": the population of
    /// `takedowns.median_hours`, defined once in TallyMetrics, from the shared pass.
    private func removals(byPlatform: Bool) throws -> [String: [Double]] {
        if let source { return try source.removalHours(byPlatform: byPlatform) }
        return try shared.takedowns(SharedFigures.days(for: period)).removalHours(period, byPlatform: byPlatform)
    }
}
