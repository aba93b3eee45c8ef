import Testing
import TallyTestSupport
@testable import TallyMetrics

/// Disclosure control: no hidden cell may be recovered by subtracting from a published sum.
@Suite struct DisclosureTests {
    /// Can cell `i` be derived? Only if some group containing it has every other cell shown.
    func derivable(_ hidden: [Bool], _ groups: [[Int]]) -> Bool {
        groups.contains { g in g.filter { hidden[$0] }.count == 1 }
    }

    @Test func primaryCellsAreOneToFour() {
        let h = Disclosure.suppress([0, 1, 4, 5, 100], groups: [])
        #expect(h == [false, true, true, false, false])
    }

    @Test func aSingleHiddenCellInARowWithATotalGetsAPartner() {
        // channels 71, 56, 3, 37 with the total published: 3 alone would be 167 − (71+56+37).
        let h = Disclosure.suppress([71, 56, 3, 37], groups: [[0, 1, 2, 3]])
        #expect(h == [false, false, true, true])   // the smallest other cell, 37
    }

    @Test func twoWayTableRowsAndColumns() {
        let table = [[10, 2, 30],
                     [20, 25, 40],
                     [15, 18, 3]]
        let h = Disclosure.suppress(table: table)
        let flat = h.flatMap { $0 }
        var groups: [[Int]] = []
        for r in 0..<3 { groups.append([r * 3, r * 3 + 1, r * 3 + 2]) }
        for c in 0..<3 { groups.append([c, 3 + c, 6 + c]) }
        #expect(!derivable(flat, groups))
        #expect(flat[1] && flat[8])                  // the primary cells
        #expect(flat.filter { $0 }.count >= 4)       // each needs a partner in its row and column
    }

    static let base = SeededRandom.seed("TALLY_SEED")

    @Test(arguments: 0..<200)
    func randomTablesLeaveNothingDerivable(seed: Int) {
        // Each argument its own seed, offset by a run's base (printed; TALLY_SEED replays).
        let base = Self.base
        var rng = SeededRandom(seed: base &+ UInt64(seed))
        if seed == 0 { print("DisclosureTests.randomTablesLeaveNothingDerivable: base seed \(base) (TALLY_SEED=\(base) replays)") }
        let rows = Int.random(in: 1...5, using: &rng), cols = Int.random(in: 1...5, using: &rng)
        let table = (0..<rows).map { _ in (0..<cols).map { _ in Int.random(in: 0...12, using: &rng) } }
        let flat = Disclosure.suppress(table: table).flatMap { $0 }
        var groups: [[Int]] = []
        for r in 0..<rows { groups.append((0..<cols).map { r * cols + $0 }) }
        for c in 0..<cols { groups.append((0..<rows).map { $0 * cols + c }) }
        #expect(!derivable(flat, groups) || groups.contains { g in g.count == 1 && flat[g[0]] }, "\(table)")
        for (v, hidden) in zip(table.flatMap { $0 }, flat) where v >= 1 && v <= 4 { #expect(hidden) }
    }
}
