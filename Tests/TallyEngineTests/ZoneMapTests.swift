import Testing
import TallyTestSupport
import TallyTime
import Synchronization
@testable import TallyEngine

/// Zone maps (per-block minimum and maximum) against a scan of every row: the selection of a
/// range is exactly what `filter` gives, the candidate ranges hold every matching row, the
/// maximum is the column's; on seeded random tables, sorted and unsorted, with nulls, whole
/// null blocks and sizes at block edges. Slices and concatenation give back the rows.
@Suite struct ZoneMapTests {
    /// A table of `n` rows: `ts` (timestamp) and `i` (int64) either ascending with jitter or
    /// shuffled, `d` (date); nulls at `nullRate`, and with `nullRun` a run of null rows
    /// spanning whole blocks.
    static func table(_ n: Int, sorted: Bool, nullRate: Double, nullRun: Range<Int>?, _ g: inout SeededRandom) -> (Table, [Int64?], [Int64?]) {
        var ts: [Int64?] = [], ds: [Int64?] = []
        var b = ColumnBuilder(type: .timestamp, capacity: n), d = ColumnBuilder(type: .date, capacity: n)
        var iv = ColumnBuilder(type: .int64, capacity: n)
        let base: Int64 = 1_704_067_200_000_000   // 2024-01-01T00:00Z
        for k in 0..<n {
            let null = g.chance(nullRate) || (nullRun?.contains(k) ?? false)
            let t: Int64 = sorted ? base + Int64(k) * 1_000_000 + Int64(g.below(5_000_000)) - 2_500_000
                                  : base + Int64(g.below(max(n, 1) * 1_000_000))
            let day = Int64(19_700 + (sorted ? k / 97 : g.below(400)))
            if null { b.appendNull(); d.appendNull(); iv.appendNull(); ts.append(nil); ds.append(nil) }
            else { b.append(.timestamp(t)); d.append(days: Int32(day)); iv.append(t / 3); ts.append(t); ds.append(day) }
        }
        return (Table([("ts", b.build()), ("d", d.build()), ("i", iv.build())]), ts, ds)
    }

    /// Bounds that hit values present, fall between them, lie outside all, or are empty.
    static func bounds(_ values: [Int64?], _ g: inout SeededRandom) -> [(Int64, Int64)] {
        let present = values.compactMap { $0 }
        var out: [(Int64, Int64)] = [(.min, .max), (1, 0)]
        if let lo = present.min(), let hi = present.max() {
            out += [(lo, hi), (hi + 1, hi + 10), (lo - 10, lo - 1), (hi, hi), (lo, lo)]
            for _ in 0..<6 {
                let a = present[g.below(present.count)], c = present[g.below(present.count)]
                out.append((min(a, c), max(a, c)))
                out.append((min(a, c) + 1, max(a, c) - 1))
            }
        }
        return out
    }

    static func check(_ t: Table, _ name: String, _ values: [Int64?], _ literal: (Int64) -> Value, _ g: inout SeededRandom,
                      _ label: String) throws {
        let z = try t.zoneMap(name)
        #expect(z.maximum == values.compactMap { $0 }.max(), "\(label) \(name): maximum")
        for (lo, hi) in bounds(values, &g) {
            let want = try t.filter(.and([.compare(name, .ge, literal(lo)), .compare(name, .le, literal(hi))])).indices!
            let got = try t.selection(where: name, from: lo, through: hi)
            #expect(got.indices! == want, "\(label) \(name) in \(lo)...\(hi): \(got.count) rows, filter \(want.count)")
            // The candidate ranges hold every matching row, start on a multiple of 64 and are
            // no longer than asked.
            let maxRows = z.blockRows * (1 + g.below(3))
            let ranges = try t.rowRanges(where: name, from: lo, through: hi, maxRows: maxRows)
            #expect(ranges.allSatisfy { $0.lowerBound % 64 == 0 && $0.count <= maxRows && !$0.isEmpty }, "\(label): range shapes")
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound }, "\(label): ranges ascending")
            var covered = 0
            for r in ranges {
                let s = t.slice(r)
                covered += try s.filter(.and([.compare(name, .ge, literal(lo)), .compare(name, .le, literal(hi))])).count
            }
            #expect(covered == want.count, "\(label) \(name) in \(lo)...\(hi): rows in the candidate ranges")
        }
    }

    @Test func zoneMapSelectionsEqualAFullScan() throws {
        let seed = SeededRandom.seed("TALLY_ZONEMAP_SEED")
        print("ZoneMapTests.zoneMapSelectionsEqualAFullScan seed \(seed) (replay: TALLY_ZONEMAP_SEED=\(seed))")
        var g = SeededRandom(seed: seed)
        // Small blocks on small tables (sizes at the block edges), and once the real block size.
        let cases: [(blockRows: Int, n: Int)] = [(64, 0), (64, 1), (64, 63), (64, 64), (64, 65), (64, 127), (64, 128),
                                                 (128, 129), (64, 1000), (192, 2000), (1 << 16, 200_000)]
        for (blockRows, n) in cases {
            for sorted in [true, false] {
                for (nullRate, run) in [(0.0, nil), (0.1, nil), (0.05, n / 3..<min(n, n / 3 + 3 * blockRows)), (1.0, nil)] as [(Double, Range<Int>?)] {
                    let (t, ts, ds) = Self.table(n, sorted: sorted, nullRate: nullRate, nullRun: run, &g)
                    let label = "blocks \(blockRows), \(n) rows, \(sorted ? "sorted" : "unsorted"), nulls \(nullRate) run \(String(describing: run))"
                    try ZoneMap.$defaultBlockRows.withValue(blockRows) {
                        // On one core and on several (blocks split among threads).
                        try Parallel.$threshold.withValue(g.chance(0.5) ? 64 : 1_000_000) {
                            try Self.check(t, "ts", ts, { .timestamp($0) }, &g, label)
                            try Self.check(t, "d", ds, { .date(Int32(clamping: $0)) }, &g, label)
                            try Self.check(t, "i", ts.map { $0.map { $0 / 3 } }, { .int($0) }, &g, label)
                        }
                    }
                }
            }
        }
    }

    @Test func aZoneMapIsForNumbersAndTimes() {
        let t = makeTable([("s", .string, [.string("a")]), ("x", .float64, [.double(1)])])
        #expect(throws: EngineError.self) { try t.zoneMap("s") }
        #expect(throws: EngineError.self) { try t.zoneMap("x") }
        #expect(throws: EngineError.self) { try t.zoneMap("nope") }
    }

    /// A slice is the rows of the table (values, nulls, dictionary), its null count counts
    /// only its own rows; concatenating slices gives back the column.
    @Test func slicesAndConcatenationGiveBackTheRows() throws {
        var g = SeededRandom(seed: 16)
        let n = 1000
        var sv: [Value] = [], tv: [Value] = []
        for k in 0..<n {
            sv.append(g.chance(0.2) ? .null : .string(["a", "b", "c"][g.below(3)]))
            tv.append(k % 130 < 7 ? .null : .timestamp(Int64(g.below(1_000_000))))
        }
        let t = makeTable([("s", .string, sv), ("t", .timestamp, tv)])
        // Slices start on multiples of 64 (what a validity word needs); the last ends anywhere.
        var pieces: [Range<Int>] = []
        var at = 0
        while at < n {
            let len = 64 * (1 + g.below(4))
            pieces.append(at..<min(n, at + len))
            at += len
        }
        for r in pieces {
            let s = t.slice(r)
            #expect(s.rowCount == r.count)
            #expect(s["s"].dictionary === t["s"].dictionary)
            for (j, i) in r.enumerated() { #expect(s.row(j) == t.row(i), "row \(i) in slice \(r)") }
            #expect(s["t"].nullCount == r.filter { tv[$0] == .null }.count, "nulls of slice \(r)")
            #expect(s["s"].nullCount == r.filter { sv[$0] == .null }.count, "nulls of slice \(r)")
        }
        for name in ["s", "t"] {
            let c = Column.concatenate(pieces.map { t[name].slice($0) }, like: t[name])
            #expect(c.count == n)
            #expect((0..<n).allSatisfy { c.value($0) == t[name].value($0) }, "\(name) concatenated")
            #expect(c.nullCount == t[name].nullCount)
        }
        let none = Column.concatenate([], like: t["t"])
        #expect(none.count == 0 && none.type == .timestamp)
    }

    /// `localDate` converts a chunk whose instants share one offset by a shift and a division;
    /// every row's day is the one `ZoneOffsets.localDay` gives, for chunks inside one offset,
    /// across a daylight-saving change, at midnights, seconds before them, with nulls, and
    /// before 1970 (negative instants).
    @Test func localDatesOfChunksEqualTheRowByRowDay() throws {
        let seed = SeededRandom.seed("TALLY_LOCALDATE_SEED")
        print("ZoneMapTests.localDatesOfChunksEqualTheRowByRowDay seed \(seed) (replay: TALLY_LOCALDATE_SEED=\(seed))")
        var g = SeededRandom(seed: seed)
        for name in ["Asia/Seoul", "America/New_York", "Europe/London", "UTC", "Australia/Lord_Howe"] {
            let zone = try #require(ZoneOffsets(identifier: name))
            // 2024-03-10T07:00Z is New York's spring change; London's is 2024-03-31T01:00Z.
            for center: Int64 in [1_710_054_000, 1_711_846_800, 1_704_067_200, -86_400 * 400] {
                var values: [Value] = [], micros: [Int64?] = []
                for _ in 0..<(200 + g.below(300)) {
                    var t = (center + Int64(g.below(6 * 86_400)) - 3 * 86_400) * 1_000_000 + Int64(g.below(1_000_000))
                    if g.chance(0.1) { t = t / 86_400_000_000 * 86_400_000_000 - Int64(g.below(2)) * 1_000_000 }   // midnights UTC and a second before
                    if g.chance(0.05) { values.append(.null); micros.append(nil) } else { values.append(.timestamp(t)); micros.append(t) }
                }
                let t = makeTable([("t", .timestamp, values)])
                for threshold in [1_000_000, 16] {
                    let days = try Parallel.$threshold.withValue(threshold) { try t.localDate("t", zone: zone) }
                    for (i, m) in micros.enumerated() {
                        if let m { #expect(days.value(i) == .date(Int32(zone.localDay(utcMicros: m))), "\(name) row \(i) \(m)") }
                        else { #expect(days.value(i) == .null) }
                    }
                }
                // A slice of blocks of a zone-mapped column takes its bounds from the zone map.
                let z = try ZoneMap.$defaultBlockRows.withValue(64) { try t.zoneMap("t") }
                for start in stride(from: 0, to: micros.count, by: 128) {
                    let s = t.slice(start..<min(micros.count, start + 64 * (1 + g.below(3))))
                    #expect(z.blockRows == 64 && (s["t"].memo.validBounds != nil || s["t"].nullCount == s.rowCount))
                    let days = try s.localDate("t", zone: zone)
                    for j in 0..<s.rowCount {
                        if let m = micros[start + j] { #expect(days.value(j) == .date(Int32(zone.localDay(utcMicros: m))), "\(name) slice row \(start + j)") }
                        else { #expect(days.value(j) == .null) }
                    }
                }
            }
        }
    }

    /// `Parallel.map` (slices worked on concurrently) gives the results in index order and
    /// rethrows the first error by index, after every piece ran.
    @Test func parallelMapKeepsOrderAndRethrows() throws {
        struct Odd: Error, Equatable { let i: Int }
        for n in [0, 1, 2, 3, 17, 200] {
            #expect(try Parallel.map(n) { i -> Int in (0...i * 100).reduce(0, +) } == (0..<n).map { (0...$0 * 100).reduce(0, +) })
        }
        let ran = Mutex(Set<Int>())
        #expect(throws: Odd(i: 3)) {
            _ = try Parallel.map(10) { i -> Int in
                ran.withLock { _ = $0.insert(i) }
                if i % 2 == 1 && i >= 3 { throw Odd(i: i) }
                return i
            }
        }
        #expect(ran.withLock { $0 } == Set(0..<10))
    }
}
