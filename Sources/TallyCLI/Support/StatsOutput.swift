import TallyCore
import TallyMetrics
import TallySpark
import TallyStore
import TallyTime

/// `tally stats` and `tally rank` as terminal text and spreadsheet-safe CSV.
enum StatsOutput {
    static func header(_ r: StatsReport, _ p: Provenance, store: String) -> String {
        let s = r.settings
        var lines = [
            "Period \(r.period.label) (\(CivilDate.isoString(days: r.period.first)) to \(CivilDate.isoString(days: r.period.last)))"
                + " · as of \(r.asOfText)" + (r.vintage.map { " · vintage \($0.text)" } ?? "") + " · time zone \(s.timeZone)",
            "Settings (\(s.source)): minor = under \(s.minorAgeLimit) · deadline \(s.deadlineHours) h · ranked from \(s.minDue) due requests · "
                + (r.suppressionApplied ? "victim breakdown cells of 1–\(s.suppressBelow - 1) shown as <\(s.suppressBelow)" : "NOT SUPPRESSED: raw counts, not for publication"),
        ]
        lines.append(finesLine(r))
        lines.append("Store \(store): \(p.batches) batch\(p.batches == 1 ? "" : "es"), \(p.files.count) file\(p.files.count == 1 ? "" : "s")")
        for f in p.files {
            lines.append("  \(f.path)  \(f.kind)  \(FigureFormat.thousands(f.loaded)) rows  sha256 \(f.sha256.prefix(16))…")
        }
        return lines.joined(separator: "\n")
    }

    /// The fine schedule the report applied, in one line.
    static func finesLine(_ r: StatsReport) -> String {
        guard let f = r.fines else { return "Fines: no fine schedule (give --fines FILE)" }
        return "Fines (\(f.source)): late \(FigureFormat.thousands(f.lateKRW)) KRW, unresolved \(FigureFormat.thousands(f.unresolvedKRW)) KRW"
            + (f.monthlyCapKRW.map { ", cap \(FigureFormat.thousands($0)) KRW a month" } ?? "")
            + (f.repeatMultiplier.map { ", ×\(FigureFormat.fixed($0, 1)) in repeat months" } ?? "")
            + (f.note.map { $0.uppercased().contains("ILLUSTRATIVE") ? " — illustrative schedule" : "" } ?? "")
    }

    /// The header of figures computed by Spark: the engine, its version and master, and each
    /// input file's counts (rows read, loaded, duplicates, quarantined, with the reasons).
    static func sparkHeader(_ r: StatsReport, _ run: SparkRun) -> String {
        let s = r.settings
        var lines = [
            "Period \(r.period.label) (\(CivilDate.isoString(days: r.period.first)) to \(CivilDate.isoString(days: r.period.last)))"
                + " · as of \(r.asOfText) · time zone \(s.timeZone)",
            "Settings (\(s.source)): minor = under \(s.minorAgeLimit) · deadline \(s.deadlineHours) h · ranked from \(s.minDue) due requests · "
                + (r.suppressionApplied ? "victim breakdown cells of 1–\(s.suppressBelow - 1) shown as <\(s.suppressBelow)" : "NOT SUPPRESSED: raw counts, not for publication"),
            finesLine(r),
            "Engine: Apache Spark \(run.sparkVersion), master \(run.master), \(FigureFormat.fixed(run.seconds, 1)) s; \(run.files.count) input file\(run.files.count == 1 ? "" : "s")",
        ]
        for f in run.files {
            if f.status == "rejected" {
                lines.append("  \(f.name)  rejected: \(f.error ?? "")")
                continue
            }
            lines.append("  \(f.name)  \(f.kind ?? "")  \(FigureFormat.thousands(f.rowsRead)) rows read: \(FigureFormat.thousands(f.loaded)) loaded, "
                         + "\(FigureFormat.thousands(f.updated)) updated, \(FigureFormat.thousands(f.duplicates)) duplicates, \(FigureFormat.thousands(f.quarantined)) quarantined")
            for q in f.quarantineReasons.prefix(5) { lines.append("    \(FigureFormat.thousands(q.rows)) × \(q.reason)") }
            if let n = f.applicationBeforeContent, n > 0 {
                lines.append("    \(FigureFormat.thousands(n)) decisions applied before the content's date (loaded, left out of the moderation delay)")
            }
        }
        if let q = run.quarantineOut { lines.append("Quarantined rows (JSON lines, written by Spark): \(q)") }
        return lines.joined(separator: "\n")
    }

    /// A JSON report with `engine`: which engine computed it (Spark's version and master) and
    /// the input files' counts (files by name only, and no quarantine path: outputs that may be
    /// published carry no folders).
    static func withEngine(_ json: JSONValue, _ run: SparkRun) -> JSONValue {
        guard case .object(var pairs) = json else { return json }
        pairs.append(("engine", .object([
            ("name", .string("spark")), ("spark_version", .string(run.sparkVersion)), ("master", .string(run.master)),
            ("files", .array(run.files.map(\.json))),
        ])))
        return .object(pairs)
    }

    static let comparisonSuffixes = [".prev", ".change_pct", ".ytd"]

    static func figuresText(_ r: StatsReport) -> String {
        let withComparisons = r.period.kind == .month
        var header = ["FIGURE", "VALUE"]
        if withComparisons { header += ["PREV MONTH", "CHANGE", "YEAR TO DATE"] }
        var rows: [[String]] = []
        var section = ""
        for (id, v) in r.metrics.items where !comparisonSuffixes.contains(where: { id.hasSuffix($0) }) {
            let top = String(id.prefix { $0 != "." })
            if top != section {
                if !section.isEmpty { rows.append([]) }
                section = top
            }
            var row = [id, FigureFormat.text(id, v)]
            if withComparisons, r.metrics[id + ".prev"] != nil {
                row += comparisonSuffixes.map { s in FigureFormat.text(id + s, r.metrics[id + s]!) }
            }
            rows.append(row)
        }
        return Format.table(header, rows, rightAligned: Set(1..<header.count))
    }

    static let platformHeader = ["RANK", "PLATFORM", "REQUESTS", "DUE", "WITHIN 24H", "COMPLIANCE", "95% CI",
                                 "MEDIAN", "P90", "OVERDUE", "REFUSED", "LATE", "UNRESOLVED", "FINE KRW"]

    static func platformRow(_ p: PlatformRow) -> [String] {
        let c = p.counts
        return [p.rank.map(String.init) ?? "–", p.platform, FigureFormat.thousands(c.requests), FigureFormat.thousands(c.due),
                FigureFormat.thousands(c.within), p.compliance.map(FigureFormat.percent) ?? "–",
                FigureFormat.text("x_ci95", .ci(p.complianceCI)),
                p.medianHours.map { FigureFormat.fixed($0, 1) + " h" } ?? "–", p.p90Hours.map { FigureFormat.fixed($0, 1) + " h" } ?? "–",
                FigureFormat.thousands(c.overdue), FigureFormat.thousands(c.refused), FigureFormat.thousands(c.late),
                FigureFormat.thousands(c.unresolved),
                p.fineNotComputable != nil ? "not computable" : p.fineKRW.map(FigureFormat.thousands) ?? "–"]
    }

    /// Ranked platforms first, by rank; then the unranked (too few due requests), by name.
    static func league(_ r: StatsReport) -> [PlatformRow] {
        r.rankedPlatforms + r.unrankedPlatforms
    }

    static func platformsText(_ r: StatsReport) -> String {
        let rows = league(r)
        var text = Format.table(platformHeader, rows.map(platformRow), rightAligned: Set([0] + Array(2..<platformHeader.count)))
        if rows.contains(where: { $0.rank == nil }) {
            text += "\n– not ranked: fewer than \(r.settings.minDue) due requests in the period"
        }
        for p in rows { if let why = p.fineNotComputable { text += "\nfine of \(p.platform) not computable: \(why)" } }
        return text
    }

    static let decisionHeader = ["RANK", "PLATFORM", "DECISIONS", "SEXUAL ABUSE", "AUTO DETECTED", "AUTO DECIDED",
                                 "MODERATION MEDIAN", "P90", "DISCLOSURE MEDIAN", "P90", "REMOVED"]

    static func decisionRow(_ p: DecisionPlatformRow) -> [String] {
        func days(_ d: Double?) -> String { d.map { FigureFormat.fixed($0, 1) + " d" } ?? "–" }
        func hours(_ h: Double?) -> String { h.map { FigureFormat.fixed($0, 1) + " h" } ?? "–" }
        func pct(_ s: Double?) -> String { s.map(FigureFormat.percent) ?? "–" }
        return [p.rank.map(String.init) ?? "–", p.platform, FigureFormat.thousands(p.total),
                p.sexualAbuse.map(FigureFormat.thousands) ?? "–", pct(p.automatedDetectionShare), pct(p.automatedDecisionShare),
                days(p.moderationMedianDays), days(p.moderationP90Days), hours(p.disclosureMedianHours), hours(p.disclosureP90Hours),
                pct(p.removedShare)]
    }

    /// The league table of decisions: ranked by disclosure delay, then the unranked.
    static func decisionsText(_ r: StatsReport) -> String {
        let rows = StatsReport.decisionLeague(r.decisionPlatforms ?? [])
        var text = Format.table(decisionHeader, rows.map(decisionRow), rightAligned: Set([0] + Array(2..<decisionHeader.count)))
        if rows.contains(where: { $0.rank == nil }) {
            text += "\n– not ranked: fewer than \(r.settings.minDecisions) decisions in the period"
        }
        text += "\nRanked by the median hours from the application of a decision (its date, midnight UTC) to its statement's arrival in the database."
        return text
    }

    /// `id,value` rows: every figure, then every platform column as `platforms.NAME.COLUMN`
    /// (and, with decisions, `decision_platforms.NAME.COLUMN`).
    /// Values as in the JSON (shares as fractions); text cells made safe for spreadsheets.
    static func csv(_ r: StatsReport) -> String {
        var lines = ["id,value"]
        func plain(_ v: JSONValue) -> String {
            switch v {
            case .array(let a): return a.map { plain($0) }.joined(separator: " ")
            case .string(let s): return s
            default: return v.rendered(pretty: false)
            }
        }
        lines.append("period," + CSVField.text(r.period.label))
        lines.append("as_of," + CSVField.text(r.asOfText))
        lines.append("time_zone," + CSVField.text(r.settings.timeZone))
        for (id, v) in r.metrics.items { lines.append(CSVField.text(id) + "," + CSVField.text(plain(v.json))) }
        for p in league(r) {
            guard case .object(let pairs) = p.json else { continue }
            for (k, v) in pairs where k != "platform" {
                lines.append(CSVField.text("platforms.\(p.platform).\(k)") + "," + CSVField.text(plain(v)))
            }
        }
        for p in StatsReport.decisionLeague(r.decisionPlatforms ?? []) {
            guard case .object(let pairs) = p.json else { continue }
            for (k, v) in pairs where k != "platform" {
                lines.append(CSVField.text("decision_platforms.\(p.platform).\(k)") + "," + CSVField.text(plain(v)))
            }
        }
        for (id, reason) in r.notComputable { lines.append(CSVField.text("not_computable." + id) + "," + CSVField.text(reason)) }
        return lines.joined(separator: "\n")
    }
}
