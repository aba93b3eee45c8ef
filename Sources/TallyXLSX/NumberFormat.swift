import Foundation
import TallyTime

/// How a cell's number is shown, as far as reading it goes: a date (or date and time), a time
/// of day, or a number.
public enum NumberFormat {
    public enum Kind: Equatable, Sendable { case number, date, time }

    /// The kind of number format `id`, with its format code when the workbook defines one.
    ///
    /// Built-in formats 14–17 and 22 are dates, 18–21 and 45–47 times; 27–36 and 50–58 are
    /// reserved by ECMA-376 for East Asian date formats (Korean Excel writes `yyyy"년" m"월" d"일"`
    /// as one of them without defining it). A custom code is a date when it holds a date or
    /// time token — `y`, `m`, `d`, `h`, `s` — outside quoted text, `[...]` (colours,
    /// conditions, locales, and elapsed-time fields such as `[h]`), escaped (`\x`), padding
    /// (`_x`) and fill (`*x`) characters; a time when it has no `y` nor `d`.
    public static func kind(id: Int, code: String?) -> Kind {
        if let code { return kind(code: code) }
        switch id {
        case 14...17, 22, 27...36, 50...58: return .date
        case 18...21, 45...47: return .time
        default: return .number
        }
    }

    public static func kind(code: String) -> Kind {
        var tokens = Set<Character>()
        var inQuote = false, inBracket = false, skipNext = false
        for ch in code.lowercased() {
            if skipNext { skipNext = false; continue }
            if inQuote { if ch == "\"" { inQuote = false }; continue }
            if inBracket { if ch == "]" { inBracket = false }; continue }
            switch ch {
            case "\"": inQuote = true
            case "[": inBracket = true
            case "\\", "_", "*": skipNext = true
            case ";": break  // only the first section decides (dates have one)
            case "y", "m", "d", "h", "s": tokens.insert(ch)
            default: break
            }
            if ch == ";" { break }
        }
        if tokens.isEmpty { return .number }
        return tokens.contains("y") || tokens.contains("d") ? .date : (tokens == ["m"] ? .date : .time)
    }
}

/// Excel's date serials as ISO 8601 local text.
///
/// A serial counts days (the fraction: the time of day) from the epoch of the workbook's date
/// system. In the 1900 system serial 1 is 1900-01-01, and Excel counts a 29 February 1900 that
/// never was (serial 60, kept for Lotus 1-2-3's sake): serials from 61 on are one day ahead of
/// the calendar. So 59 is 1900-02-28, 61 is 1900-03-01, and 60 is written `1900-02-29` as Excel
/// shows it — not a date, so a date column quarantines it. Serial 0 shows as `1900-01-00` in
/// Excel; its time of day alone is written for a time format. In the 1904 system serial 0 is
/// 1904-01-01 and every day is real.
public enum ExcelDate {
    /// The text of `serial`: `2024-08-01` for a whole day, `2024-08-01T13:05:09` otherwise
    /// (milliseconds when the serial has them, `.250`); a time format's serial below 1: `13:05:09`.
    /// Nil when the serial is negative or beyond year 9999 (the number is then kept as it is).
    public static func text(_ serial: Double, date1904: Bool, kind: NumberFormat.Kind = .date) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        // Milliseconds, rounded as Excel shows them; a time that rounds to midnight moves to the next day.
        let totalMillis = Int64((serial * 86_400_000).rounded())
        var day = Int(totalMillis / 86_400_000)
        let millis = Int(totalMillis % 86_400_000)
        let time = timeText(millis)
        if kind == .time && day == 0 { return time }
        var text: String
        if date1904 {
            text = CivilDate.isoString(days: CivilDate.days(year: 1904, month: 1, day: 1) + day)
        } else if day == 60 {
            text = "1900-02-29"
        } else if day == 0 {
            text = "1900-01-00"
        } else {
            if day > 60 { day -= 1 }
            text = CivilDate.isoString(days: CivilDate.days(year: 1899, month: 12, day: 31) + day)
        }
        if millis != 0 { text += "T" + time }
        return text
    }

    static func timeText(_ millis: Int) -> String {
        let s = millis / 1000
        var t = CivilDate.pad(s / 3600, 2) + ":" + CivilDate.pad(s / 60 % 60, 2) + ":" + CivilDate.pad(s % 60, 2)
        if millis % 1000 != 0 { t += "." + CivilDate.pad(millis % 1000, 3) }
        return t
    }
}

/// Numbers as their shortest exact decimal text: the fewest digits that read back as the same
/// double, never in exponent notation (`0.1`, not `0.1000000000000000055511`; `1E-3` → `0.001`;
/// `45000.1` as Excel stores it, `45000.099999999999`, → `45000.1`).
public enum NumberText {
    /// The text of the number written as `raw` in a cell's `<v>`, or nil when it is not a number.
    public static func shortest(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        if isPlain(raw) { return String(decoding: raw, as: UTF8.self) }
        guard let v = Double(String(decoding: raw, as: UTF8.self)), v.isFinite else { return nil }
        return shortest(v)
    }

    /// Up to 15 significant digits with neither exponent, leading zeros nor trailing fraction
    /// zeros: already the shortest text of its double (15 digits always read back exactly).
    @inline(__always)
    static func isPlain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        if n == 0 { return false }
        if b[0] == UInt8(ascii: "-") { i = 1 }
        if i >= n { return false }
        if b[i] == UInt8(ascii: "0") && n > i + 1 && b[i + 1] != UInt8(ascii: ".") { return false }
        var digits = 0, significant = false, dot = false
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                if dot || i == n - 1 { return false }
                dot = true
            } else if c >= 0x30 && c <= 0x39 {
                if c != 0x30 { significant = true }
                if significant { digits += 1 }
            } else {
                return false
            }
            i += 1
        }
        if dot && b[n - 1] == UInt8(ascii: "0") { return false }
        if b[0] == UInt8(ascii: "-") && !significant { return false }  // "-0"
        return digits <= 15
    }

    public static func shortest(_ v: Double) -> String {
        if v == 0 { return "0" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        // Swift's description is the shortest text that reads back as `v`; undo its exponent.
        let d = "\(v)"
        guard let e = d.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return d.hasSuffix(".0") ? String(d.dropLast(2)) : d
        }
        let exponent = Int(d[d.index(after: e)...]) ?? 0
        var mantissa = String(d[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        var frac = parts.count > 1 ? String(parts[1]) : ""
        if frac == "0" { frac = "" }
        let digits = intPart + frac
        let point = intPart.count + exponent  // digits before the decimal point
        var out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        while out.contains(".") && out.hasSuffix("0") { out.removeLast() }
        if out.hasSuffix(".") { out.removeLast() }
        return (negative ? "-" : "") + out
    }
}
