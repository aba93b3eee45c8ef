import Foundation
import TallyCharts
import TallyCore
import TallyEngine
import TallyMetrics
import TallyTime

/// The bulletin's Revisions section (revisions.md): the figures of earlier months that changed
/// since the previous bulletin, with old and new values and the batches that changed them.
///
/// The previous bulletin is the latest publication recorded in the store (any language) of a
/// period that ends before this one starts, at a vintage no later than this one. The months
/// compared are the twelve before the period. A figure's old value is the one that bulletin
/// printed or would have (its vintage, its as-of time); the new one is this bulletin's
/// (its vintage and as-of time). A month without records at the old vintage is new, not
/// revised, and is not listed.
public struct BulletinRevisions {
    public struct Row: Equatable {
        public var month: Period
        public var figure: String
        public var old: Double?
        public var new: Double?
        /// The batches after the previous bulletin's vintage that brought, changed or withdrew
        /// records of the month (empty: the figure moved with the as-of time alone).
        public var batches: [BatchNote]

        public init(month: Period, figure: String, old: Double?, new: Double?, batches: [BatchNote]) {
            self.month = month; self.figure = figure; self.old = old; self.new = new; self.batches = batches
        }
    }

    /// The figures compared (the headline counts and shares).
    public static let figures = Revisions.defaultFigures

    /// The previous bulletin (nil: none recorded in the store).
    public var previous: Publication?
    public var rows: [Row] = []
    /// Every batch between the two vintages.
    public var batchesBetween: [BatchNote] = []
    /// Comparison ids of this bulletin's tables whose value was published before and has
    /// changed (`victims.total.prev` when last month's count was revised): marked `r`.
    public var marked: Set<String> = []

    public init(previous: Publication?, rows: [Row] = [], batchesBetween: [BatchNote] = [], marked: Set<String> = []) {
        self.previous = previous; self.rows = rows; self.batchesBetween = batchesBetween; self.marked = marked
    }

    /// The previous bulletin of `period` at `vintage` among `publications`.
    public static func previous(of period: Period, vintage: Int, in publications: [Publication]) -> Publication? {
        publications.filter { p in
            guard let q = try? Period.parse(p.period) else { return false }
            return q.last < period.first && p.vintage <= vintage
        }.max { $0.id < $1.id }
    }

    /// The twelve months before `period`.
    package static func monthsBefore(_ period: Period) -> [Period] {
        var out: [Period] = []
        var (y, m) = period.months[0]
        for _ in 0..<12 {
            (y, m) = m == 1 ? (y - 1, 12) : (y, m - 1)
            out.insert(.month(y, m), at: 0)
        }
        return out
    }

}

extension Composer {
    /// The label of a compared figure.
    func revisionLabel(_ id: String) -> String {
        switch id {
        case "victims.total": return t("Victims who sought help", "도움을 요청한 피해자")
        case "victims.minors": return t("of whom minors", "그중 미성년자")
        case "victims.minors_share": return t("Share who were minors", "미성년자 비율")
        case "arrests.total": return t("Arrests", "검거")
        case "takedowns.requests": return t("Takedown requests", "삭제 요청")
        case "takedowns.due": return t("Requests due", "기한 도래 요청")
        case "takedowns.within_deadline": return t("Removed within the deadline", "기한 내 삭제")
        case "takedowns.compliance": return t("Compliance", "기한 내 삭제 비율")
        default: return id
        }
    }

    /// What changed a month's figures: each batch with its reason, or the files it loaded.
    func revisionReason(_ b: BatchNote) -> String {
        let files = b.files.joined(separator: ", ")
        if b.kind == "retract" {
            return t("batch \(b.batch): retraction", "적재 \(b.batch): 철회") + (b.reason.map { " — \($0)" } ?? "")
        }
        if let r = b.reason { return t("batch \(b.batch): correction — \(r)", "적재 \(b.batch): 정정 — \(r)") + (files.isEmpty ? "" : " (\(files))") }
        return t("batch \(b.batch): late or updated records", "적재 \(b.batch): 늦게 들어오거나 갱신된 기록") + (files.isEmpty ? "" : " (\(files))")
    }

    /// The Revisions section's content: a sentence, and the table of revised figures.
    func revisionsContent() -> (paragraphs: [String], tables: [DataTable]) {
        if revisions == nil, let e = engine {
            return ([t("These figures were computed by \(e.displayName) (master \(e.master)) from the input files listed above, not from a store: no earlier bulletin is recorded with them, so there are no revisions to list.",
                       "이 수치는 저장소가 아니라 위에 적은 입력 파일에서 \(e.displayName)(마스터 \(e.master))로 계산했습니다. 함께 기록된 이전 월보가 없어 밝힐 수정 사항이 없습니다.")], [])
        }
        guard let rev = revisions else { return ([], []) }
        guard let prev = rev.previous else {
            return ([t("No earlier bulletin is recorded in this store, so there are no revisions to list.",
                       "이 저장소에 기록된 이전 월보가 없어 밝힐 수정 사항이 없습니다.")], [])
        }
        let prevName = (try? Period.parse(prev.period)).map { words.name(of: $0) } ?? prev.period
        let since = t("since the bulletin of \(prevName) (data as known after batch \(prev.vintage))",
                      "\(prevName) 월보(적재 \(prev.vintage)까지의 자료) 이후")
        guard !rev.rows.isEmpty else {
            return ([t("No figures of earlier months were revised ", "이전 달의 수치 중 ") + since
                     + t(".", " 수정된 것이 없습니다.")], [])
        }
        var paragraphs = [t("Figures of earlier months revised ", "이전 달의 수치 중 ") + since + t(": published value, value now, and what changed them.",
                                                                                      " 수정된 수치: 발행 당시 값, 현재 값, 수정 원인.")]
        let reasons = rev.batchesBetween.compactMap { b -> String? in b.reason.map { _ in revisionReason(b) } }
        if !reasons.isEmpty { paragraphs.append(t("Reasons recorded with the loads since: ", "그 뒤 적재에 기록된 사유: ") + reasons.joined(separator: "; ") + ".") }
        let rows = rev.rows.map { r in
            [words.name(of: r.month), revisionLabel(r.figure), Revisions.text(r.figure, r.old), Revisions.text(r.figure, r.new),
             Revisions.revisionText(r.figure, r.old.flatMap { a in r.new.map { $0 - a } }),
             r.batches.isEmpty ? t("no record of the month changed; later as-of time", "달의 기록은 그대로이며 기준 시각이 늦어짐")
                 : r.batches.map(revisionReason).joined(separator: "; ")]
        }
        let table = DataTable(id: "revisions", title: t("Revised figures of earlier months", "이전 달의 수정된 수치"),
                              columns: [.init(header: t("Month", "월"), numeric: false), .init(header: t("Figure", "항목"), numeric: false, wrap: true),
                                        .init(header: t("Published", "발행 값"), numeric: true), .init(header: t("Now", "현재 값"), numeric: true),
                                        .init(header: t("Revision", "수정 폭"), numeric: true),
                                        .init(header: t("What changed it", "수정 원인"), numeric: false, wrap: true)],
                              rows: rows,
                              note: t("Revised cells are marked r in the tables above (previous month).", "위 표에서 수정된 칸(전월)은 r로 표시했습니다."))
        return (paragraphs, [table])
    }
}
