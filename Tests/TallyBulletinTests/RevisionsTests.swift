import Foundation
import Testing
import TallyCore
import TallyMetrics
import TallyStore
import TallyTestSupport
@testable import TallyBulletin
import TallyPublication

/// Revisions triangles (revisions.md): every cell against a brute-force reference (the first
/// N operations replayed into a fresh store, the figure computed there at its latest), and
/// the summaries on a case worked by hand.
@Suite struct RevisionsTests {
    /// The seeded generator of the test support (SplitMix64).
    typealias Random = SeededRandom

    static let victimHeader = "victim_id,contacted_on,age,gender,channel,services,region"

    enum Operation {
        case load(name: String, text: String, revise: Bool)
        case retract(kind: RecordKind, ids: [String])
    }

    /// Loads of victims and takedowns dated June to August 2024 (keys from small pools, so
    /// that later loads update, correct or conflict with earlier ones), and retractions.
    static func operations(seed: UInt64, count: Int) -> [Operation] {
        var r = Random(seed: seed)
        var ops: [Operation] = []
        for i in 0..<count {
            if i > 1 && r.chance(0.15) {
                let kind: RecordKind = r.chance(0.5) ? .takedowns : .victims
                ops.append(.retract(kind: kind, ids: (0..<(1 + r.below(2))).map { _ in (kind == .takedowns ? "T" : "V") + String(r.below(10)) }))
                continue
            }
            let takedowns = r.chance(0.5)
            func row(_ key: String) -> String {
                let month = 6 + r.below(3), day = 1 + r.below(28)
                let date = String(format: "2024-%02d-%02d", month, day)
                if takedowns {
                    let outcome = ["pending", "removed", "removed", "blocked", "refused"][r.below(5)]
                    let hours = [2, 20, 30, 70][r.below(4)]
                    let resolved = outcome == "pending" ? "" : ISO8601DateFormatter().string(
                        from: ISO8601DateFormatter().date(from: date + "T10:00:00Z")!.addingTimeInterval(Double(hours) * 3600))
                    return "\(key),X,,,police,,\(date)T10:00:00Z,\(resolved),\(outcome)"
                }
                let age = r.chance(0.3) ? "" : String([15, 17, 25, 40][r.below(4)])
                return "\(key),\(date),\(age),,hotline,,"
            }
            var lines = [takedowns ? takedownHeader : victimHeader, row("U\(i)")]
            for _ in 0..<(1 + r.below(5)) { lines.append(row((takedowns ? "T" : "V") + String(r.below(10)))) }
            ops.append(.load(name: "op\(i).csv", text: lines.joined(separator: "\n") + "\n", revise: r.chance(0.4)))
        }
        return ops
    }

    static func apply(_ op: Operation, to store: Store, in box: Sandbox) throws {
        switch op {
        case let .load(name, text, revise):
            var o = IngestOptions()
            o.revise = revise
            o.reason = revise ? "revision \(name)" : nil
            _ = try store.ingest([box.write(name, text)], options: o)
        case let .retract(kind, ids):
            _ = try store.retract(kind: kind, ids: ids, reason: "withdrawn in test")
        }
    }

    static let figures = ["victims.total", "victims.minors", "victims.minors_share", "takedowns.requests", "takedowns.due",
                          "takedowns.within_deadline", "takedowns.compliance"]
    static let months = [Period.month(2024, 6), .month(2024, 7), .month(2024, 8)]

    /// The reference cell: the replayed store read whole, the month's records of the figure's
    /// kind counted in SQL (timestamps at 10:00Z: the same month in Seoul),
    /// the figure from the month's report at the default as-of time.
    static func reference(_ store: Store, _ box: Sandbox, month: Period, figure: String) throws -> RevisionCell {
        let prefix = month.label
        let n = figure.hasPrefix("victims.") ? try box.count(store, "victims WHERE contacted_on LIKE '\(prefix)-%'")
            : try box.count(store, "takedowns WHERE requested_at_text LIKE '\(prefix)-%'")
        guard n > 0 else { return .noData }
        let tables = RecordTables(arrests: try store.table(.arrests, useCache: false).table,
                                  victims: try store.table(.victims, useCache: false).table,
                                  takedowns: try store.table(.takedowns, useCache: false).table)
        let report = try StatsReport(tables: tables, period: month, settings: Settings(), fines: nil)
        switch report.metrics[figure]! {
        case .count(let c): return .value(Double(c))
        case .number(let d): return .value(d)
        default: return .value(nil)
        }
    }

    static let base = ProcessInfo.processInfo.environment["TALLY_SEED"].flatMap(UInt64.init)
        ?? UInt64(Date().timeIntervalSince1970) & 0xFFFF_FFFF

    @Test(arguments: 0..<3)
    func everyCellEqualsItsReplay(round: Int) throws {
        let seed = Self.base &+ UInt64(round) &* 7_919
        print("RevisionsTests round \(round): seed \(seed) (TALLY_SEED=\(Self.base) replays)")
        let ops = Self.operations(seed: seed, count: 9)
        let box = Sandbox()
        let store = try box.store()
        var batchAfter: [Int?] = []
        for op in ops {
            try Self.apply(op, to: store, in: box)
            batchAfter.append(try store.latestBatch())
        }
        let vintages = try Revisions.vintages(store, .all)
        #expect(vintages.map(\.batch) == Array(1...(try store.latestBatch() ?? 0)))
        let triangles = try Revisions.triangles(store, months: Self.months, figures: Self.figures, vintages: vintages,
                                                settings: Settings(), fines: nil, useCache: false)
        var compared = 0
        for n in 1...ops.count {
            guard let b = batchAfter[n - 1], let column = vintages.firstIndex(where: { $0.batch == b }) else { continue }
            let replayBox = Sandbox()
            let replay = try replayBox.store()
            for op in ops[..<n] { try Self.apply(op, to: replay, in: replayBox) }
            for (k, id) in Self.figures.enumerated() {
                for (m, month) in Self.months.enumerated() {
                    let expected = try Self.reference(replay, replayBox, month: month, figure: id)
                    #expect(triangles[k].cells[m][column] == expected, "seed \(seed): \(id) \(month.label) at batch \(b) (after \(n) operations)")
                    compared += 1
                }
            }
        }
        #expect(compared > 0)
        // Not vacuous: some month's figure moves from one vintage to another.
        #expect(triangles.contains { t in t.months.indices.contains { m in Set(t.cells[m].compactMap(\.value)).count > 1 } },
                "seed \(seed): no figure was revised")
    }

    /// Summaries worked by hand. June: first at the second vintage (10), latest 12, revision +2.
    /// July: first and latest at the third (5), revision 0. August: 4 at the first, 1 at the
    /// last, revision −3. September: not computable at the last vintage, no revision.
    /// Mean revision (2 + 0 − 3) / 3 = −1/3; mean absolute revision (2 + 0 + 3) / 3 = 5/3.
    @Test func summariesByHand() {
        let v = (1...3).map { Vintage(batch: $0, finishedAt: nil) }
        let t = RevisionTriangle(figure: "victims.total", months: [.month(2024, 6), .month(2024, 7), .month(2024, 8), .month(2024, 9)],
                                 vintages: v, cells: [
                                    [.noData, .value(10), .value(12)],
                                    [.noData, .noData, .value(5)],
                                    [.value(4), .value(4), .value(1)],
                                    [.noData, .value(3), .value(nil)],
                                 ])
        #expect(t.first(0)?.column == 1 && t.first(0)?.value == 10)
        #expect(t.first(1)?.column == 2 && t.first(1)?.value == 5)
        #expect(t.first(2)?.column == 0 && t.first(2)?.value == 4)
        #expect(t.latest(0) == 12 && t.latest(3) == nil)
        #expect(t.revision(0) == 2 && t.revision(1) == 0 && t.revision(2) == -3 && t.revision(3) == nil)
        #expect(abs(t.meanRevision! - (-1.0 / 3)) < 1e-12)
        #expect(abs(t.meanAbsoluteRevision! - 5.0 / 3) < 1e-12)
        #expect(t.revisions.count == 3)
        let csv = Revisions.csv([t]).split(separator: "\n").map(String.init)
        #expect(csv[0] == "figure,period,batch_1,batch_2,batch_3,first_batch,first,latest,revision")
        #expect(csv[1] == "victims.total,2024-06,,10,12,2,10,12,2")
        #expect(csv[3] == "victims.total,2024-08,4,4,1,1,4,1,-3")
    }

    @Test func monthsAndErrors() throws {
        #expect(try Revisions.months(from: "2024-11", to: "2025-02").map(\.label) == ["2024-11", "2024-12", "2025-01", "2025-02"])
        #expect(throws: Revisions.Failure.self) { try Revisions.months(from: "2024-13", to: "2024-12") }
        #expect(throws: Revisions.Failure.self) { try Revisions.months(from: "2024-05", to: "2024-04") }
        #expect(throws: Revisions.Failure.self) { try Revisions.months(from: "2024-Q1", to: "2024-04") }
    }
}
