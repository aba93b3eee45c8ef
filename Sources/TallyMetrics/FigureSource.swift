import TallyCore
import TallyEngine

/// The arrest counts of one period that the figures are shares and sums of.
public struct ArrestTotals: Equatable, Sendable {
    public var total = 0, knownAge = 0, minors = 0, undercover = 0
    /// The sum of seized proceeds, or not computable (beyond 2^63 − 1).
    public var proceeds: FigureValue = .count(0)
    public init(total: Int = 0, knownAge: Int = 0, minors: Int = 0, undercover: Int = 0, proceeds: FigureValue = .count(0)) {
        (self.total, self.knownAge, self.minors, self.undercover, self.proceeds) = (total, knownAge, minors, undercover, proceeds)
    }
}

/// What `StatsReport` needs from an engine: counts, sums and exact quantiles, never shares or
/// intervals (those are computed from the counts, in one place, whatever computed the counts).
///
/// Two engines answer it: Tally's own columnar engine over the store's tables
/// (`TableFigureSource`), and any engine whose answers were collected beforehand
/// (`CollectedFigureSource`: Apache Spark, `tally stats --engine spark`).
public protocol FigureSource {
    /// Counts of a victims or arrests column's values over the records whose date
    /// (`contacted_on`, `arrested_on`) is in `period`; null under the key "". A `set` column
    /// (`services`) is counted by its stored text (items in schema order, `;`-separated).
    func valueCounts(_ kind: RecordKind, _ column: String, _ period: Period) throws -> [String: Int]
    /// The non-null values of a column over every record of the kind, sorted (figure ids that
    /// stay the same in every period: regions, agencies).
    func distinctValues(_ kind: RecordKind, _ column: String) throws -> [String]
    /// The arrest counts of `period`, suspects under `minorAgeLimit` counted as minors.
    func arrestTotals(_ period: Period, minorAgeLimit: Int) throws -> ArrestTotals
    /// Takedown counts per platform and local day of `requested_at` (days since 1970-01-01),
    /// for the days `from...to`, at the as-of time with the settings' deadline.
    func takedownDaily(asOf: Int64, settings: Settings, from: Int, to: Int) throws -> [String: [Int: TakedownCounts]]
    /// Median and p90 hours to removal (type 7) in `period`, per platform and over all.
    func takedownDurations(_ period: Period, asOf: Int64, settings: Settings) throws
        -> (perPlatform: [String: (Double?, Double?)], all: (Double?, Double?))
    /// The latest `requested_at` or `resolved_at` (UTC microseconds), nil without takedowns.
    func latestTakedownTime() throws -> Int64?
}

/// The periods and days a report over `period` reads: the period, for a month its previous
/// month and year to date, and the takedown days from the month before the period (for the
/// fines' repeat months) to its end. An engine that answers beforehand computes exactly these.
public struct ReportCoverage: Sendable {
    public var periods: [Period]
    public var dailyFrom: Int
    public var dailyTo: Int

    public init(_ period: Period) {
        let prev = period.previousMonth, ytd = period.yearToDate
        periods = [period] + [prev, ytd].compactMap { $0 }
        let firstMonth = period.months[0]
        let lookback = firstMonth.month == 1 ? Period.month(firstMonth.year - 1, 12) : Period.month(firstMonth.year, firstMonth.month - 1)
        dailyFrom = min(lookback.first, prev?.first ?? lookback.first, ytd?.first ?? lookback.first)
        dailyTo = period.last
    }
}

/// Figures from the store's tables, computed by Tally's columnar engine. A class, so that the
/// takedowns' derived columns (local day, durations) are computed once per as-of time.
public final class TableFigureSource: FigureSource {
    public let tables: RecordTables
    private var prepared: TakedownFigures?
    public init(_ tables: RecordTables) { self.tables = tables }

    func takedowns(asOf: Int64, settings: Settings) throws -> TakedownFigures {
        if let p = prepared, p.asOf == asOf, p.settings == settings { return p }
        let p = try TakedownFigures(source: tables.takedowns, asOf: asOf, settings: settings)
        prepared = p
        return p
    }

    func table(_ kind: RecordKind) -> Table {
        switch kind {
        case .arrests: return tables.arrests
        case .victims: return tables.victims
        case .takedowns: return tables.takedowns
        }
    }

    static func dateColumn(_ kind: RecordKind) -> String { kind == .arrests ? "arrested_on" : "contacted_on" }

    public func valueCounts(_ kind: RecordKind, _ column: String, _ period: Period) throws -> [String: Int] {
        let t = table(kind)
        return try TallyMetrics.valueCounts(t, column, try t.filter(dateRange(Self.dateColumn(kind), period)))
    }

    public func distinctValues(_ kind: RecordKind, _ column: String) throws -> [String] {
        try TallyMetrics.distinctValues(table(kind), column)
    }

    public func arrestTotals(_ period: Period, minorAgeLimit: Int) throws -> ArrestTotals {
        let t = tables.arrests
        let sel = try t.filter(dateRange("arrested_on", period))
        let g = try t.groupBy([], [
            Aggregation("total", .count),
            Aggregation("known", .countValid("suspect_age")),
            Aggregation("minors", .count, filter: .compare("suspect_age", .lt, .int(Int64(minorAgeLimit)))),
            Aggregation("undercover", .count, filter: .compare("undercover", .eq, .bool(true))),
        ], where: sel)
        func n(_ c: String) -> Int { ArrestFigures.int(g[c].value(0)) }
        let proceeds: FigureValue
        do {
            let s = try t.groupBy([], [Aggregation("proceeds", .sum("proceeds_seized_krw"))], where: sel)
            proceeds = .count(ArrestFigures.int(s["proceeds"].value(0)))
        } catch EngineError.overflow {
            proceeds = .notComputable(ArrestTotals.proceedsOverflow)
        }
        return ArrestTotals(total: n("total"), knownAge: n("known"), minors: n("minors"), undercover: n("undercover"), proceeds: proceeds)
    }

    public func takedownDaily(asOf: Int64, settings: Settings, from: Int, to: Int) throws -> [String: [Int: TakedownCounts]] {
        try takedowns(asOf: asOf, settings: settings).daily(from: from, to: to)
    }

    public func takedownDurations(_ period: Period, asOf: Int64, settings: Settings) throws
        -> (perPlatform: [String: (Double?, Double?)], all: (Double?, Double?)) {
        try takedowns(asOf: asOf, settings: settings).durations(period)
    }

    public func latestTakedownTime() throws -> Int64? { StatsReport.latestTime(tables.takedowns) }
}

extension ArrestTotals {
    /// Why the sum of seized proceeds is not computable.
    public static let proceedsOverflow = "the sum of proceeds_seized_krw exceeds \(FigureFormat.thousands(Int.max)), the largest 64-bit integer"
}

/// Figures whose counts and quantiles another engine computed beforehand for the periods
/// and days of a `ReportCoverage`; asking for anything else is an error, not a zero.
public struct CollectedFigureSource: FigureSource, @unchecked Sendable {
    /// (kind, column, period label) → value → count.
    public var valueCounts: [String: [String: Int]] = [:]
    /// (kind, column) → sorted distinct values.
    public var distinct: [String: [String]] = [:]
    /// period label → arrest totals (for the minor age limit the counts were made with).
    public var arrests: [String: ArrestTotals] = [:]
    public var daily: [String: [Int: TakedownCounts]] = [:]
    public var dailyFrom = 0, dailyTo = -1
    /// period label → per-platform and overall (median, p90) hours.
    public var durations: [String: (perPlatform: [String: (Double?, Double?)], all: (Double?, Double?))] = [:]
    public var latest: Int64?

    public init() {}

    public static func key(_ kind: RecordKind, _ column: String, _ period: Period? = nil) -> String {
        "\(kind.rawValue).\(column)" + (period.map { "@\($0.label)" } ?? "")
    }

    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String { "the engine's results lack \(what)" }
    }

    public func valueCounts(_ kind: RecordKind, _ column: String, _ period: Period) throws -> [String: Int] {
        guard let v = valueCounts[Self.key(kind, column, period)] else { throw Missing(what: "counts of \(Self.key(kind, column, period))") }
        return v
    }

    public func distinctValues(_ kind: RecordKind, _ column: String) throws -> [String] {
        guard let v = distinct[Self.key(kind, column)] else { throw Missing(what: "the values of \(Self.key(kind, column))") }
        return v
    }

    public func arrestTotals(_ period: Period, minorAgeLimit: Int) throws -> ArrestTotals {
        guard let a = arrests[period.label] else { throw Missing(what: "the arrest totals of \(period.label)") }
        return a
    }

    public func takedownDaily(asOf: Int64, settings: Settings, from: Int, to: Int) throws -> [String: [Int: TakedownCounts]] {
        guard from >= dailyFrom, to <= dailyTo else { throw Missing(what: "takedown counts for the days asked") }
        return daily.compactMapValues { days in
            let d = days.filter { $0.key >= from && $0.key <= to }
            return d.isEmpty ? nil : d
        }
    }

    public func takedownDurations(_ period: Period, asOf: Int64, settings: Settings) throws
        -> (perPlatform: [String: (Double?, Double?)], all: (Double?, Double?)) {
        guard let d = durations[period.label] else { throw Missing(what: "the durations of \(period.label)") }
        return d
    }

    public func latestTakedownTime() throws -> Int64? { latest }
}
