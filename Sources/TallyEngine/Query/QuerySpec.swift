import TallyTime

/// A group-by query written as short strings, as `tally query` takes them:
///
/// - derived columns: `NAME=diff(a,b)`, `NAME=hours(a,b)` ((a − b) in hours, for timestamps),
///   `NAME=date(ts)`, `NAME=month(col)` (local to the query's time zone for timestamps);
/// - conditions: `col = v`, `!=`, `<`, `<=`, `>`, `>=`, `col in a|b|c`, `col is null`,
///   `col is not null` (several are ANDed); values are read as the column's type;
/// - aggregates: `count`, `count(col)`, `sum(col)`, `mean(col)`, `min(col)`, `max(col)`,
///   `median(col)`, `p90(col)` (any `pNN`), `quantile(col,0.25)`, `count_if(COND and …)`,
///   `share(COND and …)`; each optionally `NAME=…` and `… where COND and …` (only those rows);
/// - sort: `col` or `col:desc`; a limit.
public struct QuerySpec: Sendable {
    public var derive: [String] = []
    public var conditions: [String] = []
    public var groupBy: [String] = []
    public var aggregates: [String] = []
    public var sort: [String] = []
    public var limit: Int?

    public init(derive: [String] = [], conditions: [String] = [], groupBy: [String] = [],
                aggregates: [String] = [], sort: [String] = [], limit: Int? = nil) {
        self.derive = derive
        self.conditions = conditions
        self.groupBy = groupBy
        self.aggregates = aggregates
        self.sort = sort
        self.limit = limit
    }

    /// Runs the query on `table`; `zone` serves local dates and months of timestamps.
    public func run(on input: Table, zone: ZoneOffsets) throws -> Table {
        var table = input
        for d in derive { table = try Self.derived(d, table, zone) }
        let conditions = try self.conditions.map { try Self.condition($0, table) }
        let selection = conditions.isEmpty ? nil : try table.filter(conditions.count == 1 ? conditions[0] : .and(conditions))
        let aggregations = try (aggregates.isEmpty ? ["count"] : aggregates).map { try Self.aggregation($0, table) }
        var result = try table.groupBy(groupBy, aggregations, where: selection)
        if !sort.isEmpty {
            let keys = try sort.map { s -> SortKey in
                let parts = s.split(separator: ":").map { String($0).trimmed() }
                guard parts.count <= 2, parts.count == 1 || ["asc", "desc"].contains(parts[1].lowercased()) else {
                    throw EngineError.invalidArgument("sort '\(s)': expected COLUMN or COLUMN:desc")
                }
                return SortKey(parts[0], ascending: parts.count == 1 || parts[1].lowercased() == "asc")
            }
            result = result.take(try result.sorted(by: keys))
        }
        if let limit {
            guard limit >= 0 else { throw EngineError.invalidArgument("limit must be 0 or more") }
            result = result.take(Selection(indices: (0..<min(limit, result.rowCount)).map { UInt32($0) },
                                           count: min(limit, result.rowCount)))
        }
        return result
    }

    static func split(_ s: String, _ sep: Character) -> (String, String)? {
        guard let i = s.firstIndex(of: sep) else { return nil }
        return (String(s[..<i]).trimmed(), String(s[s.index(after: i)...]).trimmed())
    }

    /// `name(args)` → (name, [args]).
    static func call(_ s: String) -> (String, [String])? {
        guard let open = s.firstIndex(of: "("), s.hasSuffix(")") else { return nil }
        let name = String(s[..<open]).trimmed().lowercased()
        let inner = s[s.index(after: open)..<s.index(before: s.endIndex)]
        let args = inner.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmed() }
        return (name, args == [""] ? [] : args)
    }

    static func derived(_ spec: String, _ table: Table, _ zone: ZoneOffsets) throws -> Table {
        guard let (name, expr) = split(spec, "="), !name.isEmpty, let (fn, args) = call(expr) else {
            throw EngineError.invalidArgument("derive '\(spec)': expected NAME=FUNCTION(ARGS)")
        }
        let column: Column
        switch (fn, args.count) {
        case ("diff", 2): column = try table.difference(args[0], args[1])
        case ("hours", 2): column = try table.scaledDifference(args[0], args[1], by: 3_600_000_000)
        case ("date", 1): column = try table.localDate(args[0], zone: zone)
        case ("month", 1): column = try table.month(args[0], zone: zone)
        default:
            throw EngineError.invalidArgument("derive '\(spec)': functions are diff(a,b), hours(a,b), date(ts), month(col)")
        }
        return table.adding(name, column)
    }

    static let operators: [(String, CompareOp)] = [("!=", .ne), ("<=", .le), (">=", .ge), ("=", .eq), ("<", .lt), (">", .gt)]

    static func condition(_ text: String, _ table: Table) throws -> Predicate {
        let s = text.trimmed()
        let lower = s.lowercased()
        if lower.hasSuffix(" is not null") {
            return .isNotNull(String(s.dropLast(12)).trimmed())
        }
        if lower.hasSuffix(" is null") {
            return .isNull(String(s.dropLast(8)).trimmed())
        }
        if let r = lower.range(of: " in ") {
            let name = String(s[..<r.lowerBound]).trimmed()
            let rest = String(s[r.upperBound...])
            let c = try table.column(name)
            return .isIn(name, try rest.split(separator: "|").map { try literal(String($0).trimmed(), c, name) })
        }
        for (symbol, op) in operators {
            if let r = s.range(of: symbol) {
                let name = String(s[..<r.lowerBound]).trimmed()
                let value = String(s[r.upperBound...]).trimmed()
                let c = try table.column(name)
                if let other = table.index(of: value), c.type != .string || table.columns[other].type == .string {
                    return .compareColumns(name, op, value)
                }
                return .compare(name, op, try literal(value, c, name))
            }
        }
        throw EngineError.invalidArgument("condition '\(text)': expected COLUMN OP VALUE (OP one of = != < <= > >=), COLUMN in A|B, COLUMN is [not] null")
    }

    /// A literal read as the column's type.
    static func literal(_ text: String, _ c: Column, _ name: String) throws -> Value {
        let t = text.count >= 2 && (text.hasPrefix("'") && text.hasSuffix("'") || text.hasPrefix("\"") && text.hasSuffix("\""))
            ? String(text.dropFirst().dropLast()) : text
        func bad(_ what: String) -> EngineError {
            .invalidArgument("'\(text)' is not \(what) (column '\(name)' is \(c.type.rawValue))")
        }
        switch c.type {
        case .string: return .string(t)
        case .int64: guard let v = Int64(t) else { throw bad("a whole number") }; return .int(v)
        case .float64: guard let v = Double(t) else { throw bad("a number") }; return .double(v)
        case .bool:
            switch t.lowercased() {
            case "true", "1", "yes", "y": return .bool(true)
            case "false", "0", "no", "n": return .bool(false)
            default: throw bad("true or false")
            }
        case .date:
            guard let d = parseDate(t) else { throw bad("a date YYYY-MM-DD") }
            return .date(Int32(d))
        case .timestamp:
            guard let us = parseTimestampUTC(t) else { throw bad("a timestamp YYYY-MM-DDTHH:MM[:SS]Z") }
            return .timestamp(us)
        }
    }

    static func parseDate(_ t: String) -> Int? {
        let p = t.split(separator: "-")
        guard p.count == 3, p[0].count == 4, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
              (1...12).contains(m), d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) else { return nil }
        return CivilDate.days(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DDTHH:MM[:SS]Z` (UTC) or a date (its midnight UTC).
    static func parseTimestampUTC(_ t: String) -> Int64? {
        if let d = parseDate(t) { return Int64(d) * 86_400_000_000 }
        guard t.hasSuffix("Z") || t.hasSuffix("z") else { return nil }
        let body = t.dropLast()
        let parts = body.split(whereSeparator: { $0 == "T" || $0 == "t" || $0 == " " })
        guard parts.count == 2, let d = parseDate(String(parts[0])) else { return nil }
        let hms = parts[1].split(separator: ":").compactMap { Int($0) }
        guard hms.count >= 2, hms.count <= 3, hms[0] < 24, hms[1] < 60, (hms.count == 2 || hms[2] < 60) else { return nil }
        return (Int64(d) * 86_400 + Int64(hms[0] * 3600 + hms[1] * 60 + (hms.count == 3 ? hms[2] : 0))) * 1_000_000
    }

    /// Conditions joined by ` and ` (as inside `count_if(…)` and `share(…)`).
    static func conditions(_ text: String, _ table: Table) throws -> Predicate {
        var parts: [String] = []
        var rest = Substring(text)
        while let r = rest.rangeIgnoringCase(of: " and ") {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        parts.append(String(rest))
        let ps = try parts.map { try condition($0, table) }
        return ps.count == 1 ? ps[0] : .and(ps)
    }

    static func aggregation(_ text: String, _ table: Table) throws -> Aggregation {
        var name = text.trimmed()
        var expr = name
        if let (n, e) = split(text, "="), !n.isEmpty, n.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) {
            name = n
            expr = e
        }
        // `FUNCTION(…) where COND and COND…`: aggregate only the rows where the conditions hold.
        var filter: Predicate?
        if let r = expr.rangeIgnoringCase(of: " where ") {
            filter = try conditions(String(expr[r.upperBound...]), table)
            expr = String(expr[..<r.lowerBound]).trimmed()
        }
        var a = try plainAggregation(name, expr, text, table)
        if let filter { a.filter = a.filter.map { .and([$0, filter]) } ?? filter }
        return a
    }

    static func plainAggregation(_ name: String, _ expr: String, _ text: String, _ table: Table) throws -> Aggregation {
        let lower = expr.lowercased()
        if lower == "count" || lower == "count()" || lower == "count(*)" { return Aggregation(name, .count) }
        if let (fn, _) = call(expr), fn == "count_if" || fn == "share" {
            let open = expr.firstIndex(of: "(")!
            let inner = String(expr[expr.index(after: open)..<expr.index(before: expr.endIndex)])
            let p = try conditions(inner, table)
            return fn == "share" ? Aggregation(name, .share(p)) : Aggregation(name, .count, filter: p)
        }
        guard let (fn, args) = call(expr) else {
            throw EngineError.invalidArgument("aggregate '\(text)': expected count, FUNCTION(COLUMN) or NAME=FUNCTION(COLUMN)")
        }
        func one() throws -> String {
            guard args.count == 1, !args[0].isEmpty else {
                throw EngineError.invalidArgument("aggregate '\(text)': \(fn) takes one column")
            }
            return args[0]
        }
        switch fn {
        case "count": return Aggregation(name, .countValid(try one()))
        case "sum": return Aggregation(name, .sum(try one()))
        case "mean", "avg": return Aggregation(name, .mean(try one()))
        case "min": return Aggregation(name, .min(try one()))
        case "max": return Aggregation(name, .max(try one()))
        case "median": return Aggregation(name, .quantile(try one(), 0.5))
        case "quantile":
            guard args.count == 2, let p = Double(args[1]), p >= 0, p <= 1 else {
                throw EngineError.invalidArgument("aggregate '\(text)': quantile(COLUMN, P) with P from 0 to 1")
            }
            return Aggregation(name, .quantile(args[0], p))
        default:
            if fn.hasPrefix("p"), let pct = Double(fn.dropFirst()), pct >= 0, pct <= 100 {
                return Aggregation(name, .quantile(try one(), pct / 100))
            }
            throw EngineError.invalidArgument("aggregate '\(text)': unknown function '\(fn)'; expected count, count_if, share, sum, mean, min, max, median, pNN, quantile")
        }
    }
}

extension StringProtocol {
    /// The first occurrence of an ASCII `needle`, ignoring case.
    func rangeIgnoringCase(of needle: String) -> Range<Index>? {
        let n = needle.lowercased()
        var i = startIndex
        while i < endIndex {
            var j = i, k = n.startIndex
            while k < n.endIndex, j < endIndex, self[j].lowercased() == String(n[k]) {
                j = index(after: j); k = n.index(after: k)
            }
            if k == n.endIndex { return i..<j }
            i = index(after: i)
        }
        return nil
    }
}

extension String {
    func trimmed() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
