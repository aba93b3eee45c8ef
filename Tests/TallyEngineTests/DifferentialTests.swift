import PropertyBased
import Synchronization
import Testing
@testable import TallyEngine
import TallyTime

// Differential tests: the engine against SQLite (see `SQLiteOracle`) on random tables
// (`TestTable`: 0–300 rows, ~20% nulls per cell, few distinct values so that groups repeat
// and comparisons tie) and random predicates (`RandomPredicate`).

/// Records the first difference between an engine table and SQL result rows.
func expectSameRows(_ got: Table, _ want: [[Value]], _ context: @autoclosure () -> String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let rows = got.allRows
    guard rows.count == want.count else {
        Issue.record("engine has \(rows.count) rows, SQL \(want.count)\nengine: \(rows)\nSQL:    \(want)\n\(context())",
                     sourceLocation: sourceLocation)
        return
    }
    for (k, (g, w)) in zip(rows, want).enumerated() where !SQLiteOracle.matches(g, w) {
        Issue.record("row \(k): engine \(g) ≠ SQL \(w)\n\(context())", sourceLocation: sourceLocation)
        return
    }
}

/// `ORDER BY` in the engine's group order: by each key ascending, nulls first.
func sqlKeyOrder(_ keys: [String]) -> String {
    keys.isEmpty ? "" : " ORDER BY " + keys.map { SQLiteOracle.ident($0) + " ASC NULLS FIRST" }.joined(separator: ", ")
}

func sqlWhere(_ p: Predicate?) -> String { p.map { " WHERE " + RandomPredicate.sql($0) } ?? "" }

// MARK: - Filters

/// Filters against SQL `WHERE`: the oracle is `SELECT rid FROM t WHERE <predicate> ORDER BY rid`
/// (SQL keeps the rows where the condition is TRUE, under three-valued logic).
@Suite struct FilterDifferentialTests {
    @Test func randomPredicatesSelectTheRowsSQLSelects() async {
        await propertyCheck(count: 60, input: TestTable.gen(), RandomPredicate.gen.array(of: 12)) { t, predicates in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                for p in predicates {
                    let got = try t.table.filter(p).indices!.map(Int.init)
                    let want = try db.integers("SELECT rid FROM t\(sqlWhere(p)) ORDER BY rid")
                    #expect(got == want, "WHERE \(RandomPredicate.sql(p))")
                }
            }
        }
    }

    /// Every operator on every column type, against fixed literals (and null) and against
    /// another column, plain and negated (NOT keeps unknown unknown: null rows stay out).
    @Test func everyOperatorOnEveryColumnType() async {
        await propertyCheck(count: 8, input: TestTable.gen()) { t in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                var predicates: [Predicate] = []
                for op in CompareOp.allCases {
                    for column in ["i", "x", "s", "d", "ts", "f"] {
                        for v in RandomPredicate.literalSamples(for: column) + [.null] {
                            predicates.append(.compare(column, op, v))
                        }
                    }
                    for (a, b) in RandomPredicate.columnPairs { predicates.append(.compareColumns(a, op, b)) }
                }
                for p in predicates + predicates.map({ .not($0) }) {
                    let got = try t.table.filter(p).indices!.map(Int.init)
                    let want = try db.integers("SELECT rid FROM t\(sqlWhere(p)) ORDER BY rid")
                    #expect(got == want, "WHERE \(RandomPredicate.sql(p))")
                }
            }
        }
    }

    /// `filter(_:within:)` keeps the rows of the selection (in the selection's order) where
    /// the predicate is true: SQL `WHERE base AND p`, ordered as the base.
    @Test func filterWithinASelectionKeepsItsOrder() async {
        await propertyCheck(count: 40, input: TestTable.gen(), RandomPredicate.gen, RandomPredicate.gen) { t, base, p in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                let filtered = try t.table.filter(p, within: t.table.filter(base))
                #expect(filtered.indices!.map(Int.init)
                        == (try db.integers("SELECT rid FROM t\(sqlWhere(.and([base, p]))) ORDER BY rid")))
                // A sorted (non-ascending) selection keeps its order.
                let sorted = try t.table.sorted(by: [SortKey("u", ascending: false), SortKey("x")])
                let within = try t.table.filter(p, within: sorted)
                #expect(within.indices!.map(Int.init) == (try db.integers(
                    "SELECT rid FROM t\(sqlWhere(p)) ORDER BY u DESC NULLS LAST, x ASC NULLS FIRST, rid")))
                #expect(within.count == within.indices!.count)
            }
        }
    }
}

// MARK: - Group-by

/// Group-by against SQL `GROUP BY`: keys and every aggregate of each group, in the order the
/// engine documents ("ordered by the keys (nulls first; strings by their text)"), which is
/// SQL `ORDER BY k ASC NULLS FIRST` (BINARY collation equals Swift's order on these ASCII
/// strings). `share(p)` is `AVG(CASE WHEN p THEN 1.0 WHEN NOT p THEN 0.0 END)` (unknown
/// rows excluded); `filter:` is SQL's `FILTER (WHERE …)`.
@Suite struct GroupByDifferentialTests {
    static let keySets: [[String]] = [[], ["s"], ["i"], ["f"], ["d"], ["s", "i"], ["i", "s"], ["u", "f"], ["s", "u"]]

    /// The aggregations under test, each with its SQL and the documented result type.
    static func aggregations(share p: Predicate, filter q: Predicate) -> [(Aggregation, String, DataType)] {
        let ps = RandomPredicate.sql(p), qs = RandomPredicate.sql(q)
        let shareSQL = "AVG(CASE WHEN \(ps) THEN 1.0 WHEN NOT (\(ps)) THEN 0.0 END)"
        return [
            (Aggregation("n", .count), "COUNT(*)", .int64),
            (Aggregation("nx", .countValid("x")), "COUNT(x)", .int64),
            (Aggregation("ns", .countValid("s")), "COUNT(s)", .int64),
            (Aggregation("si", .sum("i")), "SUM(i)", .int64),
            (Aggregation("sx", .sum("x")), "SUM(x)", .float64),
            (Aggregation("sf", .sum("f")), "SUM(f)", .int64),
            (Aggregation("mi", .mean("i")), "AVG(i)", .float64),
            (Aggregation("mx", .mean("x")), "AVG(x)", .float64),
            (Aggregation("mini", .min("i")), "MIN(i)", .int64),
            (Aggregation("maxi", .max("i")), "MAX(i)", .int64),
            (Aggregation("minx", .min("x")), "MIN(x)", .float64),
            (Aggregation("maxx", .max("x")), "MAX(x)", .float64),
            (Aggregation("mins", .min("s")), "MIN(s)", .string),
            (Aggregation("maxs", .max("s")), "MAX(s)", .string),
            (Aggregation("mind", .min("d")), "MIN(d)", .date),
            (Aggregation("maxts", .max("ts")), "MAX(ts)", .timestamp),
            (Aggregation("minf", .min("f")), "MIN(f)", .bool),
            (Aggregation("share", .share(p)), shareSQL, .float64),
            (Aggregation("nq", .count, filter: q), "COUNT(*) FILTER (WHERE \(qs))", .int64),
            (Aggregation("sxq", .sum("x"), filter: q), "SUM(x) FILTER (WHERE \(qs))", .float64),
            (Aggregation("siq", .sum("i"), filter: q), "SUM(i) FILTER (WHERE \(qs))", .int64),
            (Aggregation("maxjq", .max("j"), filter: q), "MAX(j) FILTER (WHERE \(qs))", .int64),
            (Aggregation("nyq", .countValid("y"), filter: q), "COUNT(y) FILTER (WHERE \(qs))", .int64),
            (Aggregation("shareq", .share(p), filter: q), shareSQL + " FILTER (WHERE \(qs))", .float64),
        ]
    }

    @Test func groupsAndAggregatesMatchSQL() async {
        await propertyCheck(count: 50, input: TestTable.gen(), RandomPredicate.gen, RandomPredicate.gen,
                            RandomPredicate.gen.optional) { t, p, q, sel in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                let aggs = Self.aggregations(share: p, filter: q)
                for keys in Self.keySets {
                    let result = try t.table.groupBy(keys, aggs.map(\.0), where: try sel.map { try t.table.filter($0) })
                    #expect(result.names == keys + aggs.map(\.0.name))
                    for (k, a) in aggs.enumerated() {
                        #expect(result.columns[keys.count + k].type == a.2, "type of \(a.0.name)")
                    }
                    let keyList = keys.map(SQLiteOracle.ident).joined(separator: ", ")
                    let sql = "SELECT \(keys.isEmpty ? "" : keyList + ", ")\(aggs.map(\.1).joined(separator: ", ")) FROM t"
                        + sqlWhere(sel) + (keys.isEmpty ? "" : " GROUP BY \(keyList)") + sqlKeyOrder(keys)
                    expectSameRows(result, try db.query(sql), sql)
                }
            }
        }
    }

    /// No rows: no groups with keys, and one row without (count 0, the rest null).
    @Test func emptyInputs() throws {
        let empty = TestTable(rows: []).table
        let db = try SQLiteOracle(empty)
        let aggs = Self.aggregations(share: .isNull("i"), filter: .isNotNull("x"))
        let byS = try empty.groupBy(["s"], aggs.map(\.0))
        #expect(byS.rowCount == 0)
        let all = try empty.groupBy([], aggs.map(\.0))
        expectSameRows(all, try db.query("SELECT \(aggs.map(\.1).joined(separator: ", ")) FROM t"), "empty table")
        #expect(all.row(0)[0] == .int(0))

        // A selection of no rows of a non-empty table behaves the same.
        let t = TestTable(rows: [[.int(1), .int(2), .double(0.5), .null, .string("a"), .null,
                                  .date(TestTable.day0), .null, .timestamp(TestTable.ts0), .null, .bool(true)]]).table
        let none = try t.filter(.isNull("i"))
        #expect(try t.groupBy(["s"], aggs.map(\.0), where: none).rowCount == 0)
        let overNone = try t.groupBy([], aggs.map(\.0), where: none)
        expectSameRows(overNone, try db.query("SELECT \(aggs.map(\.1).joined(separator: ", ")) FROM t"), "empty selection")
    }

    /// Two result columns with one name are an error, not a table with a duplicate.
    @Test func duplicateResultNamesAreRejected() {
        let t = TestTable(rows: []).table
        let e = #expect(throws: EngineError.self) { try t.groupBy(["s"], [Aggregation("s", .count)]) }
        #expect(e?.description.contains("two result columns are named 's'") == true)
        #expect(throws: EngineError.self) { try t.groupBy([], [Aggregation("n", .count), Aggregation("n", .sum("i"))]) }
    }
}

// MARK: - Quantiles

/// Type-7 quantiles per group. SQLite has no quantile, so the oracle splits the work: SQL
/// gives the groups (`SELECT DISTINCT keys … ORDER BY keys`) and each group's non-null values
/// (`SELECT keys, col … WHERE sel AND filter AND col IS NOT NULL`); Swift sorts them and
/// interpolates: h = (n − 1)p, x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
@Suite struct QuantileDifferentialTests {
    static func type7(_ xs: [Double], _ p: Double) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let h = Double(s.count - 1) * p
        let lo = Int(h.rounded(.down))
        return lo + 1 < s.count ? s[lo] + (h - Double(lo)) * (s[lo + 1] - s[lo]) : s[lo]
    }

    @Test func quantilesPerGroupMatchASortingReference() async {
        await propertyCheck(count: 40, input: TestTable.gen(), Gen.double(in: 0...1), RandomPredicate.gen.optional,
                            RandomPredicate.gen.optional) { t, pRandom, sel, filt in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                let ps = [0, 0.1, 0.25, 0.5, 0.9, 1, pRandom]
                for keys in [[], ["s"], ["i", "u"], ["f"]] {
                    for column in ["x", "i", "d"] {
                        let aggs = ps.enumerated().map { k, p in
                            Aggregation("q\(k)", .quantile(column, p), filter: k % 2 == 0 ? filt : nil)
                        }
                        let result = try t.table.groupBy(keys, aggs, where: try sel.map { try t.table.filter($0) })
                        let keyList = keys.map(SQLiteOracle.ident).joined(separator: ", ")
                        let groups = keys.isEmpty ? [[]]
                            : try db.query("SELECT DISTINCT \(keyList) FROM t\(sqlWhere(sel))\(sqlKeyOrder(keys))")
                        #expect(result.rowCount == groups.count)
                        func members(_ extra: Predicate?) throws -> [[Value]: [Double]] {
                            let conditions = [sel, extra, .isNotNull(column)].compactMap { $0 }
                            let rows = try db.query("SELECT \(keys.isEmpty ? "" : keyList + ", ")\(column) FROM t"
                                                    + sqlWhere(.and(conditions)))
                            return Dictionary(grouping: rows, by: { Array($0.dropLast()) })
                                .mapValues { $0.map { $0.last!.asDouble! } }
                        }
                        let plain = try members(nil), filtered = try members(filt)
                        for (g, key) in groups.enumerated() where g < result.rowCount {
                            let row = result.row(g)
                            #expect(SQLiteOracle.matches(Array(row.prefix(keys.count)), key), "group \(g) key")
                            for (k, p) in ps.enumerated() {
                                let values = (k % 2 == 0 ? filtered : plain)[key] ?? []
                                let want = Self.type7(values, p).map(Value.double) ?? .null
                                #expect(SQLiteOracle.matches(row[keys.count + k], want),
                                        "quantile(\(column), \(p)) of group \(key) over \(values.sorted())")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func pOutsideZeroToOneIsRejected() {
        let t = TestTable(rows: []).table
        for p in [-0.1, 1.5] {
            let e = #expect(throws: EngineError.self) { try t.groupBy([], [Aggregation("q", .quantile("x", p))]) }
            #expect(e?.description.contains("from 0 to 1") == true)
        }
        #expect(throws: EngineError.typeMismatch(column: "s", expected: "a number", found: .string)) {
            try t.groupBy([], [Aggregation("q", .quantile("s", 0.5))])
        }
    }
}

// MARK: - Sort, top-k, take, join

/// Sorting against SQL `ORDER BY`. The engine documents nulls first ascending and last
/// descending, and a stable sort (ties keep row order), so the oracle is
/// `ORDER BY k ASC NULLS FIRST | k DESC NULLS LAST, …, rid`; `top(k)` adds `LIMIT k`.
@Suite struct SortDifferentialTests {
    static let sortable = ["i", "j", "x", "s", "u", "d", "ts", "f"]
    static let keysGen = Generator<[SortKey], Shrink.None<[SortKey]>>(run: { rng in
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in
            SortKey(sortable.randomElement(using: &rng)!, ascending: Bool.random(using: &rng))
        }
    })

    static func orderBy(_ keys: [SortKey]) -> String {
        " ORDER BY " + keys.map { SQLiteOracle.ident($0.column) + ($0.ascending ? " ASC NULLS FIRST" : " DESC NULLS LAST") }
            .joined(separator: ", ") + ", rid"
    }

    @Test func sortedTopAndTakeMatchOrderBy() async {
        await propertyCheck(count: 60, input: TestTable.gen(), Self.keysGen, RandomPredicate.gen.optional,
                            Gen.int(in: -1...25)) { t, keys, sel, k in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                let within = try sel.map { try t.table.filter($0) }
                let sorted = try t.table.sorted(by: keys, within: within)
                let sql = "SELECT rid FROM t\(sqlWhere(sel))\(Self.orderBy(keys))"
                #expect(sorted.indices!.map(Int.init) == (try db.integers(sql)), "\(sql)")
                let top = try t.table.top(k, by: keys, within: within)
                #expect(top.indices!.map(Int.init) == (try db.integers(sql + " LIMIT \(max(k, 0))")), "top \(k): \(sql)")
                let names = t.table.names.map(SQLiteOracle.ident).joined(separator: ", ")
                expectSameRows(t.table.take(sorted),
                               try db.query("SELECT \(names) FROM t\(sqlWhere(sel))\(Self.orderBy(keys))"), "take")
            }
        }
    }
}

/// `join` (a left join with a table whose key is unique) against SQL `LEFT JOIN`: every left
/// row once, in order, with the right table's columns (but its key) or nulls; a right column
/// whose name the left table has comes back as `NAME_right`.
@Suite struct JoinDifferentialTests {
    struct Right: CustomTestStringConvertible, @unchecked Sendable {
        let leftKey: String
        let table: Table
        var testDescription: String { "on \(leftKey): \(table.allRows)" }
    }

    /// A right table keyed like `i`, `s` or `d`: distinct keys (some no left row has) and a
    /// few null keys, with a string, a float and a column named like a left one (`x`).
    static let rightGen = Generator<Right, Shrink.None<Right>>(run: { rng in
        let (leftKey, type, pool): (String, DataType, [Value]) = switch Int.random(in: 0..<3, using: &rng) {
        case 0: ("i", .int64, (-6...6).map { .int(Int64($0)) })
        case 1: ("s", .string, (TestTable.sPool + ["zz", "A"]).map(Value.string))
        default: ("d", .date, (-2...10).map { .date(TestTable.day0 + Int32($0)) })
        }
        let keys = Array(pool.shuffled(using: &rng).prefix(Int.random(in: 0...pool.count, using: &rng)))
            + Array(repeating: .null, count: Int.random(in: 0...2, using: &rng))
        let n = keys.count
        let labels: [Value] = (0..<n).map { _ in Bool.random(using: &rng) ? .string(["p", "q", "r"].randomElement(using: &rng)!) : .null }
        let ws: [Value] = (0..<n).map { _ in Int.random(in: 0..<5, using: &rng) == 0 ? .null : .double(Double.random(in: -10...10, using: &rng)) }
        let xs: [Value] = (0..<n).map { _ in .int(Int64.random(in: 0...99, using: &rng)) }
        return Right(leftKey: leftKey, table: makeTable([("k", type, keys), ("label", .string, labels),
                                                         ("w", .float64, ws), ("x", .int64, xs)]))
    })

    @Test func leftJoinMatchesSQL() async {
        await propertyCheck(count: 60, input: TestTable.gen(), Self.rightGen) { t, right in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                try db.load(right.table, as: "r")
                let joined = try t.table.join(right.table, on: right.leftKey, "k")
                #expect(joined.names == t.table.names + ["label", "w", "x_right"])
                #expect(joined.rowCount == t.table.rowCount)
                let left = t.table.names.map { "t." + SQLiteOracle.ident($0) }.joined(separator: ", ")
                let sql = "SELECT \(left), r.label, r.w, r.x FROM t LEFT JOIN r ON t.\(right.leftKey) = r.k ORDER BY t.rid"
                expectSameRows(joined, try db.query(sql), sql)
            }
        }
    }

    @Test func aDuplicateRightKeyIsAnError() throws {
        let left = makeTable([("i", .int64, [.int(1), .int(2)])])
        let right = makeTable([("k", .int64, [.int(2), .null, .null, .int(2)]), ("v", .string, [.string("a"), .null, .null, .string("b")])])
        let e = #expect(throws: EngineError.self) { try left.join(right, on: "i", "k") }
        #expect(e?.description.contains("not unique") == true)
        // Null keys may repeat: they match nothing.
        let ok = makeTable([("k", .int64, [.int(2), .null, .null]), ("v", .string, [.string("a"), .string("n1"), .string("n2")])])
        #expect(try left.join(ok, on: "i", "k").allRows == [[.int(1), .null], [.int(2), .string("a")]])
    }
}

// MARK: - Group index paths

/// The two ways `GroupIndex` numbers groups — a direct index when the product of the keys'
/// cardinalities is at most 4M (2²²), else a hash table — against SQL `GROUP BY` on the same
/// random tables with derived keys: `wide` = i × 10 000 019 (a range far above 2²⁰: hashed);
/// `mid` = i × 130 000 and `nid` = j × 130 000 (each direct alone, but their product exceeds
/// 2²²: hashed); float `x` and timestamp `ts` (hashed); up to five narrow keys (direct).
@Suite struct GroupIndexPathTests {
    static let keySets: [[String]] = [
        ["wide"], ["mid", "nid"], ["s", "mid", "nid"], ["x"], ["ts", "u"], ["wide", "f"],
        ["s", "i", "f", "d"], ["i", "j", "s", "u", "f"], ["wide", "s", "u", "mid"],
    ]

    static func widened(_ t: TestTable) -> Table {
        func scaled(_ column: Int, _ k: Int64) -> Column {
            makeColumn(.int64, t.rows.map { r in if case .int(let v) = r[column] { .int(v * k) } else { .null } })
        }
        return t.table.adding("wide", scaled(0, 10_000_019)).adding("mid", scaled(0, 130_000))
            .adding("nid", scaled(1, 130_000))
    }

    /// Whether the engine will hash these keys (mirrors `GroupIndex.init`'s rule).
    static func hashes(_ table: Table, _ keys: [String], _ sel: Selection) -> Bool {
        var product = 1
        for k in keys {
            guard let c = KeyEncoder(table[k], sel).cardinality, product * c <= 1 << 22 else { return true }
            product *= c
        }
        return false
    }

    @Test func directAndHashedGroupingBothMatchSQL() async {
        let hashed = Mutex([String: Int]())
        await propertyCheck(count: 40, input: TestTable.gen(), RandomPredicate.gen.optional) { t, sel in
            recordingErrors {
                let table = Self.widened(t)
                let within = try sel.map { try table.filter($0) }
                let db = try SQLiteOracle(table)
                let aggs: [(Aggregation, String)] = [
                    (Aggregation("n", .count), "COUNT(*)"), (Aggregation("ny", .countValid("y")), "COUNT(y)"),
                    (Aggregation("si", .sum("j")), "SUM(j)"), (Aggregation("maxs", .max("s")), "MAX(s)"),
                    (Aggregation("mx", .mean("x")), "AVG(x)"),
                ]
                for keys in Self.keySets {
                    if Self.hashes(table, keys, within ?? .all(table.rowCount)) {
                        hashed.withLock { $0[keys.joined(separator: ","), default: 0] += 1 }
                    }
                    let result = try table.groupBy(keys, aggs.map(\.0), where: within)
                    let keyList = keys.map(SQLiteOracle.ident).joined(separator: ", ")
                    let sql = "SELECT \(keyList), \(aggs.map(\.1).joined(separator: ", ")) FROM t\(sqlWhere(sel))"
                        + " GROUP BY \(keyList)\(sqlKeyOrder(keys))"
                    expectSameRows(result, try db.query(sql), sql)
                }
            }
        }
        // Each key set that can hash did hash in some tables, and the narrow ones never did.
        let counts = hashed.withLock { $0 }
        for keys in ["wide", "mid,nid", "s,mid,nid", "x", "ts,u", "wide,f", "wide,s,u,mid"] {
            #expect(counts[keys, default: 0] > 0, "\(keys) never took the hash path")
        }
        #expect(counts["s,i,f,d"] == nil && counts["i,j,s,u,f"] == nil)
    }

    /// More than four keys where one has many distinct values is a documented error.
    @Test func fiveKeysWithAWideOneAreRejected() throws {
        let t = Self.widened(TestTable(rows: [
            [.int(-4), .int(0), .null, .null, .string("a"), .string("b"), .null, .null, .null, .null, .bool(true)],
            [.int(4), .int(0), .null, .null, .string("a"), .string("b"), .null, .null, .null, .null, .bool(true)],
        ]))
        let e = #expect(throws: EngineError.self) { try t.groupBy(["wide", "s", "u", "f", "j"], [Aggregation("n", .count)]) }
        #expect(e?.description.contains("at most 4 keys") == true)
        #expect(try t.groupBy(["i", "s", "u", "f", "j"], [Aggregation("n", .count)]).rowCount == 2)
    }
}

// MARK: - Parallel path

/// Runs `body` with `Parallel.threshold` set to `threshold` for this task only (a task-local
/// value): other suites running meanwhile keep the default.
func withParallelThreshold<T>(_ threshold: Int, _ body: () throws -> T) rethrows -> T {
    try Parallel.$threshold.withValue(threshold) { try body() }
}

/// The multi-threaded path (inputs above `Parallel.threshold` rows) against the
/// single-threaded one on tables of a few thousand rows: identical results, and both equal
/// to SQL for the group-bys.
@Suite(.serialized) struct ParallelDifferentialTests {
    static func results(_ t: Table, _ predicates: [Predicate]) throws -> [String: [[Value]]] {
        var out: [String: [[Value]]] = [:]
        let berlin = ZoneOffsets(identifier: "Europe/Berlin")!
        for (k, p) in predicates.enumerated() {
            out["filter\(k)"] = [try t.filter(p).indices!.map { .int(Int64($0)) }]
        }
        let sel = try t.filter(predicates[0])
        let aggs = [Aggregation("n", .count), Aggregation("nq", .count, filter: predicates[1]),
                    Aggregation("sx", .sum("x")), Aggregation("share", .share(predicates[2])),
                    Aggregation("med", .quantile("x", 0.5)), Aggregation("p90q", .quantile("y", 0.9), filter: predicates[3]),
                    Aggregation("maxs", .max("s"))]
        for keys in [["s", "i"], ["wide"], [], ["ts"]] {
            out["group \(keys)"] = try t.groupBy(keys, aggs).allRows
            out["group \(keys) where"] = try t.groupBy(keys, aggs, where: sel).allRows
        }
        out["sorted"] = [try t.sorted(by: [SortKey("s"), SortKey("x", ascending: false)]).indices!.map { .int(Int64($0)) }]
        out["diff"] = [(0..<t.rowCount).map(try t.difference("ts", "tt").value)]
        out["date"] = [(0..<t.rowCount).map(try t.localDate("ts", zone: berlin).value)]
        out["month"] = [(0..<t.rowCount).map(try t.month("ts", zone: berlin).value)]
        out["scaled"] = [(0..<t.rowCount).map(try t.scaled("i", by: 4).value)]
        return out
    }

    @Test func multiThreadedResultsEqualSingleThreaded() async {
        await propertyCheck(count: 3, input: TestTable.gen(rows: 2000...4000),
                            RandomPredicate.gen.array(of: 4)) { t, ps in
            recordingErrors {
                let table = GroupIndexPathTests.widened(t)
                let single = try withParallelThreshold(Int.max) { try Self.results(table, ps) }
                let multi = try withParallelThreshold(64) {
                    #expect(Parallel.cores == 1 || Parallel.chunks(table.rowCount).count > 1, "the parallel path is taken")
                    return try Self.results(table, ps)
                }
                for key in single.keys.sorted() {
                    #expect(single[key]! == multi[key]!, "\(key) differs between 1 and \(Parallel.cores) threads")
                }
                // And the multi-threaded group-by is right.
                let db = try SQLiteOracle(table)
                let sql = "SELECT s, i, COUNT(*), COUNT(*) FILTER (WHERE \(RandomPredicate.sql(ps[1]))), SUM(x) FROM t"
                    + " GROUP BY s, i ORDER BY s, i"
                let got = try withParallelThreshold(64) {
                    try table.groupBy(["s", "i"], [Aggregation("n", .count), Aggregation("nq", .count, filter: ps[1]),
                                                   Aggregation("sx", .sum("x"))])
                }
                expectSameRows(got, try db.query(sql), sql)
            }
        }
    }
}

/// The counting fast path (one string key, only `count` aggregations, with or without
/// filters and a selection) against SQL `GROUP BY … ORDER BY key NULLS FIRST`.
@Suite struct DictionaryCountTests {
    @Test func countsPerStringKeyMatchSQL() async {
        await propertyCheck(count: 60, input: TestTable.gen(), RandomPredicate.gen, RandomPredicate.gen) { t, p, q in
            recordingErrors {
                let db = try SQLiteOracle(t.table)
                for key in ["s", "u"] {
                    let got = try t.table.groupBy([key], [Aggregation("n", .count), Aggregation("c", .count, filter: p)],
                                                  where: t.table.filter(q))
                    let want = try db.query("""
                        SELECT \(key), COUNT(*), COALESCE(SUM(CASE WHEN \(RandomPredicate.sql(p)) THEN 1 ELSE 0 END), 0)
                        FROM t\(sqlWhere(q)) GROUP BY \(key) ORDER BY \(key) NULLS FIRST
                        """)
                    expectSameRows(got, want, "count by \(key) WHERE \(RandomPredicate.sql(q))")
                    let all = try t.table.groupBy([key], [Aggregation("n", .count)])
                    expectSameRows(all, try db.query("SELECT \(key), COUNT(*) FROM t GROUP BY \(key) ORDER BY \(key) NULLS FIRST"),
                                   "count by \(key)")
                }
            }
        }
    }
}
