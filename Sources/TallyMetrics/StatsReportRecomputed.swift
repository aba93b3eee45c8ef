import TallyCore

extension StatsReport {
    /// The per-platform columns of `platforms.<platform>.<column>` ids.
    static let platformColumns = ["requests", "due", "within_deadline", "compliance", "compliance_ci95", "median_hours", "p90_hours",
                                  "overdue", "refused", "late", "unresolved", "fine_krw", "rank"]

    /// A report from figures recomputed by figure SQL (`FigureSQL.recompute`), in whatever
    /// engine ran the SQL (Apache Spark for `--engine spark`): the metrics in the local
    /// engine's order, and the per-platform table from the `platforms.<platform>.<column>` ids.
    public init(recomputed r: RecomputedFigures, period: Period, asOf: Int64, settings: Settings, fines: FineSchedule?, suppress: Bool) {
        self.period = period
        self.asOf = asOf
        self.settings = settings
        self.fines = fines
        self.suppressionApplied = suppress
        self.suppressedIDs = r.suppressedIDs

        var rows: [String: PlatformRow] = [:]
        var metrics: [(id: String, value: FigureValue)] = []
        for (id, v) in r.figures.items {
            if id.hasPrefix("platforms."), let column = Self.platformColumns.first(where: { id.hasSuffix("." + $0) }) {
                let name = String(id.dropFirst("platforms.".count).dropLast(column.count + 1))
                var row = rows[name] ?? PlatformRow(platform: name, counts: TakedownCounts())
                let n = v.countValue ?? 0
                switch column {
                case "requests": row.counts.requests = n
                case "due": row.counts.due = n
                case "within_deadline": row.counts.within = n
                case "late": row.counts.late = n
                case "overdue": row.counts.overdue = n
                case "refused": row.counts.refused = n
                case "compliance": row.compliance = v.doubleValue
                case "compliance_ci95": if case .interval(let lo, let hi) = v { row.complianceCI = (lo, hi) }
                case "median_hours": row.medianHours = v.doubleValue
                case "p90_hours": row.p90Hours = v.doubleValue
                case "fine_krw":
                    row.fineKRW = v.countValue
                    row.fineNotComputable = v.notComputableReason
                case "rank": row.rank = v.countValue
                default: break  // unresolved = due − within − late
                }
                rows[name] = row
            } else {
                metrics.append((id, v))
            }
        }
        platforms = rows.keys.sorted().map { rows[$0]! }
        // The catalogue's order (the order `StatsReport` computes figures in), comparisons after
        // their figure; ids of one family in the order the SQL returned them.
        let order = Dictionary(FigureCatalogue.entries.enumerated().map { ($0.element.pattern, $0.offset) }, uniquingKeysWith: { a, _ in a })
        func rank(_ id: String) -> Int {
            var base = id
            for s in [".prev", ".change_pct", ".ytd"] where base.hasSuffix(s) { base = String(base.dropLast(s.count)) }
            return FigureCatalogue.lookup(base).flatMap { order[$0.entry.pattern] } ?? Int.max
        }
        var f = Figures()
        for (i, m) in metrics.enumerated().sorted(by: { (rank($0.element.id), $0.offset) < (rank($1.element.id), $1.offset) }) {
            _ = i
            f[m.id] = m.value
        }
        self.metrics = f
    }
}
