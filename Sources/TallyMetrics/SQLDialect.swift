import TallyTime

/// The few things figure SQL cannot say the same way in every engine, as named functions the
/// templates of `FigureQueries` call; a dialect spells each out. The SQLite dialect is complete;
/// another engine (Spark SQL, issue 17) is one more conformance in one file:
///
/// | template function          | SQLite                                            | Spark SQL (to come)                          |
/// |----------------------------|---------------------------------------------------|----------------------------------------------|
/// | `HOURS_BETWEEN(a, b)`      | `(b - a) / 3600000000.0` on microseconds          | `(unix_micros(b) - unix_micros(a)) / 3.6e9D` |
/// | `LOCAL_DATE(t)`            | `date()` of t plus the offset from `zone_offsets` | `to_date(from_utc_timestamp(t, zone))`       |
/// | `UTC_MICROS(d)`            | `strftime('%s', d)` × 10⁶                         | `unix_micros(to_timestamp(d))`               |
/// | `QUANTILE_RANKS(x[, k])`   | `row_number()` and `count()` windows              | nothing needed                               |
/// | `QUANTILE7(x, p)`          | linear interpolation between the ranks            | `percentile(x, p)`                           |
/// | `SET_HAS_ANY(s, list)`     | `json_each(s)` member in the list's `key`s        | `arrays_overlap(from_json(s, …), …)`         |
public protocol SQLDialect: Sendable {
    var name: String { get }
    /// Hours from instant `from` to instant `to`, as a real number.
    func hoursBetween(_ from: String, _ to: String) -> String
    /// The local date (`YYYY-MM-DD`) in the reporting zone of an instant.
    func localDate(_ instant: String) -> String
    /// The instant (UTC microseconds) of UTC midnight starting a date `YYYY-MM-DD`.
    func utcMicros(_ date: String) -> String
    /// Select-list items a relation needs before `QUANTILE7` aggregates over it (per `partition`).
    func quantileRanks(_ value: String, partition: String?) -> String
    /// Type-7 quantile aggregate of `value` (a relation prepared with `QUANTILE_RANKS`).
    func quantile7(_ value: String, _ p: String) -> String
    /// Whether the set `set` (a decisions column: canonical JSON array text, null for the
    /// empty set) has a member among the `key`s of the table of values `list`.
    func setHasAny(_ set: String, _ list: String) -> String
    /// Common table expressions the dialect's functions read (SQLite: the zone's offsets).
    func prelude(zone: ZoneOffsets, usesLocalDate: Bool) -> [(name: String, sql: String)]
    /// How a person sets the parameters before running the SQL in the engine's shell.
    func parameterScript(_ parameters: [(name: String, value: FigureSQLValue)]) -> String
}

/// A value bound to, or read from, figure SQL.
public enum FigureSQLValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    /// As an SQL literal.
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .int(let x): return String(x)
        case .double(let d): return "\(d)"
        case .text(let s): return "'" + s.replacingAll("'", with: "''") + "'"
        }
    }
}

/// SQLite 3.28 or later (window functions). Instants are the store's microseconds since
/// 1970-01-01T00:00Z; a local date is found by looking the instant's second up in
/// `zone_offsets`, the reporting zone's UTC offsets over time (from the system's tz database,
/// written into the SQL as a table of values), so that the SQL alone decides which local day
/// a request was made on.
public struct SQLiteDialect: SQLDialect {
    public init() {}
    public var name: String { "sqlite" }

    public func hoursBetween(_ from: String, _ to: String) -> String {
        "((\(to)) - (\(from))) / 3600000000.0"
    }

    public func localDate(_ instant: String) -> String {
        // Integer division truncates toward zero: subtract one for instants before 1970 with a
        // fraction of a second, so that the second is the floor.
        let second = "((\(instant)) / 1000000 - ((\(instant)) % 1000000 < 0))"
        return "date(\(second) + (SELECT z.offset_s FROM zone_offsets z WHERE \(second) >= z.from_utc_s AND \(second) < z.to_utc_s), 'unixepoch')"
    }

    public func utcMicros(_ date: String) -> String {
        "(CAST(strftime('%s', \(date)) AS INTEGER) * 1000000)"
    }

    public func quantileRanks(_ value: String, partition: String?) -> String {
        let over = (partition.map { "PARTITION BY \($0) " } ?? "")
        return "row_number() OVER (\(over)ORDER BY \(value)) - 1 AS q_rank, count(*) OVER (\(partition.map { "PARTITION BY \($0)" } ?? "")) AS q_count"
    }

    /// h = (n − 1)p; the value at rank ⌊h⌋ plus (h − ⌊h⌋) times the step to the next rank
    /// (ranks from 0; the last rank has no next, and then h − ⌊h⌋ is 0).
    public func quantile7(_ value: String, _ p: String) -> String {
        let h = "(q_count - 1) * \(p)", lo = "CAST((q_count - 1) * \(p) AS INTEGER)"
        let low = "max(CASE WHEN q_rank = \(lo) THEN \(value) END)"
        let high = "max(CASE WHEN q_rank = min(\(lo) + 1, q_count - 1) THEN \(value) END)"
        return "(\(low) + (max(\(h)) - max(\(lo))) * (\(high) - \(low)))"
    }

    public func setHasAny(_ set: String, _ list: String) -> String {
        "EXISTS (SELECT 1 FROM json_each(\(set)) WHERE value IN (SELECT key FROM \(list)))"
    }

    public func prelude(zone: ZoneOffsets, usesLocalDate: Bool) -> [(name: String, sql: String)] {
        guard usesLocalDate else { return [] }
        // Unbounded ends as the range of 64-bit seconds SQLite compares exactly.
        let rows = zone.spans.map { s in
            "(\(s.fromUTC ?? -9_000_000_000_000_000), \(s.toUTC ?? 9_000_000_000_000_000), \(s.offsetSeconds))"
        }
        return [("zone_offsets(from_utc_s, to_utc_s, offset_s)",
                 "-- \(zone.identifier): UTC offset in seconds from UTC second from_utc_s up to to_utc_s\n  VALUES "
                    + rows.joined(separator: ",\n    "))]
    }

    /// `sqlite3` shell commands (`.parameter set`); text values need their quotes inside
    /// double quotes there.
    public func parameterScript(_ parameters: [(name: String, value: FigureSQLValue)]) -> String {
        var out = [".parameter init"]
        for (name, value) in parameters {
            switch value {
            case .text: out.append(".parameter set :\(name) \"\(value.description)\"")
            default: out.append(".parameter set :\(name) \(value.description)")
            }
        }
        return out.joined(separator: "\n")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = "", rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

/// Expands the dialect functions of a template (`NAME(arg, …)` with nested parentheses and
/// quoted text) into the dialect's SQL.
enum DialectExpander {
    static let functions = ["HOURS_BETWEEN", "LOCAL_DATE", "UTC_MICROS", "QUANTILE_RANKS", "QUANTILE7", "SET_HAS_ANY"]

    static func expand(_ sql: String, _ d: SQLDialect) -> String {
        let chars = Array(sql)
        var out = ""
        var i = 0
        var inQuote = false
        while i < chars.count {
            let c = chars[i]
            if c == "'" { inQuote.toggle() }
            if !inQuote, c.isUppercase || c.isNumber || c == "_", i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_") {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                let word = String(chars[i..<j])
                if functions.contains(word), j < chars.count, chars[j] == "(", let (args, end) = arguments(chars, from: j) {
                    let a = args.map { expand($0, d).trimmed }
                    out += call(word, a, d)
                    i = end
                    continue
                }
                out += word
                i = j
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }

    static func call(_ name: String, _ a: [String], _ d: SQLDialect) -> String {
        switch (name, a.count) {
        case ("HOURS_BETWEEN", 2): return d.hoursBetween(a[0], a[1])
        case ("LOCAL_DATE", 1): return d.localDate(a[0])
        case ("UTC_MICROS", 1): return d.utcMicros(a[0])
        case ("QUANTILE_RANKS", 1): return d.quantileRanks(a[0], partition: nil)
        case ("QUANTILE_RANKS", 2): return d.quantileRanks(a[0], partition: a[1])
        case ("QUANTILE7", 2): return d.quantile7(a[0], a[1])
        case ("SET_HAS_ANY", 2): return d.setHasAny(a[0], a[1])
        default: preconditionFailure("figure SQL: \(name) takes other arguments than \(a)")
        }
    }

    /// The top-level arguments of the call whose "(" is at `open`, and the index after its ")".
    static func arguments(_ c: [Character], from open: Int) -> ([String], Int)? {
        var depth = 0, quote = false, current = "", args: [String] = []
        var i = open
        while i < c.count {
            let ch = c[i]
            if ch == "'" { quote.toggle() }
            if !quote && ch == "(" {
                depth += 1
                if depth == 1 { i += 1; continue }
            } else if !quote && ch == ")" {
                depth -= 1
                if depth == 0 { args.append(current); return (args, i + 1) }
            } else if !quote && ch == "," && depth == 1 {
                args.append(current); current = ""; i += 1; continue
            }
            current.append(ch)
            i += 1
        }
        return nil
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
