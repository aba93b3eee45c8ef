/// Excel's date serial numbers: days (with the time of day as the fraction) since an epoch.
///
/// A workbook's date cells are numbers; a reader that knows the cell's number format shows a
/// date, but a column the workbook did not format as a date arrives as the bare number, and
/// some exports are CSVs saved from such columns. Two systems exist:
///
/// - **1900** (Windows Excel, the default): serial 1 is 1900-01-01. Excel copied Lotus 1-2-3's
///   mistake of treating 1900 as a leap year, so serial 60 is the fictitious 1900-02-29 and
///   every serial from 61 on is one more than the count of real days (61 = 1900-03-01).
///   Serial 0 is shown as "1900-01-00": no date.
/// - **1904** (old Mac Excel, `date1904` in a workbook): serial 0 is 1904-01-01.
///
/// The fraction is the time of day, rounded to the nearest second (Excel stores binary
/// fractions: 13:05:09 is 0.5452430555…); a time that rounds up to 24:00:00 is the next day.
public enum ExcelSerial {
    public enum System: String, Sendable, CaseIterable {
        case e1900 = "1900"
        case e1904 = "1904"
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// Not a non-negative decimal number.
        case malformed
        /// Before the system's first day, or after 9999-12-31.
        case outOfRange
        /// Serial 60 of the 1900 system.
        case fictitiousLeapDay

        public var description: String {
            switch self {
            case .malformed: return "not an Excel date serial (a number of days)"
            case .outOfRange: return "an Excel date serial out of range (1 to 2958465 = 9999-12-31)"
            case .fictitiousLeapDay:
                return "Excel serial 60 is 1900-02-29, a day that never existed (Excel's 1900 leap-year error)"
            }
        }
    }

    static let day1900 = CivilDate.days(year: 1899, month: 12, day: 31)   // serial 0, counting real days
    static let day1904 = CivilDate.days(year: 1904, month: 1, day: 1)     // serial 0
    static let lastDay = CivilDate.days(year: 9999, month: 12, day: 31)

    /// The local date and time of a serial written as decimal text (`45505`, `45505.545243`).
    public static func localDateTime(_ text: Substring, system: System) -> Result<LocalDateTime, Problem> {
        let b = Array(text.utf8)
        var i = 0
        var whole = 0
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            whole = whole * 10 + Int(b[i]) - 48
            i += 1
            if whole > 10_000_000 { return .failure(.outOfRange) }
        }
        guard i > 0 else { return .failure(.malformed) }
        var seconds = 0
        var hasTime = false
        if i < b.count {
            guard b[i] == 0x2E, i + 1 < b.count else { return .failure(.malformed) }
            var numerator = 0.0, denominator = 1.0
            var allZero = true
            for k in (i + 1)..<b.count {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return .failure(.malformed) }
                if k - i <= 15 {  // digits past double precision change nothing at the second
                    numerator = numerator * 10 + Double(b[k] - 48)
                    denominator *= 10
                }
                if b[k] != 0x30 { allZero = false }
            }
            hasTime = !allZero
            seconds = Int((numerator / denominator * 86_400).rounded(.toNearestOrAwayFromZero))
            if seconds == 86_400 { whole += 1; seconds = 0 }
        }
        let days: Int
        switch system {
        case .e1900:
            if whole == 60 { return .failure(.fictitiousLeapDay) }
            if whole < 1 { return .failure(.outOfRange) }
            days = day1900 + (whole < 60 ? whole : whole - 1)
        case .e1904:
            days = day1904 + whole
        }
        guard days <= lastDay else { return .failure(.outOfRange) }
        return .success(LocalDateTime(days: days, seconds: seconds, hasTime: hasTime))
    }

    public static func localDateTime(_ text: String, system: System) -> Result<LocalDateTime, Problem> {
        localDateTime(Substring(text), system: system)
    }

    /// The serial of a local date and time (for tests and for writing workbooks).
    public static func serial(of value: LocalDateTime, system: System) -> Double {
        let whole: Int
        switch system {
        case .e1900:
            let n = value.days - day1900
            whole = n < 60 ? n : n + 1
        case .e1904:
            whole = value.days - day1904
        }
        return Double(whole) + Double(value.seconds) / 86_400
    }
}
