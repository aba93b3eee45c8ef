import TallyCore
import TallyEngine
import TallyTime

/// The engine tables a report is computed from (the store's record kinds, key excluded).
public struct RecordTables: Sendable {
    public var arrests: Table
    public var victims: Table
    public var takedowns: Table
    /// The DSA statements of reasons (decisions.md); nil or empty: no `decisions.*` figures.
    public var decisions: Table?
    public init(arrests: Table, victims: Table, takedowns: Table, decisions: Table? = nil) {
        self.arrests = arrests
        self.victims = victims
        self.takedowns = takedowns
        self.decisions = decisions
    }
}

/// Every figure of metrics.md for one period: the figures by id (with comparisons for a
/// month), the per-platform table, and the victim breakdowns with their suppression.
public struct StatsReport: Sendable {
    public var period: Period
    public var asOf: Int64
    /// The vintage the tables were read at (set by whoever read them from a store).
    public var vintage: Vintage?
    public var settings: Settings
    public var fines: FineSchedule?
    public var metrics = Figures()
    public var platforms: [PlatformRow] = []
    /// The per-platform table of decisions (`decision_platforms`), when decisions are loaded.
    public var decisionPlatforms: [DecisionPlatformRow]?
    /// Ids (with comparison suffixes) whose published value is `<5` (applied to `metrics`
    /// unless the report is raw).
    public var suppressedIDs: Set<String> = []
    public var suppressionApplied: Bool

    /// Counts that get `.prev`, `.change_pct` and `.ytd` for a month (the catalogue says which).
    public static func isCount(_ id: String) -> Bool {
        // The decisions' figures until they join the catalogue: counts are the ids without a
        // share, hours or days suffix.
        if id.hasPrefix("decisions."), FigureCatalogue.lookup(id) == nil {
            return !(id.hasSuffix("_share") || id.hasSuffix("_hours") || id.hasSuffix("_days"))
        }
        return FigureCatalogue.hasComparisons(id)
    }

    /// The default as-of time: the latest `requested_at` or `resolved_at` loaded, or the end
    /// of `period` (local midnight after its last day) when no takedowns are loaded. The
    /// maxima come from the columns' zone maps, which the figures then reuse.
    public static func defaultAsOf(_ takedowns: Table, period: Period, zone: ZoneOffsets) -> Int64 {
        latestInstant(takedowns) ?? AsOf.endOfDay(period.last, zone: zone)
    }

    /// The latest `requested_at` or `resolved_at` loaded (nil: none).
    public static func latestInstant(_ takedowns: Table) -> Int64? {
        var latest: Int64?
        for name in ["requested_at", "resolved_at"] {
            guard let m = try? takedowns.maximum(name) else { continue }
            latest = max(latest ?? m, m)
        }
        return latest
    }

    public init(tables: RecordTables, period: Period, asOf: Int64? = nil, settings: Settings,
                fines: FineSchedule?, suppress: Bool = true) throws {
        try self.init(shared: SharedFigures(tables: tables, asOf: asOf, settings: settings),
                      period: period, fines: fines, suppress: suppress)
    }

    /// The report of `period` from what reports over the same tables, as-of time and settings
    /// share (a bulletin's months): the same figures as `init(tables:…)`, computed once.
    public init(shared: SharedFigures, period: Period, fines: FineSchedule?, suppress: Bool = true) throws {
        let tables = shared.tables, settings = shared.settings
        self.period = period
        self.settings = settings
        self.fines = fines
        self.suppressionApplied = suppress
        self.asOf = shared.asOf(for: period)

        let prev = period.previousMonth, ytd = period.yearToDate
        var current = Figures(), before = Figures(), toDate = Figures()
        var breakdownGroups: [(ids: [String], groups: [[Int]])] = []

        // Victims and arrests: one pass per period (shared between reports).
        let victims = try shared.victims(period)
        breakdownGroups = victims.1
        for (id, v) in victims.0.items { current[id] = v }
        for (id, v) in try shared.arrests(period).items { current[id] = v }
        if let prev, let ytd {
            for (id, v) in try shared.victims(prev).0.items { before[id] = v }
            for (id, v) in try shared.victims(ytd).0.items { toDate[id] = v }
            for (id, v) in try shared.arrests(prev).items { before[id] = v }
            for (id, v) in try shared.arrests(ytd).items { toDate[id] = v }
        }

        // Takedowns: counts per platform and day from the month before the period (for the
        // fines' repeat months) to its end, then sums; one pass shared by every report.
        let takedowns = try shared.takedowns(SharedFigures.days(for: period))
        let (perPlatform, all) = takedowns.durations(period)
        let rows = takedowns.counts(period)
        var total = TakedownCounts()
        for (_, c) in rows { total = total + c }
        Self.addTakedowns(total, durations: all, to: &current)
        if let prev, let ytd {
            Self.addTakedowns(takedowns.counts(prev).reduce(TakedownCounts()) { $0 + $1.1 }, durations: nil, to: &before)
            Self.addTakedowns(takedowns.counts(ytd).reduce(TakedownCounts()) { $0 + $1.1 }, durations: nil, to: &toDate)
        }

        // Per-platform rows, fines and ranks.
        platforms = rows.map { name, c in
            var r = PlatformRow(platform: name, counts: c)
            r.compliance = share(c.within, c.due)
            r.complianceCI = wilson(c.within, c.due)
            r.medianHours = perPlatform[name]?.0 ?? nil
            r.p90Hours = perPlatform[name]?.1 ?? nil
            if let fines {
                switch Self.fine(name, period, takedowns, fines) {
                case .success(let krw): r.fineKRW = krw
                case .failure(let why): r.fineNotComputable = why.reason
                }
            }
            return r
        }
        let ranked = platforms.indices.filter { platforms[$0].counts.due >= settings.minDue }.sorted { a, b in
            let x = platforms[a], y = platforms[b]
            if x.compliance != y.compliance { return (x.compliance ?? -1) > (y.compliance ?? -1) }
            if x.medianHours != y.medianHours { return (x.medianHours ?? .infinity) < (y.medianHours ?? .infinity) }
            return x.platform < y.platform
        }
        for (k, i) in ranked.enumerated() { platforms[i].rank = k + 1 }
        current["fines.total_krw"] = fines == nil ? .number(nil) : Self.totalFine(platforms)

        // Decisions (decisions.md), when loaded: periods by application date; no disclosure
        // control (public data on platforms' decisions, no person in them).
        if let d = tables.decisions, d.rowCount > 0 {
            let now = try shared.decisions(d, period)
            for (id, v) in now.figures.items { current[id] = v }
            decisionPlatforms = now.platforms
            if let prev, let ytd {
                for (id, v) in try shared.decisions(d, prev).figures.items {
                    before[id] = v
                }
                for (id, v) in try shared.decisions(d, ytd).figures.items {
                    toDate[id] = v
                }
            }
        }

        // Comparisons of counts, placed right after each count.
        var out = Figures()
        for (id, v) in current.items {
            out[id] = v
            guard prev != nil, Self.isCount(id), case .count(let now) = v else { continue }
            let p = before[id]?.countValue ?? 0
            out[id + ".prev"] = .count(p)
            out[id + ".change_pct"] = .number(p == 0 ? nil : Double(now - p) / Double(p) * 100)
            out[id + ".ytd"] = .count(toDate[id]?.countValue ?? 0)
        }
        metrics = out

        // Disclosure control of the victim breakdowns, for the period and for each
        // comparison period on its own; a change is hidden when either side is.
        func hidden(_ f: Figures) -> Set<String> {
            var out = Set<String>()
            for b in breakdownGroups {
                let cells = b.ids.map { f[$0]?.countValue ?? 0 }
                let h = Disclosure.suppress(cells, groups: b.groups, threshold: settings.suppressBelow)
                for (id, x) in zip(b.ids, h) where x { out.insert(id) }
            }
            return out
        }
        let hiddenNow = hidden(current), hiddenPrev = hidden(before), hiddenYTD = hidden(toDate)
        suppressedIDs = hiddenNow
        for id in hiddenPrev { suppressedIDs.insert(id + ".prev"); suppressedIDs.insert(id + ".change_pct") }
        for id in hiddenYTD { suppressedIDs.insert(id + ".ytd") }
        for id in hiddenNow { suppressedIDs.insert(id + ".change_pct") }
        if suppress {
            for id in metrics.ids where suppressedIDs.contains(id) { metrics[id] = .suppressed }
        }
    }

    static func addTakedowns(_ c: TakedownCounts, durations: (Double?, Double?)?, to f: inout Figures) {
        f["takedowns.requests"] = .count(c.requests)
        f["takedowns.due"] = .count(c.due)
        f["takedowns.within_deadline"] = .count(c.within)
        f["takedowns.compliance"] = .number(share(c.within, c.due))
        f["takedowns.compliance_ci95"] = .ci(wilson(c.within, c.due))
        f["takedowns.overdue"] = .count(c.overdue)
        f["takedowns.refused"] = .count(c.refused)
        f["takedowns.late"] = .count(c.late)
        f["takedowns.unresolved"] = .count(c.unresolved)
        if let d = durations {
            f["takedowns.median_hours"] = .number(d.0)
            f["takedowns.p90_hours"] = .number(d.1)
        }
        f["takedowns.ai_detected_share"] = .number(share(c.ai, c.detectorKnown))
    }

    /// A platform's fine for the period: per calendar month of the period (the part of it in
    /// the period), the schedule applied to its late and unresolved due requests, with the
    /// repeat multiplier when the month before had violations, capped per month.
    /// Not computable when a month's fine or the sum exceeds the largest 64-bit integer.
    static func fine(_ platform: String, _ period: Period, _ t: TakedownFigures, _ s: FineSchedule) -> Result<Int, NotComputable> {
        var krw = 0
        for (y, m) in period.months {
            let month = Period.month(y, m)
            let part = Period(first: max(month.first, period.first), last: min(month.last, period.last))
            let c = t.counts(part).first { $0.0 == platform }?.1 ?? TakedownCounts()
            let before = m == 1 ? t.monthCounts(platform, y - 1, 12) : t.monthCounts(platform, y, m - 1)
            guard let f = s.fine(late: c.late, unresolved: c.unresolved, previousViolations: before.late + before.unresolved) else {
                return .failure(NotComputable("the fine for \(Period.month(y, m).label) exceeds \(FigureFormat.thousands(Int.max)) KRW, the largest 64-bit integer (no monthly cap)"))
            }
            let (sum, overflow) = krw.addingReportingOverflow(f)
            if overflow { return .failure(NotComputable("the sum of the monthly fines exceeds \(FigureFormat.thousands(Int.max)) KRW, the largest 64-bit integer")) }
            krw = sum
        }
        return .success(krw)
    }

    /// The sum of the platforms' fines; not computable when one of them is, or the sum
    /// exceeds the largest 64-bit integer.
    static func totalFine(_ platforms: [PlatformRow]) -> FigureValue {
        var total = 0
        for p in platforms {
            if p.fineNotComputable != nil { return .notComputable("the fine of platform \(p.platform) is not computable") }
            let (sum, overflow) = total.addingReportingOverflow(p.fineKRW ?? 0)
            if overflow { return .notComputable("the sum of the platforms' fines exceeds \(FigureFormat.thousands(Int.max)) KRW, the largest 64-bit integer") }
            total = sum
        }
        return .count(total)
    }

    /// Figures (and per-platform fines, as `platforms.NAME.fine_krw`) that could not be
    /// computed, with the reasons.
    public var notComputable: [(id: String, reason: String)] {
        metrics.notComputable + platforms.compactMap { p in p.fineNotComputable.map { ("platforms.\(p.platform).fine_krw", $0) } }
    }

    /// Decision platforms ranked first, by rank; then the unranked, by name.
    public static func decisionLeague(_ rows: [DecisionPlatformRow]) -> [DecisionPlatformRow] {
        rows.filter { $0.rank != nil }.sorted { $0.rank! < $1.rank! } + rows.filter { $0.rank == nil }
    }

    /// Platforms with a rank, in rank order.
    public var rankedPlatforms: [PlatformRow] { platforms.filter { $0.rank != nil }.sorted { $0.rank! < $1.rank! } }
    /// Platforms with too few due requests to be ranked, by name.
    public var unrankedPlatforms: [PlatformRow] { platforms.filter { $0.rank == nil } }

    /// `{"period", "as_of", "vintage", "time_zone", "metrics", "platforms"}` as metrics.md
    /// gives it (`vintage` when the tables came from a store).
    public var json: JSONValue {
        .object([
            ("period", .string(period.label)),
            ("as_of", .string(asOfText)),
        ] + (vintage.map { [("vintage", $0.json)] } ?? []) + [
            ("time_zone", .string(settings.timeZone)),
            ("metrics", metrics.json),
            ("platforms", .array(platforms.map(\.json))),
        ] + (decisionPlatforms.map { [("decision_platforms", .array(Self.decisionLeague($0).map(\.json)))] } ?? [])
          + (notComputable.isEmpty ? [] : [("not_computable", .object(notComputable.map { ($0.id, .string($0.reason)) }))]))
    }

    /// The as-of time in the reporting zone with its offset.
    public var asOfText: String {
        Timestamp.iso(micros: asOf, offsetSeconds: settings.zone.offset(atUTC: floorDiv(asOf, 1_000_000)))
    }
}

/// Why a figure could not be computed.
public struct NotComputable: Error, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}
