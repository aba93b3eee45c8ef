import Testing
@testable import TallyEngine
import TallyTime

/// Minimal reproducers of the engine bugs the differential tests found, each checked against
/// the SQLite oracle (or, for former crashes, against the result SQL gives). These were
/// fixed in the engine; the tests keep them fixed.
@Suite struct EngineRegressionTests {
    /// SQL: `x IN (1, NULL)` is unknown, not false, for x = 2, so `WHERE NOT (i IN (1, NULL))`
    /// keeps no row. (The engine used to drop null list values, making NOT true.)
    @Test func notInWithNullInList() throws {
        let t = makeTable([("i", .int64, [.int(1), .int(2), .null])])
        let db = try SQLiteOracle(t)
        for p: Predicate in [.not(.isIn("i", [.int(1), .null])), .isIn("i", [.int(1), .null]),
                             .not(.isIn("i", [.null])), .or([.isIn("i", [.int(3), .null]), .isNull("i")])] {
            let want = try db.integers("SELECT rid FROM t WHERE \(RandomPredicate.sql(p)) ORDER BY rid")
            #expect(try t.filter(p).indices!.map(Int.init) == want, "WHERE \(RandomPredicate.sql(p))")
        }
    }

    /// A string column whose rows are all null has an empty dictionary; comparing it (with a
    /// literal, a list or another string column) used to index that dictionary with the
    /// null rows' code 0 and trap. Every row is unknown: no row is kept, with or without NOT.
    @Test func comparisonsOnAnAllNullStringColumn() throws {
        let t = makeTable([("s", .string, [.null, .null]), ("u", .string, [.string("a"), .null])])
        let db = try SQLiteOracle(t)
        for p: Predicate in [.compare("s", .eq, .string("a")), .compare("s", .lt, .string("")), .isIn("s", [.string("a")]),
                             .compareColumns("s", .eq, "u"), .compareColumns("u", .ge, "s")] {
            for q in [p, .not(p)] {
                let want = try db.integers("SELECT rid FROM t WHERE \(RandomPredicate.sql(q)) ORDER BY rid")
                #expect(want == [])
                #expect(try t.filter(q).indices!.map(Int.init) == want, "WHERE \(RandomPredicate.sql(q))")
            }
        }
        let g = try t.groupBy(["u"], [Aggregation("share", .share(.compare("s", .eq, .string("a")))),
                                      Aggregation("n", .count, filter: .compareColumns("s", .ne, "u"))])
        expectSameRows(g, try db.query("SELECT u, AVG(CASE WHEN s = 'a' THEN 1.0 WHEN NOT (s = 'a') THEN 0.0 END),"
                                       + " COUNT(*) FILTER (WHERE s <> u) FROM t GROUP BY u ORDER BY u"), "share over all-null s")
    }

    /// An int64 key from Int64.min to Int64.max used to overflow `hi - lo` in
    /// `KeyEncoder.init` (a trap); such a key takes the hash path.
    @Test func groupByOnAFullRangeIntKey() throws {
        let t = makeTable([("k", .int64, [.int(.min), .int(.max), .int(.min), .null])])
        let g = try t.groupBy(["k"], [Aggregation("n", .count)])
        expectSameRows(g, try SQLiteOracle(t).query("SELECT k, COUNT(*) FROM t GROUP BY k ORDER BY k"), "GROUP BY k")
    }

    /// 0.0 and −0.0 are equal numbers, one group in SQL; hashing float keys by bit pattern
    /// used to make two.
    @Test func negativeZeroGroupsWithZero() throws {
        let t = makeTable([("k", .float64, [.double(0.0), .double(-0.0), .double(1), .double(-0.0)])])
        let want = try SQLiteOracle(t).query("SELECT k, COUNT(*) FROM t GROUP BY k ORDER BY k")
        #expect(want.count == 2)
        expectSameRows(try t.groupBy(["k"], [Aggregation("n", .count)]), want, "GROUP BY k")
    }

    /// A sum past Int64.max is an error in SQLite ("integer overflow"); the engine used to
    /// wrap around silently to a negative sum.
    @Test func int64SumOverflowIsAnError() throws {
        let t = makeTable([("v", .int64, [.int(.max), .int(1)]), ("g", .string, [.string("a"), .string("a")])])
        #expect(throws: SQLiteOracle.Failure.self) { try SQLiteOracle(t).query("SELECT SUM(v) FROM t") }
        #expect(throws: EngineError.self) { try t.groupBy(["g"], [Aggregation("s", .sum("v"))]) }
        // Near the limit but in range is fine.
        let ok = makeTable([("v", .int64, [.int(.max - 1), .int(1)])])
        #expect(try ok.groupBy([], [Aggregation("s", .sum("v"))]).row(0) == [.int(.max)])
    }

    /// A negative limit used to build `0..<-1` (a trap); it is now an error.
    @Test func negativeLimitIsAnError() {
        let t = makeTable([("k", .int64, [.int(1)])])
        let e = #expect(throws: EngineError.self) { try QuerySpec(limit: -1).run(on: t, zone: ZoneOffsets(identifier: "UTC")!) }
        #expect(e?.description.contains("limit") == true)
    }

    /// Group order compared int64 keys as doubles (`GroupIndex.less`), so keys beyond 2^53
    /// tied; on the hash path (a key range ≥ 2^20) 2^53 + 1 came before 2^53.
    @Test func int64KeysBeyondTwoTo53AreOrderedExactly() throws {
        let big: Int64 = 1 << 53
        let t = makeTable([("k", .int64, [.int(big + 1), .int(big), .int(0)])])
        let want = try SQLiteOracle(t).query("SELECT k, COUNT(*) FROM t GROUP BY k ORDER BY k")
        #expect(want.map { $0[0] } == [.int(0), .int(big), .int(big + 1)])
        expectSameRows(try t.groupBy(["k"], [Aggregation("n", .count)]), want, "GROUP BY k ORDER BY k")
    }

    /// `min`/`max` compared int64 through doubles: max(2^53, 2^53 + 1) was 2^53.
    @Test func minMaxOfInt64BeyondTwoTo53AreExact() throws {
        let big: Int64 = 1 << 53
        let t = makeTable([("v", .int64, [.int(big), .int(big + 1)])])
        let want = try SQLiteOracle(t).query("SELECT MIN(v), MAX(v) FROM t")
        #expect(want == [[.int(big), .int(big + 1)]])
        expectSameRows(try t.groupBy([], [Aggregation("lo", .min("v")), Aggregation("hi", .max("v"))]), want, "MIN/MAX")
    }
}
