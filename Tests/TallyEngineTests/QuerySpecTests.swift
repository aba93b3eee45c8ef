import PropertyBased
import Testing
@testable import TallyEngine
import TallyTime

/// `QuerySpec` (the `tally query` strings) against hand-written equivalent SQL on random
/// tables (`TestTable`, up to 60 rows) in SQLite. Time-zone work uses Asia/Seoul, a fixed
/// +09:00 since 1988, so SQLite's own date functions with a '+9 hours' modifier are an
/// independent oracle for `date(ts)` and `month(ts)`. Quantile aggregates are checked
/// against a sorting reference over the rows SQL selects for each group.
@Suite struct QuerySpecTests {
    static let seoul = ZoneOffsets(identifier: "Asia/Seoul")!

    struct Case: CustomTestStringConvertible, Sendable {
        let spec: QuerySpec
        let names: [String]
        let sql: String
        var testDescription: String {
            "derive \(spec.derive) where \(spec.conditions) by \(spec.groupBy) agg \(spec.aggregates) sort \(spec.sort) limit \(spec.limit.map(String.init) ?? "-")"
        }
    }

    /// SQL for a local day number in Seoul, through SQLite's calendar.
    static func seoulDay(_ ts: String, startOfMonth: Bool = false) -> String {
        "CAST(ROUND(julianday(\(ts) / 1000000, 'unixepoch', '+9 hours', 'start of \(startOfMonth ? "month" : "day")') - 2440587.5) AS INTEGER)"
    }

    static func share(_ p: String) -> String { "AVG(CASE WHEN (\(p)) THEN 1.0 WHEN NOT (\(p)) THEN 0.0 END)" }

    static let cases: [Case] = [
        Case(spec: QuerySpec(groupBy: ["s"], aggregates: ["count", "n_i=count(i)", "sum(i)", "mean(x)", "min(d)", "max(s)", "avg(y)"]),
             names: ["s", "count", "n_i", "sum(i)", "mean(x)", "min(d)", "max(s)", "avg(y)"],
             sql: "SELECT s, COUNT(*), COUNT(i), SUM(i), AVG(x), MIN(d), MAX(s), AVG(y) FROM t GROUP BY s ORDER BY s"),
        Case(spec: QuerySpec(conditions: ["i >= 0", "s in a|b"], groupBy: ["u"],
                             aggregates: ["count_if(j < 2 and f = true)", "share(x > 0 and s != c)"]),
             names: ["u", "count_if(j < 2 and f = true)", "share(x > 0 and s != c)"],
             sql: "SELECT u, COUNT(*) FILTER (WHERE j < 2 AND f = 1), \(share("x > 0 AND s <> 'c'")) FROM t"
                + " WHERE i >= 0 AND s IN ('a', 'b') GROUP BY u ORDER BY u"),
        Case(spec: QuerySpec(derive: ["h=hours(ts,tt)", "dd=diff(ts,tt)", "di=diff(i,j)"], groupBy: ["f"],
                             aggregates: ["mean(h)", "sum(dd)", "max(h)", "min(di)", "count(h)"]),
             names: ["f", "mean(h)", "sum(dd)", "max(h)", "min(di)", "count(h)"],
             sql: "SELECT f, AVG((ts - tt) / 3600000000.0), SUM(ts - tt), MAX((ts - tt) / 3600000000.0), MIN(i - j),"
                + " COUNT(ts - tt) FROM t GROUP BY f ORDER BY f"),
        Case(spec: QuerySpec(derive: ["day=date(ts)", "m=month(ts)"], groupBy: ["m"], aggregates: ["count", "first=min(day)", "last=max(day)"]),
             names: ["m", "count", "first", "last"],
             sql: "SELECT \(seoulDay("ts", startOfMonth: true)) AS m, COUNT(*), MIN(\(seoulDay("ts"))), MAX(\(seoulDay("ts")))"
                + " FROM t GROUP BY m ORDER BY m"),
        Case(spec: QuerySpec(derive: ["m=month(d)"], groupBy: ["m", "f"], aggregates: ["count"]),
             names: ["m", "f", "count"],
             sql: "SELECT CAST(ROUND(julianday(d * 86400, 'unixepoch', 'start of month') - 2440587.5) AS INTEGER) AS m, f,"
                + " COUNT(*) FROM t GROUP BY m, f ORDER BY m, f"),
        Case(spec: QuerySpec(conditions: ["u is not null", "x < y"], groupBy: ["u", "i"], aggregates: ["lo=min(x)", "hi=max(y)"],
                             sort: ["hi:desc", "u"], limit: 3),
             names: ["u", "i", "lo", "hi"],
             sql: "SELECT u, i, MIN(x) AS lo, MAX(y) AS hi FROM t WHERE u IS NOT NULL AND x < y GROUP BY u, i"
                + " ORDER BY hi DESC NULLS LAST, u ASC NULLS FIRST, u, i LIMIT 3"),
        Case(spec: QuerySpec(conditions: ["d >= 2024-03-30", "ts < 2024-03-30T12:00Z", "tt <= 2024-03-31"]),
             names: ["count"],
             sql: "SELECT COUNT(*) FROM t WHERE d >= CAST(julianday('2024-03-30') - 2440587.5 AS INTEGER)"
                + " AND ts < CAST(strftime('%s', '2024-03-30 12:00:00') AS INTEGER) * 1000000"
                + " AND tt <= CAST(strftime('%s', '2024-03-31 00:00:00') AS INTEGER) * 1000000"),
        Case(spec: QuerySpec(conditions: ["s = 'a'", "f = yes", "x in 0.5|1|-1"], groupBy: ["i"], aggregates: ["COUNT(*)"]),
             names: ["i", "COUNT(*)"],
             sql: "SELECT i, COUNT(*) FROM t WHERE s = 'a' AND f = 1 AND x IN (0.5, 1, -1) GROUP BY i ORDER BY i"),
        Case(spec: QuerySpec(conditions: ["s IN a|B|''", "x IS NOT NULL", "i != j"], groupBy: ["s"], aggregates: ["count()"], sort: ["count():desc"]),
             names: ["s", "count()"],
             sql: "SELECT s, COUNT(*) AS n FROM t WHERE s IN ('a', 'B', '') AND x IS NOT NULL AND i <> j GROUP BY s"
                + " ORDER BY n DESC, s"),
        Case(spec: QuerySpec(conditions: ["s = u"], groupBy: ["s"], aggregates: ["count"]),
             names: ["s", "count"],
             sql: "SELECT s, COUNT(*) FROM t WHERE s = u GROUP BY s ORDER BY s"),
        Case(spec: QuerySpec(conditions: ["s = 'u'", "j is null"], aggregates: ["count"]),
             names: ["count"],
             sql: "SELECT COUNT(*) FROM t WHERE s = 'u' AND j IS NULL"),
        Case(spec: QuerySpec(groupBy: ["u"], aggregates: ["n_pos=count where x > 0", "sx=sum(x) where s in a|b and i is not null",
                                                        "share(f = true) where i > 0", "count_if(x > 0) WHERE f = false",
                                                        "big=max(i) where j >= 0 AND j <= 2"]),
             names: ["u", "n_pos", "sx", "share(f = true) where i > 0", "count_if(x > 0) WHERE f = false", "big"],
             sql: "SELECT u, COUNT(*) FILTER (WHERE x > 0), SUM(x) FILTER (WHERE s IN ('a', 'b') AND i IS NOT NULL),"
                + " \(share("f = 1")) FILTER (WHERE i > 0), COUNT(*) FILTER (WHERE x > 0 AND f = 0),"
                + " MAX(i) FILTER (WHERE j >= 0 AND j <= 2) FROM t GROUP BY u ORDER BY u"),
        Case(spec: QuerySpec(groupBy: ["s", "f"], aggregates: ["count"], sort: ["f:DESC", "count"], limit: 0),
             names: ["s", "f", "count"],
             sql: "SELECT s, f, COUNT(*) FROM t GROUP BY s, f LIMIT 0"),
        Case(spec: QuerySpec(groupBy: ["d"], sort: ["d:desc"], limit: 4),
             names: ["d", "count"],
             sql: "SELECT d, COUNT(*) FROM t GROUP BY d ORDER BY d DESC NULLS LAST LIMIT 4"),
    ]

    @Test func specsMatchEquivalentSQL() async {
        await propertyCheck(count: 40, input: TestTable.gen(rows: 0...60)) { t in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                for c in Self.cases {
                    let result = try c.spec.run(on: t.table, zone: Self.seoul)
                    #expect(result.names == c.names, "\(c.testDescription)")
                    expectSameRows(result, try db.query(c.sql), "\(c.testDescription)\n\(c.sql)")
                }
            }
        }
    }

    @Test func quantileAggregatesMatchASortingReference() async {
        let spec = QuerySpec(conditions: ["s is not null"], groupBy: ["u"],
                             aggregates: ["median(x) where i > 0", "p90(x)", "quantile(y, 0.25)", "p0(i)", "p100(d)", "P37.5(ts)"])
        // Each aggregate: column and p, and the extra SQL condition of its `where`.
        let plan: [(String, Double, String?)] = [("x", 0.5, "i > 0"), ("x", 0.9, nil), ("y", 0.25, nil),
                                                 ("i", 0, nil), ("d", 1, nil), ("ts", 0.375, nil)]
        await propertyCheck(count: 40, input: TestTable.gen(rows: 0...60)) { t in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                let result = try spec.run(on: t.table, zone: Self.seoul)
                #expect(result.names == ["u"] + spec.aggregates)
                let groups = try db.query("SELECT DISTINCT u FROM t WHERE s IS NOT NULL ORDER BY u")
                #expect(result.allRows.map { [$0[0]] } == groups)
                for (k, (column, p, extra)) in plan.enumerated() {
                    let rows = try db.query("SELECT u, \(column) FROM t WHERE s IS NOT NULL AND \(column) IS NOT NULL"
                                            + (extra.map { " AND \($0)" } ?? ""))
                    let members = Dictionary(grouping: rows, by: { $0[0] }).mapValues { $0.map { $0[1].asDouble! } }
                    for g in 0..<min(groups.count, result.rowCount) {
                        let want = QuantileDifferentialTests.type7(members[groups[g][0]] ?? [], p).map(Value.double) ?? .null
                        #expect(SQLiteOracle.matches(result.row(g)[k + 1], want), "\(spec.aggregates[k]) for u = \(groups[g][0])")
                    }
                }
            }
        }
    }

    // MARK: Errors

    static let table = TestTable(rows: [[.int(1), .int(2), .double(0.5), .null, .string("a"), .string("b"),
                                         .date(TestTable.day0), .null, .timestamp(TestTable.ts0), .null, .bool(true)]]).table

    static func error(_ spec: QuerySpec) -> EngineError? {
        #expect(throws: EngineError.self) { try spec.run(on: table, zone: seoul) }
    }

    static let columns = "i, j, x, y, s, u, d, e, ts, tt, f"

    /// Bad input is an `EngineError` whose text names the problem and what would be right.
    @Test(arguments: [
        (QuerySpec(conditions: ["zz = 1"]), "no column 'zz'; columns are: \(columns)"),
        (QuerySpec(aggregates: ["sum(zz)"]), "no column 'zz'; columns are: \(columns)"),
        (QuerySpec(groupBy: ["zz"]), "no column 'zz'"),
        (QuerySpec(derive: ["h=hours(ts,zz)"]), "no column 'zz'"),
        (QuerySpec(groupBy: ["s"], sort: ["zz:desc"]), "no column 'zz'; columns are: s, count"),
        (QuerySpec(conditions: ["i = abc"]), "'abc' is not a whole number (column 'i' is int64)"),
        (QuerySpec(conditions: ["x > 1,5"]), "'1,5' is not a number (column 'x' is float64)"),
        (QuerySpec(conditions: ["f = maybe"]), "'maybe' is not true or false (column 'f' is bool)"),
        (QuerySpec(conditions: ["d = 2024-02-30"]), "'2024-02-30' is not a date YYYY-MM-DD (column 'd' is date)"),
        (QuerySpec(conditions: ["ts < 2024-03-30T25:00Z"]), "is not a timestamp YYYY-MM-DDTHH:MM[:SS]Z"),
        (QuerySpec(conditions: ["i in 1|two"]), "'two' is not a whole number"),
        (QuerySpec(conditions: ["i ~ 3"]), "expected COLUMN OP VALUE"),
        (QuerySpec(conditions: ["i = s"]), "cannot compare 'i' (int64) with 's' (string)"),
        (QuerySpec(aggregates: ["foo(x)"]), "unknown function 'foo'"),
        (QuerySpec(aggregates: ["total"]), "expected count, FUNCTION(COLUMN) or NAME=FUNCTION(COLUMN)"),
        (QuerySpec(aggregates: ["sum(x,y)"]), "sum takes one column"),
        (QuerySpec(aggregates: ["quantile(x,1.5)"]), "quantile(COLUMN, P) with P from 0 to 1"),
        (QuerySpec(aggregates: ["p101(x)"]), "unknown function 'p101'"),
        (QuerySpec(aggregates: ["count", "count"]), "two result columns are named 'count'"),
        (QuerySpec(aggregates: ["n=sum(i)", "n=max(x)"]), "two result columns are named 'n'"),
        (QuerySpec(groupBy: ["s"], aggregates: ["s=count"]), "two result columns are named 's'"),
        (QuerySpec(groupBy: ["s"], sort: ["s:up"]), "expected COLUMN or COLUMN:desc"),
        (QuerySpec(derive: ["h=hours(ts)"]), "functions are diff(a,b), hours(a,b), date(ts), month(col)"),
        (QuerySpec(derive: ["nothing"]), "expected NAME=FUNCTION(ARGS)"),
        (QuerySpec(derive: ["m=month(i)"]), "column 'i' is int64, expected date or timestamp"),
        (QuerySpec(derive: ["h=diff(d,e)"]), "needs two int64 or two timestamp columns"),
        (QuerySpec(aggregates: ["mean(s)"]), "column 's' is string, expected a number"),
        (QuerySpec(limit: -1), "limit"),
    ])
    func badInputIsAHelpfulError(_ spec: QuerySpec, _ message: String) {
        let e = Self.error(spec)
        #expect(e?.description.contains(message) == true, "got: \(e.map(String.init(describing:)) ?? "no error")")
    }

    /// Unknown columns carry the name and the available columns, not only text.
    @Test func unknownColumnIsStructured() {
        #expect(Self.error(QuerySpec(conditions: ["zz is null"]))
                == .unknownColumn("zz", available: ["i", "j", "x", "y", "s", "u", "d", "e", "ts", "tt", "f"]))
    }
}
