/// The fine schedule (records.md: amounts per violation kind, the deadline, an optional
/// monthly cap per platform and an optional multiplier for repeat months). It lives in
/// `Data/fines.yaml`, never in code; `--fines FILE` replaces it.
public struct FineSchedule: Equatable, Sendable {
    public var deadlineHours: Int
    /// KRW per request resolved after the deadline.
    public var lateKRW: Int
    /// KRW per request refused, or still unresolved once the deadline has passed.
    public var unresolvedKRW: Int
    /// Most a platform is fined for one calendar month (after the repeat multiplier).
    public var monthlyCapKRW: Int?
    /// A month in which a platform has violations, after a month in which it had at least
    /// `repeatAfterViolations` of them, is fined `repeatMultiplier` times.
    public var repeatMultiplier: Double?
    public var repeatAfterViolations: Int
    public var note: String?
    public var source: String

    public init(deadlineHours: Int = 24, lateKRW: Int, unresolvedKRW: Int, monthlyCapKRW: Int? = nil,
                repeatMultiplier: Double? = nil, repeatAfterViolations: Int = 1, note: String? = nil, source: String = "(built in)") {
        self.deadlineHours = deadlineHours
        self.lateKRW = lateKRW
        self.unresolvedKRW = unresolvedKRW
        self.monthlyCapKRW = monthlyCapKRW
        self.repeatMultiplier = repeatMultiplier
        self.repeatAfterViolations = repeatAfterViolations
        self.note = note
        self.source = source
    }

    /// Bounds checked when a schedule is read (so that no fine arithmetic can trap):
    /// amounts and the cap from 0 to 10^15 KRW (a thousand trillion won, far above any
    /// statutory fine), the multiplier a finite number from 1 to 100, the deadline from 1 to
    /// 8,760 hours (a year).
    public static let maxKRW = 1_000_000_000_000_000
    public static let multiplierRange = 1.0...100.0
    public static let maxDeadlineHours = 8_760

    public static func load(_ file: String) throws -> FineSchedule {
        try parse(YAMLDocument.read(file))
    }

    public static func parse(_ doc: YAMLDocument) throws -> FineSchedule {
        try doc.only(["note", "currency", "deadline_hours", "amounts", "monthly_cap_krw", "repeat"])
        if let c = try doc.string("currency"), c != "KRW" {
            throw YAMLError(file: doc.file, message: "key 'currency': only KRW is supported")
        }
        let amounts = try doc.require("amounts", try doc.mapping("amounts"), "amounts: {late: KRW, unresolved: KRW}")
        try amounts.only(["late", "unresolved"])
        var s = FineSchedule(
            deadlineHours: try doc.require("deadline_hours", try doc.int("deadline_hours", min: 1, max: maxDeadlineHours), "hours, e.g. 24"),
            lateKRW: try amounts.require("late", try amounts.int("late", min: 0, max: maxKRW), "KRW per late request"),
            unresolvedKRW: try amounts.require("unresolved", try amounts.int("unresolved", min: 0, max: maxKRW), "KRW per unresolved request"),
            monthlyCapKRW: try doc.int("monthly_cap_krw", min: 0, max: maxKRW),
            note: try doc.string("note"), source: doc.file)
        if let r = try doc.mapping("repeat") {
            try r.only(["multiplier", "after_violations"])
            s.repeatMultiplier = try r.require("multiplier", try r.double("multiplier", min: multiplierRange.lowerBound, max: multiplierRange.upperBound),
                                               "a number from 1 to 100")
            s.repeatAfterViolations = try r.int("after_violations", min: 1) ?? 1
        }
        return s
    }

    /// The fine of one platform for one month with `late` and `unresolved` requests, after a
    /// month with `previousViolations` violations; nil when it exceeds the largest 64-bit
    /// integer and no monthly cap bounds it (a capped fine is the cap however large the
    /// uncapped amount).
    public func fine(late: Int, unresolved: Int, previousViolations: Int) -> Int? {
        let (a, o1) = late.multipliedReportingOverflow(by: lateKRW)
        let (b, o2) = unresolved.multipliedReportingOverflow(by: unresolvedKRW)
        let (sum, o3) = a.addingReportingOverflow(b)
        let overflow = o1 || o2 || o3
        if let m = repeatMultiplier, m != 1, (late > 0 || unresolved > 0), previousViolations >= repeatAfterViolations {
            // Floating point for the multiplier, as before; an amount too large for an Int is
            // the cap when there is one, else not computable.
            let amount = overflow ? Double.infinity : Double(sum) * m
            if let cap = monthlyCapKRW, amount >= Double(cap) { return cap }
            guard amount.isFinite, amount < 9_223_372_036_854_775_808.0 else { return nil }
            return Int(amount.rounded(.down))
        }
        if overflow { return monthlyCapKRW }
        return monthlyCapKRW.map { min(sum, $0) } ?? sum
    }
}
