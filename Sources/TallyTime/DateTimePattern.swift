/// A date or date-time layout as a source profile declares it, e.g. `YYYY.M.D` or
/// `YYYY-MM-DD A h:mm:ss` for `2024-08-01 오후 1:05:09`.
///
/// Letters: `Y` year (four digits), `M` month, `D` day, `H` hour 0–23, `h` hour 1–12 (needs `A`),
/// `m` minute, `s` second, `S` fraction of a second (1–6 digits), `A` the half of the day:
/// `오전`/`오후` or `AM`/`PM` (any letter case). A run of one letter is one field: written
/// twice (`MM`) it takes exactly two digits, once (`M`) one or two. Lower-case `y`, `d` and
/// `a` are accepted for `Y`, `D` and `A` (as in other date libraries). A space takes one or more
/// spaces; anything else (`.`, `-`, `/`, `:`, `년`, `월`, `일`, `시`, …) stands for itself. Other
/// ASCII letters are an error, so that a typo is not read as text.
///
/// 12-hour times: `오전 12:xx` is 00:xx (just after midnight), `오후 12:xx` is 12:xx (noon),
/// `오후 1:xx` is 13:xx; `오전 0:xx` is read as 00:xx; `오후 0:xx` and hours above 12 with `A`
/// are refused.
public struct DateTimePattern: Sendable, Equatable, CustomStringConvertible {
    enum Field: Equatable, Sendable {
        case year, month, day, hour24, hour12, minute, second, fraction, half
    }
    enum Part: Equatable, Sendable {
        case field(Field, exactTwo: Bool)
        case space
        case literal([UInt8])
    }

    public let text: String
    let parts: [Part]
    /// Whether the layout has a time of day.
    public let hasTime: Bool

    public var description: String { text }

    public struct PatternError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String) throws {
        self.text = text
        var parts: [Part] = []
        let chars = Array(text)
        var i = 0
        var seen = Set<String>()
        while i < chars.count {
            let c = chars[i]
            var run = 1
            while i + run < chars.count && chars[i + run] == c { run += 1 }
            let field: Field?
            switch c {
            case "Y", "y": field = .year
            case "M": field = .month
            case "D", "d": field = .day
            case "H": field = .hour24
            case "h": field = .hour12
            case "m": field = .minute
            case "s": field = .second
            case "S": field = .fraction
            case "A", "a": field = .half
            default: field = nil
            }
            if let field {
                if field == .year && run != 4 { throw PatternError(description: "the year is written YYYY (four letters)") }
                if field == .half && run != 1 { throw PatternError(description: "the half of the day is written A (one letter)") }
                if run > 2 && field != .year && field != .fraction {
                    throw PatternError(description: "'\(String(repeating: c, count: run))': at most two letters for a field")
                }
                let name = "\(field)"
                if !seen.insert(name).inserted { throw PatternError(description: "'\(c)' appears twice") }
                parts.append(.field(field, exactTwo: run == 2))
                i += run
            } else if c == " " {
                parts.append(.space)
                i += run
            } else if c.isASCII && c.isLetter {
                throw PatternError(description: "unknown letter '\(c)' (letters: Y M D H h m s S A)")
            } else {
                let bytes = Array(String(c).utf8)
                if case .literal(let prev)? = parts.last {
                    parts[parts.count - 1] = .literal(prev + bytes)
                } else {
                    parts.append(.literal(bytes))
                }
                i += 1
            }
        }
        for needed in ["year", "month", "day"] where !seen.contains(needed) {
            throw PatternError(description: "no \(needed) (a layout needs Y, M and D)")
        }
        if seen.contains("hour12") != seen.contains("half") {
            throw PatternError(description: seen.contains("half") ? "A needs a 12-hour h" : "a 12-hour h needs A (오전/오후)")
        }
        if seen.contains("hour12") && seen.contains("hour24") { throw PatternError(description: "both H and h") }
        let hasHour = seen.contains("hour12") || seen.contains("hour24")
        if (seen.contains("minute") || seen.contains("second")) && !hasHour {
            throw PatternError(description: "minutes or seconds without an hour")
        }
        if seen.contains("second") && !seen.contains("minute") { throw PatternError(description: "seconds without minutes") }
        if seen.contains("fraction") && !seen.contains("second") { throw PatternError(description: "a fraction without seconds") }
        self.parts = parts
        self.hasTime = hasHour
    }

    static let am: [[UInt8]] = ["오전", "AM", "am", "Am", "aM"].map { Array($0.utf8) }
    static let pm: [[UInt8]] = ["오후", "PM", "pm", "Pm", "pM"].map { Array($0.utf8) }

    /// The date and time the text holds in this layout, or nil when it does not fit the layout
    /// whole or names a day or time that does not exist.
    public func parse(_ text: Substring) -> LocalDateTime? {
        let b = Array(text.utf8)
        var i = 0
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0
        var half: Bool?  // true: afternoon
        func digits(min: Int, max: Int) -> (Int, Int)? {
            var v = 0, n = 0
            while n < max, i + n < b.count, b[i + n] >= 0x30, b[i + n] <= 0x39 {
                v = v * 10 + Int(b[i + n]) - 48
                n += 1
            }
            guard n >= min else { return nil }
            i += n
            return (v, n)
        }
        for part in parts {
            switch part {
            case .space:
                guard i < b.count, b[i] == 0x20 || b[i] == 0x09 else { return nil }
                while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
            case .literal(let lit):
                guard i + lit.count <= b.count, Array(b[i..<(i + lit.count)]) == lit else { return nil }
                i += lit.count
            case let .field(f, exactTwo):
                switch f {
                case .year: guard let (v, _) = digits(min: 4, max: 4) else { return nil }; year = v
                case .fraction:
                    guard let (v, n) = digits(min: 1, max: 6) else { return nil }
                    micros = v
                    for _ in n..<6 { micros *= 10 }
                case .half:
                    if let m = Self.am.first(where: { i + $0.count <= b.count && Array(b[i..<(i + $0.count)]) == $0 }) {
                        half = false; i += m.count
                    } else if let m = Self.pm.first(where: { i + $0.count <= b.count && Array(b[i..<(i + $0.count)]) == $0 }) {
                        half = true; i += m.count
                    } else {
                        return nil
                    }
                default:
                    guard let (v, _) = digits(min: exactTwo ? 2 : 1, max: 2) else { return nil }
                    switch f {
                    case .month: month = v
                    case .day: day = v
                    case .hour24, .hour12: hour = v
                    case .minute: minute = v
                    case .second: second = v
                    default: break
                    }
                }
            }
        }
        guard i == b.count else { return nil }
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
              minute <= 59, second <= 59 else { return nil }
        if let afternoon = half {
            guard hour <= 12 else { return nil }
            if afternoon {
                guard hour >= 1 else { return nil }
                if hour < 12 { hour += 12 }
            } else if hour == 12 {
                hour = 0
            }
        } else {
            guard hour <= 23 else { return nil }
        }
        return LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, micros: micros,
                             hasTime: hasTime)
    }

    public func parse(_ text: String) -> LocalDateTime? { parse(Substring(text)) }
}
