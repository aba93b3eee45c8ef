import TallyTestSupport
import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyStore
import TallyTables
@testable import TallyMetrics

/// The takedown figures read only the blocks of rows a period's days can lie in, a slice at a
/// time (zone maps of `requested_at`). On the sample year, with blocks of 64 rows and slices
/// of one or two blocks (so that a day's requests straddle slices and most blocks are
/// skipped), rows in the store's order or shuffled (no block is then skipped), the whole
/// report is the one computed over the table as a single slice.
@Suite struct SlicedFiguresTests {
    static func report(_ tables: RecordTables, _ takedowns: Table, _ period: String, _ asOf: Int64?,
                       _ settings: Settings, _ fines: FineSchedule) throws -> String {
        var t = tables
        t.takedowns = takedowns
        return try StatsReport(tables: t, period: try Period.parse(period), asOf: asOf, settings: settings, fines: fines)
            .json.rendered(pretty: false)
    }

    @Test func slicedReportsEqualTheWholeTable() throws {
        let l = try SampleSQLTests.loaded()
        let settings = try Settings.load(SampleSQLTests.root.appendingPathComponent("Data/settings.yaml").path)
        let fines = try FineSchedule.load(settings.finesFile!)
        let seed = SeededRandom.seed("TALLY_SLICED_SEED")
        print("SlicedFiguresTests.slicedReportsEqualTheWholeTable seed \(seed) (replay: TALLY_SLICED_SEED=\(seed))")
        var g = SeededRandom(seed: seed)
        let n = l.tables.takedowns.rowCount
        #expect(n > 10_000)
        var shuffled = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { shuffled.swapAt(i, g.below(i + 1)) }
        // Fresh columns for each layout: a zone map is kept with the column it was made for.
        func copy(_ order: [Int]) -> Table { l.tables.takedowns.gather(order) }
        let cut = Int64(CivilDate.days(year: 2024, month: 8, day: 21)) * 86_400_000_000 - 9 * 3_600_000_000
        for period in ["2024-08", "2024-01", "2024-Q3", "2024", "2024-01-15..2024-03-10", "2023-05"] {
            for asOf in [nil, cut] as [Int64?] {
                let whole = try ZoneMap.$defaultBlockRows.withValue(1 << 20) {
                    try Self.report(l.tables, copy(Array(0..<n)), period, asOf, settings, fines)
                }
                for (order, blockRows, sliceRows) in [(Array(0..<n), 64, 64), (Array(0..<n), 64, 128), (shuffled, 128, 256)] {
                    let sliced = try ZoneMap.$defaultBlockRows.withValue(blockRows) {
                        try ZoneMap.$sliceRows.withValue(sliceRows) {
                            try Self.report(l.tables, copy(order), period, asOf, settings, fines)
                        }
                    }
                    // On a difference, name where it starts rather than print two whole reports.
                    let same = sliced == whole
                    let at = zip(sliced, whole).prefix { $0 == $1 }.count
                    #expect(same, "\(period) as of \(String(describing: asOf)), blocks \(blockRows), slices \(sliceRows), \(order == shuffled ? "shuffled" : "in order"): from character \(at), sliced …\(sliced.dropFirst(max(0, at - 60)).prefix(140))… whole …\(whole.dropFirst(max(0, at - 60)).prefix(140))…")
                }
            }
        }
    }
}
