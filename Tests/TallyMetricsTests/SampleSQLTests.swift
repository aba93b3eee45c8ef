import TallyTestSupport
import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyStore
import TallyTables
@testable import TallyMetrics

/// The figures of the shipped sample against an independent computation in SQLite SQL over
/// the store's own tables (quantiles: SQL selects the durations, the test sorts them).
@Suite struct SampleSQLTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    final class Loaded: @unchecked Sendable {
        let box = Sandbox()
        let store: Store
        let tables: RecordTables
        init() throws {
            store = try box.store()
            let files = ["arrests", "victims", "takedowns"].map { SampleSQLTests.root.appendingPathComponent("Data/sample/\($0)-2024.csv").path }
            _ = try store.ingest(files)
            tables = RecordTables(arrests: try store.table(.arrests, useCache: false).table,
                                  victims: try store.table(.victims, useCache: false).table,
                                  takedowns: try store.table(.takedowns, useCache: false).table)
        }
        /// A store's connection serves one thread at a time, and this suite's cases run in parallel.
        private let lock = NSLock()
        func sql(_ q: String) throws -> [[String]] { try lock.withLock { try box.rows(store, q) } }
    }

    /// Built once, by the first test that asks (a static `let` is initialised exactly once,
    /// even when tests run in parallel).
    nonisolated(unsafe) static let shared = Result { try Loaded() }
    static func loaded() throws -> Loaded { try shared.get() }

    @Test func publishedFigures() throws {
        let l = try Self.loaded()
        let r = try StatsReport(tables: l.tables, period: try Period.parse("2024-01..2024-08"), settings: Settings(), fines: nil)
        #expect(r.metrics["victims.total"]?.countValue == 781)
        #expect(r.metrics["victims.minors"]?.countValue == 288)
        #expect(r.metrics["victims.age_unknown"]?.countValue == 0)
        #expect(FigureFormat.percent(r.metrics["victims.minors_share"]!.doubleValue!) == "36.9%")
        let q3 = try StatsReport(tables: l.tables, period: try Period.parse("2024-01..2024-09"), settings: Settings(), fines: nil)
        #expect(q3.metrics["arrests.total"]?.countValue == 387)
    }

    static func type7(_ xs: [Double], _ p: Double) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted(), h = Double(s.count - 1) * p, lo = Int(h)
        return lo + 1 < s.count ? s[lo] + (h - Double(lo)) * (s[lo + 1] - s[lo]) : s[lo]
    }

    @Test(arguments: ["2024-08", "2024-12", "2024-Q1"])
    func takedownsAgainstSQL(period: String) throws {
        let l = try Self.loaded()
        let p = try Period.parse(period)
        let r = try StatsReport(tables: l.tables, period: p, settings: Settings(), fines: nil)
        let asOf = try l.sql("SELECT max(max(requested_at), max(coalesce(resolved_at, 0))) FROM takedowns")[0][0]
        #expect(String(r.asOf) == asOf)
        let from = CivilDate.isoString(days: p.first), to = CivilDate.isoString(days: p.last)
        let dl = 24 * 3_600_000_000
        let inPeriod = "date(requested_at / 1000000, 'unixepoch', '+9 hours') BETWEEN '\(from)' AND '\(to)'"
        let due = "requested_at + \(dl) <= \(asOf)"
        let rb = "outcome IN ('removed', 'blocked')"
        let rows = try l.sql("""
            SELECT platform, count(*),
              sum(\(due)),
              sum(\(due) AND \(rb) AND resolved_at - requested_at <= \(dl)),
              sum(\(due) AND \(rb) AND resolved_at - requested_at > \(dl) AND resolved_at <= \(asOf)),
              sum(\(due) AND (outcome = 'pending' OR resolved_at > \(asOf))),
              sum(outcome = 'refused')
            FROM takedowns WHERE \(inPeriod) GROUP BY platform ORDER BY platform
            """)
        #expect(r.platforms.map(\.platform) == rows.map { $0[0] })
        for (row, mine) in zip(rows, r.platforms) {
            let c = mine.counts
            #expect(row[1...].map { Int($0)! } == [c.requests, c.due, c.within, c.late, c.overdue, c.refused], "\(row[0])")
            let hours = try l.sql("""
                SELECT (resolved_at - requested_at) / 3600000000.0 FROM takedowns
                WHERE \(inPeriod) AND platform = '\(row[0])' AND \(rb) AND resolved_at <= \(asOf)
                """).map { Double($0[0])! }
            #expect(abs((mine.medianHours ?? -1) - (Self.type7(hours, 0.5) ?? -1)) < 1e-9)
            #expect(abs((mine.p90Hours ?? -1) - (Self.type7(hours, 0.9) ?? -1)) < 1e-9)
        }
        let total = r.metrics["takedowns.requests"]?.countValue
        #expect(String(total ?? -1) == (try l.sql("SELECT count(*) FROM takedowns WHERE \(inPeriod)"))[0][0])
    }

    @Test func victimBreakdownsAgainstSQL() throws {
        let l = try Self.loaded()
        let r = try StatsReport(tables: l.tables, period: try Period.parse("2024-08"), settings: Settings(), fines: nil, suppress: false)
        let inAug = "contacted_on BETWEEN '2024-08-01' AND '2024-08-31'"
        for row in try l.sql("SELECT channel, count(*) FROM victims WHERE \(inAug) GROUP BY channel") {
            #expect(r.metrics["victims.by_channel.\(row[0])"]?.countValue == Int(row[1]))
        }
        for row in try l.sql("SELECT coalesce(region, 'unknown'), count(*) FROM victims WHERE \(inAug) GROUP BY 1") {
            #expect(r.metrics["victims.by_region.\(row[0])"]?.countValue == Int(row[1]))
        }
        for s in RecordSchema.services {
            let n = try l.sql("SELECT count(*) FROM victims WHERE \(inAug) AND ';' || services || ';' LIKE '%;\(s);%'")[0][0]
            #expect(r.metrics["victims.by_service.\(s)"]?.countValue == Int(n), "\(s)")
        }
        let prev = try l.sql("SELECT count(*) FROM victims WHERE contacted_on BETWEEN '2024-07-01' AND '2024-07-31'")[0][0]
        #expect(r.metrics["victims.total.prev"]?.countValue == Int(prev))
        // Suppressed view: every published small cell is hidden, and no hidden channel cell is
        // the only hidden one of the channels (their total is published).
        let s = try StatsReport(tables: l.tables, period: try Period.parse("2024-08"), settings: Settings(), fines: nil)
        for (id, v) in r.metrics.items where id.hasPrefix("victims.by_") {
            if let n = v.countValue, n >= 1, n <= 4 { #expect(s.metrics[id] == .suppressed, "\(id)") }
        }
        let hiddenChannels = RecordSchema.channels.filter { s.metrics["victims.by_channel.\($0)"] == .suppressed }
        #expect(hiddenChannels.count != 1)
        #expect(s.metrics["victims.total"] == r.metrics["victims.total"])
    }

    @Test func arrestsAgainstSQL() throws {
        let l = try Self.loaded()
        let r = try StatsReport(tables: l.tables, period: try Period.parse("2024-Q3"), settings: Settings(), fines: nil)
        let w = "arrested_on BETWEEN '2024-07-01' AND '2024-09-30'"
        let row = try l.sql("""
            SELECT count(*), sum(suspect_age < 19), count(suspect_age), sum(undercover), coalesce(sum(proceeds_seized_krw), 0)
            FROM arrests WHERE \(w)
            """)[0].map { Int($0)! }
        #expect(r.metrics["arrests.total"]?.countValue == row[0])
        #expect(r.metrics["arrests.suspect_minors_share"]?.doubleValue == Double(row[1]) / Double(row[2]))
        #expect(r.metrics["arrests.undercover_share"]?.doubleValue == Double(row[3]) / Double(row[0]))
        #expect(r.metrics["arrests.proceeds_seized_krw"]?.countValue == row[4])
        for o in try l.sql("SELECT offense, count(*) FROM arrests WHERE \(w) GROUP BY offense") {
            #expect(r.metrics["arrests.by_offense.\(o[0])"]?.countValue == Int(o[1]))
        }
        for a in try l.sql("SELECT agency, count(*) FROM arrests WHERE \(w) GROUP BY agency") {
            #expect(r.metrics["arrests.by_agency.\(a[0])"]?.countValue == Int(a[1]))
        }
    }
}
