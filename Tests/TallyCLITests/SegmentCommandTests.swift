import Foundation
import Testing
import TallyTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The column segments `tally ingest` writes, with real processes: another program's commit,
/// a damaged segment and a load killed while writing them never change a figure.
@Suite(.serialized) struct SegmentCommandTests {
    static let query = ["--format", "csv", "takedowns", "--group-by", "platform", "--agg", "n=count",
                        "--agg", "r=count_if(outcome = refused)"]

    func figures(_ db: String, cache: Bool = true) throws -> RunResult {
        try run(tallyBinary, ["query", "--db", db] + Self.query + (cache ? [] : ["--no-cache"]), cwd: packageRoot)
    }

    func stats(_ db: String, cache: Bool = true) throws -> RunResult {
        try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--format", "json"] + (cache ? [] : ["--no-cache"]),
                cwd: packageRoot)
    }

    func segmentFiles(_ db: String) -> [String] {
        let dir = db + ".cache/takedowns"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".tcol") }.map { dir + "/" + $0 }
    }

    /// sqlite3 commits after the load: the segments no longer match the store, the reader
    /// rebuilds from SQLite, and the figures have the change.
    @Test func aCommitBySQLite3AfterALoadIsSeen() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", db] + sampleFiles).status == 0)
        #expect(!segmentFiles(db).isEmpty, "the load wrote segments")
        let before = try figures(db)
        let uncached = try figures(db, cache: false)
        #expect(before.status == 0 && before.stderr.isEmpty && before.stdout == uncached.stdout)
        _ = try sqlite3(db, "UPDATE takedowns SET platform = 'Segment Test' WHERE request_id = (SELECT min(request_id) FROM takedowns)")
        let after = try figures(db)
        #expect(after.status == 0 && after.stderr.isEmpty, "\(after.stderr)")
        #expect(after.stdout.contains("Segment Test,1,"), "\(after.stdout)")
        #expect(after.stdout == (try figures(db, cache: false)).stdout)
        #expect(after.stdout != before.stdout)
    }

    /// A byte flipped in a segment: one warning naming it, the store's figures, and the next
    /// run reads a rebuilt cache without a word.
    @Test func aFlippedByteInASegmentIsOneWarning() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", db] + sampleFiles).status == 0)
        let reference = try stats(db, cache: false)
        #expect(reference.status == 0)
        let segment = try #require(segmentFiles(db).first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: segment))
        let damaged = try stats(db)
        #expect(damaged.status == 0 && damaged.stdout == reference.stdout)
        let lines = damaged.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("tally: warning: the column cache \(segment) is damaged ("), "\(damaged.stderr)")
        let again = try stats(db)
        #expect(again.status == 0 && again.stderr.isEmpty && again.stdout == reference.stdout, "\(again.stderr)")
    }

    /// kill -9 of a load while it writes segments (at each step, through the debug build's
    /// hook, and at seeded random moments): the next `tally stats` gives the store's figures,
    /// and the next load completes.
    @Test func killedWhileWritingSegmentsTheFiguresAreTheStores() throws {
        let dir = TempDir()
        let a = try TrustTests.takedowns(dir, "a.csv", rows: 20_000, prefix: "A", seed: 3)
        let b = try TrustTests.takedowns(dir, "b.csv", rows: 20_000, prefix: "B", seed: 4)
        for point in ["segment", "checkpoint", "manifest"] {
            let db = dir.path("hook-\(point).sqlite")
            #expect(try run(tallyBinary, ["ingest", "--db", db, a]).status == 0)
            let r = try run(tallyBinary, ["ingest", "--db", db, b], environment: ["TALLY_TEST_EXIT_IN_SEGMENTS": point])
            // Release builds have no hook: the load then simply completes.
            #expect(r.status == 70 || r.status == 0, "\(point): \(r.stderr)")
            let s = try stats(db), sqlite = try stats(db, cache: false)
            #expect(s.status == 0 && s.stdout == sqlite.stdout, "\(point): \(s.stderr)")
            #expect(try figures(db).stdout == (try figures(db, cache: false)).stdout, "\(point)")
            #expect(try run(tallyBinary, ["ingest", "--db", db, a, b]).status == 0)
            #expect(try stats(db).stdout == (try stats(db, cache: false)).stdout, "\(point): after the next load")
        }

        var random = SeededRandom(seed: TrustTests.seed ^ 0x5E6)
        print("SegmentCommandTests.killed seed \(TrustTests.seed)")
        let probe = dir.path("probe.sqlite")
        let t0 = Date()
        #expect(try run(tallyBinary, ["ingest", "--db", probe, a, b]).status == 0)
        let full = Date().timeIntervalSince(t0)
        for round in 0..<5 {
            let db = dir.path("kill\(round).sqlite")
            #expect(try run(tallyBinary, ["ingest", "--db", db, a]).status == 0)
            let delay = Double(random.below(1000)) / 1000 * full
            let p = try TrustTests.Running(tallyBinary, ["ingest", "--db", db, b], in: dir, tag: "kill\(round)")
            usleep(useconds_t(delay * 1_000_000))
            try p.kill()
            let s = try stats(db), sqlite = try stats(db, cache: false)
            #expect(s.status == 0 && s.stdout == sqlite.stdout, "round \(round), killed after \(delay) s")
            #expect(try run(tallyBinary, ["ingest", "--db", db, b]).status == 0)
            #expect(try figures(db).stdout == (try figures(db, cache: false)).stdout, "round \(round): after the next load")
        }
    }
}
