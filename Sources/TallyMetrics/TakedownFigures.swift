import TallyCore
import TallyEngine
import TallyTime

/// Counts of one platform (or of all) over some days, as metrics.md defines them at an
/// as-of time. `due = within + late + unresolved` always.
public struct TakedownCounts: Equatable, Sendable {
    public var requests = 0, due = 0, within = 0, late = 0, overdue = 0, refused = 0, ai = 0, detectorKnown = 0
    public var unresolved: Int { due - within - late }

    static func += (a: inout TakedownCounts, b: TakedownCounts) { a = a + b }

    static func + (a: TakedownCounts, b: TakedownCounts) -> TakedownCounts {
        TakedownCounts(requests: a.requests + b.requests, due: a.due + b.due, within: a.within + b.within,
                       late: a.late + b.late, overdue: a.overdue + b.overdue, refused: a.refused + b.refused,
                       ai: a.ai + b.ai, detectorKnown: a.detectorKnown + b.detectorKnown)
    }
}

/// One row of the per-platform table (`platforms` in the JSON).
public struct PlatformRow: Sendable {
    public var platform: String
    public var counts: TakedownCounts
    public var compliance: Double?
    public var complianceCI: (Double, Double)?
    public var medianHours: Double?
    public var p90Hours: Double?
    public var fineKRW: Int?
    /// Why `fineKRW` is null although there is a fine schedule (its sum overflows).
    public var fineNotComputable: String?
    public var rank: Int?

    public var json: JSONValue {
        .object([
            ("platform", .string(platform)), ("requests", .integer(counts.requests)), ("due", .integer(counts.due)),
            ("within_deadline", .integer(counts.within)), ("compliance", .number(compliance)),
            ("compliance_ci95", complianceCI.map { .array([.double($0.0), .double($0.1)]) } ?? .null),
            ("median_hours", .number(medianHours)), ("p90_hours", .number(p90Hours)),
            ("overdue", .integer(counts.overdue)), ("refused", .integer(counts.refused)),
            ("late", .integer(counts.late)), ("unresolved", .integer(counts.unresolved)),
            ("fine_krw", .integer(fineKRW)), ("rank", .integer(rank)),
        ])
    }
}

/// The takedown figures: counts per platform and local day in one pass, from which any
/// period's counts are sums; quantiles per period directly. Only the blocks of rows whose
/// request time can fall on the days asked are read (the engine's zone map of
/// `requested_at`), a slice at a time, so time and memory follow those rows, not the table.
public struct TakedownFigures {
    let source: Table
    let asOf: Int64
    let settings: Settings
    /// (platform, local day) → counts.
    private(set) var daily: [String: [Int: TakedownCounts]] = [:]

    static let removedOrBlocked: Predicate = .isIn("outcome", [.string("removed"), .string("blocked")])

    /// `source` has the store's takedown columns; counts cover local days `from...to`.
    init(source: Table, asOf: Int64, settings: Settings, from: Int, to: Int) throws {
        self.source = source
        self.asOf = asOf
        self.settings = settings

        let dl = settings.deadlineMicros
        let strict = settings.injectedFault == .withinDeadlineExclusive
        let due: Predicate = .compare("requested_at", .le, .timestamp(asOf - dl))
        let rb = Self.removedOrBlocked
        let aggs = [
            Aggregation("requests", .count),
            Aggregation("due", .count, filter: due),
            Aggregation("within", .count, filter: .and([due, rb, .compare("duration", strict ? .lt : .le, .int(dl))])),
            Aggregation("late", .count, filter: .and([due, rb, .compare("duration", strict ? .ge : .gt, .int(dl)),
                                                      .compare("resolved_at", .le, .timestamp(asOf))])),
            Aggregation("overdue", .count, filter: .and([due, .or([.compare("outcome", .eq, .string("pending")),
                                                                   .compare("resolved_at", .gt, .timestamp(asOf))])])),
            Aggregation("refused", .count, filter: .compare("outcome", .eq, .string("refused"))),
            Aggregation("ai", .count, filter: .compare("detected_by", .eq, .string("ai"))),
            Aggregation("known", .countValid("detected_by")),
        ]
        // Counts are sums over rows, so each slice's (platform, day) counts add up; slices are
        // counted two at a time (one per core), then added in order.
        let slices = try Self.slices(source, from, to, zone: settings.zone)
        let groups = try Parallel.map(slices.count) { k -> Table? in
            var t = slices[k]
            t = t.adding("day", try t.localDate("requested_at", zone: settings.zone))
            t = t.adding("duration", try t.difference("resolved_at", "requested_at"))
            let sel = try t.filter(Self.days(from, to))
            guard sel.count > 0 else { return nil }
            return try t.groupBy(["platform", "day"], aggs, where: sel)
        }
        for case let g? in groups {
            let p = g["platform"], d = g["day"]
            let cols = ["requests", "due", "within", "late", "overdue", "refused", "ai", "known"].map { g[$0] }
            for i in 0..<g.rowCount {
                guard case .string(let name) = p.value(i) else { continue }
                let n = cols.map { Int($0.int64(at: i)) }
                let c = TakedownCounts(requests: n[0], due: n[1], within: n[2], late: n[3],
                                       overdue: n[4], refused: n[5], ai: n[6], detectorKnown: n[7])
                daily[name, default: [:]][Int(d.int32(at: i)), default: TakedownCounts()] += c
            }
        }
    }

    /// Slices of `t` (sharing its memory) holding every row whose `requested_at` can fall on
    /// local days `from...to` in `zone`: the UTC span of those days widened by the zone's
    /// largest offset, so that no such row is missed whatever the offset at its instant.
    /// Callers still test the local day of each row. No `requested_at`: the whole table.
    static func slices(_ t: Table, _ from: Int, _ to: Int, zone: ZoneOffsets) throws -> [Table] {
        guard t.rowCount > 0, let c = try? t.column("requested_at"), c.type == .timestamp else { return [t] }
        let widest = zone.spans.map { abs($0.offsetSeconds) }.max() ?? 0
        let margin = (widest + 1) * 1_000_000
        let lo = Int64(from) * 86_400_000_000 - margin
        let hi = Int64(to + 1) * 86_400_000_000 + margin
        return try t.rowRanges(where: "requested_at", from: lo, through: hi).map { t.slice($0) }
    }

    static func days(_ from: Int, _ to: Int) -> Predicate {
        .and([.compare("day", .ge, .date(Int32(from))), .compare("day", .le, .date(Int32(to)))])
    }

    /// Platforms with requests in `period`, with their counts.
    func counts(_ period: Period) -> [(String, TakedownCounts)] {
        daily.keys.sorted().compactMap { name in
            var c = TakedownCounts()
            for (day, x) in daily[name]! where day >= period.first && day <= period.last { c = c + x }
            return c.requests > 0 ? (name, c) : nil
        }
    }

    /// The requests hours to removal are measured over (metrics.md): removed or blocked,
    /// resolved at or before the as-of time.
    static func removed(asOf: Int64) -> Predicate {
        .and([removedOrBlocked, .compare("resolved_at", .le, .timestamp(asOf))])
    }

    /// Hours from request to removal of `period`'s requests (by the local date of
    /// requested_at) counted by `takedowns.median_hours`, by platform or all under "";
    /// what charts of hours to removal draw.
    public static func removalHours(_ takedowns: Table, period: Period, asOf: Int64, zone: ZoneOffsets,
                                    byPlatform: Bool) throws -> [String: [Double]] {
        var t = takedowns
        guard t.rowCount > 0 else { return [:] }
        t = t.adding("day", try t.localDate("requested_at", zone: zone))
        t = t.adding("hours", try t.scaledDifference("resolved_at", "requested_at", by: 3_600_000_000))
        let sel = try t.filter(.and([days(period.first, period.last), removed(asOf: asOf)]))
        let hours = t["hours"], platform = t["platform"]
        var out: [String: [Double]] = [:]
        hours.withFloat64s { v in
            sel.forEach { i in
                guard hours.isValid(i) else { return }
                if !byPlatform {
                    out["", default: []].append(v[i])
                } else if case .string(let name) = platform.value(i) {
                    out[name, default: []].append(v[i])
                }
            }
        }
        return out
    }

    /// Median and p90 hours to removal in `period`, per platform and over all: removed or
    /// blocked, resolved at or before the as-of time. The hours of the rows that count are
    /// taken slice by slice into one small table, whose quantiles are those of the rows.
    func durations(_ period: Period) throws -> (perPlatform: [String: (Double?, Double?)], all: (Double?, Double?)) {
        let f = Predicate.and([Self.days(period.first, period.last), Self.removed(asOf: asOf)])
        var platforms: [Column] = [], hours: [Column] = []
        let slices = try Self.slices(source, period.first, period.last, zone: settings.zone)
        for (p, h) in try Parallel.map(slices.count, { k -> (Column, Column) in
            var t = slices[k]
            t = t.adding("day", try t.localDate("requested_at", zone: settings.zone))
            t = t.adding("hours", try t.scaledDifference("resolved_at", "requested_at", by: 3_600_000_000))
            let sel = try t.filter(f)
            return (t["platform"].take(sel), t["hours"].take(sel))
        }) {
            platforms.append(p)
            hours.append(h)
        }
        let table = Table([("platform", Column.concatenate(platforms, like: try source.column("platform"))),
                           ("hours", Column.concatenate(hours, like: ColumnBuilder(type: .float64, capacity: 0).build()))])
        let aggs = [Aggregation("median", .quantile("hours", 0.5)), Aggregation("p90", .quantile("hours", 0.9))]
        let g = try table.groupBy(["platform"], aggs)
        var per: [String: (Double?, Double?)] = [:]
        for i in 0..<g.rowCount {
            if case .string(let name) = g["platform"].value(i) {
                per[name] = (g["median"].value(i).asDouble, g["p90"].value(i).asDouble)
            }
        }
        let all = try table.groupBy([], aggs)
        return (per, (all["median"].value(0).asDouble, all["p90"].value(0).asDouble))
    }

    /// Late and unresolved counts of `platform` in calendar month (year, month).
    func monthCounts(_ platform: String, _ year: Int, _ month: Int) -> TakedownCounts {
        let p = Period.month(year, month)
        var c = TakedownCounts()
        for (day, x) in daily[platform] ?? [:] where day >= p.first && day <= p.last { c = c + x }
        return c
    }
}
