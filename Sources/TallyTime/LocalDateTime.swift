/// A wall-clock date and time without a zone, as spreadsheets and agency exports write them.
///
/// Source profiles turn the many spellings of a date (`2024.08.01`, `2024-08-01 오후 1:05:09`,
/// Excel serials) into this, then into the contract's text (`YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM:SS`); the zone is applied later, by the validator or the profile.
public struct LocalDateTime: Equatable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var days: Int
    /// Seconds since midnight, 0 ..< 86,400.
    public var seconds: Int
    /// Microseconds within the second.
    public var micros: Int
    /// Whether the text gave a time of day (a date alone is midnight).
    public var hasTime: Bool

    public init(days: Int, seconds: Int = 0, micros: Int = 0, hasTime: Bool = true) {
        self.days = days
        self.seconds = seconds
        self.micros = micros
        self.hasTime = hasTime
    }

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, micros: Int = 0,
                hasTime: Bool = true) {
        self.init(days: CivilDate.days(year: year, month: month, day: day), seconds: hour * 3600 + minute * 60 + second,
                  micros: micros, hasTime: hasTime)
    }

    /// Seconds since 1970-01-01T00:00 local (the input of `ZoneOffsets.utc(fromLocal:)`).
    public var localSeconds: Int64 { Int64(days) * 86_400 + Int64(seconds) }

    /// `YYYY-MM-DD`.
    public var isoDate: String { CivilDate.isoString(days: days) }

    /// `YYYY-MM-DDTHH:MM:SS`, with `.ffffff` when there are microseconds.
    public var isoDateTime: String {
        let h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60
        var text = isoDate + "T" + Self.two(h) + ":" + Self.two(m) + ":" + Self.two(s)
        if micros > 0 {
            let digits = String(micros)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text
    }

    public var description: String { isoDateTime }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// The contract's own forms: `YYYY-MM-DD`, or `YYYY-MM-DD` then `T` or a space and
    /// `HH:MM[:SS[.f…]]` (up to six fraction digits), optionally followed by `Z` or `±HH:MM`,
    /// returned as written (nil: none). Nil when the text is none of these.
    public static func parseISO(_ text: String) -> (LocalDateTime, offset: String?)? {
        let b = Array(text.utf8)
        func num(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var v = 0
            for k in start..<(start + count) {
                let d = Int(b[k]) - 48
                guard d >= 0 && d < 10 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard b.count >= 10, b[4] == 0x2D, b[7] == 0x2D, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              mo >= 1, mo <= 12, d >= 1, d <= CivilDate.daysInMonth(year: y, month: mo) else { return nil }
        if b.count == 10 { return (LocalDateTime(year: y, month: mo, day: d, hasTime: false), nil) }
        guard b.count >= 16, b[10] == 0x54 || b[10] == 0x20 || b[10] == 0x74, b[13] == 0x3A,
              let h = num(11, 2), let mi = num(14, 2), h <= 23, mi <= 59 else { return nil }
        var i = 16, sec = 0, micros = 0
        if i < b.count && b[i] == 0x3A {
            guard let s = num(i + 1, 2), s <= 59 else { return nil }
            sec = s
            i += 3
            if i < b.count && b[i] == 0x2E {
                i += 1
                var count = 0
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    guard count < 6 else { return nil }
                    micros = micros * 10 + Int(b[i]) - 48
                    count += 1
                    i += 1
                }
                guard count > 0 else { return nil }
                for _ in count..<6 { micros *= 10 }
            }
        }
        let value = LocalDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: sec, micros: micros)
        if i == b.count { return (value, nil) }
        let rest = String(decoding: b[i...], as: UTF8.self)
        if rest == "Z" || rest == "z" { return (value, rest) }
        if b.count - i == 6, b[i] == 0x2B || b[i] == 0x2D, b[i + 3] == 0x3A, let oh = num(i + 1, 2), let om = num(i + 4, 2),
           oh <= 18, om <= 59 {
            return (value, rest)
        }
        return nil
    }
}
