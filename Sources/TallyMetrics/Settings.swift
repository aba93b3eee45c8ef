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
    public var source = "(defaults)"
    /// Test-only: a deliberately wrong definition in the engine, so that tests can show that
    /// `tally verify` (which recomputes from figure SQL, not this engine) catches one. Not
    /// public, never read from a file or flag.
    var injectedFault: InjectedFault?

    public init() {}

    public static func load(_ file: String) throws -> Settings {
        let doc = try YAMLDocument.read(file)
        try doc.only(["minor_age_limit", "deadline_hours", "time_zone", "min_due", "suppress_below", "fines"])
        var s = Settings()
        s.source = file
        s.minorAgeLimit = try doc.int("minor_age_limit", min: 1, max: 150) ?? s.minorAgeLimit
        s.deadlineHours = try doc.int("deadline_hours", min: 1, max: FineSchedule.maxDeadlineHours) ?? s.deadlineHours
        s.minDue = try doc.int("min_due", min: 1) ?? s.minDue
        s.suppressBelow = try doc.int("suppress_below", min: 1) ?? s.suppressBelow
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
        return s
    }

    /// Victims' age bands: cut at 14, the minor age limit, 30 and 40 (below the limit: minors);
    /// `hi` is exclusive, nil for the open last band.
    public var ageBands: [(label: String, lo: Int, hi: Int?)] {
        let cuts = Array(Set([14, minorAgeLimit, 30, 40])).sorted()
        var out: [(String, Int, Int?)] = []
        var lo = 0
        for c in cuts where c > lo {
            out.append(("\(lo)-\(c - 1)", lo, c))
            lo = c
        }
        out.append(("\(lo)+", lo, nil))
        return out
    }

    public var zone: ZoneOffsets { ZoneOffsets(identifier: timeZone)! }
    public var deadlineMicros: Int64 { Int64(deadlineHours) * 3_600_000_000 }
}

/// Wrong definitions tests inject into the engine (`Settings.injectedFault`).
enum InjectedFault: Equatable, Sendable {
    /// Minors counted as age ≤ the limit instead of < it.
    case minorsInclusive
    /// Exactly the deadline (24:00:00) counted as late instead of within.
    case withinDeadlineExclusive
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
