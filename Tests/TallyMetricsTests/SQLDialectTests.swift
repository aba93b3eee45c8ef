import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyStore
import TallyTestSupport
@testable import TallyMetrics

/// The SQLite dialect's functions against Tally's own arithmetic: local dates through the
/// `zone_offsets` table against `ZoneOffsets.localDay` (zones with daylight saving included,
/// instants a second either side of each transition), and the type-7 quantile in window
/// functions against `Quantile.type7`.
@Suite struct SQLDialectTests {
    static func value(_ db: Database, _ sql: String, _ bindings: [(name: String, value: SQLValue)]) throws -> SQLValue {
        let s = try db.prepare(sql)
        try s.bind(named: bindings)
        guard try s.step() else { return .null }
        return s.value(0)
    }

    @Test(arguments: ["Asia/Seoul", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"])
    func localDateInSQLIsTheZonesLocalDay(zoneName: String) throws {
        let zone = ZoneOffsets(identifier: zoneName)!
        let db = try Database(path: ":memory:")
        let sql = FigureSQL.statement(ctes: [], select: "SELECT LOCAL_DATE(:t)", zone: zone)
        let seed = SeededRandom.seed("TALLY_DIALECT_SEED")
        print("SQLDialectTests.localDateInSQLIsTheZonesLocalDay seed \(seed)")
        var g = SeededRandom(seed: seed)
        var instants: [Int64] = []
        for s in zone.spans {
            if let t = s.fromUTC { instants += [t - 1, t, t + 1].map { $0 * 1_000_000 } + [t * 1_000_000 - 1] }
        }
        for _ in 0..<300 { instants.append(Int64(g.below(3_000_000_000)) * 1_000_000 - 500_000_000_000_000 + Int64(g.below(1_000_000))) }
        #expect(instants.count >= 300)
        for t in instants {
            let sqlDate = try Self.value(db, sql, [("t", .int(t))])
            #expect(sqlDate == .text(CivilDate.isoString(days: Int(zone.localDay(utcMicros: t)))), "\(zoneName) at \(t) µs")
        }
    }

    @Test func quantile7InSQLIsTheEngines() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE x (g TEXT, v REAL)")
        let seed = SeededRandom.seed("TALLY_DIALECT_SEED")
        print("SQLDialectTests.quantile7InSQLIsTheEngines seed \(seed)")
        var g = SeededRandom(seed: seed)
        var groups: [String: [Double]] = [:]
        // Sizes 1, 2, 3 and larger; ties and exact repeats.
        for (k, n) in [1, 2, 3, 10, 57, 200].enumerated() {
            for _ in 0..<n {
                let v = g.chance(0.2) ? 24.0 : Double(g.below(100_000)) / 7.0
                groups["g\(k)", default: []].append(v)
                let s = try db.prepare("INSERT INTO x VALUES (?, ?)")
                try s.bind([.text("g\(k)"), .double(v)])
                try s.step()
            }
        }
        for p in [0.0, 0.1, 0.5, 0.9, 1.0] {
            let sql = FigureSQL.statement(ctes: [("ranked", "SELECT g, v, QUANTILE_RANKS(v, g) FROM x")],
                                          select: "SELECT g, QUANTILE7(v, \(p)) FROM ranked GROUP BY g ORDER BY g",
                                          zone: ZoneOffsets(identifier: "UTC")!)
            let s = try db.prepare(sql)
            var seen = 0
            while try s.step() {
                let name = s.text(0)!
                var values = groups[name]!
                let expected = values.withUnsafeMutableBufferPointer { Quantile.type7($0, p) }!
                #expect(s.double(1) == expected, "\(name) (n = \(groups[name]!.count)) p = \(p)")
                seen += 1
            }
            #expect(seen == groups.count)
        }
        // No values: null.
        let empty = FigureSQL.statement(ctes: [("ranked", "SELECT v, QUANTILE_RANKS(v) FROM x WHERE v < 0")],
                                        select: "SELECT QUANTILE7(v, 0.5) FROM ranked", zone: ZoneOffsets(identifier: "UTC")!)
        #expect(try Self.value(db, empty, []) == .null)
    }

    /// Templates name dialect functions; expansion leaves quoted text and other names alone.
    @Test func expansionLeavesTextAndOtherNamesAlone() {
        let d = SQLiteDialect()
        let out = DialectExpander.expand("SELECT 'HOURS_BETWEEN(a, b)', MY_HOURS_BETWEEN(x), HOURS_BETWEEN(f(a, b), c)", d)
        #expect(out == "SELECT 'HOURS_BETWEEN(a, b)', MY_HOURS_BETWEEN(x), ((c) - (f(a, b))) / 3600000000.0")
    }
}
