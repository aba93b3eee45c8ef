import TallyCore

extension StatsReport {
    /// The per-platform columns of `platforms.<platform>.<column>` ids.
    static let platformColumns = ["requests", "due", "within_deadline", "compliance", "compliance_ci95", "median_hours", "p90_hours",
                                  "overdue", "refused", "late", "unresolved", "fine_krw", "rank"]

    /// The per-platform columns of `decision_platforms.<platform>.<column>` ids.
    static let decisionColumns = ["total", "sexual_abuse", "automated_detection_share", "automated_decision_share",
                                  "moderation_delay_median_days", "moderation_delay_p90_days", "disclosure_delay_median_hours",
                                  "disclosure_delay_p90_hours", "removed_share", "rank"]

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
        var decisionRows: [String: DecisionPlatformRow] = [:]
        var metrics: [(id: String, value: FigureValue)] = []
        for (id, v) in r.figures.items {
            if id.hasPrefix("decision_platforms."), let column = Self.decisionColumns.first(where: { id.hasSuffix("." + $0) }) {
                let name = String(id.dropFirst("decision_platforms.".count).dropLast(column.count + 1))
                var row = decisionRows[name] ?? DecisionPlatformRow(platform: name)
                switch column {
                case "total": row.total = v.countValue ?? 0
                case "sexual_abuse": row.sexualAbuse = v.countValue
                case "automated_detection_share": row.automatedDetectionShare = v.doubleValue
                case "automated_decision_share": row.automatedDecisionShare = v.doubleValue
                case "moderation_delay_median_days": row.moderationMedianDays = v.doubleValue
                case "moderation_delay_p90_days": row.moderationP90Days = v.doubleValue
                case "disclosure_delay_median_hours": row.disclosureMedianHours = v.doubleValue
                case "disclosure_delay_p90_hours": row.disclosureP90Hours = v.doubleValue
                case "removed_share": row.removedShare = v.doubleValue
                case "rank": row.rank = v.countValue
                default: break
                }
                decisionRows[name] = row
            } else if id.hasPrefix("platforms."), let column = Self.platformColumns.first(where: { id.hasSuffix("." + $0) }) {
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
        // Decisions' table when the figures hold decisions (as a store holding them gives it).
        if r.figures["decisions.total"] != nil {
            decisionPlatforms = decisionRows.keys.sorted().map { decisionRows[$0]! }
        }
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
