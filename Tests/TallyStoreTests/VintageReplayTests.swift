import Foundation
import Testing
import TallyCore
import TallyEngine
import TallyTestSupport
@testable import TallyStore
@testable import TallyTables

/// Property: for random sequences of loads (new records, duplicates, updates, corrections,
/// conflicts; some loads revisions), retractions by key and by file, the vintage after every
/// batch N equals a brute-force reference: the first N operations replayed into a fresh
/// store, read at its latest. Seeded; the seed is printed, `TALLY_SEED` replays one.
@Suite struct VintageReplayTests {
    /// The seeded generator of the test support (SplitMix64).
    typealias Random = SeededRandom

    enum Operation {
        case load(name: String, text: String, revise: Bool)
        case retractIDs(kind: RecordKind, ids: [String])
        case retractFile(name: String)
    }

    static func takedownRow(_ key: String, _ r: inout Random) -> String {
        let platform = ["X", "Naver", "Telegram"][r.below(3)]
        let kind = ["", "image", "video"][r.below(3)]
        let outcome = ["pending", "pending", "removed", "blocked", "refused"][r.below(5)]
        let resolved = outcome == "pending" || (outcome == "refused" && r.chance(0.5)) ? "" : "2024-08-0\(2 + r.below(3))T10:00:00Z"
        return "\(key),\(platform),,\(kind),police,,2024-08-01T10:00:00Z,\(resolved),\(outcome)"
    }

    static func victimRow(_ key: String, _ r: inout Random) -> String {
        let age = r.chance(0.4) ? "" : String(12 + r.below(3) * 10)
        let services = ["", "deletion", "deletion;counseling", "counseling;legal"][r.below(4)]
        let region = r.chance(0.5) ? "" : ["Seoul", "Busan"][r.below(2)]
        return "\(key),2024-08-0\(1 + r.below(3)),\(age),,hotline,\(services),\(region)"
    }

    static func operations(seed: UInt64, count: Int) -> [Operation] {
        var r = Random(seed: seed)
        var ops: [Operation] = []
        var files: [String] = []
        for i in 0..<count {
            let roll = r.below(10)
            if roll < 7 || files.isEmpty {
                let takedowns = r.chance(0.6)
                var lines = [takedowns ? takedownHeader : VersionTests.victimHeader]
                // A key of its own makes every file's bytes differ (a repeated file is skipped).
                lines.append(takedowns ? takedownRow("U\(i)", &r) : victimRow("U\(i)", &r))
                for _ in 0..<(1 + r.below(6)) {
                    let key = (takedowns ? "T" : "V") + String(r.below(8))
                    lines.append(takedowns ? takedownRow(key, &r) : victimRow(key, &r))
                }
                let name = "op\(i)-\(takedowns ? "t" : "v").csv"
                files.append(name)
                ops.append(.load(name: name, text: lines.joined(separator: "\n") + "\n", revise: r.chance(0.3)))
            } else if roll < 9 {
                let kind: RecordKind = r.chance(0.5) ? .takedowns : .victims
                let prefix = kind == .takedowns ? "T" : "V"
                ops.append(.retractIDs(kind: kind, ids: (0..<(1 + r.below(3))).map { _ in prefix + String(r.below(9)) }))
            } else {
                ops.append(.retractFile(name: files[r.below(files.count)]))
            }
        }
        return ops
    }

    /// Applies `ops` to `store`; false where an operation changed nothing (no batch).
    static func apply(_ ops: ArraySlice<Operation>, to store: Store, in box: Sandbox) throws {
        for op in ops {
            switch op {
            case let .load(name, text, revise):
                var options = IngestOptions()
                options.revise = revise
                options.reason = revise ? "revision \(name)" : nil
                let report = try store.ingest([box.write(name, text)], options: options)
                #expect(report.batch != nil, "\(name) made no batch")
            case let .retractIDs(kind, ids):
                _ = try store.retract(kind: kind, ids: ids, reason: "test")
            case let .retractFile(name):
                // A file retracted before: an error that changes nothing (no batch).
                do { _ = try store.retract(file: name, reason: "test") } catch let e as RetractionError {
                    guard case .alreadyRetracted = e else { throw e }
                }
            }
        }
    }

    /// A table's rows as sorted text: the same records whatever their order.
    static func rows(_ t: Table) -> [String] {
        (0..<t.rowCount).map { i in t.names.map { "\(t[$0].value(i))" }.joined(separator: "|") }.sorted()
    }

    static let base = ProcessInfo.processInfo.environment["TALLY_SEED"].flatMap(UInt64.init)
        ?? UInt64(Date().timeIntervalSince1970) & 0xFFFF_FFFF

    @Test(arguments: 0..<6)
    func everyVintageEqualsItsReplay(round: Int) throws {
        let base = Self.base
        let seed = base &+ UInt64(round) &* 1_000_003
        print("VintageReplayTests round \(round): seed \(seed) (TALLY_SEED=\(base) replays)")
        let ops = Self.operations(seed: seed, count: 10)
        let box = Sandbox()
        let store = try box.store()
        // Each operation that changed something is one batch; one that changed nothing (a
        // retraction of keys not held) writes none. Vintage b is the operations up to b's.
        var prefixOfBatch: [(batch: Int, operations: Int)] = []
        for i in ops.indices {
            let before = try store.latestBatch() ?? 0
            try Self.apply(ops[i...i], to: store, in: box)
            let after = try store.latestBatch() ?? 0
            #expect(after == before || after == before + 1, "seed \(seed): operation \(i) made \(after - before) batches")
            if after > before { prefixOfBatch.append((after, i + 1)) }
        }
        let made = try box.rows(store, "SELECT coalesce(sum(updated), 0), coalesce(sum(corrected), 0), coalesce(sum(quarantined), 0) FROM files")[0]
        let retracted = try box.rows(store, "SELECT outcome, count(*) FROM retractions GROUP BY 1 ORDER BY 1")
        print("round \(round): \(prefixOfBatch.count) batches of \(ops.count) operations; updates \(made[0]), corrections \(made[1]), "
            + "conflicts \(made[2]), retractions \(retracted)")
        for (n, count) in prefixOfBatch {
            let replayBox = Sandbox()
            let replay = try replayBox.store()
            try Self.apply(ops[..<count], to: replay, in: replayBox)
            for kind in [RecordKind.takedowns, .victims] {
                let atN = try store.table(kind, useCache: false, vintage: n).table
                let reference = try replay.table(kind, useCache: false).table
                #expect(Self.rows(atN) == Self.rows(reference), "seed \(seed): \(kind.rawValue) at vintage \(n)")
            }
        }
    }
}
