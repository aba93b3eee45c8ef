import Foundation
import TallyCore

/// What a figure's value is, which decides how it reads and whether it gets comparisons.
public enum FigureKind: String, Sendable, CaseIterable {
    /// A number of records (victims, arrests, requests); integer.
    case count
    /// A fraction in [0, 1] (JSON), a percent for people; null when its denominator is 0.
    case share
    /// A Wilson score interval `[low, high]` of a share.
    case interval
    /// A duration in hours; null when there is nothing to measure.
    case hours
    /// An amount of Korean won; integer.
    case money
    /// A rank among platforms (1 is best); integer or null.
    case rank
    /// A duration in days (decisions' moderation delay); null when there is nothing to measure.
    case days
}

/// Which disclosure control (metrics.md) applies to a figure's published value.
public enum Suppression: String, Sendable {
    /// Never suppressed (totals, headline figures, takedowns, arrests).
    case none
    /// A victim breakdown whose cells sum to the published total: cells 1–4 hidden, and a
    /// second cell of the family when one alone is hidden.
    case victimsSumToTotal
    /// A victim breakdown with no published sum (a victim may count in several cells).
    case victimsNoSum
    /// Victims by age band: the minor bands sum to `victims.minors`, the others to the known
    /// ages minus the minors; each group gets a second cell when one alone is hidden.
    case victimsAgeBands
}

/// How a figure is computed from the records. Every figure is either read from the rows of one
/// of the catalogue's SQL queries (`FigureQueries`), or computed in Swift from figures those
/// queries return (Wilson intervals, fines, ranks): nothing else stands between the records
/// and a figure.
public enum Computation: Sendable, Equatable {
    /// The query (by name) returns `(id, value)` rows, one of which is this figure.
    case sql(String)
    /// Wilson score interval (z = 1.959964) of `successes` out of `trials − less`, ids whose
    /// `<…>` placeholders take the figure's own (computed in Swift from SQL counts).
    case wilson(successes: String, trials: String, less: String?)
    /// A platform's fine: the fine schedule applied per calendar month to the late and
    /// unresolved counts the query `fines.monthly` returns (Swift).
    case fine
    /// The sum of the platforms' fines (Swift).
    case sumOfFines
    /// Rank among platforms with at least `min_due` due requests: compliance descending,
    /// median hours ascending, name (Swift, from SQL figures).
    case rank
    /// Rank among platforms with at least `min_decisions` decisions: disclosure delay median
    /// ascending, name (Swift, from SQL figures; decisions.md).
    case decisionRank

    /// The SQL query the figure's inputs come from.
    public var query: String {
        switch self {
        case .sql(let q): return q
        case .wilson(let s, _, _):
            // The query of the counts it is computed from.
            return (FigureCatalogue.entry(s) ?? FigureCatalogue.lookup(s)?.entry).map(\.computation.query) ?? ""
        case .fine, .sumOfFines: return "fines.monthly"
        case .rank: return "platforms.counts"
        case .decisionRank: return "decision_platforms.delays"
        }
    }

    /// What Swift adds to the SQL, for people (nil: the SQL gives the value itself).
    public var swiftStep: String? {
        switch self {
        case .sql: return nil
        case .wilson(let s, let t, let l): return "Wilson score interval of \(s) out of \(t)" + (l.map { " − \($0)" } ?? "")
        case .fine: return "fine schedule applied per month to late and unresolved counts"
        case .sumOfFines: return "sum of the platforms' fines"
        case .rank: return "order of platforms with at least min_due due requests"
        case .decisionRank: return "order of platforms with at least min_decisions decisions"
        }
    }
}

/// One entry of the catalogue: a figure id, or a family of ids with one placeholder segment
/// (`victims.by_channel.<channel>`, `platforms.<platform>.due`).
public struct FigureEntry: Sendable {
    public let pattern: String
    public let kind: FigureKind
    /// What is counted or measured (`victims`, `requests`, `fraction`, `hours`, `KRW`).
    public let unit: String
    /// Whether a month's figure also gets `.prev`, `.change_pct` and `.ytd` (metrics.md: counts).
    public let comparisons: Bool
    public let suppression: Suppression
    public let en: String
    public let ko: String
    public let computation: Computation

    public init(_ pattern: String, _ kind: FigureKind, unit: String, comparisons: Bool? = nil,
                suppression: Suppression = .none, en: String, ko: String, _ computation: Computation) {
        self.pattern = pattern
        self.kind = kind
        self.unit = unit
        // Per-platform tables' columns get none (metrics.md, decisions.md).
        self.comparisons = comparisons ?? (kind == .count && !pattern.hasPrefix("platforms.") && !pattern.hasPrefix("decision_platforms."))
        self.suppression = suppression
        self.en = en
        self.ko = ko
        self.computation = computation
    }

    /// The pattern's text before and after its placeholder (nil: no placeholder).
    var parts: (prefix: String, name: String, suffix: String)? {
        guard let open = pattern.firstIndex(of: "<"), let close = pattern.firstIndex(of: ">") else { return nil }
        return (String(pattern[..<open]), String(pattern[pattern.index(after: open)..<close]),
                String(pattern[pattern.index(after: close)...]))
    }

    /// The placeholder's value when `id` is of this entry ("" for an entry without one), else nil.
    public func match(_ id: String) -> String? {
        guard let p = parts else { return id == pattern ? "" : nil }
        guard id.count > p.prefix.count + p.suffix.count, id.hasPrefix(p.prefix), id.hasSuffix(p.suffix) else { return nil }
        let key = String(id.dropFirst(p.prefix.count).dropLast(p.suffix.count))
        return key.isEmpty ? nil : key
    }

    /// The pattern with its placeholder replaced by `key`.
    public func id(_ key: String) -> String {
        guard let p = parts else { return pattern }
        return p.prefix + key + p.suffix
    }

    public var isFamily: Bool { parts != nil }

    /// The entry's name without its placeholder, as the bulletin's definitions table lists it:
    /// `victims.by_channel`, `platforms.due`.
    public var shortName: String {
        guard let p = parts else { return pattern }
        return p.suffix.isEmpty ? String(p.prefix.dropLast()) : String(p.prefix.prefix { $0 != "." }) + p.suffix
    }
}

/// A comparison of a month's figure with another period (metrics.md: "Comparisons").
public enum Comparison: String, Sendable, CaseIterable {
    case prev, change_pct, ytd

    public var en: String {
        switch self {
        case .prev: return "previous month"
        case .change_pct: return "change on the previous month, percent"
        case .ytd: return "January to the period's month"
        }
    }
    public var ko: String {
        switch self {
        case .prev: return "전월"
        case .change_pct: return "전월 대비 증감률(%)"
        case .ytd: return "1월부터 누계"
        }
    }
}

/// The one catalogue of published figures: each id (or family of ids) with its kind, unit,
/// comparisons, disclosure control, definition in English and Korean, and computation.
/// Stats, charts, the bulletin and its manifest, exports, `tally figures`, the README's
/// table and the notebooks' ids all read it; `tally verify` recomputes each entry from its SQL.
///
/// Adding a figure: one entry here (its definition from metrics.md) and, unless an existing
/// query already returns it, one query in `FigureQueries` returning `(id, value)` rows.
public enum FigureCatalogue {
    public static let entries: [FigureEntry] = [
        // Victims, by contacted_on.
        FigureEntry("victims.total", .count, unit: "victims",
                    en: "victims whose contacted_on is in the period", ko: "상담일(contacted_on)이 기간 안인 피해자 수",
                    .sql("victims.counts")),
        FigureEntry("victims.age_unknown", .count, unit: "victims",
                    en: "of those, victims whose age is unknown (null)", ko: "그중 나이를 모르는 피해자", .sql("victims.counts")),
        FigureEntry("victims.minors", .count, unit: "victims",
                    en: "of those, victims younger than the minor age limit", ko: "그중 미성년 기준 나이 미만인 피해자",
                    .sql("victims.counts")),
        FigureEntry("victims.minors_share", .share, unit: "fraction",
                    en: "victims.minors / (victims.total - victims.age_unknown)",
                    ko: "victims.minors ÷ (victims.total − victims.age_unknown)", .sql("victims.counts")),
        FigureEntry("victims.minors_share_ci95", .interval, unit: "fraction",
                    en: "Wilson score interval of victims.minors_share, z = 1.959964",
                    ko: "victims.minors_share의 윌슨 95% 신뢰구간 (z = 1.959964)",
                    .wilson(successes: "victims.minors", trials: "victims.total", less: "victims.age_unknown")),
        FigureEntry("victims.by_channel.<channel>", .count, unit: "victims", suppression: .victimsSumToTotal,
                    en: "victims of the period by the channel of first contact", ko: "기간 중 피해자, 첫 연락 경로별",
                    .sql("victims.by_channel")),
        FigureEntry("victims.by_service.<service>", .count, unit: "victims", suppression: .victimsNoSum,
                    en: "victims of the period who received the service (a victim may receive several)",
                    ko: "기간 중 해당 지원을 받은 피해자 (한 사람이 여러 지원을 받을 수 있음)", .sql("victims.by_service")),
        FigureEntry("victims.by_region.<region>", .count, unit: "victims", suppression: .victimsSumToTotal,
                    en: "victims of the period by region (unknown: no region)", ko: "기간 중 피해자, 지역별 (미상: 지역 없음)",
                    .sql("victims.by_region")),
        FigureEntry("victims.by_age_band.<band>", .count, unit: "victims", suppression: .victimsAgeBands,
                    en: "victims of the period by age band", ko: "기간 중 피해자, 나이대별", .sql("victims.by_age_band")),

        // Arrests, by arrested_on.
        FigureEntry("arrests.total", .count, unit: "arrests",
                    en: "arrests whose arrested_on is in the period", ko: "검거일(arrested_on)이 기간 안인 검거 건수",
                    .sql("arrests.counts")),
        FigureEntry("arrests.by_offense.<offense>", .count, unit: "arrests",
                    en: "arrests of the period by offense", ko: "기간 중 검거, 범죄 유형별", .sql("arrests.by_offense")),
        FigureEntry("arrests.by_agency.<agency>", .count, unit: "arrests",
                    en: "arrests of the period by police agency", ko: "기간 중 검거, 경찰청별", .sql("arrests.by_agency")),
        FigureEntry("arrests.suspect_minors_share", .share, unit: "fraction",
                    en: "suspects under the minor age limit / suspects of known age", ko: "미성년 피의자 ÷ 나이를 아는 피의자",
                    .sql("arrests.counts")),
        FigureEntry("arrests.undercover_share", .share, unit: "fraction",
                    en: "arrests made undercover / all arrests of the period", ko: "위장수사로 검거한 건수 ÷ 전체 검거",
                    .sql("arrests.counts")),
        FigureEntry("arrests.proceeds_seized_krw", .money, unit: "KRW",
                    en: "sum of criminal proceeds seized (KRW) in the period's arrests", ko: "기간 중 검거에서 압수한 범죄수익 합계 (원)",
                    .sql("arrests.proceeds")),

        // Takedowns, by the local date of requested_at.
        FigureEntry("takedowns.requests", .count, unit: "requests",
                    en: "takedown requests whose requested_at falls in the period (local date)",
                    ko: "요청 시각(현지 날짜)이 기간 안인 삭제 요청", .sql("takedowns.counts")),
        FigureEntry("takedowns.due", .count, unit: "requests",
                    en: "of those, requests whose deadline is at or before the as-of time", ko: "그중 기한이 기준 시각 이전에 도래한 요청",
                    .sql("takedowns.counts")),
        FigureEntry("takedowns.within_deadline", .count, unit: "requests",
                    en: "of the due, removed or blocked within the deadline (24:00:00 is within)",
                    ko: "기한 도래 요청 중 기한 안에 삭제·차단된 요청 (정확히 24:00:00은 기한 안)", .sql("takedowns.counts")),
        FigureEntry("takedowns.compliance", .share, unit: "fraction",
                    en: "takedowns.within_deadline / takedowns.due", ko: "takedowns.within_deadline ÷ takedowns.due",
                    .sql("takedowns.counts")),
        FigureEntry("takedowns.compliance_ci95", .interval, unit: "fraction",
                    en: "Wilson score interval of takedowns.compliance", ko: "takedowns.compliance의 윌슨 95% 신뢰구간",
                    .wilson(successes: "takedowns.within_deadline", trials: "takedowns.due", less: nil)),
        FigureEntry("takedowns.overdue", .count, unit: "requests",
                    en: "of the due, not resolved by the as-of time (still online past the deadline)",
                    ko: "기한 도래 요청 중 기준 시각까지 처리되지 않은 요청", .sql("takedowns.counts")),
        FigureEntry("takedowns.refused", .count, unit: "requests",
                    en: "requests of the period with outcome refused", ko: "기간 중 거부된 요청", .sql("takedowns.counts")),
        FigureEntry("takedowns.late", .count, unit: "requests",
                    en: "of the due, removed or blocked after the deadline, by the as-of time", ko: "기한 도래 요청 중 기한을 넘겨 삭제·차단된 요청",
                    .sql("takedowns.counts")),
        FigureEntry("takedowns.unresolved", .count, unit: "requests",
                    en: "of the due, neither within nor late (refused, pending, or resolved after the as-of time)",
                    ko: "기한 도래 요청 중 기한 내도 지연도 아닌 요청 (거부, 미처리 등)", .sql("takedowns.counts")),
        FigureEntry("takedowns.median_hours", .hours, unit: "hours",
                    en: "median hours from request to removal (removed or blocked by the as-of time; type 7)",
                    ko: "요청부터 삭제까지 시간의 중앙값 (기준 시각까지 삭제·차단된 요청, type 7)", .sql("takedowns.hours")),
        FigureEntry("takedowns.p90_hours", .hours, unit: "hours",
                    en: "90th percentile of those hours (type 7)", ko: "그 시간의 90번째 백분위수 (type 7)", .sql("takedowns.hours")),
        FigureEntry("takedowns.ai_detected_share", .share, unit: "fraction",
                    en: "requests detected by AI / requests with detected_by known", ko: "AI가 탐지한 요청 ÷ 탐지 주체를 아는 요청",
                    .sql("takedowns.counts")),
        FigureEntry("fines.total_krw", .money, unit: "KRW",
                    en: "fines of the (illustrative) schedule over the period's late and unresolved due requests, summed over platforms",
                    ko: "(예시) 과징금 기준을 기간 중 지연·미처리 요청에 적용한 금액의 플랫폼 합계", .sumOfFines),

        // The per-platform table (`platforms` in JSON; `platforms.<platform>.<column>` in manifests).
        FigureEntry("platforms.<platform>.requests", .count, unit: "requests",
                    en: "the platform's takedown requests in the period", ko: "플랫폼의 기간 중 삭제 요청", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.due", .count, unit: "requests",
                    en: "the platform's due requests", ko: "플랫폼의 기한 도래 요청", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.within_deadline", .count, unit: "requests",
                    en: "the platform's due requests removed within the deadline", ko: "플랫폼의 기한 내 삭제 요청", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.compliance", .share, unit: "fraction",
                    en: "the platform's within_deadline / due", ko: "플랫폼의 기한 내 삭제 ÷ 기한 도래", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.compliance_ci95", .interval, unit: "fraction",
                    en: "Wilson 95% interval of the platform's compliance", ko: "플랫폼 준수율의 윌슨 95% 신뢰구간",
                    .wilson(successes: "platforms.<platform>.within_deadline", trials: "platforms.<platform>.due", less: nil)),
        FigureEntry("platforms.<platform>.median_hours", .hours, unit: "hours",
                    en: "the platform's median hours to removal", ko: "플랫폼의 삭제까지 시간 중앙값", .sql("platforms.hours")),
        FigureEntry("platforms.<platform>.p90_hours", .hours, unit: "hours",
                    en: "the platform's 90th percentile of hours to removal", ko: "플랫폼의 삭제까지 시간 90번째 백분위수", .sql("platforms.hours")),
        FigureEntry("platforms.<platform>.overdue", .count, unit: "requests",
                    en: "the platform's overdue requests", ko: "플랫폼의 미처리 기한 초과 요청", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.refused", .count, unit: "requests",
                    en: "the platform's refused requests", ko: "플랫폼의 거부 요청", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.late", .count, unit: "requests",
                    en: "the platform's late requests", ko: "플랫폼의 지연 삭제 요청", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.unresolved", .count, unit: "requests",
                    en: "the platform's unresolved due requests", ko: "플랫폼의 미해결 기한 도래 요청", .sql("platforms.counts")),
        FigureEntry("platforms.<platform>.fine_krw", .money, unit: "KRW",
                    en: "the platform's fine under the (illustrative) schedule", ko: "플랫폼의 (예시) 과징금", .fine),
        FigureEntry("platforms.<platform>.rank", .rank, unit: "rank",
                    en: "rank among platforms with at least min_due due requests: compliance desc, median hours asc, name",
                    ko: "기한 도래 요청이 min_due 이상인 플랫폼 중 순위 (준수율, 중앙값 시간, 이름 순)", .rank),

        // Decisions (decisions.md): DSA statements of reasons, by application_date (a calendar
        // date, no time zone). No disclosure control: public statements about platforms'
        // decisions, with no person in them.
        FigureEntry("decisions.total", .count, unit: "decisions",
                    en: "statements of reasons (moderation decisions) whose application_date is in the period",
                    ko: "적용일(application_date)이 기간 안인 플랫폼 조치 결정(이유 설명서) 수", .sql("decisions.counts")),
        FigureEntry("decisions.by_category.<category>", .count, unit: "decisions",
                    en: "decisions of the period by category (the suffix after STATEMENT_CATEGORY_, lower case; v1 and v2 categories alike)",
                    ko: "기간 중 결정, 범주별 (STATEMENT_CATEGORY_ 뒤 소문자; v1·v2 범주 모두)", .sql("decisions.by_category")),
        FigureEntry("decisions.by_ground.<ground>", .count, unit: "decisions",
                    en: "decisions of the period by ground: illegal content or content incompatible with the terms",
                    ko: "기간 중 결정, 근거별: 불법 콘텐츠 또는 약관 위반 콘텐츠", .sql("decisions.counts")),
        FigureEntry("decisions.sexual_abuse", .count, unit: "decisions",
                    en: "decisions of the period concerning sexual abuse imagery: a category or keyword of the list (dsa_sexual_abuse)",
                    ko: "기간 중 성적 학대 이미지 관련 결정: 목록(dsa_sexual_abuse)의 범주 또는 키워드", .sql("decisions.counts")),
        FigureEntry("decisions.automated_detection_share", .share, unit: "fraction",
                    en: "decisions whose content was detected by automated means (automated_detection = Yes) / decisions.total",
                    ko: "자동 탐지(automated_detection = Yes)된 결정 ÷ decisions.total", .sql("decisions.counts")),
        FigureEntry("decisions.automated_decision_share", .share, unit: "fraction",
                    en: "decisions taken fully or partially by automated means / decisions.total",
                    ko: "완전 또는 부분 자동화로 내려진 결정 ÷ decisions.total", .sql("decisions.counts")),
        FigureEntry("decisions.moderation_delay_median_days", .days, unit: "days",
                    en: "median days from the content's date to the decision's application, over decisions where it is 0 or more (type 7)",
                    ko: "콘텐츠 날짜부터 조치 적용일까지 일수의 중앙값 (0 이상인 결정, type 7)", .sql("decisions.delays")),
        FigureEntry("decisions.moderation_delay_p90_days", .days, unit: "days",
                    en: "90th percentile of the days from the content's date to the decision's application, where 0 or more (type 7)",
                    ko: "콘텐츠 날짜부터 조치 적용일까지 일수의 90번째 백분위수 (0 이상, type 7)", .sql("decisions.delays")),
        FigureEntry("decisions.disclosure_delay_median_hours", .hours, unit: "hours",
                    en: "median hours from the decision's application (midnight UTC) to the statement's arrival in the database, created_at (type 7)",
                    ko: "조치 적용일(UTC 자정)부터 데이터베이스 등록(created_at)까지 시간의 중앙값 (type 7)", .sql("decisions.delays")),
        FigureEntry("decisions.disclosure_delay_p90_hours", .hours, unit: "hours",
                    en: "90th percentile of the hours from the decision's application (midnight UTC) to its arrival in the database (type 7)",
                    ko: "조치 적용일(UTC 자정)부터 데이터베이스 등록까지 시간의 90번째 백분위수 (type 7)", .sql("decisions.delays")),
        FigureEntry("decisions.removed_share", .share, unit: "fraction",
                    en: "decisions whose visibility includes CONTENT_REMOVED or CONTENT_DISABLED / decisions.total",
                    ko: "공개 제한에 CONTENT_REMOVED 또는 CONTENT_DISABLED가 포함된 결정 ÷ decisions.total", .sql("decisions.counts")),

        // The per-platform table of decisions (`decision_platforms` in JSON;
        // `decision_platforms.<platform>.<column>` in CSV and manifests).
        FigureEntry("decision_platforms.<platform>.total", .count, unit: "decisions",
                    en: "the platform's decisions in the period", ko: "플랫폼의 기간 중 결정", .sql("decision_platforms.counts")),
        FigureEntry("decision_platforms.<platform>.sexual_abuse", .count, unit: "decisions",
                    en: "the platform's decisions concerning sexual abuse imagery", ko: "플랫폼의 성적 학대 이미지 관련 결정",
                    .sql("decision_platforms.counts")),
        FigureEntry("decision_platforms.<platform>.automated_detection_share", .share, unit: "fraction",
                    en: "the platform's share of decisions detected by automated means", ko: "플랫폼의 자동 탐지 결정 비율",
                    .sql("decision_platforms.counts")),
        FigureEntry("decision_platforms.<platform>.automated_decision_share", .share, unit: "fraction",
                    en: "the platform's share of decisions taken fully or partially by automated means", ko: "플랫폼의 자동화 결정 비율",
                    .sql("decision_platforms.counts")),
        FigureEntry("decision_platforms.<platform>.moderation_delay_median_days", .days, unit: "days",
                    en: "the platform's median moderation delay in days", ko: "플랫폼의 조치 지연 일수 중앙값", .sql("decision_platforms.delays")),
        FigureEntry("decision_platforms.<platform>.moderation_delay_p90_days", .days, unit: "days",
                    en: "the platform's 90th percentile of moderation delay in days", ko: "플랫폼의 조치 지연 일수 90번째 백분위수",
                    .sql("decision_platforms.delays")),
        FigureEntry("decision_platforms.<platform>.disclosure_delay_median_hours", .hours, unit: "hours",
                    en: "the platform's median disclosure delay in hours", ko: "플랫폼의 보고 지연 시간 중앙값", .sql("decision_platforms.delays")),
        FigureEntry("decision_platforms.<platform>.disclosure_delay_p90_hours", .hours, unit: "hours",
                    en: "the platform's 90th percentile of disclosure delay in hours", ko: "플랫폼의 보고 지연 시간 90번째 백분위수",
                    .sql("decision_platforms.delays")),
        FigureEntry("decision_platforms.<platform>.removed_share", .share, unit: "fraction",
                    en: "the platform's share of decisions removing or disabling the content", ko: "플랫폼의 삭제·접근 차단 결정 비율",
                    .sql("decision_platforms.counts")),
        FigureEntry("decision_platforms.<platform>.rank", .rank, unit: "rank",
                    en: "rank among platforms with at least min_decisions decisions in the period: disclosure delay median asc, name",
                    ko: "기간 중 결정이 min_decisions 이상인 플랫폼 중 순위 (보고 지연 중앙값 오름차순, 이름 순)", .decisionRank),
    ]

    /// The columns of the per-platform table, in metrics.md's order (after `platform`).
    public static let platformColumns = entries.compactMap { e -> String? in
        guard let p = e.parts, p.prefix == "platforms." else { return nil }
        return String(p.suffix.dropFirst())
    }

    /// The columns of the per-platform table of decisions, in decisions.md's order (after `platform`).
    public static let decisionPlatformColumns = entries.compactMap { e -> String? in
        guard let p = e.parts, p.prefix == "decision_platforms." else { return nil }
        return String(p.suffix.dropFirst())
    }

    /// The entries without a placeholder by pattern (the first of a pattern, as a search in
    /// order finds it), and the families in order: a report looks up every id it makes.
    static let exact: [String: FigureEntry] = entries.reduce(into: [:]) { d, e in
        if !e.isFamily && d[e.pattern] == nil { d[e.pattern] = e }
    }
    static let families = entries.filter(\.isFamily)

    /// The entry of an id and the comparison it carries, if any (nil: not a catalogued id).
    /// Exact ids win over families, so `platforms.x.due` is never read as a breakdown.
    public static func lookup(_ id: String) -> (entry: FigureEntry, key: String, comparison: Comparison?)? {
        if let known = lookups.get(id) { return known.found }
        func find(_ base: String) -> (FigureEntry, String)? {
            if let e = exact[base] { return (e, "") }
            for e in families { if let k = e.match(base) { return (e, k) } }
            return nil
        }
        var found: (entry: FigureEntry, key: String, comparison: Comparison?)?
        for c in Comparison.allCases where id.hasSuffix("." + c.rawValue) {
            if let (e, k) = find(String(id.dropLast(c.rawValue.count + 1))), e.comparisons { found = (e, k, c); break }
        }
        if found == nil { found = find(id).map { ($0.0, $0.1, nil) } }
        lookups.set(id, Lookup(found: found))
        return found
    }

    /// Ids looked up before (a bulletin asks for each of its few hundred ids many times: in
    /// comparisons, formats, tables, the manifest).
    struct Lookup: Sendable { let found: (entry: FigureEntry, key: String, comparison: Comparison?)? }
    static let lookups = Memo<Lookup>()

    /// Whether `id` (with or without a comparison suffix) is a catalogued figure.
    public static func contains(_ id: String) -> Bool { lookup(id) != nil }

    /// The entry with this exact pattern.
    public static func entry(_ pattern: String) -> FigureEntry? { entries.first { $0.pattern == pattern } }

    /// Whether a month's figure `id` gets `.prev`, `.change_pct` and `.ytd`.
    public static func hasComparisons(_ id: String) -> Bool {
        guard let l = lookup(id), l.comparison == nil else { return false }
        return l.entry.comparisons
    }

    /// The one-line definition of an id, in English unless `lang` is ko: the entry's, with the
    /// category of a family and the comparison appended ("" for an unknown id).
    public static func definition(_ id: String, lang: Language = .en) -> String {
        guard let (e, key, comparison) = lookup(id) else { return "" }
        var text = lang == .ko ? e.ko : e.en
        if e.isFamily { text += ": \(key)" }
        if let c = comparison { text += " — " + (lang == .ko ? c.ko : c.en) }
        return text
    }
}

/// A dictionary from strings to values shared between threads (a lock around it), for
/// results worth keeping that any thread may ask for.
final class Memo<Value: Sendable>: @unchecked Sendable {
    private var values: [String: Value] = [:]
    private let lock = NSLock()
    func get(_ key: String) -> Value? { lock.lock(); defer { lock.unlock() }; return values[key] }
    func set(_ key: String, _ value: Value) { lock.lock(); values[key] = value; lock.unlock() }
}
