import TallyCharts
import TallyCore
import TallyMetrics
import TallyTime

/// A table of the bulletin: printed (splitting across pages with its header repeated) and
/// written as CSV.
struct DataTable {
    struct Column {
        var header: String
        var numeric: Bool
        /// Text that may wrap inside the cell (names, definitions, hashes).
        var wrap: Bool = false
    }
    var id: String
    var title: String
    var columns: [Column]
    var rows: [[String]]
    var note: String?
}

struct TileContent {
    var label: String
    var value: String
    var detail: String
}

/// What the pages are made of, in reading order.
enum Block {
    case heading(String, anchor: String, newPage: Bool)
    case paragraph(String)
    case bullets([String])
    case tiles([TileContent])
    case table(DataTable)
    case chart(Chart, name: String)
    case note(String)
}

/// The words of the bulletin for one language, and the period's names.
struct Words {
    let lang: Language
    let report: StatsReport
    let publicationDate: String

    static let monthsEN = CivilDate.monthNames

    func t(_ en: String, _ ko: String) -> String { lang == .ko ? ko : en }

    func name(of p: Period) -> String {
        let a = CivilDate.civil(days: p.first), b = CivilDate.civil(days: p.last)
        switch p.kind {
        case .month: return t("\(Self.monthsEN[a.month - 1]) \(a.year)", "\(a.year)년 \(a.month)월")
        case .quarter: return t("Q\((a.month - 1) / 3 + 1) \(a.year)", "\(a.year)년 \((a.month - 1) / 3 + 1)분기")
        case .year: return t("\(a.year)", "\(a.year)년")
        case .range:
            _ = b
            return t(CivilDate.isoString(days: p.first) + " to " + CivilDate.isoString(days: p.last),
                     CivilDate.isoString(days: p.first) + "~" + CivilDate.isoString(days: p.last))
        }
    }

    var periodName: String { name(of: report.period) }
    var previousName: String? { report.period.previousMonth.map { name(of: $0) } }

    /// `2025-01-03T22:53:52+09:00` → `2025-01-03 22:53 (UTC+09:00)`.
    var asOf: String {
        let s = report.asOfText
        guard s.count >= 16 else { return s }
        let date = s.prefix(10), time = s.dropFirst(11).prefix(5)
        var offset = String(s.dropFirst(19))
        if offset.hasPrefix(".") { offset = String(offset.drop { $0 != "+" && $0 != "-" && $0 != "Z" }) }
        return "\(date) \(time) (\(report.settings.timeZone), UTC\(offset == "Z" ? "" : offset))"
    }
}

/// Builds the blocks of the bulletin from the report, the spec and the store's provenance;
/// every figure printed goes through the ledger.
struct Composer {
    let spec: BulletinSpec
    let words: Words
    let context: ChartContext
    let provenance: Provenance
    let ledger: Ledger
    let pdfTheme: Theme
    /// Revised figures since the previous bulletin (nil: not computed, no store).
    var revisions: BulletinRevisions? = nil
    /// The engine that computed the figures, when not Tally's own over a store.
    var engine: BulletinEngine? = nil

    var report: StatsReport { words.report }
    var lang: Language { words.lang }
    func t(_ en: String, _ ko: String) -> String { words.t(en, ko) }

    /// Fills a text's placeholders; nil when a figure it names is missing (e.g. a change on
    /// the previous month in a quarter's bulletin).
    func fill(_ text: Localized) -> String? {
        // Only a text whose every figure exists is printed, and only then are its figures recorded.
        guard fill(text, record: false) != nil else { return nil }
        return fill(text, record: true)
    }

    func fill(_ text: Localized, record: Bool) -> String? {
        let s = report.settings
        return Template.fill(text.text(lang)) { name in
            switch name {
            case "period": return report.period.label
            case "period_name": return words.periodName
            case "previous_period_name": return words.previousName
            case "as_of": return words.asOf
            case "publication_date": return words.publicationDate
            case "deadline_hours": return String(s.deadlineHours)
            case "min_due": return String(s.minDue)
            case "minor_age_limit": return String(s.minorAgeLimit)
            case "suppress_below": return String(s.suppressBelow)
            case "time_zone": return s.timeZone
            case "year": return String(CivilDate.civil(days: report.period.last).year)
            case "min_decisions": return String(s.minDecisions)
            default: return record ? ledger.use(name) : ledger.source.text(name)
            }
        }
    }

    /// The blocks, and the tables (also written as CSV).
    func compose() throws -> (blocks: [Block], tables: [DataTable], charts: [(ChartSpec, Chart)]) {
        var blocks: [Block] = []
        var tables: [DataTable] = []
        var charts: [(ChartSpec, Chart)] = []
        var tableNumber = 0
        for section in spec.sections {
            blocks.append(.heading(fill(section.title) ?? section.title.text(lang), anchor: section.id, newPage: section.newPage))
            if let text = section.text {
                for para in (fill(text) ?? "").split(separator: "\n", omittingEmptySubsequences: true) {
                    blocks.append(.paragraph(String(para)))
                }
            }
            if !section.tiles.isEmpty { blocks.append(.tiles(section.tiles.compactMap(tile))) }
            let points = section.points.compactMap { p in fill(p.text) ?? p.otherwise.flatMap(fill) }
            if !points.isEmpty { blocks.append(.bullets(points)) }
            for spec in section.charts {
                let chart = try ChartBuilder.chart(spec, context, lang: lang, theme: pdfTheme)
                charts.append((spec, chart))
                blocks.append(.chart(chart, name: spec.name))
            }
            var sectionTables = try section.tables.map(table)
            switch section.content {
            case .methodology?: sectionTables += methodology()
            case .provenance?: sectionTables.append(sources())
            case .revisions?:
                let (paragraphs, revised) = revisionsContent()
                blocks += paragraphs.map { .paragraph($0) }
                sectionTables += revised
            case nil: break
            }
            for var table in sectionTables {
                tableNumber += 1
                table.title = t("Table \(tableNumber). ", "표 \(tableNumber). ") + table.title
                tables.append(table)
                blocks.append(.table(table))
            }
            if let after = section.after, let text = fill(after) {
                for para in text.split(separator: "\n", omittingEmptySubsequences: true) { blocks.append(.paragraph(String(para))) }
            }
        }
        return (blocks, tables, charts)
    }

    func tile(_ tile: BulletinSpec.Tile) -> TileContent? {
        guard let value = ledger.use(tile.figure) else { return nil }
        var details: [String] = []
        if report.metrics[tile.figure + ".change_pct"] != nil, let change = ledger.use(tile.figure + ".change_pct"),
           let prev = ledger.use(tile.figure + ".prev"), let ytd = ledger.use(tile.figure + ".ytd") {
            details.append(t("\(change) on \(words.previousName ?? "") (\(prev))", "\(words.previousName ?? "") \(prev) 대비 \(change)"))
            details.append(t("Year to date: \(ytd)", "연간 누계 \(ytd)"))
        } else if report.metrics[tile.figure + "_ci95"] != nil, let ci = ledger.use(tile.figure + "_ci95") {
            details.append(t("95% CI \(ci)", "95% 신뢰구간 \(ci)"))
        }
        return TileContent(label: fill(tile.label) ?? tile.label.text(lang), value: value, detail: details.joined(separator: "\n"))
    }

    var isMonth: Bool { report.period.previousMonth != nil }

    /// Category | period | previous month | change | year to date (the last three for a month).
    func comparisonColumns(_ first: String) -> [DataTable.Column] {
        var c = [DataTable.Column(header: first, numeric: false, wrap: true), .init(header: words.periodName, numeric: true)]
        if isMonth {
            c += [.init(header: t("Previous month", "전월"), numeric: true), .init(header: t("Change", "증감률"), numeric: true),
                  .init(header: t("Year to date", "연간 누계"), numeric: true)]
        }
        return c
    }

    func comparisonRow(_ label: String, _ id: String) -> [String] {
        var row = [label, ledger.use(id) ?? "–"]
        if isMonth {
            // `r`: a value published before that has been revised since (ONS convention).
            row += [".prev", ".change_pct", ".ytd"].map { (ledger.use(id + $0) ?? "–") + (revisions?.marked.contains(id + $0) == true ? " r" : "") }
        }
        return row
    }

    /// The breakdown ids with `prefix` in the report's order (without comparison suffixes).
    func breakdown(_ prefix: String) -> [(key: String, id: String)] {
        report.metrics.ids.filter { $0.hasPrefix(prefix) && FigureCatalogue.lookup($0)?.comparison == nil }
            .map { (String($0.dropFirst(prefix.count)), $0) }
    }

    var suppressionNote: String {
        t("Cells from 1 to \(report.settings.suppressBelow - 1) are shown as <5, and a second cell is hidden where the first could be worked out from a total (disclosure control).",
          "1~\(report.settings.suppressBelow - 1)인 칸은 <5로 표시하고, 합계로 역산할 수 있으면 다른 칸도 가립니다 (공개 통제).")
    }

    func table(_ id: String) throws -> DataTable {
        switch id {
        case "headline":
            let ids = ["victims.total", "victims.minors", "arrests.total", "takedowns.requests", "takedowns.due",
                       "takedowns.within_deadline", "takedowns.late", "takedowns.overdue", "takedowns.refused"]
            let labels = [t("Victims who sought help", "도움을 요청한 피해자"), t("of whom minors", "그중 미성년자"),
                          t("Arrests", "검거"), t("Takedown requests", "삭제 요청"), t("Requests due", "기한 도래 요청"),
                          t("Removed within the deadline", "기한 내 삭제"), t("Removed late", "기한 후 삭제"),
                          t("Overdue (still online)", "기한 초과 미처리"), t("Refused", "거부")]
            let revised = ids.contains { revisions?.marked.contains($0 + ".prev") == true }
            return DataTable(id: id, title: t("Headline figures", "주요 수치"), columns: comparisonColumns(t("Figure", "항목")),
                             rows: zip(labels, ids).map { comparisonRow($0, $1) },
                             note: revised ? t("r: revised since the previous bulletin (see Revisions).", "r: 이전 월보 이후 수정됨 (수정 안내 참조).") : nil)
        case "victims.by_channel", "victims.by_service", "victims.by_age_band", "victims.by_region",
             "arrests.by_offense", "arrests.by_agency":
            let titles: [String: (String, String, String, String)] = [
                "victims.by_channel": ("Victims by channel of first contact", "첫 연락 경로별 피해자", "Channel", "경로"),
                "victims.by_service": ("Victims by service received", "받은 지원별 피해자", "Service", "지원"),
                "victims.by_age_band": ("Victims by age", "나이대별 피해자", "Age", "나이"),
                "victims.by_region": ("Victims by region", "지역별 피해자", "Region", "지역"),
                "arrests.by_offense": ("Arrests by offense", "범죄 유형별 검거", "Offense", "범죄 유형"),
                "arrests.by_agency": ("Arrests by police agency", "경찰청별 검거", "Agency", "경찰청"),
            ]
            let (en, ko, colEN, colKO) = titles[id]!
            let rows = breakdown(id + ".").map { comparisonRow(id == "victims.by_age_band" ? $0.key : Definitions.name($0.key, lang), $0.id) }
            var note: String?
            if id.hasPrefix("victims.") { note = suppressionNote }
            if id == "victims.by_service" {
                note = t("A victim may receive several services, so the rows do not add up to the total. ", "한 피해자가 여러 지원을 받을 수 있어 합계와 맞지 않습니다. ") + suppressionNote
            }
            return DataTable(id: id, title: t(en, ko), columns: comparisonColumns(t(colEN, colKO)), rows: rows, note: note)
        case "platforms.league":
            let columns: [DataTable.Column] = [
                .init(header: t("Rank", "순위"), numeric: true), .init(header: t("Platform", "플랫폼"), numeric: false, wrap: true),
                .init(header: t("Requests", "요청"), numeric: true), .init(header: t("Due", "기한 도래"), numeric: true),
                .init(header: t("Within \(report.settings.deadlineHours) h", "\(report.settings.deadlineHours)시간 내"), numeric: true),
                .init(header: t("Compliance", "준수율"), numeric: true), .init(header: t("95% CI", "95% 신뢰구간"), numeric: true),
                .init(header: t("Median", "중앙값"), numeric: true), .init(header: t("P90", "90%"), numeric: true),
            ]
            let rows = orderedPlatforms.map { r in
                let p = "platforms.\(r.platform)."
                return [ledger.use(p + "rank") ?? "–", r.platform] + ["requests", "due", "within_deadline", "compliance", "compliance_ci95", "median_hours", "p90_hours"]
                    .map { ledger.use(p + $0) ?? "–" }
            }
            return DataTable(id: id, title: t("Platform league: removal within the deadline", "플랫폼 순위: 기한 내 삭제"),
                             columns: columns, rows: rows,
                             note: t("Ranked: platforms with at least \(report.settings.minDue) due requests, by compliance, then median hours, then name; – not ranked. Hours from request to removal.",
                                     "기한 도래 요청 \(report.settings.minDue)건 이상인 플랫폼만 준수율, 중앙값 시간, 이름 순으로 순위를 매깁니다 (–: 순위 없음). 시간은 요청부터 삭제까지."))
        case "platforms.violations":
            let columns: [DataTable.Column] = [
                .init(header: t("Platform", "플랫폼"), numeric: false, wrap: true),
                .init(header: t("Overdue", "기한 초과 미처리"), numeric: true), .init(header: t("Refused", "거부"), numeric: true),
                .init(header: t("Late", "지연 삭제"), numeric: true), .init(header: t("Unresolved", "미해결"), numeric: true),
                .init(header: t("Fine (KRW)", "과징금 (원)"), numeric: true),
            ]
            let rows = orderedPlatforms.map { r in
                [r.platform] + ["overdue", "refused", "late", "unresolved", "fine_krw"].map { ledger.use("platforms.\(r.platform).\($0)") ?? "–" }
            }
            var note = t("Fines are computed with an ILLUSTRATIVE schedule, not the regulator's.", "과징금은 규제기관의 기준이 아닌 예시 기준으로 계산했습니다.")
            if report.fines == nil { note = t("No fine schedule was given.", "과징금 기준이 주어지지 않았습니다.") }
            return DataTable(id: id, title: t("Violations and fines by platform", "플랫폼별 위반과 과징금"), columns: columns, rows: rows, note: note)
        case "decisions.headline":
            let ids = ["decisions.total", "decisions.sexual_abuse", "decisions.by_ground.illegal", "decisions.by_ground.incompatible"]
            let labels = [t("Statements of reasons (decisions)", "조치 결정(이유 설명서)"), t("of which sexual abuse", "그중 성적 학대 관련"),
                          t("Ground: illegal content", "근거: 불법 콘텐츠"), t("Ground: incompatible with the terms", "근거: 약관 위반")]
            var rows = zip(labels, ids).map { comparisonRow($0, $1) }
            let others = [("decisions.automated_detection_share", t("Detected by automated means", "자동 탐지")),
                          ("decisions.automated_decision_share", t("Decided fully or partly by automated means", "완전·부분 자동화 결정")),
                          ("decisions.removed_share", t("Content removed or disabled", "콘텐츠 삭제·차단")),
                          ("decisions.moderation_delay_median_days", t("Moderation delay, median", "조치 지연 중앙값")),
                          ("decisions.moderation_delay_p90_days", t("Moderation delay, 90th percentile", "조치 지연 90번째 백분위수")),
                          ("decisions.disclosure_delay_median_hours", t("Disclosure delay, median", "보고 지연 중앙값")),
                          ("decisions.disclosure_delay_p90_hours", t("Disclosure delay, 90th percentile", "보고 지연 90번째 백분위수"))]
            rows += others.map { id, label in [label, ledger.use(id) ?? "–"] + (isMonth ? ["", "", ""] : []) }
            return DataTable(id: id, title: t("Moderation decisions: headline figures", "플랫폼 조치 결정: 주요 수치"),
                             columns: comparisonColumns(t("Figure", "항목")), rows: rows,
                             note: t("Shares and delays have no comparisons (counts only).", "비율과 지연에는 비교가 없습니다 (건수만)."))
        case "decisions.by_category":
            let rows = breakdown("decisions.by_category.").filter { (report.metrics[$0.id]?.countValue ?? 0) > 0 || (report.metrics[$0.id + ".ytd"]?.countValue ?? 0) > 0 }
                .map { comparisonRow($0.key, $0.id) }
            return DataTable(id: id, title: t("Decisions by category", "범주별 조치 결정"), columns: comparisonColumns(t("Category", "범주")), rows: rows,
                             note: t("Categories of the DSA Transparency Database (STATEMENT_CATEGORY_…, v1 and v2); categories without decisions this year are left out.",
                                     "DSA 투명성 데이터베이스의 범주 (STATEMENT_CATEGORY_…, v1·v2); 올해 결정이 없는 범주는 뺐습니다."))
        case "decision_platforms.league":
            let columns: [DataTable.Column] = [
                .init(header: t("Rank", "순위"), numeric: true), .init(header: t("Platform", "플랫폼"), numeric: false, wrap: true),
                .init(header: t("Decisions", "결정"), numeric: true), .init(header: t("Sexual abuse", "성적 학대"), numeric: true),
                .init(header: t("Automated", "자동화"), numeric: true), .init(header: t("Removed", "삭제·차단"), numeric: true),
                .init(header: t("Disclosure (median)", "보고 지연 (중앙값)"), numeric: true),
                .init(header: t("Moderation (median)", "조치 지연 (중앙값)"), numeric: true),
            ]
            let rows = StatsReport.decisionLeague(report.decisionPlatforms ?? []).map { r in
                let p = "decision_platforms.\(r.platform)."
                return [ledger.use(p + "rank") ?? "–", r.platform] + ["total", "sexual_abuse", "automated_decision_share", "removed_share",
                                                                      "disclosure_delay_median_hours", "moderation_delay_median_days"]
                    .map { ledger.use(p + $0) ?? "–" }
            }
            return DataTable(id: id, title: t("Platform league: how fast platforms report their decisions", "플랫폼 순위: 조치 결정의 보고 속도"),
                             columns: columns, rows: rows,
                             note: t("Ranked: platforms with at least \(report.settings.minDecisions) decisions in the period, by median disclosure delay (application to the database), then name; – not ranked. Automated: decisions taken fully or partly by automated means.",
                                     "기간 중 결정이 \(report.settings.minDecisions)건 이상인 플랫폼만 보고 지연 중앙값(적용부터 데이터베이스 등록까지), 이름 순으로 순위를 매깁니다 (–: 순위 없음). 자동화: 완전 또는 부분 자동화 결정의 비율."))
        default:
            throw BulletinError("unknown table '\(id)'")
        }
    }

    /// Ranked platforms in rank order, then the others by name.
    var orderedPlatforms: [PlatformRow] {
        report.rankedPlatforms
            + report.platforms.filter { $0.rank == nil }.sorted { $0.platform < $1.platform }
    }

    /// Definitions of the figures printed so far (by base id), and the settings.
    func methodology() -> [DataTable] {
        var bases: [String] = []
        var entries: [String: FigureEntry] = [:]
        for id in ledger.ids {
            guard let e = FigureCatalogue.lookup(id)?.entry else { continue }
            if !bases.contains(e.shortName) { bases.append(e.shortName) }
            entries[e.shortName] = e
        }
        let groups = ["victims.", "arrests.", "takedowns.", "fines.", "platforms.", "decisions.", "decision_platforms."]
        let group = { (id: String) in groups.firstIndex { id.hasPrefix($0) } ?? groups.count }
        bases = bases.enumerated().sorted { (group($0.element), $0.offset) < (group($1.element), $1.offset) }.map(\.element)
        let defs = DataTable(id: "definitions", title: t("Definitions of the figures", "수치의 정의"),
                             columns: [.init(header: t("Figure id", "수치 id"), numeric: false, wrap: true),
                                       .init(header: t("Definition", "정의"), numeric: false, wrap: true)],
                             rows: bases.map { [$0, lang == .ko ? entries[$0]!.ko : entries[$0]!.en] },
                             note: t("For a month, each count also has .prev (previous month), .change_pct (percent change) and .ytd (January to the month).",
                                     "월 단위에서는 각 건수에 .prev(전월), .change_pct(증감률), .ytd(1월부터 누계)가 붙습니다."))
        let s = report.settings
        var rows: [[String]] = [
            [t("Period", "기간"), "\(words.periodName) (\(report.period.label))"],
            [t("As of", "기준 시각"), words.asOf],
            [t("Reporting time zone", "기준 시간대"), s.timeZone],
            [t("Minor age limit", "미성년 기준"), t("under \(s.minorAgeLimit)", "\(s.minorAgeLimit)세 미만")],
            [t("Takedown deadline", "삭제 기한"), t("\(s.deadlineHours) hours", "\(s.deadlineHours)시간")],
            [t("Ranked from (min_due)", "순위 기준 (min_due)"), t("\(s.minDue) due requests", "기한 도래 요청 \(s.minDue)건")],
            [t("Disclosure control", "공개 통제"), t("cells of 1–\(s.suppressBelow - 1) shown as <5", "1~\(s.suppressBelow - 1)은 <5로 표시")],
            [t("Settings file", "설정 파일"), Provenance.fileName(s.source)],
        ]
        if report.decisionPlatforms != nil {
            // Decisions' figures depend on these too (decisions.md).
            rows.append([t("Decisions ranked from (min_decisions)", "조치 결정 순위 기준 (min_decisions)"),
                         t("\(s.minDecisions) decisions", "결정 \(s.minDecisions)건")])
            rows.append([t("Sexual-abuse list (dsa_sexual_abuse)", "성적 학대 목록 (dsa_sexual_abuse)"),
                         s.sexualAbuse.map { Provenance.fileName($0.source) + ": " + ($0.categories + $0.keywords).joined(separator: ", ") }
                            ?? t("none: decisions.sexual_abuse not computable", "없음: decisions.sexual_abuse 계산 불가")])
        }
        if let f = report.fines {
            var schedule = t("late \(FigureFormat.thousands(f.lateKRW)) KRW, unresolved \(FigureFormat.thousands(f.unresolvedKRW)) KRW per request",
                             "지연 건당 \(FigureFormat.thousands(f.lateKRW))원, 미해결 건당 \(FigureFormat.thousands(f.unresolvedKRW))원")
            if let cap = f.monthlyCapKRW { schedule += t(", capped at \(FigureFormat.thousands(cap)) KRW a month", ", 월 상한 \(FigureFormat.thousands(cap))원") }
            if let m = f.repeatMultiplier {
                schedule += t(", ×\(FigureFormat.fixed(m, 1)) after a month with \(f.repeatAfterViolations)+ violations",
                              ", 전월 위반 \(f.repeatAfterViolations)건 이상이면 ×\(FigureFormat.fixed(m, 1))")
            }
            rows.append([t("Fine schedule (ILLUSTRATIVE)", "과징금 기준 (예시)"), schedule + " — " + Provenance.fileName(f.source)])
        } else {
            rows.append([t("Fine schedule", "과징금 기준"), t("none", "없음")])
        }
        let settings = DataTable(id: "settings", title: t("Settings the figures depend on", "수치가 의존하는 설정"),
                                 columns: [.init(header: t("Setting", "설정"), numeric: false, wrap: true),
                                           .init(header: t("Value", "값"), numeric: false, wrap: true)],
                                 rows: rows, note: nil)
        return [defs, settings]
    }

    /// Input files with SHA-256 and row counts.
    func sources() -> DataTable {
        let rows = provenance.files.map { f in
            [f.name, f.kind, FigureFormat.thousands(f.rowsRead), FigureFormat.thousands(f.loaded), FigureFormat.thousands(f.duplicates),
             FigureFormat.thousands(f.quarantined), f.sha256]
        }
        let quarantined = provenance.files.reduce(0) { $0 + $1.quarantined }
        let updated = provenance.files.reduce(0) { $0 + $1.updated }, corrected = provenance.files.reduce(0) { $0 + $1.corrected }
        return DataTable(id: "sources", title: t("Input files", "입력 파일"),
                         columns: [.init(header: t("File", "파일"), numeric: false, wrap: true), .init(header: t("Kind", "종류"), numeric: false),
                                   .init(header: t("Rows read", "읽은 행"), numeric: true), .init(header: t("Loaded", "적재"), numeric: true),
                                   .init(header: t("Duplicates", "중복"), numeric: true), .init(header: t("Quarantined", "격리"), numeric: true),
                                   .init(header: "SHA-256", numeric: false, wrap: true)],
                         rows: rows,
                         note: engine.map { e in
                             t("Read by \(e.displayName) (master \(e.master)) as one batch; \(FigureFormat.thousands(updated)) update(s) of earlier records; \(FigureFormat.thousands(quarantined)) row(s) quarantined (not in the figures, written by Spark as JSON lines with their reasons).",
                               "\(e.displayName)(마스터 \(e.master))가 한 번에 읽음, 기존 기록의 갱신 \(FigureFormat.thousands(updated))건, 격리된 행 \(FigureFormat.thousands(quarantined))개 (수치에 들어가지 않음, Spark가 사유와 함께 JSON 행으로 기록).")
                         } ?? t("\(provenance.batches) load batch(es); \(FigureFormat.thousands(updated)) update(s) and \(FigureFormat.thousands(corrected)) correction(s) of earlier records; \(FigureFormat.thousands(quarantined)) row(s) quarantined (not loaded, listed by `tally quarantine`).",
                                 "적재 \(provenance.batches)회, 기존 기록의 갱신 \(FigureFormat.thousands(updated))건·정정 \(FigureFormat.thousands(corrected))건, 격리된 행 \(FigureFormat.thousands(quarantined))개 (적재되지 않음, `tally quarantine`으로 확인)."))
    }
}

public struct BulletinError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
