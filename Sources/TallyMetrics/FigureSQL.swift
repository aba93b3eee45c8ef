import TallyCore
import TallyTime

/// Runs figure SQL against a store (or any database holding the store's record tables).
public protocol FigureSQLRunner {
    func rows(_ sql: String, _ parameters: [(name: String, value: FigureSQLValue)]) throws -> [[FigureSQLValue]]
}

/// Figure SQL rendered for a period, and every figure of the catalogue recomputed from it.
/// This is the independent computation `tally verify` runs: it shares with `StatsReport` only
/// the catalogue's definitions, the Wilson formula, the fine schedule's arithmetic and
/// disclosure control — not the engine, its columns, filters, group-by or quantiles.
public enum FigureSQL {
    /// What is bound to the SQL's named parameters (`:name`), all computed in Swift from the
    /// period, the vintage, the as-of time and the settings; plus the lists written into the
    /// SQL as tables (categories of the record contract, age bands) and the zone's offsets.
    public struct Parameters: Sendable {
        /// `:vintage` — the batch whose records are read (revisions.md).
        public var vintage: Int
        /// `:first_day`, `:last_day` — the period's first and last local date, `YYYY-MM-DD`.
        public var period: Period
        /// `:as_of` — the as-of time, UTC microseconds since 1970-01-01T00:00Z.
        public var asOf: Int64
        /// `:deadline_micros` (deadline hours × 3.6e9), `:minor_age_limit`, the zone, the age bands.
        public var settings: Settings

        public init(vintage: Int, period: Period, asOf: Int64, settings: Settings) {
            self.vintage = vintage
            self.period = period
            self.asOf = asOf
            self.settings = settings
        }

        /// `:lookback_first_day` — the first day of the month before the period's first month
        /// (the fines' repeat rule looks one month back).
        public var lookbackFirstDay: Int {
            let m = period.months[0]
            return (m.month == 1 ? Period.month(m.year - 1, 12) : Period.month(m.year, m.month - 1)).first
        }

        public var bindings: [(name: String, value: FigureSQLValue)] {
            [("vintage", .int(Int64(vintage))),
             ("first_day", .text(CivilDate.isoString(days: period.first))),
             ("last_day", .text(CivilDate.isoString(days: period.last))),
             ("lookback_first_day", .text(CivilDate.isoString(days: lookbackFirstDay))),
             ("as_of", .int(asOf)),
             ("deadline_micros", .int(settings.deadlineMicros)),
             ("minor_age_limit", .int(Int64(settings.minorAgeLimit)))]
        }

        public func with(_ p: Period) -> Parameters {
            var c = self
            c.period = p
            return c
        }
    }

    /// The value lists a template may name, as `name(columns) AS (VALUES …)`.
    static func list(_ name: String, _ settings: Settings) -> (name: String, sql: String) {
        func keys(_ values: [String]) -> String {
            "VALUES " + values.enumerated().map { "(\($0.offset + 1), \(FigureSQLValue.text($0.element)))" }.joined(separator: ", ")
        }
        switch name {
        case "channels": return ("channels(ord, key)", keys(RecordSchema.channels))
        case "services": return ("services(ord, key)", keys(RecordSchema.services))
        case "offenses": return ("offenses(ord, key)", keys(RecordSchema.offenses))
        case "statement_categories": return ("statement_categories(ord, key)", keys(RecordSchema.statementCategories.sorted()))
        case "removed_visibilities":
            return ("removed_visibilities(key)", "VALUES ('DECISION_VISIBILITY_CONTENT_REMOVED'), ('DECISION_VISIBILITY_CONTENT_DISABLED')")
        // The sexual-abuse list of the settings (none: no rows, and the figure is not computable).
        case "dsa_abuse_categories", "dsa_abuse_keywords":
            let values = name == "dsa_abuse_categories" ? settings.sexualAbuse?.categories ?? [] : settings.sexualAbuse?.keywords ?? []
            return ("\(name)(key)", values.isEmpty ? "SELECT NULL WHERE 0" : "VALUES " + values.map { "(\(FigureSQLValue.text($0)))" }.joined(separator: ", "))
        case "age_bands":
            return ("age_bands(ord, label, lo, hi)", "VALUES " + settings.ageBands.enumerated().map { i, b in
                "(\(i + 1), \(FigureSQLValue.text(b.label)), \(b.lo), \(b.hi.map(String.init) ?? "NULL"))"
            }.joined(separator: ", "))
        default: preconditionFailure("figure SQL: no list '\(name)'")
        }
    }

    /// The query as one SQL statement in `dialect`, its parameters left as `:name`.
    public static func render(_ q: FigureQuery, settings: Settings, dialect: SQLDialect = SQLiteDialect()) -> String {
        var order: [String] = []
        func need(_ name: String) {
            guard !order.contains(name), let s = FigureQueries.shared[name] else { return }
            s.needs.forEach(need)
            order.append(name)
        }
        q.uses.forEach(need)
        // The lists first: shared expressions may read them (`decision_flags`).
        var ctes = q.lists.map { list($0, settings) }
        ctes += order.map { ($0, FigureQueries.shared[$0]!.sql) }
        ctes += q.ctes
        let body = ctes.map { "\($0.0) AS (\n  \($0.1.trimmed)\n)" }.joined(separator: ",\n") + "\n" + q.select.trimmed
        let usesLocalDate = body.contains("LOCAL_DATE(")
        let prelude = dialect.prelude(zone: settings.zone, usesLocalDate: usesLocalDate)
            .map { "\($0.name) AS (\n  \($0.sql)\n)" }
        let text = "WITH\n" + (prelude.isEmpty ? "" : prelude.joined(separator: ",\n") + ",\n") + body
        return DialectExpander.expand(text, dialect)
    }

    /// Any statement in `dialect` from common table expressions and a final SELECT that may
    /// call the dialect functions (`LOCAL_DATE` reads the zone's offsets): how other SQL of
    /// Tally (exports) says what the figures say, in the same words.
    public static func statement(ctes: [(name: String, sql: String)], select: String, zone: ZoneOffsets,
                                 dialect: SQLDialect = SQLiteDialect()) -> String {
        let body = ctes.map { "\($0.0) AS (\n  \($0.1.trimmed)\n)" }.joined(separator: ",\n")
        let prelude = dialect.prelude(zone: zone, usesLocalDate: (body + select).contains("LOCAL_DATE("))
            .map { "\($0.name) AS (\n  \($0.sql)\n)" }
        let all = prelude + (body.isEmpty ? [] : [body])
        return DialectExpander.expand((all.isEmpty ? "" : "WITH\n" + all.joined(separator: ",\n") + "\n") + select.trimmed, dialect)
    }

    /// The parameters of a period (`:first_day`, `:last_day`), for `FigureQueries.membership`.
    public static func periodBindings(_ p: Period) -> [(name: String, value: FigureSQLValue)] {
        [("first_day", .text(CivilDate.isoString(days: p.first))), ("last_day", .text(CivilDate.isoString(days: p.last)))]
    }

    /// What `tally figures --sql` prints: the query with a header saying what it computes and
    /// the parameter settings, runnable as is with `sqlite3 STORE < file`.
    public static func script(_ q: FigureQuery, parameters p: Parameters, dialect: SQLDialect = SQLiteDialect()) -> String {
        let ids = FigureCatalogue.entries.filter { $0.computation.query == q.name }
        var lines = ["-- Figure query \(q.name) (\(dialect.name)), period \(p.period.label), vintage batch \(p.vintage),",
                     "-- as of \(Timestamp.iso(micros: p.asOf, offsetSeconds: p.settings.zone.offset(atUTC: floorDiv(p.asOf, 1_000_000)))), "
                        + "time zone \(p.settings.timeZone), deadline \(p.settings.deadlineHours) h, minor age limit \(p.settings.minorAgeLimit).",
                     "-- Returns (id, value) rows for:"]
        for e in ids {
            lines.append("--   \(e.pattern)" + (e.computation.swiftStep.map { " (then in Swift: \($0))" } ?? ""))
        }
        return lines.joined(separator: "\n") + "\n" + dialect.parameterScript(p.bindings) + "\n"
            + render(q, settings: p.settings, dialect: dialect) + ";\n"
    }

    /// The figures one query returns for one period, typed by their catalogue entries; an
    /// id the catalogue lacks is an error (a query must not publish what is not defined).
    static func run(_ q: FigureQuery, _ p: Parameters, _ runner: FigureSQLRunner, dialect: SQLDialect = SQLiteDialect()) throws -> Figures {
        var f = Figures()
        for row in try runner.rows(render(q, settings: p.settings, dialect: dialect), p.bindings) {
            guard row.count == 2, case .text(let id) = row[0] else {
                throw FigureSQLError("query \(q.name) returned a row that is not (id, value)")
            }
            guard let entry = FigureCatalogue.lookup(id)?.entry else {
                throw FigureSQLError("query \(q.name) returned the id \(id), which the figure catalogue lacks")
            }
            f[id] = value(row[1], entry.kind)
        }
        return f
    }

    static func value(_ v: FigureSQLValue, _ kind: FigureKind) -> FigureValue {
        switch (v, kind) {
        case (.null, _): return .number(nil)
        case (.int(let x), .count), (.int(let x), .money), (.int(let x), .rank): return .count(Int(x))
        case (.double(let d), .count), (.double(let d), .money), (.double(let d), .rank):
            return d.isFinite && abs(d) < 9e18 ? .count(Int(d)) : .number(d)
        case (.int(let x), _): return .number(Double(x))
        case (.double(let d), _): return .number(d)
        case (.text(let s), _): return .notComputable("the SQL returned text '\(s)'")
        }
    }

    /// Every figure of the catalogue for `p`'s period, from figure SQL alone (plus the Swift
    /// steps the catalogue names): what `tally verify` compares a manifest with.
    /// `dialect`: the SQL the runner's engine speaks (SQLite for the store; Spark SQL for
    /// `--engine spark`).
    ///
    /// `only`: run just these queries (and the fines only when `fines.monthly` is among them),
    /// without comparisons unless `comparisons` — what a chart of monthly figures needs of
    /// each month it shows (`--engine spark`'s bulletin); nil: every figure.
    public static func recompute(_ p: Parameters, fines schedule: FineSchedule?, suppress: Bool,
                                 runner: FigureSQLRunner, dialect: SQLDialect = SQLiteDialect(),
                                 only: Set<String>? = nil, comparisons: Bool = true,
                                 decisions: Bool? = nil) throws -> RecomputedFigures {
        // Decisions' figures only when the store holds decisions at the vintage, as the
        // engine's report has them only then. Only the store (SQLite) is asked: Spark's path
        // reads the other three kinds, and its runners answer only the figure queries.
        // `decisions`: said by a caller that knows (the Spark engine, from the kinds it read).
        let hasDecisions = decisions ?? (!(dialect is SQLiteDialect) ? false : ((try? runner.rows(statement(ctes: [FigureQueries.atVintage(.decisions)],
                                                        select: "SELECT count(*) FROM (SELECT 1 FROM decisions_at_vintage LIMIT 1)",
                                                        zone: p.settings.zone, dialect: dialect),
                                              [("vintage", .int(Int64(p.vintage)))]))?.first?.first).map { $0 != .int(0) } ?? false)
        let decisionQueries = Set(FigureQueries.decisionQueries.map(\.name))
        let queries = Array(Set(FigureCatalogue.entries.compactMap { e -> String? in
            if case .sql(let q) = e.computation { return q } else { return nil }
        })).filter { (hasDecisions || !decisionQueries.contains($0)) && (only?.contains($0) ?? true) }.sorted()
        let comparisonQueries = Set(FigureCatalogue.entries.filter(\.comparisons).map(\.computation.query))

        /// All figures of the SQL queries for one period; a query that fails (say, a sum
        /// beyond 64 bits) makes its single figures not computable.
        func figures(_ p: Parameters, _ names: [String]) throws -> Figures {
            var f = Figures()
            for name in names {
                let q = FigureQueries.query(name)!
                do {
                    for (id, v) in try run(q, p, runner, dialect: dialect).items { f[id] = v }
                } catch let e as FigureSQLError {
                    throw e
                } catch {
                    for e in FigureCatalogue.entries where e.computation == .sql(name) && !e.isFamily {
                        f[e.pattern] = .notComputable("\(e.pattern): \(error)")
                    }
                }
            }
            return f
        }

        var current = try figures(p, queries)
        let platforms = current.ids.compactMap { FigureCatalogue.entry("platforms.<platform>.requests")!.match($0) }

        // Every platform with requests has every column (null: nothing to measure, say no removals).
        for e in FigureCatalogue.entries where e.isFamily && e.pattern.hasPrefix("platforms.<platform>.") {
            for k in platforms where current[e.id(k)] == nil { current[e.id(k)] = .number(nil) }
        }

        // Wilson intervals of SQL counts.
        for e in FigureCatalogue.entries {
            guard case .wilson(let s, let t, let less) = e.computation else { continue }
            let keys = e.isFamily ? platforms : [""]
            for k in keys {
                func n(_ pattern: String) -> Int {
                    let id = FigureCatalogue.entry(pattern).map { $0.id(k) } ?? pattern
                    return current[id]?.countValue ?? 0
                }
                current[e.id(k)] = .ci(wilson(n(s), n(t) - (less.map(n) ?? 0)))
            }
        }

        // Fines: the schedule applied per platform and month to the SQL's late and unresolved counts.
        if let schedule, only?.contains("fines.monthly") ?? true {
            let monthly = try runner.rows(render(FigureQueries.query("fines.monthly")!, settings: p.settings, dialect: dialect), p.bindings)
            var totalValue: FigureValue?
            var total = 0
            for name in platforms {
                let id = FigureCatalogue.entry("platforms.<platform>.fine_krw")!.id(name)
                switch Self.fine(name, monthly, p.period, schedule) {
                case .success(let krw): current[id] = .count(krw)
                case .failure(let why): current[id] = .notComputable(why.reason)
                }
            }
            // As the report sums them: the first platform whose fine is not computable, else overflow.
            for name in platforms where totalValue == nil {
                switch current["platforms.\(name).fine_krw"] {
                case .count(let krw)?:
                    let (sum, overflow) = total.addingReportingOverflow(krw)
                    if overflow { totalValue = .notComputable("the sum of the platforms' fines exceeds \(FigureFormat.thousands(Int.max)) KRW, the largest 64-bit integer") }
                    total = sum
                default: totalValue = .notComputable("the fine of platform \(name) is not computable")
                }
            }
            current["fines.total_krw"] = totalValue ?? .count(total)
        } else {
            current["fines.total_krw"] = .number(nil)
            for name in platforms { current["platforms.\(name).fine_krw"] = .number(nil) }
        }

        // Ranks.
        struct Row { var name: String; var due: Int; var compliance: Double?; var median: Double? }
        let rows = platforms.map { k in
            Row(name: k, due: current["platforms.\(k).due"]?.countValue ?? 0,
                compliance: current["platforms.\(k).compliance"]?.doubleValue, median: current["platforms.\(k).median_hours"]?.doubleValue)
        }
        let ranked = rows.filter { $0.due >= p.settings.minDue }.sorted { x, y in
            if x.compliance != y.compliance { return (x.compliance ?? -1) > (y.compliance ?? -1) }
            if x.median != y.median { return (x.median ?? .infinity) < (y.median ?? .infinity) }
            return x.name < y.name
        }
        for r in rows { current["platforms.\(r.name).rank"] = .number(nil) }
        for (i, r) in ranked.enumerated() { current["platforms.\(r.name).rank"] = .count(i + 1) }

        // Decisions: every platform with decisions has every column; without a sexual-abuse
        // list that figure is not computable (the SQL's list was empty); ranks in Swift.
        if hasDecisions {
            let totalEntry = FigureCatalogue.entry("decision_platforms.<platform>.total")!
            let names = current.ids.compactMap { totalEntry.match($0) }
            for e in FigureCatalogue.entries where e.isFamily && e.pattern.hasPrefix("decision_platforms.<platform>.") {
                for k in names where current[e.id(k)] == nil { current[e.id(k)] = .number(nil) }
            }
            if p.settings.sexualAbuse == nil {
                current["decisions.sexual_abuse"] = .notComputable(DecisionFigures.noListReason)
                for k in names { current["decision_platforms.\(k).sexual_abuse"] = .number(nil) }
            }
            let ranked = names.filter { (current["decision_platforms.\($0).total"]?.countValue ?? 0) >= p.settings.minDecisions }
                .map { ($0, current["decision_platforms.\($0).disclosure_delay_median_hours"]?.doubleValue) }
                .sorted { x, y in x.1 != y.1 ? (x.1 ?? .infinity) < (y.1 ?? .infinity) : x.0 < y.0 }
            for k in names { current["decision_platforms.\(k).rank"] = .number(nil) }
            for (i, r) in ranked.enumerated() { current["decision_platforms.\(r.0).rank"] = .count(i + 1) }
        }

        // Comparisons of a month's counts.
        var out = current
        var before = Figures(), toDate = Figures()
        if comparisons, let prev = p.period.previousMonth, let ytd = p.period.yearToDate {
            let names = queries.filter { comparisonQueries.contains($0) }
            before = try figures(p.with(prev), names)
            toDate = try figures(p.with(ytd), names)
            out = Figures()
            for (id, v) in current.items {
                out[id] = v
                guard FigureCatalogue.hasComparisons(id), case .count(let now) = v else { continue }
                let b = before[id]?.countValue ?? 0
                out[id + ".prev"] = .count(b)
                out[id + ".change_pct"] = .number(b == 0 ? nil : Double(now - b) / Double(b) * 100)
                out[id + ".ytd"] = .count(toDate[id]?.countValue ?? 0)
            }
        }

        // Disclosure control of victim breakdowns, after: per period, a change hidden when either side is.
        // The cells are the period's (a category only in a comparison period is not published).
        func hidden(_ f: Figures) -> Set<String> {
            var out = Set<String>()
            for e in FigureCatalogue.entries where e.suppression != .none {
                let ids = current.ids.filter { e.match($0) != nil }
                let cells = ids.map { f[$0]?.countValue ?? 0 }
                var groups: [[Int]] = []
                switch e.suppression {
                case .victimsSumToTotal: groups = [Array(ids.indices)]
                case .victimsNoSum: groups = []
                case .victimsAgeBands:
                    let bands = p.settings.ageBands
                    let minor = ids.indices.filter { i in
                        bands.first { e.id($0.label) == ids[i] }.map { ($0.hi ?? Int.max) <= p.settings.minorAgeLimit } ?? false
                    }
                    groups = [minor, ids.indices.filter { !minor.contains($0) }]
                case .none: break
                }
                for (id, h) in zip(ids, Disclosure.suppress(cells, groups: groups, threshold: p.settings.suppressBelow)) where h {
                    out.insert(id)
                }
            }
            return out
        }
        let now = hidden(current)
        var suppressed = now
        for id in hidden(before) { suppressed.insert(id + ".prev"); suppressed.insert(id + ".change_pct") }
        for id in hidden(toDate) { suppressed.insert(id + ".ytd") }
        for id in now { suppressed.insert(id + ".change_pct") }
        if suppress {
            for id in out.ids where suppressed.contains(id) { out[id] = .suppressed }
        }
        return RecomputedFigures(figures: out, suppressedIDs: suppressed)
    }

    /// A platform's fine for the period from the rows of `fines.monthly` (platform, month,
    /// in_period, late, unresolved), as `StatsReport.fine` defines it.
    static func fine(_ platform: String, _ rows: [[FigureSQLValue]], _ period: Period, _ s: FineSchedule) -> Result<Int, NotComputable> {
        func counts(_ month: String, inPeriodOnly: Bool) -> (late: Int, unresolved: Int) {
            var late = 0, unresolved = 0
            for r in rows where r.count == 5 && r[0] == .text(platform) && r[1] == .text(month) {
                if inPeriodOnly && r[2] != .int(1) { continue }
                if case .int(let l) = r[3] { late += Int(l) }
                if case .int(let u) = r[4] { unresolved += Int(u) }
            }
            return (late, unresolved)
        }
        func label(_ y: Int, _ m: Int) -> String { Period.month(y, m).label }
        var krw = 0
        for (y, m) in period.months {
            let c = counts(label(y, m), inPeriodOnly: true)
            let b = m == 1 ? counts(label(y - 1, 12), inPeriodOnly: false) : counts(label(y, m - 1), inPeriodOnly: false)
            guard let f = s.fine(late: c.late, unresolved: c.unresolved, previousViolations: b.late + b.unresolved) else {
                return .failure(NotComputable("the fine for \(label(y, m)) exceeds \(FigureFormat.thousands(Int.max)) KRW, the largest 64-bit integer (no monthly cap)"))
            }
            let (sum, overflow) = krw.addingReportingOverflow(f)
            if overflow { return .failure(NotComputable("the sum of the monthly fines exceeds \(FigureFormat.thousands(Int.max)) KRW, the largest 64-bit integer")) }
            krw = sum
        }
        return .success(krw)
    }
}

/// The figures recomputed from figure SQL: the report's metrics and the per-platform columns
/// as `platforms.NAME.COLUMN`, by id.
public struct RecomputedFigures: Sendable {
    public var figures: Figures
    public var suppressedIDs: Set<String>

    public init(figures: Figures, suppressedIDs: Set<String>) {
        self.figures = figures
        self.suppressedIDs = suppressedIDs
    }

    /// The value as a manifest and `--format json` give it (nil: no such figure).
    public func value(_ id: String) -> JSONValue? { figures[id]?.json }
}

public struct FigureSQLError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
