import TallyTime

/// The settings every figure depends on (metrics.md's defaults): the minor age limit, the
/// takedown deadline, the reporting time zone, `min_due` for ranking and the disclosure
/// threshold. Read from a settings file (`Data/settings.yaml`), then overridden by flags;
/// shown wherever figures are shown.
public struct Settings: Equatable, Sendable {
    public var minorAgeLimit = 19
    public var deadlineHours = 24
    public var timeZone = "Asia/Seoul"
    public var minDue = 30
    /// Cells from 1 to `suppressBelow − 1` of victim breakdowns are shown as `<5`.
    public var suppressBelow = 5
    /// The fine schedule file, relative to the settings file.
    public var finesFile: String?
    /// Decisions (DSA statements of reasons) a platform needs in the period to be ranked
    /// by `tally rank --kind decisions` (decisions.md's default 100).
    public var minDecisions = 100
    /// The categories and keywords `decisions.sexual_abuse` counts (`dsa_sexual_abuse`,
    /// relative to the settings file); nil: that figure is not computable.
    public var sexualAbuse: SexualAbuseList?
    public var source = "(defaults)"

    public init() {}

    public static func load(_ file: String) throws -> Settings {
        let doc = try YAMLDocument.read(file)
        try doc.only(["minor_age_limit", "deadline_hours", "time_zone", "min_due", "suppress_below", "fines",
                      "min_decisions", "dsa_sexual_abuse"])
        var s = Settings()
        s.source = file
        s.minorAgeLimit = try doc.int("minor_age_limit", min: 1, max: 150) ?? s.minorAgeLimit
        s.deadlineHours = try doc.int("deadline_hours", min: 1, max: FineSchedule.maxDeadlineHours) ?? s.deadlineHours
        s.minDue = try doc.int("min_due", min: 1) ?? s.minDue
        s.suppressBelow = try doc.int("suppress_below", min: 1) ?? s.suppressBelow
        s.minDecisions = try doc.int("min_decisions", min: 1) ?? s.minDecisions
        if let tz = try doc.string("time_zone") {
            guard ZoneOffsets(identifier: tz) != nil else {
                throw YAMLError(file: file, message: "key 'time_zone': unknown time zone '\(tz)' (an IANA name such as Asia/Seoul)")
            }
            s.timeZone = tz
        }
        if let f = try doc.string("fines") {
            let dir = asPath(file).directory
            s.finesFile = f.hasPrefix("/") ? f : (dir.isEmpty ? f : dir + "/" + f)
        }
        if let f = try doc.string("dsa_sexual_abuse") {
            let dir = asPath(file).directory
            s.sexualAbuse = try SexualAbuseList.load(f.hasPrefix("/") ? f : (dir.isEmpty ? f : dir + "/" + f))
        }
        return s
    }

    public var zone: ZoneOffsets { ZoneOffsets(identifier: timeZone)! }
    public var deadlineMicros: Int64 { Int64(deadlineHours) * 3_600_000_000 }
}

/// Directory part of a path without Foundation's NSString.
struct NSStringPath {
    let path: String
    var directory: String {
        guard let i = path.lastIndex(of: "/") else { return "" }
        return String(path[..<i])
    }
}

func asPath(_ s: String) -> NSStringPath { NSStringPath(path: s) }
