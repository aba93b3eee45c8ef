import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyStore
import TallyTestSupport
import TallyTime
@testable import TallyMetrics
@testable import TallyCharts
@testable import TallyBulletin

/// The shared pass (`SharedFigures`: one pass over the takedowns per (platform, local day),
/// shared by every report of a bulletin) against a report computed for its period alone, and
/// both against the catalogue's SQL; on the sample year and on seeded random stores, with the
/// pass split across threads and with its cells kept in hash tables.
@Suite(.serialized) struct SharedFiguresTests {
    /// A store of the sample year of its own: a store's connection serves one thread at a time,
    /// and FigureSQLTests runs its SQL on its store while these tests run theirs.
    nonisolated(unsafe) static let own = Result { try FigureSQLTests.Sample() }
    static func sample() throws -> FigureSQLTests.Sample { try own.get() }

    /// How the pass is run: the default, several chunks (threads) on small data, hashed cells.
    enum Mode: String, CaseIterable { case plain, chunked, hashed }

    static func shared(_ tables: RecordTables, asOf: Int64?, settings: Settings, months: [Period], mode: Mode) -> SharedFigures {
        let s = SharedFigures(tables: tables, asOf: asOf, settings: settings, span: SharedFigures.days(for: months))
        if mode == .hashed { s.denseCells = 0 }
        return s
    }

    /// Runs `body` with the pass split into chunks of a few rows when `mode` says so.
    static func run<T>(_ mode: Mode, _ body: () throws -> T) rethrows -> T {
        mode == .chunked ? try Parallel.$threshold.withValue(16, operation: body) : try body()
    }

    static func months(_ year: Int, _ range: ClosedRange<Int>) -> [Period] { range.map { Period.month(year, $0) } }

    /// Every month of 2024, the year and a range: from one pass, the same figures as each
    /// period's own report, byte for byte, and as the SQL.
    @Test(arguments: Mode.allCases)
    func sampleYearSharedPassEqualsOwnReports(mode: Mode) throws {
        let s = try Self.sample()
        let vintage = try s.store.vintage(nil).batch
        let periods = Self.months(2024, 1...12) + [try Period.parse("2024-Q3"), try Period.parse("2024-02-10..2024-05-03")]
        for asOf in [nil, Int64(1_724_166_000_000_000)] as [Int64?] {   // 2024-08-21T00:00+09:00
            let shared = Self.shared(s.tables, asOf: asOf, settings: s.settings, months: periods, mode: mode)
            try Self.run(mode) {
                for p in periods {
                    let r = try StatsReport(shared: shared, period: p, fines: s.fines)
                    let own = try StatsReport(tables: s.tables, period: p, asOf: asOf, settings: s.settings, fines: s.fines)
                    let e = FigureSQLTests.engine(r)
                    #expect(e.count > 60)
                    #expect(e == FigureSQLTests.engine(own), "\(p.label), \(mode)")
                    #expect(r.json.rendered(pretty: false) == own.json.rendered(pretty: false), "\(p.label), \(mode)")
                    // Against the SQL once (the other modes are held to the report of the period alone).
                    guard mode == .plain else { continue }
                    let d = FigureSQLTests.differences(e, try FigureSQLTests.sql(s.store, r, vintage: vintage, suppress: true))
                    #expect(d.isEmpty, "\(p.label) as of \(r.asOfText), \(mode): \(d.prefix(8))")
                }
            }
            #expect(shared.passes == 1, "one pass over the takedowns for \(periods.count) periods")
        }
    }

    /// The hours to removal the charts draw, from the shared pass, are the SQL's durations of
    /// the period's removed or blocked requests resolved by the as-of time (Seoul: +09:00).
    @Test(arguments: Mode.allCases)
    func removalHoursAreSQLs(mode: Mode) throws {
        let s = try Self.sample()
        let box = Sandbox()
        let shared = Self.shared(s.tables, asOf: nil, settings: s.settings, months: Self.months(2024, 1...12), mode: mode)
        let asOf = shared.asOf(for: .month(2024, 8))
        for p in [Period.month(2024, 8), .month(2024, 2), try Period.parse("2024-Q4")] {
            let pass = try Self.run(mode) { try shared.takedowns(SharedFigures.days(for: p)) }
            let from = CivilDate.isoString(days: p.first), to = CivilDate.isoString(days: p.last)
            let rows = try box.rows(s.store, """
                SELECT platform, (resolved_at - requested_at) / 3600000000.0 FROM takedowns
                WHERE outcome IN ('removed', 'blocked') AND resolved_at <= \(asOf)
                  AND date(requested_at / 1000000 + 9 * 3600, 'unixepoch') BETWEEN '\(from)' AND '\(to)'
                """)
            #expect(rows.count > 100)
            let all = pass.removalHours(p, byPlatform: false)[""] ?? []
            #expect(all.sorted() == rows.map { Double($0[1])! }.sorted(), "\(p.label)")
            var byPlatform: [String: [Double]] = [:]
            for r in rows { byPlatform[r[0], default: []].append(Double(r[1])!) }
            let ours = pass.removalHours(p, byPlatform: true)
            #expect(Set(ours.keys) == Set(byPlatform.keys))
            for (name, v) in byPlatform { #expect(ours[name]?.sorted() == v.sorted(), "\(p.label) \(name)") }
        }
        #expect(shared.passes == 1)
    }

    /// Seeded random stores (edge cases: exactly at the deadline, local midnights, pending,
    /// a second batch of updates): every month and a range from one pass at each vintage and
    /// as-of time, equal to their own reports and to the SQL.
    @Test func randomStoresSharedPassEqualsOwnReportsAndSQL() throws {
        let base = SeededRandom.seed("TALLY_SHARED_FIGURES_SEED")
        print("SharedFiguresTests.randomStoresSharedPassEqualsOwnReportsAndSQL seed \(base) (replay: TALLY_SHARED_FIGURES_SEED=\(base))")
        for k in 0..<3 {
            let seed = base &+ UInt64(k)
            let box = Sandbox()
            let (store, batches) = try FigureSQLTests.randomStore(seed, box)
            var g = SeededRandom(seed: seed ^ 0x5A5)
            var settings = Settings()
            settings.deadlineHours = g.chance(0.5) ? 24 : 48
            settings.minDue = 1 + g.below(20)
            let fines: FineSchedule? = FineSchedule(deadlineHours: settings.deadlineHours, lateKRW: 1_000_000, unresolvedKRW: 3_000_000,
                                                    monthlyCapKRW: g.chance(0.5) ? 40_000_000 : nil, repeatMultiplier: 1.5)
            let periods = Self.months(2024, 1...5) + [try Period.parse("2024-01-10..2024-02-20"), try Period.parse("2024-Q1")]
            let cut = Int64(CivilDate.days(year: 2024, month: 3, day: 15)) * 86_400_000_000 - 9 * 3_600_000_000
            for vintage in batches {
                let tables = RecordTables(arrests: try store.table(.arrests, useCache: false, vintage: vintage).table,
                                          victims: try store.table(.victims, useCache: false, vintage: vintage).table,
                                          takedowns: try store.table(.takedowns, useCache: false, vintage: vintage).table)
                for asOf in [nil, cut] as [Int64?] {
                    for mode in Mode.allCases {
                        let shared = Self.shared(tables, asOf: asOf, settings: settings, months: periods, mode: mode)
                        try Self.run(mode) {
                            for p in periods {
                                let r = try StatsReport(shared: shared, period: p, fines: fines)
                                let own = try StatsReport(tables: tables, period: p, asOf: asOf, settings: settings, fines: fines)
                                #expect(FigureSQLTests.engine(r) == FigureSQLTests.engine(own), "seed \(seed), \(p.label), \(mode)")
                                guard mode == .plain else { continue }
                                let d = FigureSQLTests.differences(FigureSQLTests.engine(r), try FigureSQLTests.sql(store, r, vintage: vintage, suppress: true))
                                #expect(d.isEmpty, "seed \(seed), vintage \(vintage), \(p.label) as of \(r.asOfText), \(mode): \(d.prefix(8))")
                            }
                        }
                        #expect(shared.passes == 1)
                    }
                }
            }
        }
    }

    /// A bulletin's charts — the months of the year to date, the league, the hours to removal —
    /// come from one pass over the takedowns, and their monthly values are each month's own report's.
    @Test func bulletinChartsMakeOnePass() throws {
        let s = try Self.sample()
        let context = ChartContext(tables: s.tables, period: .month(2024, 8), settings: s.settings, fines: s.fines)
        for name in ["victims-age-stacked", "takedowns-monthly-lines", "platform-compliance", "hours-to-removal", "hours-by-platform"] {
            let spec = try ChartSpec.load(FigureSQLTests.root.appendingPathComponent("Charts/\(name).yaml").path)
            _ = try ChartBuilder.chart(spec, context, lang: .en)
        }
        #expect(context.shared.passes == 1)
        for m in 1...8 {
            let own = try StatsReport(tables: s.tables, period: .month(2024, m), asOf: context.asOf, settings: s.settings, fines: s.fines)
            #expect(try context.report(.month(2024, m)).json.rendered(pretty: false) == own.json.rendered(pretty: false), "2024-\(m)")
        }
        // The hours charts draw are those the median is of.
        let hours = try context.hoursToRemoval().sorted()
        let median = try context.main.metrics["takedowns.median_hours"]?.doubleValue
        #expect(!hours.isEmpty && median == SampleMedian.type7(hours, 0.5))
    }

    /// A store without takedowns: each month's report keeps its own default as-of time (the
    /// end of the month), as its own report has it.
    @Test func withoutTakedownsEachMonthHasItsOwnAsOf() throws {
        let s = try Self.sample()
        let empty = RecordTables(arrests: s.tables.arrests, victims: s.tables.victims,
                                 takedowns: s.tables.takedowns.gather([]))
        let shared = SharedFigures(tables: empty, asOf: nil, settings: s.settings, span: SharedFigures.days(for: Self.months(2024, 1...3)))
        for m in 1...3 {
            let r = try StatsReport(shared: shared, period: .month(2024, m), fines: s.fines)
            let own = try StatsReport(tables: empty, period: .month(2024, m), settings: s.settings, fines: s.fines)
            #expect(r.asOf == AsOf.endOfDay(Period.month(2024, m).last, zone: s.settings.zone))
            #expect(r.json.rendered(pretty: false) == own.json.rendered(pretty: false))
            #expect(r.metrics["takedowns.requests"]?.countValue == 0 && r.metrics["victims.total"]?.countValue ?? 0 > 0)
        }
    }
}

enum SampleMedian {
    static func type7(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * p, lo = Int(h)
        return lo + 1 < sorted.count ? sorted[lo] + (h - Double(lo)) * (sorted[lo + 1] - sorted[lo]) : sorted[lo]
    }
}
