/// Proleptic Gregorian calendar arithmetic on plain integers.
///
/// Days are counted from 1970-01-01 (day 0). The algorithms are Howard Hinnant's
/// `days_from_civil` / `civil_from_days`: exact, branch-light and allocation-free, so they can
/// run once per row in the ingest and engine hot loops (no `DateFormatter`, no `Calendar`).
public enum CivilDate {
    /// English month names, January first (the one list every output uses).
    public static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                                    "October", "November", "December"]
    /// Their three-letter abbreviations.
    public static let monthAbbreviations = monthNames.map { String($0.prefix(3)) }

    /// Days since 1970-01-01 of the given year, month (1–12) and day (1–31).
    @inlinable
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month and day of a day count since 1970-01-01.
    @inlinable
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    @inlinable
    public static func isLeapYear(_ y: Int) -> Bool {
        (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    }

    @inlinable
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD` of a day count.
    public static func isoString(days: Int) -> String {
        let (y, m, d) = civil(days: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    public static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// Floor division and modulo for negative instants.
@inlinable
public func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
}

/// Formatting of UTC instants held as microseconds since the Unix epoch.
public enum Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ` (with `.ffffff` when there are fractional seconds).
    public static func isoUTC(micros: Int64) -> String {
        iso(micros: micros, offsetSeconds: 0)
    }

    /// Local wall-clock time with its offset, e.g. `2024-08-31T20:00:00+09:00`.
    public static func iso(micros: Int64, offsetSeconds: Int64) -> String {
        let seconds = floorDiv(micros, 1_000_000)
        let fraction = micros - seconds * 1_000_000
        let local = seconds + offsetSeconds
        let days = floorDiv(local, 86_400)
        let sod = Int(local - days * 86_400)
        var s = CivilDate.isoString(days: Int(days)) + "T" + CivilDate.pad(sod / 3600, 2) + ":"
            + CivilDate.pad(sod / 60 % 60, 2) + ":" + CivilDate.pad(sod % 60, 2)
        if fraction != 0 { s += "." + CivilDate.pad(Int(fraction), 6) }
        if offsetSeconds == 0 { return s + "Z" }
        let a = abs(Int(offsetSeconds))
        return s + (offsetSeconds < 0 ? "-" : "+") + CivilDate.pad(a / 3600, 2) + ":" + CivilDate.pad(a / 60 % 60, 2)
    }
}
