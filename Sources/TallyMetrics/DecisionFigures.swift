import Foundation
import TallyCore
import TallyEngine

/// One row of the per-platform table of decisions (`decision_platforms` in the JSON).
public struct DecisionPlatformRow: Equatable, Sendable {
    public var platform: String
    public var total = 0
    public var sexualAbuse: Int?
    public var automatedDetectionShare: Double?
    public var automatedDecisionShare: Double?
    public var moderationMedianDays: Double?
    public var moderationP90Days: Double?
    public var disclosureMedianHours: Double?
    public var disclosureP90Hours: Double?
    public var removedShare: Double?
    public var rank: Int?

    public init(platform: String) { self.platform = platform }

    public var json: JSONValue {
        .object([
            ("platform", .string(platform)), ("total", .integer(total)), ("sexual_abuse", .integer(sexualAbuse)),
            ("automated_detection_share", .number(automatedDetectionShare)),
            ("automated_decision_share", .number(automatedDecisionShare)),
            ("moderation_delay_median_days", .number(moderationMedianDays)),
            ("moderation_delay_p90_days", .number(moderationP90Days)),
            ("disclosure_delay_median_hours", .number(disclosureMedianHours)),
            ("disclosure_delay_p90_hours", .number(disclosureP90Hours)),
            ("removed_share", .number(removedShare)),
            ("rank", .integer(rank)),
        ])
    }
}

/// The figures of decisions.md (`decisions.*`) and the per-platform table, computed from the
/// engine table of decisions in one pass over the period's rows.
///
/// Periods are by `application_date` (a calendar date, no time zone). Values of the
/// JSON-array columns are decided once per dictionary entry (their canonical text), not
/// once per row. Each figure's definition is in the figure catalogue (`FigureCatalogue`) and
/// its SQL in `FigureQueries` (`decision_flags`, `decisions.*`, `decision_platforms.*`).
public enum DecisionFigures {
    public struct Result: Sendable {
        public var figures = Figures()
        public var platforms: [DecisionPlatformRow] = []
        /// The delays the quantiles are computed over (any order): days from the content's
        /// date to the application where 0 or more, hours from the application to created_at.
        public var moderationDays: [Double] = []
        public var disclosureHours: [Double] = []
    }

    /// The suffix of a category's figure id: the value after `STATEMENT_CATEGORY_`, lower case.
    public static func categoryID(_ category: String) -> String {
        "decisions.by_category." + category.dropFirst("STATEMENT_CATEGORY_".count).lowercased()
    }

    /// Why `decisions.sexual_abuse` is not computable without a list.
    public static let noListReason = "no sexual-abuse list: \(SexualAbuseList.defaultFile) (or `dsa_sexual_abuse` in the settings file) is missing"

    static let removedValues: Set<String> = ["DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED"]
    static let automatedValues: Set<String> = ["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY"]

    /// Accumulated counts and delays of one platform (or of all).
    struct Acc {
        var total = 0, sexual = 0, detected = 0, automated = 0, removed = 0
        var moderationDays: [Double] = []
        var disclosureHours: [Double] = []
    }

    /// Per dictionary code of a string column: whether the value (a JSON array's canonical
    /// text, or an enum) satisfies `test`.
    static func flags(_ c: Column, _ test: (String) -> Bool) -> [Bool] {
        guard let d = c.dictionary else { return [] }
        return d.strings.map(test)
    }

    static func contains(_ json: String, _ values: Set<String>) -> Bool {
        (JSONSets.stringArray(json) ?? []).contains { values.contains($0) }
    }

    /// The figures of `period` from `table` (the store's decisions, engine columns). Without
    /// a sexual-abuse list, `decisions.sexual_abuse` is not computable.
    public static func compute(_ table: Table, period: Period, list: SexualAbuseList?, minDecisions: Int) throws -> Result {
        let platformCol = try table.column("platform_name"), category = try table.column("category")
        let spec = try table.column("category_specification"), ground = try table.column("decision_ground")
        let detection = try table.column("automated_detection"), decision = try table.column("automated_decision")
        let content = try table.column("content_date"), application = try table.column("application_date")
        let created = try table.column("created_at"), visibility = try table.column("decision_visibility")

        let abuseCategories = Set(list?.categories ?? []), abuseKeywords = Set(list?.keywords ?? [])
        let categoryIsAbuse = flags(category) { abuseCategories.contains($0) }
        let specIsAbuse = flags(spec) { contains($0, abuseKeywords) }
        let isRemoved = flags(visibility) { contains($0, removedValues) }
        let isAutomated = flags(decision) { automatedValues.contains($0) }
        let isIllegal = flags(ground) { $0 == "DECISION_GROUND_ILLEGAL_CONTENT" }
        let categoryNames = category.dictionary?.strings ?? []

        var all = Acc()
        var perPlatform: [UInt32: Acc] = [:]
        var byCategory: [String: Int] = [:]
        var illegal = 0, incompatible = 0
        // The columns' values, copied out of the engine's storage (which lends them only
        // inside closures): a few bytes a row, read once.
        let app = application.withInt32s(Array.init), cont = content.withInt32s(Array.init)
        let cre = created.withInt64s(Array.init)
        let platformCodes = platformCol.withCodes(Array.init), categoryCodes = category.withCodes(Array.init)
        let specCodes = spec.withCodes(Array.init), groundCodes = ground.withCodes(Array.init)
        let decisionCodes = decision.withCodes(Array.init), visibilityCodes = visibility.withCodes(Array.init)
        let first = Int32(period.first), last = Int32(period.last)
        for i in 0..<table.rowCount where application.isValid(i) && app[i] >= first && app[i] <= last {
            var a = perPlatform[platformCodes[i], default: Acc()]
            a.total += 1
            let cat = category.isValid(i) ? Int(categoryCodes[i]) : -1
            if cat >= 0 { byCategory[categoryNames[cat], default: 0] += 1 }
            if ground.isValid(i) { if isIllegal[Int(groundCodes[i])] { illegal += 1 } else { incompatible += 1 } }
            if (cat >= 0 && categoryIsAbuse[cat]) || (spec.isValid(i) && specIsAbuse[Int(specCodes[i])]) { a.sexual += 1 }
            if detection.value(i) == .bool(true) { a.detected += 1 }
            if decision.isValid(i) && isAutomated[Int(decisionCodes[i])] { a.automated += 1 }
            if visibility.isValid(i) && isRemoved[Int(visibilityCodes[i])] { a.removed += 1 }
            if content.isValid(i) && app[i] >= cont[i] { a.moderationDays.append(Double(app[i] - cont[i])) }
            if created.isValid(i) {
                a.disclosureHours.append(Double(cre[i] - Int64(app[i]) * 86_400_000_000) / 3_600_000_000)
            }
            perPlatform[platformCodes[i]] = a
        }
        for a in perPlatform.values {
            all.total += a.total; all.sexual += a.sexual; all.detected += a.detected
            all.automated += a.automated; all.removed += a.removed
            all.moderationDays += a.moderationDays; all.disclosureHours += a.disclosureHours
        }

        var r = Result()
        r.moderationDays = all.moderationDays
        r.disclosureHours = all.disclosureHours
        r.figures["decisions.total"] = .count(all.total)
        for c in RecordSchema.statementCategories.sorted() { r.figures[categoryID(c)] = .count(byCategory[c] ?? 0) }
        r.figures["decisions.by_ground.illegal"] = .count(illegal)
        r.figures["decisions.by_ground.incompatible"] = .count(incompatible)
        r.figures["decisions.sexual_abuse"] = list == nil
            ? .notComputable(noListReason)
            : .count(all.sexual)
        r.figures["decisions.automated_detection_share"] = .number(share(all.detected, all.total))
        r.figures["decisions.automated_decision_share"] = .number(share(all.automated, all.total))
        r.figures["decisions.moderation_delay_median_days"] = .number(quantile(all.moderationDays, 0.5))
        r.figures["decisions.moderation_delay_p90_days"] = .number(quantile(all.moderationDays, 0.9))
        r.figures["decisions.disclosure_delay_median_hours"] = .number(quantile(all.disclosureHours, 0.5))
        r.figures["decisions.disclosure_delay_p90_hours"] = .number(quantile(all.disclosureHours, 0.9))
        r.figures["decisions.removed_share"] = .number(share(all.removed, all.total))

        let names = platformCol.dictionary?.strings ?? []
        r.platforms = perPlatform.map { code, a in
            var row = DecisionPlatformRow(platform: platformCol.dictionary == nil ? "" : names[Int(code)])
            row.total = a.total
            row.sexualAbuse = list == nil ? nil : a.sexual
            row.automatedDetectionShare = share(a.detected, a.total)
            row.automatedDecisionShare = share(a.automated, a.total)
            row.moderationMedianDays = quantile(a.moderationDays, 0.5)
            row.moderationP90Days = quantile(a.moderationDays, 0.9)
            row.disclosureMedianHours = quantile(a.disclosureHours, 0.5)
            row.disclosureP90Hours = quantile(a.disclosureHours, 0.9)
            row.removedShare = share(a.removed, a.total)
            return row
        }.sorted { $0.platform < $1.platform }
        // Rank: by disclosure delay median ascending among platforms with at least
        // `minDecisions` decisions in the period, then by name.
        let ranked = r.platforms.indices.filter { r.platforms[$0].total >= minDecisions }.sorted { x, y in
            let a = r.platforms[x], b = r.platforms[y]
            if a.disclosureMedianHours != b.disclosureMedianHours {
                return (a.disclosureMedianHours ?? .infinity) < (b.disclosureMedianHours ?? .infinity)
            }
            return a.platform < b.platform
        }
        for (k, i) in ranked.enumerated() { r.platforms[i].rank = k + 1 }
        return r
    }

    /// Type 7 quantile (the engine's), nil for no values.
    static func quantile(_ values: [Double], _ p: Double) -> Double? {
        var v = values
        return v.withUnsafeMutableBufferPointer { Quantile.type7($0, p) }
    }
}
