import Dispatch
import TallyCore
import TallyEngine
import TallyTime

/// What the reports of several periods over the same tables, as-of time and settings share,
/// so that a bulletin's month, its comparisons and the months of its trend charts cost one
/// pass over the takedowns instead of one each: the takedown pass (`TakedownFigures`, counts
/// and hours to removal per platform and local day), and the victims', arrests' and decisions'
/// figures of each period, computed once however many reports ask for them.
///
/// Every report made from it has exactly the figures `StatsReport(tables:…)` gives for its
/// period alone (that initializer makes one of these for the one report; tested against it
/// and against the catalogue's SQL). One thread at a time: its caches have no lock.
public final class SharedFigures {
    public let tables: RecordTables
    public let settings: Settings
    /// The as-of time given, or the latest `requested_at` or `resolved_at` loaded: what
    /// every report's as-of time is (nil: neither, see `asOf(for:)`).
    let fixedAsOf: Int64?
    /// Local days the takedown pass covers at least when it is made: set it to every day the
    /// reports to come will need (`days(for:)` of each period), so that one pass serves all.
    public var span: ClosedRange<Int>?
    private var pass: TakedownFigures?
    private var victimFigures: VictimFigures?
    private var arrestFigures: ArrestFigures?
    private var victimsByPeriod: [ClosedRange<Int>: (Figures, [(ids: [String], groups: [[Int]])])] = [:]
    private var arrestsByPeriod: [ClosedRange<Int>: Figures] = [:]
    private var decisionsByPeriod: [ClosedRange<Int>: DecisionFigures.Result] = [:]
    /// Tests: `TakedownFigures`' limit of dense cells.
    var denseCells = 1 << 22
    /// How many passes over the takedowns were made, how long they took (seconds, wall) and
    /// the bytes the last one holds (tests and `--timing`).
    public private(set) var passes = 0
    public private(set) var passSeconds = 0.0
    public var passBytes: Int { pass?.byteCount ?? 0 }

    /// `asOf` nil: each report's default as-of time (`StatsReport.defaultAsOf`).
    public init(tables: RecordTables, asOf: Int64?, settings: Settings, span: ClosedRange<Int>? = nil) {
        self.tables = tables
        self.settings = settings
        fixedAsOf = asOf ?? StatsReport.latestInstant(tables.takedowns)
        self.span = span
    }

    /// The as-of time of `period`'s report: the one given, else the latest instant loaded,
    /// else (no takedown has a time) the end of the period.
    public func asOf(for period: Period) -> Int64 {
        fixedAsOf ?? AsOf.endOfDay(period.last, zone: settings.zone)
    }

    /// The local days a report of `period` reads takedowns of: from the month before the
    /// period (the fines' repeat rule), its previous month and January (year to date), to its end.
    public static func days(for period: Period) -> ClosedRange<Int> {
        let firstMonth = period.months[0]
        let lookback = firstMonth.month == 1 ? Period.month(firstMonth.year - 1, 12) : Period.month(firstMonth.year, firstMonth.month - 1)
        let from = min(lookback.first, period.previousMonth?.first ?? lookback.first, period.yearToDate?.first ?? lookback.first)
        return from...period.last
    }

    /// The days of all `periods`' reports.
    public static func days(for periods: [Period]) -> ClosedRange<Int>? {
        periods.map(days(for:)).reduce(nil) { r, d in r.map { min($0.lowerBound, d.lowerBound)...max($0.upperBound, d.upperBound) } ?? d }
    }

    /// A takedown pass covering local days `days`: the one made, or a new one over it, the
    /// span and what the last one covered.
    public func takedowns(_ days: ClosedRange<Int>) throws -> TakedownFigures {
        if let p = pass, p.covers(days.lowerBound, days.upperBound) { return p }
        var lo = days.lowerBound, hi = days.upperBound
        for r in [span, pass.map { $0.from...$0.to }].compactMap({ $0 }) { lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound) }
        // Without an as-of time given or any instant loaded, no request has a time and the
        // pass is empty whatever the time: the end of its days will do.
        let start = DispatchTime.now().uptimeNanoseconds
        let made = try TakedownFigures(source: tables.takedowns, asOf: fixedAsOf ?? AsOf.endOfDay(hi, zone: settings.zone),
                                       settings: settings, from: lo, to: hi, denseCells: denseCells)
        passSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        passes += 1
        pass = made
        return made
    }

    /// Periods of the same days have the same figures, whatever their kind.
    private func key(_ p: Period) -> ClosedRange<Int> { p.first...p.last }

    /// The victims' figures of `p` and its breakdowns for disclosure control.
    func victims(_ p: Period) throws -> (Figures, [(ids: [String], groups: [[Int]])]) {
        if let v = victimsByPeriod[key(p)] { return v }
        if victimFigures == nil { victimFigures = try VictimFigures(tables.victims, settings: settings) }
        var f = Figures()
        let groups = try victimFigures!.add(p, to: &f)
        victimsByPeriod[key(p)] = (f, groups)
        return (f, groups)
    }

    func arrests(_ p: Period) throws -> Figures {
        if let a = arrestsByPeriod[key(p)] { return a }
        if arrestFigures == nil { arrestFigures = try ArrestFigures(tables.arrests, settings: settings) }
        var f = Figures()
        try arrestFigures!.add(p, to: &f)
        arrestsByPeriod[key(p)] = f
        return f
    }

    /// The decisions' figures of `p` from `d` (the tables' decisions).
    public func decisions(_ d: Table, _ p: Period) throws -> DecisionFigures.Result {
        if let r = decisionsByPeriod[key(p)] { return r }
        let r = try DecisionFigures.compute(d, period: p, list: settings.sexualAbuse, minDecisions: settings.minDecisions)
        decisionsByPeriod[key(p)] = r
        return r
    }
}
