import Foundation
import Testing

@Suite struct CLIBasicsTests {
    @Test func versionAndHelp() throws {
        let v = try tally("--version")
        #expect(v.status == 0)
        #expect(v.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
        let help = try tally("--help")
        #expect(help.status == 0)
        for command in ["ingest", "status", "quarantine"] { #expect(help.stdout.contains(command)) }
        let ingestHelp = try tally("ingest", "--help")
        #expect(ingestHelp.stdout.contains("Examples:"))
        #expect(ingestHelp.stdout.contains("--encoding"))
    }

    @Test func badArgumentsGetAClearMessageNotATrace() throws {
        let dir = TempDir()
        let r = try tally("ingest", "--encoding", "latin1", "--db", dir.path("s.sqlite"), "x.csv")
        #expect(r.status != 0)
        // swift-argument-parser's message for an ExpressibleByArgument enum: the value and the choices.
        #expect(r.stderr.contains("'latin1' is invalid for '--encoding <name>'") && r.stderr.contains("'utf-8' and 'cp949'"))
        let z = try tally("ingest", "--tz", "Asia/Nowhere", "--db", dir.path("s.sqlite"), "x.csv")
        #expect(z.stderr.contains("unknown time zone 'Asia/Nowhere'"))
        let missing = try tally("status", "--db", dir.path("none.sqlite"))
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no store at"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("none.sqlite")), "status does not create a store")
        for r in [r, z, missing] { #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack")) }
    }
}

@Suite struct CLIIngestTests {
    @Test func rejectedFileExitsOneAndOthersStillLoad() throws {
        let dir = TempDir()
        let bad = dir.write("bad.csv", "request_id,platform\nT1,X\n")
        let good = dir.write("good.csv", "victim_id,contacted_on,channel\nV1,2024-01-01,hotline\nV2,2024-01-01,fax\n")
        let r = try tally("ingest", "--db", dir.path("s.sqlite"), bad, good)
        #expect(r.status == 1)
        let errorLines = r.stderr.split(separator: "\n")
        #expect(errorLines == ["error: \(bad): missing required columns 'requested_by', 'requested_at', 'outcome' for takedowns"])
        #expect(r.stdout.contains("1 row quarantined"))
        let q = try tally("quarantine", "--db", dir.path("s.sqlite"))
        #expect(q.stdout.contains("good.csv:3"))
        #expect(q.stdout.contains("expected one of hotline, website, visit, referral"))
    }

    // The hook that ends the process after a given row exists in debug builds only; the
    // release run relies on TrustTests.killedLoadsLeaveWholeFilesOnly (SIGKILL at random moments).
    #if DEBUG
    @Test func killedMidFileLeavesTheStoreAsItWas() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        var text = "request_id,platform,requested_by,requested_at,outcome\n"
        for i in 0..<5_000 { text += "R\(i),X,police,2024-05-01T10:00:00Z,pending\n" }
        let file = dir.write("t.csv", text)
        let small = dir.write("v.csv", "victim_id,contacted_on,channel\nV1,2024-01-01,hotline\n")
        #expect(try tally("ingest", "--db", db, small).status == 0)

        // The process dies abruptly (no rollback, no cleanup) after 3,000 rows.
        let crashed = try tally("ingest", "--db", db, file, environment: ["TALLY_TEST_CRASH_AFTER_ROWS": "3000"])
        #expect(crashed.status == 70)
        #expect(try sqlite3(db, "SELECT (SELECT count(*) FROM takedowns) || ',' || (SELECT count(*) FROM files) || ',' || (SELECT count(*) FROM victims)") == "0,1,1")

        let retry = try tally("ingest", "--db", db, "--format", "json", file)
        #expect(retry.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(retry.stdout.utf8)) as! [String: Any]
        let f = (json["files"] as! [[String: Any]])[0]
        #expect(f["loaded"] as? Int == 5_000)
        #expect(try sqlite3(db, "SELECT count(*) FROM takedowns") == "5000")
    }

    #endif

    @Test func storeFromEnvironmentAndOwnerOnlyPermissions() throws {
        let dir = TempDir()
        let db = dir.path("env.sqlite")
        let file = dir.write("v.csv", "victim_id,contacted_on,channel\nV1,2024-01-01,hotline\n")
        let r = try tally("ingest", file, environment: ["TALLY_DB": db])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty, "no progress noise when stderr is not a terminal")
        let mode = try FileManager.default.attributesOfItem(atPath: db)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let s = try tally("status", environment: ["TALLY_DB": db])
        #expect(s.stdout.range(of: #"victims\s+1\s"#, options: .regularExpression) != nil, "\(s.stdout)")
    }

    @Test func defaultStoreIsInTheCurrentFolder() throws {
        let dir = TempDir()
        let file = dir.write("v.csv", "victim_id,contacted_on,channel\nV1,2024-01-01,hotline\n")
        #expect(try tally("ingest", file, cwd: dir.url).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path("tally.sqlite")))
    }
}

/// The shipped sample, loaded by the built binary, checked against sqlite3's own CSV import.
@Suite struct SampleEndToEndTests {
    @Test func sampleLoadsCompletelyAndReproducesThePublicFigures() throws {
        let dir = TempDir()
        let db = dir.path("sample.sqlite")
        for f in sampleFiles { try #require(FileManager.default.fileExists(atPath: f), "missing \(f)") }
        let r = try run(tallyBinary, ["ingest", "--db", db, "--format", "json"] + sampleFiles)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let files = json["files"] as! [[String: Any]]
        #expect(files.count == 3)

        // Independent: sqlite3 imports the raw CSV files itself.
        let raw = dir.path("raw.sqlite")
        for (kind, path) in zip(["arrests", "victims", "takedowns"], sampleFiles) {
            _ = try sqlite3(raw, ".import --csv \(path) raw_\(kind)")
        }
        for (file, kind) in zip(files, ["arrests", "victims", "takedowns"]) {
            let read = file["rows_read"] as! Int
            #expect(file["kind"] as? String == kind)
            #expect(file["status"] as? String == "loaded")
            #expect(read == (file["loaded"] as! Int) + (file["duplicates"] as! Int) + (file["quarantined"] as! Int))
            #expect(file["quarantined"] as? Int == 0, "the sample is clean")
            #expect(String(read) == (try sqlite3(raw, "SELECT count(*) FROM raw_\(kind)")))
            #expect((file["sha256"] as? String)?.count == 64)
        }

        // 781 victims January–August 2024, 288 of them minors (under 19); 387 arrests January–September.
        let fromRaw = try sqlite3(raw, """
            SELECT count(*) || ',' || sum(CAST(age AS INTEGER) < 19 AND age <> '') || ',' || sum(age = '')
            FROM raw_victims WHERE contacted_on BETWEEN '2024-01-01' AND '2024-08-31'
            """)
        let fromStore = try sqlite3(db, """
            SELECT count(*) || ',' || sum(age < 19) || ',' || sum(age IS NULL)
            FROM victims WHERE contacted_on BETWEEN '2024-01-01' AND '2024-08-31'
            """)
        #expect(fromRaw == "781,288,0")
        #expect(fromStore == fromRaw)
        #expect(try sqlite3(db, "SELECT count(*) FROM arrests WHERE arrested_on BETWEEN '2024-01-01' AND '2024-09-30'") == "387")

        // Loading the same files again changes nothing.
        let again = try run(tallyBinary, ["ingest", "--db", db] + sampleFiles)
        #expect(again.status == 0)
        #expect(again.stdout.components(separatedBy: "already loaded in batch 1").count == 4)
        #expect(try sqlite3(db, "SELECT count(*) FROM batches") == "1")

        let status = try tally("status", "--db", db, "--format", "json")
        let s = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        #expect(s["files_loaded"] as? Int == 3)
        #expect(s["quarantined"] as? Int == 0)
    }
}

@Suite struct SampleGeneratorTests {
    /// The committed sample is exactly what the generator writes with its default seed, so
    /// anyone can regenerate it (`make sample`) and a changed generator cannot go unnoticed.
    @Test func committedSampleIsTheGeneratorsOutput() throws {
        let dir = TempDir()
        let r = try run(builtProgram("tally-sample"), ["--out", dir.path("")])
        #expect(r.status == 0, "\(r.stderr)")
        for f in sampleFiles {
            let name = URL(fileURLWithPath: f).lastPathComponent
            let regenerated = try Data(contentsOf: URL(fileURLWithPath: dir.path(name)))
            #expect(regenerated == (try Data(contentsOf: URL(fileURLWithPath: f))), "\(name) differs from the generator's output")
        }
        // The monthly exports: the same files, byte for byte, and no other.
        func files(_ root: String) -> [String] {
            (FileManager.default.subpaths(atPath: root) ?? []).filter {
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &isDir) && !isDir.boolValue
            }.sorted()
        }
        let committed = packageRoot.appendingPathComponent("Data/sample/monthly").path
        let written = files(dir.path("monthly"))
        #expect(written.count > 36)
        #expect(written == files(committed))
        for f in written {
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("monthly/" + f)))
                    == (try Data(contentsOf: URL(fileURLWithPath: committed + "/" + f))), "monthly/\(f) differs from the generator's output")
        }
    }

    @Test func anotherSeedGivesOtherRecordsButTheSamePublishedTotals() throws {
        let dir = TempDir()
        #expect(try run(builtProgram("tally-sample"), ["--out", dir.path(""), "--seed", "7"]).status == 0)
        let victims = dir.path("victims-2024.csv")
        #expect(try Data(contentsOf: URL(fileURLWithPath: victims)) != (try Data(contentsOf: URL(fileURLWithPath: sampleFiles[1]))))
        let raw = dir.path("raw.sqlite")
        _ = try sqlite3(raw, ".import --csv \(victims) v")
        _ = try sqlite3(raw, ".import --csv \(dir.path("arrests-2024.csv")) a")
        #expect(try sqlite3(raw, "SELECT count(*) || ',' || sum(CAST(age AS INTEGER) < 19) FROM v WHERE contacted_on <= '2024-08-31'") == "781,288")
        #expect(try sqlite3(raw, "SELECT count(*) FROM a WHERE arrested_on <= '2024-09-30'") == "387")
    }

    @Test func benchmarkModeWritesTheRequestedRowCounts() throws {
        let dir = TempDir()
        let r = try run(builtProgram("tally-sample"), ["--out", dir.path(""), "--takedowns", "5000", "--victims", "300"])
        #expect(r.status == 0, "\(r.stderr)")
        let raw = dir.path("raw.sqlite")
        _ = try sqlite3(raw, ".import --csv \(dir.path("takedowns.csv")) t")
        _ = try sqlite3(raw, ".import --csv \(dir.path("victims.csv")) v")
        #expect(try sqlite3(raw, "SELECT count(*) FROM t") == "5000")
        #expect(try sqlite3(raw, "SELECT count(*) FROM v") == "300")
        #expect(!FileManager.default.fileExists(atPath: dir.path("arrests.csv")))
    }
}


@Suite struct StatsCommandTests {
    /// A store with the sample loaded, run from the package root (where Data/settings.yaml is).
    func sampleStore(_ dir: TempDir) throws -> String {
        let db = dir.path("s.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", db] + sampleFiles).status == 0)
        return db
    }

    @Test func publishedFiguresInEveryFormat() throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        let json = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-01..2024-08", "--format", "json"], cwd: packageRoot)
        #expect(json.status == 0, "\(json.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let m = o["metrics"] as! [String: Any]
        #expect(m["victims.total"] as? Int == 781)
        #expect(m["victims.minors"] as? Int == 288)
        #expect(abs((m["victims.minors_share"] as! Double) - 288.0 / 781) < 1e-12)
        #expect(o["time_zone"] as? String == "Asia/Seoul")

        let text = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-01..2024-08"], cwd: packageRoot)
        #expect(text.status == 0)
        #expect(text.stdout.contains("36.9%"))
        #expect(text.stdout.contains("minor = under 19") && text.stdout.contains("deadline 24 h"))
        #expect(text.stdout.contains("sha256"))

        let csv = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--format", "csv"], cwd: packageRoot)
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("id,value\nperiod,2024-08\n"))
        #expect(csv.stdout.contains("\nvictims.total.prev,110\n"))
        #expect(csv.stdout.contains("victims.by_region.Chungbuk,<5"))
    }

    @Test func rankListsRankedThenUnranked() throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        let r = try run(tallyBinary, ["rank", "--db", db, "--period", "2024-08", "--format", "csv"], cwd: packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines[0].prefix(3) == ["rank", "platform", "requests"])
        let ranks = lines.dropFirst().map { String($0[0]) }
        let ranked = Array(ranks.prefix { !$0.isEmpty })
        #expect(ranked == (1...ranked.count).map { String($0) })
        let unranked = Array(ranks.dropFirst(ranked.count))
        #expect(unranked.allSatisfy { $0.isEmpty })
        #expect(lines.contains { $0[1] == "Band" && $0[0].isEmpty })   // too few due requests
    }

    @Test func clearErrors() throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        let bad = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-13"], cwd: packageRoot)
        #expect(bad.status != 0 && bad.stderr.contains("period '2024-13'"))
        let empty = try run(tallyBinary, ["stats", "--db", db, "--period", "2019"], cwd: packageRoot)
        #expect(empty.status != 0 && empty.stderr.contains("no records in 2019"))
        let fines = dir.write("f.yaml", "deadline_hours: 24\namounts: {late: 1}\n")
        let f = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--fines", fines], cwd: packageRoot)
        #expect(f.status != 0 && f.stderr.contains("missing key 'amounts.unresolved'"), "\(f.stderr)")
        let mismatch = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--deadline-hours", "48"], cwd: packageRoot)
        #expect(mismatch.status != 0 && mismatch.stderr.contains("deadline"))
        for r in [bad, empty, f, mismatch] { #expect(!r.stderr.contains("Backtrace") && !r.stderr.contains("Fatal")) }
    }
}

@Suite struct QueryCommandTests {
    @Test func groupByMatchesSQLInEveryFormat() throws {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", db] + sampleFiles).status == 0)
        let csv = try run(tallyBinary, ["query", "takedowns", "--db", db, "--group-by", "platform", "--agg", "n=count",
                                        "--agg", "r=count_if(outcome = refused)", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let want = try sqlite3(db, "SELECT platform || ',' || count(*) || ',' || sum(outcome = 'refused') FROM takedowns GROUP BY platform ORDER BY platform")
        #expect(csv.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "platform,n,r\n" + want)

        let json = try run(tallyBinary, ["query", "victims", "--db", db, "--where", "age < 19", "--group-by", "channel", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        let total = rows.reduce(0) { $0 + ($1["count"] as! Int) }
        #expect(String(total) == (try sqlite3(db, "SELECT count(*) FROM victims WHERE age < 19")))

        let text = try run(tallyBinary, ["query", "takedowns", "--db", db, "--group-by", "outcome", "--timing"])
        #expect(text.status == 0 && text.stdout.hasPrefix("outcome") && text.stderr.contains("query"))
    }

    @Test func adHocCSVAndClearErrors() throws {
        let dir = TempDir()
        let file = dir.write("r.csv", "region,n\nSeoul,3\nBusan,4\nSeoul,5\n")
        let r = try run(tallyBinary, ["query", "--csv", file, "--group-by", "region", "--agg", "total=sum(n)", "--format", "csv"])
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "region,total\nBusan,4\nSeoul,8")
        for args in [["query", "--csv", file, "--where", "nosuch = 1"], ["query", "--csv", file, "--agg", "p200(n)"],
                     ["query", "--csv", dir.path("missing.csv")], ["query", "--csv", file, "--agg", "count", "--agg", "count"]] {
            let e = try run(tallyBinary, args)
            #expect(e.status != 0 && e.stderr.hasPrefix("Error: ") && !e.stderr.contains("Fatal") && !e.stderr.contains("Backtrace"), "\(args): \(e.stderr)")
        }
    }
}

/// The column cache from the command line: a damaged cache never changes a figure nor ends
/// a run; it is reported once, rebuilt, and every figure command can bypass it.
@Suite struct ColumnCacheCommandTests {
    func sampleStore(_ dir: TempDir) throws -> String {
        let db = dir.path("s.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", db] + sampleFiles).status == 0)
        // Without the load's column segments, the first figure command builds the cache from
        // SQLite: these tests damage that file (segments: SegmentCommandTests).
        try FileManager.default.removeItem(atPath: db + ".cache")
        return db
    }

    func damage(_ path: String, _ how: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        switch how {
        case "flip":   // 64 bytes in the middle, as in issue 11
            let mid = bytes.count / 2
            for i in mid..<(mid + 64) { bytes[i] ^= 0x5A }
        default:       // truncated by 34 bytes
            bytes.removeLast(34)
        }
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    func warnings(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.hasPrefix("tally: warning: the column cache ") }
    }

    @Test func damagedCacheIsReportedOnceIgnoredAndRebuilt() throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        let cache = db + ".cache/takedowns.tcol"
        let args = ["stats", "--db", db, "--period", "2024-08", "--format", "json"]
        let store = try run(tallyBinary, args + ["--no-cache"], cwd: packageRoot)
        #expect(store.status == 0 && store.stderr.isEmpty, "\(store.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cache), "--no-cache writes no cache")
        let first = try run(tallyBinary, args, cwd: packageRoot)
        #expect(first.status == 0 && first.stderr.isEmpty && first.stdout == store.stdout)
        #expect(FileManager.default.fileExists(atPath: cache))

        for how in ["flip", "truncate"] {
            try damage(cache, how)
            let damaged = try run(tallyBinary, args, cwd: packageRoot)
            #expect(damaged.status == 0, "\(how): \(damaged.stderr)")
            #expect(damaged.stdout == store.stdout, "\(how): the figures are the store's")
            let w = warnings(damaged.stderr)
            #expect(w.count == 1, "\(how): \(damaged.stderr)")
            #expect(damaged.stderr.split(separator: "\n").count == 1, "\(how): one line on stderr: \(damaged.stderr)")
            #expect(w.first?.contains("takedowns.tcol is damaged (") == true && w.first?.hasSuffix("rebuilt from the store") == true,
                    "\(how): \(damaged.stderr)")
            let again = try run(tallyBinary, args, cwd: packageRoot)
            #expect(again.status == 0 && again.stderr.isEmpty && again.stdout == store.stdout, "\(how): rebuilt: \(again.stderr)")
        }
    }

    /// rank, chart and bulletin take --no-cache, and with a damaged cache give what they give
    /// from the store.
    @Test func figureCommandsTakeNoCacheAndSurviveADamagedCache() throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        let cache = db + ".cache/takedowns.tcol"
        let commands: [(String, [String], (String) throws -> Data)] = [
            ("rank", ["rank", "--db", db, "--period", "2024-08", "--format", "csv"], { _ in Data() }),
            ("chart", ["chart", "Charts/platform-compliance.yaml", "--db", db, "--period", "2024-08"],
             { tag in try Data(contentsOf: URL(fileURLWithPath: dir.path("chart-\(tag).svg"))) }),
            ("bulletin", ["bulletin", "--db", db, "--period", "2024-08"],
             { tag in try Data(contentsOf: URL(fileURLWithPath: dir.path("bulletin-\(tag)/manifest.json")))
                 + Data(contentsOf: URL(fileURLWithPath: dir.path("bulletin-\(tag)/bulletin-2024-08-ko.pdf"))) }),
        ]
        for (name, args, output) in commands {
            func out(_ tag: String) -> [String] {
                switch name {
                case "chart": return ["--out", dir.path("chart-\(tag).svg")]
                case "bulletin": return ["--out", dir.path("bulletin-\(tag)")]
                default: return []
                }
            }
            let store = try run(tallyBinary, args + out("store") + ["--no-cache"], cwd: packageRoot)
            #expect(store.status == 0, "\(name) --no-cache: \(store.stderr)")
            _ = try run(tallyBinary, args + out("warm"), cwd: packageRoot)   // makes the cache
            if name == "bulletin" {
                // A bulletin records itself in the store (publications) after reading it, which
                // leaves the cache it read stale: the next reader rebuilds it, silently.
                _ = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08"], cwd: packageRoot)
            }
            try damage(cache, name == "chart" ? "flip" : "truncate")
            let damaged = try run(tallyBinary, args + out("damaged"), cwd: packageRoot)
            #expect(damaged.status == 0, "\(name): \(damaged.stderr)")
            #expect(warnings(damaged.stderr).count == 1, "\(name): \(damaged.stderr)")
            // The output paths in the summary differ by their tag only.
            #expect(damaged.stdout.replacingOccurrences(of: "-damaged", with: "-store") == store.stdout, "\(name)")
            #expect(try output("damaged") == output("store"), "\(name): same output as from the store")
        }
    }
}
