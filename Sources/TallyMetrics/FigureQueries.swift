import TallyCore
import TallyTime

/// One query of figure SQL: plain SQL over the store's record tables at a vintage, written
/// once from metrics.md, returning `(id, value)` rows — one per figure (and per category or
/// platform of a family). Templates name the dialect functions of `SQLDialect` and the
/// parameters of `FigureSQL.Parameters`; `FigureSQL.render` turns them into one statement.
public struct FigureQuery: Sendable {
    public let name: String
    /// Shared common table expressions the query reads (`FigureQueries.shared`).
    public let uses: [String]
    /// Lists of values written into the SQL as tables (`channels`, `services`, `offenses`,
    /// `age_bands`): the record contract's categories and the bands the settings cut.
    public let lists: [String]
    /// The query's own common table expressions, then its final SELECT.
    public let ctes: [(name: String, sql: String)]
    public let select: String

    public init(_ name: String, uses: [String], lists: [String] = [], ctes: [(name: String, sql: String)] = [], select: String) {
        self.name = name
        self.uses = uses
        self.lists = lists
        self.ctes = ctes
        self.select = select
    }
}

/// The figure SQL of the catalogue, by query name; what `tally verify` runs and `tally
/// figures --sql` prints.
public enum FigureQueries {
    /// The records of a kind as they stood after batch `:vintage` (revisions.md): each key's
    /// version current then — a current row valid from a batch ≤ :vintage (rows loaded before
    /// valid_from was recorded take their file's batch), or a history row valid from ≤ :vintage
    /// and superseded after it.
    public static func atVintage(_ kind: RecordKind) -> (name: String, sql: String) {
        let t = kind.rawValue
        let columns = kind.schema.columns.map(\.name).joined(separator: ", ")
        return ("\(t)_at_vintage", """
            SELECT \(columns) FROM \(t)
              WHERE coalesce(valid_from, (SELECT f.batch_id FROM files f WHERE f.id = \(t).file_id)) <= :vintage
              UNION ALL
              SELECT \(columns) FROM \(t)_history WHERE valid_from <= :vintage AND superseded_in > :vintage
            """)
    }

    /// Whether a record of `kind` falls in the period `:first_day`..`:last_day` (metrics.md):
    /// by its date, or for takedowns by the local date of requested_at in the reporting zone.
    /// The figures' queries and `tally export` both read it.
    public static func membership(_ kind: RecordKind) -> String {
        switch kind {
        case .arrests: return "arrested_on BETWEEN :first_day AND :last_day"
        case .victims: return "contacted_on BETWEEN :first_day AND :last_day"
        case .takedowns: return "LOCAL_DATE(requested_at) BETWEEN :first_day AND :last_day"
        // decisions.md: by application_date, a calendar date (no time zone).
        case .decisions: return "application_date BETWEEN :first_day AND :last_day"
        }
    }

    /// A coarse window of instants around `:lookback_first_day`..`:last_day` (UTC midnights,
    /// two days before and three after, wider than any UTC offset), so that only requests near
    /// the period have their local date worked out; the local date then decides.
    static let nearPeriod = "requested_at >= UTC_MICROS(:lookback_first_day) - 172800000000 AND requested_at < UTC_MICROS(:last_day) + 259200000000"

    /// Common table expressions several queries read, with the ones each needs first.
    /// Every record kind of the contract has its `<kind>_at_vintage`.
    static let shared: [String: (needs: [String], sql: String)] = Dictionary(uniqueKeysWithValues:
        RecordKind.allCases.map { k in (atVintage(k).name, (needs: [String](), sql: atVintage(k).sql)) }).merging(derived) { a, _ in a }

    static let derived: [String: (needs: [String], sql: String)] = [
        "victims_in_period": (["victims_at_vintage"], "SELECT * FROM victims_at_vintage WHERE \(membership(.victims))"),
        "arrests_in_period": (["arrests_at_vintage"], "SELECT * FROM arrests_at_vintage WHERE \(membership(.arrests))"),
        // Every request with its local date and what metrics.md says of it at the as-of time.
        "takedown_flags": (["takedowns_at_vintage"], """
            SELECT platform, LOCAL_DATE(requested_at) AS local_day,
                -- due: the deadline (requested_at + deadline) is at or before the as-of time
                CASE WHEN requested_at + :deadline_micros <= :as_of THEN 1 ELSE 0 END AS due,
                -- within: due, removed or blocked, resolved at most the deadline after the request (24:00:00 is within)
                CASE WHEN requested_at + :deadline_micros <= :as_of AND outcome IN ('removed', 'blocked')
                      AND resolved_at - requested_at <= :deadline_micros THEN 1 ELSE 0 END AS within_deadline,
                -- late: due, removed or blocked after the deadline, by the as-of time
                CASE WHEN requested_at + :deadline_micros <= :as_of AND outcome IN ('removed', 'blocked')
                      AND resolved_at - requested_at > :deadline_micros AND resolved_at <= :as_of THEN 1 ELSE 0 END AS late,
                -- overdue: due and not resolved by the as-of time (pending, or resolved after it)
                CASE WHEN requested_at + :deadline_micros <= :as_of
                      AND (outcome = 'pending' OR resolved_at > :as_of) THEN 1 ELSE 0 END AS overdue,
                CASE WHEN outcome = 'refused' THEN 1 ELSE 0 END AS refused,
                CASE WHEN detected_by = 'ai' THEN 1 ELSE 0 END AS ai_detected,
                CASE WHEN detected_by IS NOT NULL THEN 1 ELSE 0 END AS detector_known
              FROM takedowns_at_vintage
              WHERE \(nearPeriod)
            """),
        // Every decision of the period with what decisions.md says of it: the sets are decided
        // with SET_HAS_ANY against lists of values (the sexual-abuse list from its data file).
        "decision_flags": (["decisions_at_vintage"], """
            SELECT platform_name AS platform, category, decision_ground,
                CASE WHEN category IN (SELECT key FROM dsa_abuse_categories)
                      OR SET_HAS_ANY(category_specification, dsa_abuse_keywords) THEN 1 ELSE 0 END AS sexual_abuse,
                CASE WHEN automated_detection = 1 THEN 1 ELSE 0 END AS detected,
                CASE WHEN automated_decision IN ('AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY') THEN 1 ELSE 0 END AS automated,
                CASE WHEN SET_HAS_ANY(decision_visibility, removed_visibilities) THEN 1 ELSE 0 END AS removed,
                -- days from the content date to the application, where 0 or more (dates are UTC midnights)
                CASE WHEN content_date IS NOT NULL AND application_date >= content_date
                     THEN (UTC_MICROS(application_date) - UTC_MICROS(content_date)) / 86400000000.0 END AS moderation_days,
                -- hours from midnight UTC of the application date to created_at
                HOURS_BETWEEN(UTC_MICROS(application_date), created_at) AS disclosure_hours
              FROM decisions_at_vintage
              WHERE \(membership(.decisions))
            """),
        // Hours from request to removal of the requests removed or blocked by the as-of time.
        "removals": (["takedowns_at_vintage"], """
            SELECT platform, HOURS_BETWEEN(requested_at, resolved_at) AS hours
              FROM takedowns_at_vintage
              WHERE \(nearPeriod) AND \(membership(.takedowns))
                AND outcome IN ('removed', 'blocked') AND resolved_at <= :as_of
            """),
    ]

    /// The period's rows of `takedown_flags`.
    static let flagsInPeriod = "FROM takedown_flags WHERE local_day BETWEEN :first_day AND :last_day"

    /// The queries of arrests, victims and takedowns (`decisions`: the DSA statements').
    public static let all: [FigureQuery] = [
        FigureQuery("victims.counts", uses: ["victims_in_period"], select: """
            SELECT 'victims.total' AS id, count(*) AS value FROM victims_in_period
            UNION ALL SELECT 'victims.age_unknown', count(*) - count(age) FROM victims_in_period
            UNION ALL SELECT 'victims.minors', count(CASE WHEN age < :minor_age_limit THEN 1 END) FROM victims_in_period
            UNION ALL SELECT 'victims.minors_share',
                CAST(count(CASE WHEN age < :minor_age_limit THEN 1 END) AS REAL) / NULLIF(count(age), 0) FROM victims_in_period
            """),
        FigureQuery("victims.by_channel", uses: ["victims_in_period"], lists: ["channels"], select: """
            SELECT 'victims.by_channel.' || c.key AS id, count(v.victim_id) AS value
              FROM channels c LEFT JOIN victims_in_period v ON v.channel = c.key
              GROUP BY c.ord, c.key ORDER BY c.ord
            """),
        // services is the record's set of services, ';'-separated.
        FigureQuery("victims.by_service", uses: ["victims_in_period"], lists: ["services"], select: """
            SELECT 'victims.by_service.' || s.key AS id, count(v.victim_id) AS value
              FROM services s LEFT JOIN victims_in_period v ON instr(';' || v.services || ';', ';' || s.key || ';') > 0
              GROUP BY s.ord, s.key ORDER BY s.ord
            """),
        // Every region of the victims at the vintage (any period), so the ids stay the same
        // from period to period; `unknown` counts victims without a region, shown when there
        // are any in the period or no region is known at all.
        FigureQuery("victims.by_region", uses: ["victims_in_period"],
                    ctes: [("regions", "SELECT DISTINCT region AS key FROM victims_at_vintage WHERE region IS NOT NULL"),
                           ("unknown_region", "SELECT count(*) AS n FROM victims_in_period WHERE region IS NULL")],
                    select: """
            SELECT id, value FROM (
                SELECT 0 AS part, 'victims.by_region.' || r.key AS id, count(v.victim_id) AS value
                  FROM regions r LEFT JOIN victims_in_period v ON v.region = r.key GROUP BY r.key
                UNION ALL
                SELECT 1, 'victims.by_region.unknown', n FROM unknown_region
                  WHERE n > 0 OR NOT EXISTS (SELECT 1 FROM regions))
              ORDER BY part, id
            """),
        FigureQuery("victims.by_age_band", uses: ["victims_in_period"], lists: ["age_bands"], select: """
            SELECT 'victims.by_age_band.' || b.label AS id, count(v.victim_id) AS value
              FROM age_bands b LEFT JOIN victims_in_period v ON v.age >= b.lo AND (b.hi IS NULL OR v.age < b.hi)
              GROUP BY b.ord, b.label ORDER BY b.ord
            """),
        FigureQuery("arrests.counts", uses: ["arrests_in_period"], select: """
            SELECT 'arrests.total' AS id, count(*) AS value FROM arrests_in_period
            UNION ALL SELECT 'arrests.suspect_minors_share',
                CAST(count(CASE WHEN suspect_age < :minor_age_limit THEN 1 END) AS REAL) / NULLIF(count(suspect_age), 0)
                FROM arrests_in_period
            UNION ALL SELECT 'arrests.undercover_share',
                CAST(count(CASE WHEN undercover = 1 THEN 1 END) AS REAL) / NULLIF(count(*), 0) FROM arrests_in_period
            """),
        // On its own: a sum beyond 64 bits fails this query only (SQLite: integer overflow).
        FigureQuery("arrests.proceeds", uses: ["arrests_in_period"], select: """
            SELECT 'arrests.proceeds_seized_krw' AS id, coalesce(sum(proceeds_seized_krw), 0) AS value FROM arrests_in_period
            """),
        FigureQuery("arrests.by_offense", uses: ["arrests_in_period"], lists: ["offenses"], select: """
            SELECT 'arrests.by_offense.' || o.key AS id, count(a.arrest_id) AS value
              FROM offenses o LEFT JOIN arrests_in_period a ON a.offense = o.key
              GROUP BY o.ord, o.key ORDER BY o.ord
            """),
        // Every agency of the arrests at the vintage (any period).
        FigureQuery("arrests.by_agency", uses: ["arrests_in_period"],
                    ctes: [("agencies", "SELECT DISTINCT agency AS key FROM arrests_at_vintage WHERE agency IS NOT NULL")],
                    select: """
            SELECT 'arrests.by_agency.' || g.key AS id, count(a.arrest_id) AS value
              FROM agencies g LEFT JOIN arrests_in_period a ON a.agency = g.key
              GROUP BY g.key ORDER BY g.key
            """),
        FigureQuery("takedowns.counts", uses: ["takedown_flags"], select: """
            SELECT 'takedowns.requests' AS id, count(*) AS value \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.due', coalesce(sum(due), 0) \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.within_deadline', coalesce(sum(within_deadline), 0) \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.compliance', CAST(sum(within_deadline) AS REAL) / NULLIF(sum(due), 0) \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.overdue', coalesce(sum(overdue), 0) \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.refused', coalesce(sum(refused), 0) \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.late', coalesce(sum(late), 0) \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.unresolved', coalesce(sum(due - within_deadline - late), 0) \(flagsInPeriod)
            UNION ALL SELECT 'takedowns.ai_detected_share', CAST(sum(ai_detected) AS REAL) / NULLIF(sum(detector_known), 0) \(flagsInPeriod)
            """),
        FigureQuery("takedowns.hours", uses: ["removals"],
                    ctes: [("ranked", "SELECT hours, QUANTILE_RANKS(hours) FROM removals")], select: """
            SELECT 'takedowns.median_hours' AS id, QUANTILE7(hours, 0.5) AS value FROM ranked
            UNION ALL SELECT 'takedowns.p90_hours', QUANTILE7(hours, 0.9) FROM ranked
            """),
        // One row per platform with requests in the period and column of the table.
        FigureQuery("platforms.counts", uses: ["takedown_flags"], select: """
            SELECT 'platforms.' || platform || '.requests' AS id, count(*) AS value \(flagsInPeriod) GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.due', sum(due) \(flagsInPeriod) GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.within_deadline', sum(within_deadline) \(flagsInPeriod) GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.compliance',
                CAST(sum(within_deadline) AS REAL) / NULLIF(sum(due), 0) \(flagsInPeriod) GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.overdue', sum(overdue) \(flagsInPeriod) GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.refused', sum(refused) \(flagsInPeriod) GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.late', sum(late) \(flagsInPeriod) GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.unresolved', sum(due - within_deadline - late) \(flagsInPeriod) GROUP BY platform
            """),
        FigureQuery("platforms.hours", uses: ["removals"],
                    ctes: [("ranked", "SELECT platform, hours, QUANTILE_RANKS(hours, platform) FROM removals")], select: """
            SELECT 'platforms.' || platform || '.median_hours' AS id, QUANTILE7(hours, 0.5) AS value FROM ranked GROUP BY platform
            UNION ALL SELECT 'platforms.' || platform || '.p90_hours', QUANTILE7(hours, 0.9) FROM ranked GROUP BY platform
            """),
        // What the fine schedule is applied to: per platform with requests in the period and
        // calendar month (from the month before the period's first), the late and unresolved
        // due requests, split into the days in the period and the days before it.
        FigureQuery("fines.monthly", uses: ["takedown_flags"],
                    ctes: [("platforms_in_period", "SELECT DISTINCT platform \(flagsInPeriod)")], select: """
            SELECT platform, substr(local_day, 1, 7) AS month, local_day >= :first_day AS in_period,
                   sum(late) AS late, sum(due - within_deadline - late) AS unresolved
              FROM takedown_flags
              WHERE local_day BETWEEN :lookback_first_day AND :last_day
                AND platform IN (SELECT platform FROM platforms_in_period)
              GROUP BY platform, month, in_period ORDER BY platform, month, in_period
            """),
    ] + decisionQueries

    /// The lists every decisions query writes in (`decision_flags` reads them).
    static let decisionLists = ["dsa_abuse_categories", "dsa_abuse_keywords", "removed_visibilities"]

    public static let decisionQueries: [FigureQuery] = [
        FigureQuery("decisions.counts", uses: ["decision_flags"], lists: decisionLists, select: """
            SELECT 'decisions.total' AS id, count(*) AS value FROM decision_flags
            UNION ALL SELECT 'decisions.by_ground.illegal', count(CASE WHEN decision_ground = 'DECISION_GROUND_ILLEGAL_CONTENT' THEN 1 END) FROM decision_flags
            UNION ALL SELECT 'decisions.by_ground.incompatible', count(CASE WHEN decision_ground = 'DECISION_GROUND_INCOMPATIBLE_CONTENT' THEN 1 END) FROM decision_flags
            UNION ALL SELECT 'decisions.sexual_abuse', coalesce(sum(sexual_abuse), 0) FROM decision_flags
            UNION ALL SELECT 'decisions.automated_detection_share', CAST(sum(detected) AS REAL) / NULLIF(count(*), 0) FROM decision_flags
            UNION ALL SELECT 'decisions.automated_decision_share', CAST(sum(automated) AS REAL) / NULLIF(count(*), 0) FROM decision_flags
            UNION ALL SELECT 'decisions.removed_share', CAST(sum(removed) AS REAL) / NULLIF(count(*), 0) FROM decision_flags
            """),
        // Every category of the contract (v1 and v2), 0 when none.
        FigureQuery("decisions.by_category", uses: ["decision_flags"], lists: decisionLists + ["statement_categories"], select: """
            SELECT 'decisions.by_category.' || lower(substr(c.key, 20)) AS id, count(d.category) AS value
              FROM statement_categories c LEFT JOIN decision_flags d ON d.category = c.key
              GROUP BY c.ord, c.key ORDER BY c.ord
            """),
        FigureQuery("decisions.delays", uses: ["decision_flags"], lists: decisionLists,
                    ctes: [("moderation", "SELECT moderation_days AS x, QUANTILE_RANKS(moderation_days) FROM decision_flags WHERE moderation_days IS NOT NULL"),
                           ("disclosure", "SELECT disclosure_hours AS x, QUANTILE_RANKS(disclosure_hours) FROM decision_flags WHERE disclosure_hours IS NOT NULL")],
                    select: """
            SELECT 'decisions.moderation_delay_median_days' AS id, QUANTILE7(x, 0.5) AS value FROM moderation
            UNION ALL SELECT 'decisions.moderation_delay_p90_days', QUANTILE7(x, 0.9) FROM moderation
            UNION ALL SELECT 'decisions.disclosure_delay_median_hours', QUANTILE7(x, 0.5) FROM disclosure
            UNION ALL SELECT 'decisions.disclosure_delay_p90_hours', QUANTILE7(x, 0.9) FROM disclosure
            """),
        // One row per platform with decisions in the period and column of the table.
        FigureQuery("decision_platforms.counts", uses: ["decision_flags"], lists: decisionLists, select: """
            SELECT 'decision_platforms.' || platform || '.total' AS id, count(*) AS value FROM decision_flags GROUP BY platform
            UNION ALL SELECT 'decision_platforms.' || platform || '.sexual_abuse', sum(sexual_abuse) FROM decision_flags GROUP BY platform
            UNION ALL SELECT 'decision_platforms.' || platform || '.automated_detection_share', CAST(sum(detected) AS REAL) / count(*) FROM decision_flags GROUP BY platform
            UNION ALL SELECT 'decision_platforms.' || platform || '.automated_decision_share', CAST(sum(automated) AS REAL) / count(*) FROM decision_flags GROUP BY platform
            UNION ALL SELECT 'decision_platforms.' || platform || '.removed_share', CAST(sum(removed) AS REAL) / count(*) FROM decision_flags GROUP BY platform
            """),
        FigureQuery("decision_platforms.delays", uses: ["decision_flags"], lists: decisionLists,
                    ctes: [("moderation", "SELECT platform, moderation_days AS x, QUANTILE_RANKS(moderation_days, platform) FROM decision_flags WHERE moderation_days IS NOT NULL"),
                           ("disclosure", "SELECT platform, disclosure_hours AS x, QUANTILE_RANKS(disclosure_hours, platform) FROM decision_flags WHERE disclosure_hours IS NOT NULL")],
                    select: """
            SELECT 'decision_platforms.' || platform || '.moderation_delay_median_days' AS id, QUANTILE7(x, 0.5) AS value FROM moderation GROUP BY platform
            UNION ALL SELECT 'decision_platforms.' || platform || '.moderation_delay_p90_days', QUANTILE7(x, 0.9) FROM moderation GROUP BY platform
            UNION ALL SELECT 'decision_platforms.' || platform || '.disclosure_delay_median_hours', QUANTILE7(x, 0.5) FROM disclosure GROUP BY platform
            UNION ALL SELECT 'decision_platforms.' || platform || '.disclosure_delay_p90_hours', QUANTILE7(x, 0.9) FROM disclosure GROUP BY platform
            """),
    ]

    public static func query(_ name: String) -> FigureQuery? { all.first { $0.name == name } }
}
