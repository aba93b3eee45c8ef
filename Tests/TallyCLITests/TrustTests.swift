import Foundation
import Testing
import TallyTestSupport
import TallyStore
#if canImport(Glibc)
import Glibc
#endif

/// The store and the outputs under concurrent use, kills, full disks, foreign and read-only
/// files: real `tally` processes, real `sqlite3`, real signals. Random moments come from a
/// seeded generator; the seed is printed and `TALLY_TEST_SEED` replays a run.
@Suite(.serialized) struct TrustTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["TALLY_TEST_SEED"].flatMap { UInt64($0) }
        ?? UInt64(Date().timeIntervalSince1970 * 1000) & 0xFFFF_FFFF

    /// The seeded generator of the test support (SplitMix64).
    typealias Random = SeededRandom

    /// Takedown CSVs of `rows` rows each with distinct keys (prefix), made by the sample generator.
    static func takedowns(_ dir: TempDir, _ name: String, rows: Int, prefix: String, seed: Int = 1) throws -> String {
        let out = dir.path("gen-\(name)")
        let r = try run(builtProgram("tally-sample"), ["--takedowns", "\(rows)", "--seed", "\(seed)", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: out + "/takedowns.csv", encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in 1..<lines.count where !lines[i].isEmpty { lines[i] = prefix + lines[i] }
        return dir.write(name, lines.joined(separator: "\n"))
    }

    /// A started process whose output goes to files (TallyTestSupport's `ChildProcess`).
    final class Running {
        let process: ChildProcess
        let out: String, err: String
        init(_ executable: String, _ arguments: [String], in dir: TempDir, tag: String) throws {
            out = dir.path("\(tag).out")
            err = dir.path("\(tag).err")
            // Default paths (Charts/…, Data/…) are relative to the package's folder.
            process = try ChildProcess(executable, arguments, environment: childEnvironment(), cwd: packageRoot.path,
                                       stdout: out, stderr: err)
        }
        var isRunning: Bool { process.isRunning }
        var pid: Int32 { process.pid }
        func kill() throws {
            process.signal(SIGKILL)
            try process.wait()
        }
        func wait() throws -> (status: Int32, stdout: String, stderr: String) {
            let status = ChildProcess.exitCode(try process.wait())
            return (status,
                    (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                    (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        }
    }

    static func integrity(_ db: String) throws -> String { try sqlite3(db, "PRAGMA integrity_check") }
    static func count(_ db: String) throws -> Int { Int(try sqlite3(db, "SELECT count(*) FROM takedowns")) ?? -1 }

    // MARK: Concurrency

    /// Readers (`sqlite3` and `tally status`) in a loop while loads run: every reader
    /// succeeds and sees the store before or after a file, never part of one; two loads at
    /// once both complete, one after the other; the store is intact with exact counts.
    @Test func readersAndConcurrentLoadsNeverCorruptTheStore() throws {
        print("TrustTests seed \(Self.seed) (TALLY_TEST_SEED replays)")
        let dir = TempDir()
        let rows = 40_000
        let a = try Self.takedowns(dir, "a.csv", rows: rows, prefix: "A", seed: 1)
        let b = try Self.takedowns(dir, "b.csv", rows: rows, prefix: "B", seed: 2)
        let c = try Self.takedowns(dir, "c.csv", rows: rows, prefix: "C", seed: 3)
        for round in 0..<3 {
            let db = dir.path("k\(round).sqlite")
            #expect(try tally("ingest", "--db", db, c).status == 0)
            let first = try Running(tallyBinary, ["ingest", "--db", db, a], in: dir, tag: "first\(round)")
            let second = try Running(tallyBinary, ["ingest", "--db", db, b], in: dir, tag: "second\(round)")
            var seen = Set<Int>()
            var reads = 0
            while first.isRunning || second.isRunning {
                // With a busy timeout, as Datasette and Tally's own readers have: the moments
                // when a reader must wait are when the last connection of a process closes
                // (checkpoint, WAL removed) or the first one opens (WAL index rebuilt).
                let r = try run("/usr/bin/sqlite3", ["-batch", "-cmd", ".timeout 10000", db, "SELECT count(*) FROM takedowns"])
                #expect(r.status == 0, "sqlite3 reader failed: \(r.stderr)")
                if let n = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) { seen.insert(n) }
                let s = try tally("status", "--db", db, "--format", "json")
                #expect(s.status == 0, "tally status failed: \(s.stderr)")
                reads += 2
            }
            let r1 = try first.wait(), r2 = try second.wait()
            #expect(r1.status == 0, "\(r1.stderr)")
            #expect(r2.status == 0, "\(r2.stderr)")
            #expect(try Self.integrity(db) == "ok")
            #expect(try Self.count(db) == 3 * rows)
            #expect(seen.isSubset(of: [rows, 2 * rows, 3 * rows]), "a reader saw part of a file: \(seen.sorted())")
            #expect(try sqlite3(db, "SELECT count(*) FROM batches WHERE finished_at IS NULL") == "0")
            print("round \(round): \(reads) reads during two loads; counts seen \(seen.sorted())")
        }
    }

    /// A load that cannot get the store within --wait fails with one line naming the other
    /// process, and loads nothing.
    @Test func aSecondLoadWaitsThenFailsCleanly() throws {
        let dir = TempDir()
        let db = dir.path("k.sqlite")
        // Large enough that the first load is still running when the second gives up (a
        // release build loads about ten times faster than a debug build).
        #if DEBUG
        let bigRows = 150_000
        #else
        let bigRows = 1_500_000
        #endif
        let big = try Self.takedowns(dir, "big.csv", rows: bigRows, prefix: "A")
        let small = try Self.takedowns(dir, "small.csv", rows: 100, prefix: "S")
        let first = try Running(tallyBinary, ["ingest", "--db", db, big], in: dir, tag: "first")
        // Until the first load holds the lock (its lock file names it).
        let deadline = Date().addingTimeInterval(20)
        while (try? String(contentsOfFile: db + ".lock", encoding: .utf8))?.isEmpty ?? true, Date() < deadline { usleep(5_000) }
        let second = try tally("ingest", "--db", db, "--wait", "0.2", small)
        let r1 = try first.wait()
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(second.status == 1)
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.pid)"), "\(second.stderr)")
        #expect(second.stderr.contains("nothing was loaded"))
        #expect(try Self.count(db) == bigRows)
        #expect(try sqlite3(db, "SELECT count(*) FROM files") == "1")
        // Afterwards it loads.
        #expect(try tally("ingest", "--db", db, small).status == 0)
        #expect(try Self.count(db) == bigRows + 100)
    }

    // MARK: Kills

    /// kill -9 at random moments of a two-file load: the store is intact, holds whole files
    /// only (the count is the sum of the loaded files' rows), an unfinished batch shows as
    /// interrupted, and loading again completes it.
    @Test func killedLoadsLeaveWholeFilesOnly() throws {
        var random = Random(seed: Self.seed ^ 0x10AD)
        print("TrustTests.killedLoadsLeaveWholeFilesOnly seed \(Self.seed)")
        let dir = TempDir()
        let rows = 60_000
        let a = try Self.takedowns(dir, "a.csv", rows: rows, prefix: "A", seed: 1)
        let b = try Self.takedowns(dir, "b.csv", rows: rows, prefix: "B", seed: 2)
        // How long a whole load takes here, to spread the kills over it.
        let probe = dir.path("probe.sqlite")
        let t0 = Date()
        #expect(try tally("ingest", "--db", probe, a, b).status == 0)
        let full = Date().timeIntervalSince(t0)
        var outcomes: [Int: Int] = [:]
        for round in 0..<8 {
            let db = dir.path("kill\(round).sqlite")
            let delay = Double(random.below(1000)) / 1000 * full
            let p = try Running(tallyBinary, ["ingest", "--db", db, a, b], in: dir, tag: "kill\(round)")
            usleep(useconds_t(delay * 1_000_000))
            try p.kill()
            guard FileManager.default.fileExists(atPath: db) else { outcomes[-1, default: 0] += 1; continue }
            #expect(try Self.integrity(db) == "ok", "round \(round), killed after \(delay) s")
            // Killed while the new store's schema was being created: nothing committed, a new
            // empty file, which reading commands call no store and the next load sets up.
            if try sqlite3(db, "SELECT count(*) FROM sqlite_master") == "0" {
                let status = try tally("status", "--db", db)
                #expect(status.status == 1 && status.stderr.contains("no store at"), "\(status.stderr)")
                #expect(try tally("ingest", "--db", db, a, b).status == 0)
                #expect(try Self.count(db) == 2 * rows)
                outcomes[-2, default: 0] += 1
                continue
            }
            let n = try Self.count(db)
            #expect([0, rows, 2 * rows].contains(n), "round \(round): \(n) rows, not whole files")
            #expect(try sqlite3(db, "SELECT coalesce(sum(loaded), 0) FROM files WHERE status = 'loaded'") == "\(n)")
            let status = try tally("status", "--db", db, "--format", "json")
            #expect(status.status == 0, "\(status.stderr)")
            if try sqlite3(db, "SELECT count(*) FROM batches WHERE finished_at IS NULL") == "1" {
                #expect(status.stdout.contains("\"state\" : \"interrupted\""), "\(status.stdout)")
            }
            let again = try tally("ingest", "--db", db, a, b)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try Self.count(db) == 2 * rows)
            #expect(try Self.integrity(db) == "ok")
            outcomes[n, default: 0] += 1
        }
        print("kills during a load: rows in the store when killed → rounds (-1: no file yet, -2: empty new store): \(outcomes)")
    }

    /// kill -9 while the column cache is being built, then: figures equal those computed
    /// from the store without the cache, and no temporary file is left once a later run
    /// has written the cache.
    @Test func killedCacheBuildsNeverChangeAFigure() throws {
        var random = Random(seed: Self.seed ^ 0xCAC4E)
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try tally("ingest", "--db", db, sampleFiles[2]).status == 0)
        let reference = try tally("query", "--db", db, "--no-cache", "--format", "csv", "takedowns",
                                  "--group-by", "platform", "--agg", "count")
        #expect(reference.status == 0, "\(reference.stderr)")
        for round in 0..<6 {
            try? FileManager.default.removeItem(atPath: db + ".cache")
            let p = try Running(tallyBinary, ["query", "--db", db, "--format", "csv", "takedowns", "--group-by", "platform",
                                              "--agg", "count"], in: dir, tag: "cache\(round)")
            usleep(useconds_t(random.below(400_000)))
            try p.kill()
            let r = try tally("query", "--db", db, "--format", "csv", "takedowns", "--group-by", "platform", "--agg", "count")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == reference.stdout, "round \(round)")
            let again = try tally("query", "--db", db, "--format", "csv", "takedowns", "--group-by", "platform", "--agg", "count")
            #expect(again.stdout == reference.stdout)
            let left = (try? FileManager.default.contentsOfDirectory(atPath: db + ".cache")) ?? []
            #expect(left.allSatisfy { !$0.contains("tmp") }, "temporary files left: \(left)")
        }
    }

    /// kill -9 while a bulletin replaces an earlier one in the same folder: every file is
    /// whole (the earlier run's or the new run's, byte for byte), and `tally verify` passes
    /// only when files and manifest agree; a finished run then passes.
    @Test func killedBulletinsLeaveWholeFilesAndVerifyTellsAMix() throws {
        var random = Random(seed: Self.seed ^ 0xB011)
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try tally("ingest", "--db", db, sampleFiles[0], sampleFiles[1], sampleFiles[2]).status == 0)
        func bulletin(_ out: String, asOf: String) throws -> Running {
            try Running(tallyBinary, ["bulletin", "--db", db, "--period", "2024-08", "--lang", "en", "--as-of", asOf,
                                      "--out", out], in: dir, tag: "b-\(UUID().uuidString)")
        }
        func files(_ folder: String) -> [String: Data] {
            var out: [String: Data] = [:]
            let e = FileManager.default.enumerator(atPath: folder)
            while let f = e?.nextObject() as? String {
                if let d = FileManager.default.contents(atPath: folder + "/" + f), !f.hasSuffix("/") {
                    var isDir: ObjCBool = false
                    FileManager.default.fileExists(atPath: folder + "/" + f, isDirectory: &isDir)
                    if !isDir.boolValue { out[f] = d }
                }
            }
            return out
        }
        // The two complete versions, for reference.
        let old = dir.path("old"), new = dir.path("new")
        var duration = 0.0
        for (out, asOf) in [(old, "2024-12-31"), (new, "2025-01-31")] {
            let t0 = Date()
            let r = try bulletin(out, asOf: asOf).wait()
            duration = Date().timeIntervalSince(t0)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let oldFiles = files(old), newFiles = files(new)
        #expect(oldFiles["bulletin-2024-08-en.pdf"] != newFiles["bulletin-2024-08-en.pdf"])
        var mixes = 0
        for round in 0..<6 {
            let out = dir.path("run\(round)")
            #expect(try bulletin(out, asOf: "2024-12-31").wait().status == 0)
            let p = try bulletin(out, asOf: "2025-01-31")
            // Kills spread over the time a whole run takes here.
            usleep(useconds_t(Double(random.below(1000)) / 1000 * duration * 1_000_000))
            try p.kill()
            let now = files(out)
            // Temporary files of the killed run are allowed here; the next run sweeps them.
            for (name, bytes) in now where !name.contains(".tally-tmp-") {
                let whole = bytes == oldFiles[name] || bytes == newFiles[name]
                #expect(whole, "round \(round): \(name) is neither the old nor the new file")
            }
            let v = try tally("verify", "--db", db, "--quiet", out + "/manifest.json")
            let manifestIsNew = now["manifest.json"] == newFiles["manifest.json"]
            let changed = now.keys.filter { !$0.contains(".tally-tmp-") && now[$0] != oldFiles[$0] }
            if manifestIsNew || changed.isEmpty {
                #expect(v.status == 0, "round \(round): \(v.stdout)")
            } else {
                mixes += 1
                #expect(v.status == 1, "round \(round): a mix of runs passed verify: \(v.stdout)")
                #expect(v.stdout.contains("FILE "), "\(v.stdout)")
            }
            // A complete run sweeps the dead run's temporary files and passes.
            #expect(try bulletin(out, asOf: "2025-01-31").wait().status == 0)
            #expect(files(out).keys.allSatisfy { !$0.contains(".tally-tmp-") })
            #expect(try tally("verify", "--db", db, "--quiet", out + "/manifest.json").status == 0)
        }
        print("killed bulletins: \(mixes) of 6 left a mix that verify reported")
    }

    // MARK: Full disks

    /// `ulimit -f` (EFBIG without root): every writing command fails with one line and exit
    /// status 1, and leaves no file under its final name and the store as it was.
    @Test func fullDiskIsAOneLineErrorAndNoPartialFile() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try tally("ingest", "--db", db, sampleFiles[0], sampleFiles[1], sampleFiles[2]).status == 0)
        let before = try Self.count(db)
        func limited(_ kilobytes: Int, _ args: [String]) throws -> RunResult {
            let quoted = ([tallyBinary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            return try run("/bin/bash", ["-c", "ulimit -f \(kilobytes); exec \(quoted)"], cwd: packageRoot)
        }
        func oneLine(_ r: RunResult, _ what: String) {
            #expect(r.status == 1, "\(what): status \(r.status) \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(what): \(r.stderr)")
            #expect(r.stderr.contains("File too large"), "\(what): \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"))
        }
        let pdfOnly = try limited(40, ["bulletin", "--db", db, "--period", "2024-08", "--out", dir.path("b1"), "--pdf-only"])
        oneLine(pdfOnly, "bulletin --pdf-only")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path("b1"))) ?? []).isEmpty)
        let chart = try limited(8, ["chart", "--db", db, "--period", "2024-08", "--all", "--out", dir.path("c1"), "--format", "svg"])
        oneLine(chart, "chart")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path("c1"))) ?? []).isEmpty)
        let export = try limited(20, ["export", "--db", db, "--kind", "takedowns", "--period", "2024", "--format", "csv",
                                      "--out", dir.path("e.csv")])
        oneLine(export, "export")
        #expect(!FileManager.default.fileExists(atPath: dir.path("e.csv")))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.url.path)) ?? []).allSatisfy { !$0.contains("tmp") })
        // The store itself: a load that cannot grow the file changes nothing.
        let more = try Self.takedowns(dir, "more.csv", rows: 50_000, prefix: "M")
        let size = (try FileManager.default.attributesOfItem(atPath: db)[.size] as? Int ?? 0) / 1024
        let ingest = try limited(size + 64, ["ingest", "--db", db, more])
        #expect(ingest.status == 1, "\(ingest.stdout) \(ingest.stderr)")
        #expect(ingest.stderr.split(separator: "\n").count == 1, "\(ingest.stderr)")
        #expect(!ingest.stderr.contains("Fatal error"))
        #expect(try Self.integrity(db) == "ok")
        #expect(try Self.count(db) == before)
        #expect(try sqlite3(db, "SELECT count(*) FROM files WHERE path LIKE '%more.csv'") == "0")
    }

    /// A store on a real full file system (a 4 MiB tmpfs, where this process may mount one):
    /// ENOSPC during a load leaves the store intact and loads nothing of that file.
    @Test func enospcOnATmpfsLeavesTheStoreIntact() throws {
        let dir = TempDir()
        let mnt = dir.path("mnt")
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        let mounted = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt])
        guard mounted.status == 0 else {
            print("enospcOnATmpfsLeavesTheStoreIntact: cannot mount a tmpfs here (\(mounted.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); the ulimit -f test covers write errors")
            return
        }
        defer { _ = try? run("/bin/umount", ["-l", mnt]) }
        let db = mnt + "/s.sqlite"
        let small = try Self.takedowns(dir, "small.csv", rows: 1_000, prefix: "S")
        let big = try Self.takedowns(dir, "big.csv", rows: 100_000, prefix: "B")
        #expect(try tally("ingest", "--db", db, small).status == 0)
        let r = try tally("ingest", "--db", db, big)
        #expect(r.status == 1, "\(r.stdout)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.lowercased().contains("full"), "\(r.stderr)")
        #expect(try Self.integrity(db) == "ok")
        #expect(try Self.count(db) == 1_000)
        // Output to the full disk: one line, nothing left.
        _ = try run("/bin/dd", ["if=/dev/zero", "of=\(mnt)/filler", "bs=64k", "count=100"])
        let chart = try tally("chart", "--db", db, "--period", "2024", "--all", "--out", mnt + "/charts", cwd: packageRoot)
        #expect(chart.status == 1)
        #expect(chart.stderr.split(separator: "\n").count == 1, "\(chart.stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: mnt + "/charts")) ?? []
        #expect(left.allSatisfy { !$0.contains("tmp") }, "\(left)")
    }

    // MARK: Foreign and read-only stores

    /// Another program's SQLite database is refused and left byte for byte as it was; so is
    /// a text file; a store with a damaged schema version is a one-line error.
    @Test func foreignDatabasesAreRefusedUntouched() throws {
        let dir = TempDir()
        let other = dir.path("other.db")
        _ = try sqlite3(other, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('x');")
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        for command in [["status"], ["stats", "--period", "2024-08"], ["ingest", sampleFiles[1]]] {
            let r = try tally(command[0], "--db", other, arguments: Array(command.dropFirst()))
            #expect(r.status == 1, "\(command): \(r.stdout)")
            #expect(r.stderr.contains("is not a Tally store"), "\(command): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
        #expect(!FileManager.default.fileExists(atPath: other + "-wal"))
        let tables = try sqlite3(other, "SELECT group_concat(name) FROM sqlite_master")
        #expect(tables == "notes")

        let text = dir.write("notes.txt", "not a database\n")
        let t = try tally("status", "--db", text)
        #expect(t.status == 1 && t.stderr.contains("not a Tally store"), "\(t.stderr)")

        let db = dir.path("s.sqlite")
        #expect(try tally("ingest", "--db", db, sampleFiles[1]).status == 0)
        #expect(try sqlite3(db, "PRAGMA application_id") == "\(0x5441_4C59)")
        _ = try sqlite3(db, "PRAGMA user_version = -5")
        let s = try tally("status", "--db", db)
        #expect(s.status == 1)
        #expect(s.stderr.split(separator: "\n").count == 1 && s.stderr.contains("schema version -5"), "\(s.stderr)")
        #expect(!s.stderr.contains("Fatal error"))
    }

    /// A store made by the release before schema 2 (unmarked, schema 1, rollback journal) is
    /// recognised, not refused as foreign: reading commands say how to upgrade it and leave it
    /// untouched; `tally ingest` with no files upgrades and marks it, keeping every record.
    @Test func storesOfTheEarlierReleaseAreRecognisedAndUpgraded() throws {
        let dir = TempDir()
        let db = dir.path("v1.sqlite")
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Tests/TallyStoreTests/Fixtures/v1-store.sqlite").path,
                                         toPath: db)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let s = try tally("status", "--db", db)
        #expect(s.status == 1)
        #expect(s.stderr.contains("schema version 1 and needs upgrading") && s.stderr.contains("tally ingest --db"), "\(s.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "a reading command wrote to the store")
        let upgrade = try tally("ingest", "--db", db)
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(try sqlite3(db, "PRAGMA application_id") == "\(0x5441_4C59)")
        #expect(try sqlite3(db, "PRAGMA user_version") == "\(StoreSchema.version)")
        #expect(try sqlite3(db, "SELECT count(*) FROM takedowns") == "309")
        #expect(try tally("status", "--db", db).status == 0)
    }

    /// A store on a read-only mount (journalists receive stores on read-only shares): every
    /// reading command works; a load fails with one line.
    @Test func readOnlyStoresCanBeRead() throws {
        let dir = TempDir()
        let src = dir.path("s.sqlite")
        #expect(try tally("ingest", "--db", src, sampleFiles[0], sampleFiles[1], sampleFiles[2]).status == 0)
        let expected = try tally("stats", "--db", src, "--period", "2024-08", "--format", "json", cwd: packageRoot)
        #expect(expected.status == 0)
        let mnt = dir.path("ro")
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        guard try run("/bin/mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt]).status == 0 else {
            print("readOnlyStoresCanBeRead: cannot mount here; skipped")
            return
        }
        defer { _ = try? run("/bin/umount", ["-l", mnt]) }
        try FileManager.default.copyItem(atPath: src, toPath: mnt + "/s.sqlite")
        #expect(try run("/bin/mount", ["-o", "remount,ro", mnt]).status == 0)
        let db = mnt + "/s.sqlite"
        let stats = try tally("stats", "--db", db, "--period", "2024-08", "--format", "json", cwd: packageRoot)
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout == expected.stdout)
        for args in [["status"], ["quarantine"], ["rank", "--period", "2024-08"],
                     ["query", "takedowns", "--group-by", "platform", "--agg", "count"],
                     ["export", "--kind", "victims", "--period", "2024-08", "--format", "csv"]] {
            let r = try tally(args[0], "--db", db, arguments: Array(args.dropFirst()), cwd: packageRoot)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        // A bulletin from a read-only store: written and verified; only the record of the
        // publication in the store is left out, said in one line.
        let b = try tally("bulletin", "--db", db, arguments: ["--period", "2024-08", "--out", dir.path("b")], cwd: packageRoot)
        #expect(b.status == 0, "\(b.stderr)")
        #expect(b.stderr.split(separator: "\n").count == 1 && b.stderr.contains("not recorded"), "\(b.stderr)")
        #expect(try tally("verify", "--db", db, arguments: ["--quiet", dir.path("b/manifest.json")]).status == 0)
        let load = try tally("ingest", "--db", db, sampleFiles[0])
        #expect(load.status == 1)
        #expect(load.stderr.split(separator: "\n").count == 1, "\(load.stderr)")
    }

    /// The crash hook of the older crash test (`TALLY_TEST_CRASH_AFTER_ROWS`) exists in debug
    /// builds only: the release binary that users run has no such switch.
    @Test func theCrashHookIsInDebugBuildsOnly() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: tallyBinary))
        let hasHook = bytes.range(of: Data("TALLY_TEST_CRASH_AFTER_ROWS".utf8)) != nil
        #if DEBUG
        #expect(hasHook, "debug build at \(tallyBinary)")
        #else
        #expect(!hasHook, "release build at \(tallyBinary)")
        #endif
    }
}

/// `tally NAME --db PATH ARGS…` with the arguments as an array.
func tally(_ name: String, _ dbFlag: String, _ db: String, arguments: [String], cwd: URL? = nil) throws -> RunResult {
    try run(tallyBinary, [name, dbFlag, db] + arguments, cwd: cwd)
}

/// The fuzz targets for a bounded time, as CI runs them (`make fuzz` runs them longer,
/// coverage-guided). A finding prints its seed and input.
@Suite struct FuzzTests {
    @Test(arguments: [("csv", 25.0), ("yaml", 10.0)])
    func fuzzTargetFindsNothing(target: String, seconds: Double) throws {
        let seed = ProcessInfo.processInfo.environment["TALLY_TEST_SEED"] ?? String(UInt64(Date().timeIntervalSince1970 * 1000) & 0xFFFF_FFFF)
        let r = try run(builtProgram("tally-fuzz"), [target, "--seconds", "\(seconds)", "--seed", seed,
                                                      "--corpus", packageRoot.appendingPathComponent("Tests/Fuzz/corpus/\(target)").path])
        print(r.stdout)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("no finding"))
        // It really ran: more inputs than the corpus alone.
        let runs = r.stdout.split(separator: "\n").last { $0.contains("inputs, no finding") }
            .flatMap { Int($0.split(separator: " ")[2]) } ?? 0
        #expect(runs > 50, "\(r.stdout)")
    }
}
