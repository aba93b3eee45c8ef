import TallyTime

/// A reporting period of metrics.md: a month `YYYY-MM`, a quarter `YYYY-Qn`, a year `YYYY`,
/// or an inclusive range `FROM..TO` whose ends are dates `YYYY-MM-DD`, months, quarters or
/// years (as `FROM` they mean their first day, as `TO` their last).
public struct Period: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case month, quarter, year, range }

    public let kind: Kind
    /// First and last day (days since 1970-01-01), inclusive.
    public let first: Int
    public let last: Int
    /// The period as written canonically (`2024-08`, `2024-Q3`, `2024`, `2024-01-01..2024-08-31`).
    public let label: String

    public var description: String { label }

    public init(first: Int, last: Int, kind: Kind = .range) {
        self.first = first
        self.last = last
        self.kind = kind
        let a = CivilDate.civil(days: first)
        switch kind {
        case .month: label = "\(a.year)-\(CivilDate.pad(a.month, 2))"
        case .quarter: label = "\(a.year)-Q\((a.month - 1) / 3 + 1)"
        case .year: label = "\(a.year)"
        case .range: label = CivilDate.isoString(days: first) + ".." + CivilDate.isoString(days: last)
        }
    }

    public static func month(_ year: Int, _ month: Int) -> Period {
        let f = CivilDate.days(year: year, month: month, day: 1)
        return Period(first: f, last: f + CivilDate.daysInMonth(year: year, month: month) - 1, kind: .month)
    }

    public static func parse(_ text: String) throws -> Period {
        let s = text.trimmingCharacters(in: " ")
        if let r = s.range(of: "..") {
            let a = String(s[..<r.lowerBound]), b = String(s[r.upperBound...])
            guard !a.contains(".."), !b.contains(".."), let from = try? parse(a), let to = try? parse(b) else {
                throw PeriodError(text: text, reason: "a range is FROM..TO, each a date YYYY-MM-DD, a month YYYY-MM, a quarter YYYY-Qn or a year YYYY")
            }
            guard from.first <= to.last else { throw PeriodError(text: text, reason: "the range ends before it starts") }
            return Period(first: from.first, last: to.last, kind: .range)
        }
        let parts = s.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        func year(_ p: String) -> Int? { p.count == 4 && p.allSatisfy(\.isASCIIDigit) ? Int(p) : nil }
        func num(_ p: String, _ digits: Int) -> Int? { p.count == digits && p.allSatisfy(\.isASCIIDigit) ? Int(p) : nil }
        if parts.count == 1, let y = year(parts[0]) {
            let f = CivilDate.days(year: y, month: 1, day: 1)
            return Period(first: f, last: CivilDate.days(year: y, month: 12, day: 31), kind: .year)
        }
        if parts.count == 2, let y = year(parts[0]) {
            let p = parts[1]
            if p.count == 2, p.first == "Q" || p.first == "q", let q = Int(p.dropFirst()), (1...4).contains(q) {
                let f = CivilDate.days(year: y, month: 3 * q - 2, day: 1)
                let lastMonth = 3 * q
                return Period(first: f, last: CivilDate.days(year: y, month: lastMonth, day: CivilDate.daysInMonth(year: y, month: lastMonth)), kind: .quarter)
            }
            if let m = num(p, 2), (1...12).contains(m) { return .month(y, m) }
        }
        if parts.count == 3, let y = year(parts[0]), let m = num(parts[1], 2), let d = num(parts[2], 2),
           (1...12).contains(m), d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) {
            let day = CivilDate.days(year: y, month: m, day: d)
            return Period(first: day, last: day, kind: .range)
        }
        throw PeriodError(text: text, reason: "expected a month YYYY-MM, a quarter YYYY-Qn, a year YYYY or a range FROM..TO")
    }

    /// For a month: the month before.
    public var previousMonth: Period? {
        guard kind == .month else { return nil }
        let c = CivilDate.civil(days: first)
        return c.month == 1 ? .month(c.year - 1, 12) : .month(c.year, c.month - 1)
    }

    /// For a month: January to the end of the month.
    public var yearToDate: Period? {
        guard kind == .month else { return nil }
        let c = CivilDate.civil(days: first)
        return Period(first: CivilDate.days(year: c.year, month: 1, day: 1), last: last, kind: .range)
    }

    /// The calendar months the period touches, as (year, month).
    public var months: [(year: Int, month: Int)] {
        var out: [(Int, Int)] = []
        var c = CivilDate.civil(days: first)
        let end = CivilDate.civil(days: last)
        while (c.year, c.month) <= (end.year, end.month) {
            out.append((c.year, c.month))
            c = c.month == 12 ? (c.year + 1, 1, 1) : (c.year, c.month + 1, 1)
        }
        return out
    }
}

public struct PeriodError: Error, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "period '\(text)': \(reason)" }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}
