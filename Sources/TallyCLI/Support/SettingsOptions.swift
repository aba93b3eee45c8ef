import ArgumentParser
import Foundation
import TallyCore
import TallyMetrics

/// The settings of the figures, shared by every command that computes them (`stats`, `rank`,
/// `chart`, `bulletin`, `revisions`): a settings file, the fine schedule, and flags that
/// override the file.
struct SettingsOptions: ParsableArguments {
    @Option(name: .customLong("tz"), help: ArgumentHelp("Reporting time zone (default: the settings', Asia/Seoul).", valueName: "zone"))
    var timeZone: String?

    @Option(help: ArgumentHelp("Settings file (default: Data/settings.yaml when it exists).", valueName: "file"))
    var settings: String?

    @Option(help: ArgumentHelp("Fine schedule (default: the one the settings name, Data/fines.yaml).", valueName: "file"))
    var fines: String?

    @Option(name: .customLong("minor-age-limit"), help: ArgumentHelp("Under this age is a minor (default 19).", valueName: "age"))
    var minorAgeLimit: Int?

    @Option(name: .customLong("deadline-hours"), help: ArgumentHelp("Takedown deadline in hours (default 24).", valueName: "hours"))
    var deadlineHours: Int?

    static let defaultFile = "Data/settings.yaml"

    func validate() throws {
        for (name, v) in [("--minor-age-limit", minorAgeLimit), ("--deadline-hours", deadlineHours)] {
            if let v, v < 1 { throw ValidationError("\(name) must be 1 or more") }
        }
        if let v = deadlineHours, v > FineSchedule.maxDeadlineHours {
            throw ValidationError("--deadline-hours must be at most \(FineSchedule.maxDeadlineHours) (a year), not \(v)")
        }
        if let v = minorAgeLimit, v > 150 { throw ValidationError("--minor-age-limit must be at most 150, not \(v)") }
        if let tz = timeZone, ZoneOffsets(identifier: tz) == nil {
            throw ValidationError("unknown time zone '\(tz)' (an IANA name such as Asia/Seoul)")
        }
    }

    /// The settings file (default Data/settings.yaml when it exists), then the flags given
    /// (and `minDue` when the command has it); the fine schedule, which must agree on the
    /// deadline.
    func resolved(minDue: Int? = nil) throws -> (Settings, FineSchedule?) {
        var s = Settings()
        if let file = settings {
            s = try Settings.load(file)
        } else if FileManager.default.fileExists(atPath: Self.defaultFile) {
            s = try Settings.load(Self.defaultFile)
        }
        if let v = minorAgeLimit { s.minorAgeLimit = v }
        if let v = deadlineHours { s.deadlineHours = v }
        if let v = minDue { s.minDue = v }
        if let v = timeZone { s.timeZone = v }
        var schedule: FineSchedule?
        if let file = fines ?? s.finesFile {
            schedule = try FineSchedule.load(file)
            if schedule!.deadlineHours != s.deadlineHours {
                throw CLIError("\(file): the fine schedule's deadline_hours is \(schedule!.deadlineHours) but the settings' deadline is \(s.deadlineHours) h; make them agree (--deadline-hours or the schedule)")
            }
        }
        return (s, schedule)
    }
}
