import TallyCore

/// Each figure of decisions.md in words (English and Korean) and as one plain SQLite query
/// on the store's `decisions` table: the catalogue entries of the `decisions.*` figures, in
/// one place, beside their computation (`DecisionFigures`). The tests check engine == SQL ==
/// an independent python3 computation on the real fixtures.
///
/// Every query takes `:first` and `:last` (the period's first and last day, `YYYY-MM-DD`) and
/// returns one row with one value (null when undefined); a per-platform query returns
/// `platform, value` rows. Sets are canonical JSON arrays, read with `json_each`; quantiles
/// are R's type 7 written out with window functions (SQLite has no percentile function by
/// default).
public enum DecisionFigureDefinitions {
    public struct Definition: Sendable {
        public let id: String
        /// count, share, days or hours.
        public let unit: String
        public let english: String
        public let korean: String
        /// The query over the whole period; `PLATFORM_SQL` variants are `platformSQL`.
        public let sql: String
        public let platformSQL: String?
    }

    static let period = "application_date BETWEEN :first AND :last"
    static let moderationDays = "julianday(application_date) - julianday(content_date)"
    static let disclosureHours = "(created_at - CAST(strftime('%s', application_date) AS INTEGER) * 1000000) / 3600000000.0"

    static func quoted(_ values: [String]) -> String {
        values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ")
    }

    /// The condition of a sexual-abuse decision, from the list of the data file.
    static func sexualAbuse(_ list: SexualAbuseList) -> String {
        "(category IN (\(quoted(list.categories))) OR EXISTS (SELECT 1 FROM json_each(category_specification) WHERE value IN (\(quoted(list.keywords)))))"
    }

    static let removed = "EXISTS (SELECT 1 FROM json_each(decision_visibility) WHERE value IN ('DECISION_VISIBILITY_CONTENT_REMOVED', 'DECISION_VISIBILITY_CONTENT_DISABLED'))"

    /// Type 7 quantile `p` of `value` over the rows of the period that satisfy `filter`;
    /// with `byPlatform`, one row per platform.
    static func quantile(_ value: String, _ p: Double, filter: String = "1", byPlatform: Bool = false) -> String {
        let partition = byPlatform ? "PARTITION BY platform_name " : ""
        let join = byPlatform ? " AND b.platform_name = a.platform_name" : ""
        let ctes = """
            WITH v AS (SELECT platform_name, \(value) AS x FROM decisions WHERE \(period) AND \(filter)),
            o AS (SELECT platform_name, x, row_number() OVER (\(partition)ORDER BY x) - 1 AS r,
                         (count(*) OVER (\(partition)) - 1) * \(p) AS h FROM v)
            """
        // x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), h = (n − 1)p.
        let q = "a.x + (a.h - CAST(a.h AS INTEGER)) * (coalesce(b.x, a.x) - a.x)"
        let from = "FROM o a LEFT JOIN o b ON b.r = a.r + 1\(join) WHERE a.r = CAST(a.h AS INTEGER)"
        if byPlatform { return ctes + "\nSELECT a.platform_name AS platform, \(q) \(from) ORDER BY 1" }
        // No rows: null (max over nothing).
        return ctes + "\nSELECT max(q) FROM (SELECT \(q) AS q \(from))"
    }

    static func count(_ filter: String, byPlatform: Bool) -> String {
        byPlatform
            ? "SELECT platform_name AS platform, sum(\(filter)) FROM decisions WHERE \(period) GROUP BY platform_name ORDER BY 1"
            : "SELECT count(*) FROM decisions WHERE \(period) AND \(filter)"
    }

    static func share(_ filter: String, byPlatform: Bool) -> String {
        byPlatform
            ? "SELECT platform_name AS platform, avg(\(filter)) FROM decisions WHERE \(period) GROUP BY platform_name ORDER BY 1"
            : "SELECT avg(\(filter)) FROM decisions WHERE \(period)"
    }

    /// Every figure of decisions.md, in the order `DecisionFigures` writes them; the
    /// sexual-abuse figure with the list given (the data file's).
    public static func all(_ list: SexualAbuseList) -> [Definition] {
        var out: [Definition] = []
        func add(_ id: String, _ unit: String, _ en: String, _ ko: String, _ sql: String, _ platformSQL: String? = nil) {
            out.append(Definition(id: id, unit: unit, english: en, korean: ko, sql: sql, platformSQL: platformSQL))
        }
        add("decisions.total", "count",
            "Statements of reasons (moderation decisions) applied in the period, by application_date.",
            "기간 중 적용된(application_date 기준) 플랫폼 조치 결정(이유 설명서) 수.",
            count("1", byPlatform: false), count("1", byPlatform: true))
        for c in RecordSchema.statementCategories.sorted() {
            add(DecisionFigures.categoryID(c), "count",
                "Decisions of category \(c) (v1 and v2 categories alike).",
                "범주가 \(c)인 결정 수 (v1·v2 범주 모두).",
                count("category = '\(c)'", byPlatform: false))
        }
        add("decisions.by_ground.illegal", "count", "Decisions taken because the content is illegal (DECISION_GROUND_ILLEGAL_CONTENT).",
            "불법 콘텐츠를 근거로 한 결정 수.", count("decision_ground = 'DECISION_GROUND_ILLEGAL_CONTENT'", byPlatform: false))
        add("decisions.by_ground.incompatible", "count",
            "Decisions taken because the content breaks the platform's terms (DECISION_GROUND_INCOMPATIBLE_CONTENT).",
            "플랫폼 약관 위반을 근거로 한 결정 수.", count("decision_ground = 'DECISION_GROUND_INCOMPATIBLE_CONTENT'", byPlatform: false))
        add("decisions.sexual_abuse", "count",
            "Decisions concerning sexual abuse imagery: a category or a keyword of the list in \(list.source) (categories: \(list.categories.joined(separator: ", ")); keywords: \(list.keywords.joined(separator: ", "))).",
            "성적 학대 이미지 관련 결정 수: \(list.source) 목록의 범주 또는 키워드에 해당.",
            count(sexualAbuse(list), byPlatform: false), count(sexualAbuse(list), byPlatform: true))
        add("decisions.automated_detection_share", "share", "Share of decisions whose content was detected by automated means (automated_detection = Yes).",
            "자동 탐지(automated_detection = Yes)된 결정의 비율.",
            share("automated_detection = 1", byPlatform: false), share("automated_detection = 1", byPlatform: true))
        let automated = "automated_decision IN ('AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY')"
        add("decisions.automated_decision_share", "share", "Share of decisions taken fully or partially by automated means.",
            "완전 또는 부분 자동화로 내려진 결정의 비율.",
            share(automated, byPlatform: false), share(automated, byPlatform: true))
        let posted = "content_date IS NOT NULL AND application_date >= content_date"
        add("decisions.moderation_delay_median_days", "days",
            "Median days from the content's date to the decision's application (application_date − content_date), over decisions where it is 0 or more (type 7).",
            "콘텐츠 게시일부터 조치 적용일까지 일수의 중앙값 (0 이상인 결정, 유형 7).",
            quantile(moderationDays, 0.5, filter: posted), quantile(moderationDays, 0.5, filter: posted, byPlatform: true))
        add("decisions.moderation_delay_p90_days", "days",
            "90th percentile of the days from the content's date to the decision's application, over decisions where it is 0 or more (type 7).",
            "콘텐츠 게시일부터 조치 적용일까지 일수의 90번째 백분위수 (0 이상, 유형 7).",
            quantile(moderationDays, 0.9, filter: posted), quantile(moderationDays, 0.9, filter: posted, byPlatform: true))
        add("decisions.disclosure_delay_median_hours", "hours",
            "Median hours from the decision's application (its date, midnight UTC) to the statement's arrival in the database (created_at) (type 7): how fast the platform reported.",
            "조치 적용일(UTC 자정)부터 데이터베이스 등록(created_at)까지 시간의 중앙값 (유형 7): 플랫폼의 보고 속도.",
            quantile(disclosureHours, 0.5), quantile(disclosureHours, 0.5, byPlatform: true))
        add("decisions.disclosure_delay_p90_hours", "hours",
            "90th percentile of the hours from the decision's application (midnight UTC) to the statement's arrival in the database (type 7).",
            "조치 적용일(UTC 자정)부터 데이터베이스 등록까지 시간의 90번째 백분위수 (유형 7).",
            quantile(disclosureHours, 0.9), quantile(disclosureHours, 0.9, byPlatform: true))
        add("decisions.removed_share", "share",
            "Share of decisions whose visibility restriction includes removing or disabling the content (DECISION_VISIBILITY_CONTENT_REMOVED or _DISABLED).",
            "콘텐츠 삭제 또는 접근 차단(CONTENT_REMOVED, CONTENT_DISABLED)을 포함한 결정의 비율.",
            share(removed, byPlatform: false), share(removed, byPlatform: true))
        return out
    }

    /// `decision_platforms.rank`, in words.
    public static let rankDefinition = (
        english: "Rank among platforms with at least min_decisions decisions in the period (default 100): by disclosure delay median ascending, then name.",
        korean: "기간 중 결정이 min_decisions건(기본 100) 이상인 플랫폼 중 순위: 보고 지연 중앙값 오름차순, 이어서 이름 순."
    )
}
