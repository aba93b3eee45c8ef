import Foundation
import Testing

/// Issue 11, items 4 and 6: values that used to crash, limits on what a row may hold, and
/// what the data can do to a terminal or a publication. Real runs of the built `tally`.
@Suite struct ValuesTests {
    /// Exit status 1, one line on stderr naming `names`, and no trap or stack trace.
    func expectOneLineError(_ r: RunResult, naming names: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 1, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for n in names { #expect(r.stderr.contains(n), "\(n) not in: \(r.stderr)", sourceLocation: sourceLocation) }
        for trap in ["Fatal error", "Backtrace", "Crash", "overflow in", "Illegal instruction"] {
            #expect(!r.stderr.contains(trap), "\(r.stderr)", sourceLocation: sourceLocation)
        }
    }

    func sampleStore(_ dir: TempDir) throws -> String {
        let db = dir.path("s.sqlite")
        let r = try run(tallyBinary, ["ingest", "--db", db] + sampleFiles)
        #expect(r.status == 0, "\(r.stderr)")
        return db
    }

    // MARK: Item 4: crashes on values

    @Test func hugeFineAmountIsAnErrorNamingFileAndValue() throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        let shipped = try String(contentsOf: packageRoot.appendingPathComponent("Data/fines.yaml"), encoding: .utf8)
        let fines = dir.write("fines.yaml", shipped.replacingOccurrences(of: "late: 1000000 ", with: "late: 9000000000000000000 "))
        #expect(try String(contentsOfFile: fines, encoding: .utf8).contains("late: 9000000000000000000 "))
        let r = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--fines", fines], cwd: packageRoot)
        expectOneLineError(r, naming: [fines, "amounts.late", "9000000000000000000"])
        // The bound itself loads (stats computes; 10^15 × a few requests still fits in Int64).
        let atBound = dir.write("bound.yaml", shipped.replacingOccurrences(of: "late: 1000000 ", with: "late: 1000000000000000 "))
        let ok = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--fines", atBound], cwd: packageRoot)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test(arguments: [".nan", ".inf", "-.inf", "1000"])
    func badMultiplierIsAnErrorNamingFileAndValue(_ value: String) throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        let shipped = try String(contentsOf: packageRoot.appendingPathComponent("Data/fines.yaml"), encoding: .utf8)
        let fines = dir.write("fines.yaml", shipped.replacingOccurrences(of: "multiplier: 1.5 ", with: "multiplier: \(value) "))
        let r = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--fines", fines], cwd: packageRoot)
        expectOneLineError(r, naming: [fines, "repeat.multiplier", value])
    }

    @Test func negativeSchemaVersionIsAnErrorNamingTheStore() throws {
        let dir = TempDir()
        let db = try sampleStore(dir)
        _ = try sqlite3(db, "PRAGMA user_version = -5;")
        #expect(try sqlite3(db, "PRAGMA user_version;") == "-5")
        for command in ["status", "quarantine"] {
            let r = try run(tallyBinary, [command, "--db", db])
            expectOneLineError(r, naming: [db, "-5"])
        }
    }

    @Test func repeatedColumnNameInQueryCSVIsAnError() throws {
        let dir = TempDir()
        let file = dir.write("r.csv", "region,n,region\nSeoul,3,Busan\n")
        let r = try run(tallyBinary, ["query", "--csv", file, "--group-by", "region"])
        expectOneLineError(r, naming: [file, "'region'", "line 1"])
    }

    /// Ten valid arrests with 999,999,999,999,999,999 KRW of proceeds: the sum does not fit
    /// in 64 bits. That figure is reported as not computable; every other figure is still
    /// computed, and agrees with SQLite over the same CSV.
    @Test func overflowingSumIsNotComputableAndTheRestIsComputed() throws {
        let dir = TempDir()
        var csv = "arrest_id,arrested_on,agency,offense,suspect_age,victim_minor,undercover,confessed,proceeds_seized_krw\n"
        for i in 1...10 { csv += "A-\(i),2024-08-\(String(format: "%02d", i)),Seoul,distribute,\(14 + i),true,\(i % 3 == 0 ? "yes" : "no"),Y,999999999999999999\n" }
        for i in 11...14 { csv += "A-\(i),2024-08-\(i),Busan,create,,false,no,N,\(i * 1000)\n" }
        let file = dir.write("arrests.csv", csv)
        let db = dir.path("s.sqlite")
        let ingest = try run(tallyBinary, ["ingest", "--db", db, file])
        #expect(ingest.status == 0, "\(ingest.stderr)")

        // Independently: SQLite's integer sum overflows too; its float total is beyond Int64.
        let oracle = dir.path("oracle.sqlite")
        _ = try sqlite3(oracle, ".import --csv \(file) a")
        let sum = try run("/usr/bin/sqlite3", ["-batch", oracle, "SELECT sum(CAST(proceeds_seized_krw AS INTEGER)) FROM a;"])
        #expect(sum.stderr.contains("integer overflow"), "\(sum.stdout) \(sum.stderr)")
        let total = Double(try sqlite3(oracle, "SELECT total(CAST(proceeds_seized_krw AS INTEGER)) FROM a WHERE arrested_on LIKE '2024-08-%';")) ?? 0
        #expect(total > Double(Int64.max))
        let count = Int(try sqlite3(oracle, "SELECT count(*) FROM a WHERE arrested_on LIKE '2024-08-%';"))
        let undercover = Int(try sqlite3(oracle, "SELECT count(*) FROM a WHERE undercover = 'yes';"))!
        let minors = Int(try sqlite3(oracle, "SELECT count(*) FROM a WHERE suspect_age <> '' AND CAST(suspect_age AS INTEGER) < 19;"))!
        let known = Int(try sqlite3(oracle, "SELECT count(*) FROM a WHERE suspect_age <> '';"))!

        let json = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08", "--format", "json"], cwd: packageRoot)
        #expect(json.status == 0, "\(json.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let m = try #require(o["metrics"] as? [String: Any])
        #expect(m["arrests.proceeds_seized_krw"] is NSNull)
        let why = try #require((o["not_computable"] as? [String: Any])?["arrests.proceeds_seized_krw"] as? String)
        #expect(why.contains("proceeds_seized_krw") && why.contains("9,223,372,036,854,775,807"), "\(why)")
        #expect(m["arrests.total"] as? Int == count)
        #expect(m["arrests.by_agency.Seoul"] as? Int == 10 && m["arrests.by_agency.Busan"] as? Int == 4)
        #expect(abs((m["arrests.undercover_share"] as? Double ?? -1) - Double(undercover) / Double(count!)) < 1e-12)
        #expect(abs((m["arrests.suspect_minors_share"] as? Double ?? -1) - Double(minors) / Double(known)) < 1e-12)

        let text = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08"], cwd: packageRoot)
        #expect(text.status == 0, "\(text.stderr)")
        let line = text.stdout.split(separator: "\n").first { $0.hasPrefix("arrests.proceeds_seized_krw") }
        #expect(line?.contains("not computable: the sum of proceeds_seized_krw exceeds") == true, "\(text.stdout)")
        #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("arrests.total ") && $0.contains(" \(count!) ") })

        // A smaller period without the huge values is computed as usual (hand-worked: 11,000 + 12,000).
        let part = try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08-11..2024-08-12", "--format", "json"], cwd: packageRoot)
        let p = try #require(try JSONSerialization.jsonObject(with: Data(part.stdout.utf8)) as? [String: Any])
        #expect((p["metrics"] as? [String: Any])?["arrests.proceeds_seized_krw"] as? Int == 23_000)
        #expect(p["not_computable"] == nil)
    }

    // MARK: Item 6: limits

    func victims(_ rows: [(id: String, date: String, region: String)]) -> String {
        "victim_id,contacted_on,age,gender,channel,services,region\n"
            + rows.map { "\($0.id),\($0.date),23,female,website,deletion,\($0.region)\n" }.joined()
    }

    func ingestJSON(_ args: [String]) throws -> (RunResult, [String: Any]) {
        let r = try run(tallyBinary, ["ingest", "--format", "json"] + args)
        let o = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
        return (r, o)
    }

    func fileCounts(_ report: [String: Any]) -> [String: Int] {
        guard let f = (report["files"] as? [[String: Any]])?.first else { return [:] }
        var out: [String: Int] = [:]
        for (k, v) in f { if let n = v as? Int { out[k] = n } }
        return out
    }

    @Test func fieldLongerThanTheLimitIsQuarantinedOneAtTheLimitLoads() throws {
        let dir = TempDir()
        let limit = 65_536
        let file = dir.write("v.csv", victims([("V-1", "2024-08-01", String(repeating: "a", count: limit)),
                                               ("V-2", "2024-08-01", String(repeating: "b", count: limit + 1)),
                                               ("V-3", "2024-08-02", "Seoul")]))
        let db = dir.path("s.sqlite")
        let (r, report) = try ingestJSON(["--db", db, file])
        #expect(r.status == 0, "\(r.stderr)")
        let c = fileCounts(report)
        #expect(c["rows_read"] == 3 && c["loaded"] == 2 && c["quarantined"] == 1, "\(r.stdout)")
        #expect(c["rows_read"] == (c["loaded"] ?? 0) + (c["duplicates"] ?? 0) + (c["quarantined"] ?? 0))
        #expect(try sqlite3(db, "SELECT victim_id || ':' || length(region) FROM victims ORDER BY victim_id") == "V-1:\(limit)\nV-3:5")
        let q = try run(tallyBinary, ["quarantine", "--db", db, "--format", "json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["line"] as? Int == 3 && entries.first?["column"] as? String == "region")
        #expect((entries.first?["reason"] as? String)?.contains("65536 bytes") == true, "\(entries)")
        #expect(((entries.first?["value"] as? String)?.count ?? .max) < 100)

        // A smaller limit from the option; the header's names are not cut by it.
        // (10 bytes: the dates fit; the header's "contacted_on" is longer and still read.)
        let small = dir.write("w.csv", victims([("W-1", "2024-08-01", "Seoul"), ("W-2", "2024-08-01", "Gyeonggi-do")]))
        let (r2, report2) = try ingestJSON(["--db", db, "--max-field-bytes", "10", small])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(fileCounts(report2)["loaded"] == 1 && fileCounts(report2)["quarantined"] == 1, "\(r2.stdout)")
        // A header name over the default limit refuses the file on one line.
        let longHeader = dir.write("h.csv", victims([("H-1", "2024-08-01", "Seoul")]).replacingOccurrences(of: "region", with: String(repeating: "r", count: limit + 1)))
        let (r3, report3) = try ingestJSON(["--db", db, "--max-field-bytes", "10", longHeader])
        #expect(r3.status == 1 && fileCounts(report3)["loaded"] == 0, "\(r3.stdout)")
        #expect(r3.stderr.contains("h.csv") && r3.stderr.contains("name 7 of the header") && r3.stderr.contains("65536 bytes"), "\(r3.stderr)")
        #expect(r3.stderr.split(separator: "\n").count == 1)
        let bad = try run(tallyBinary, ["ingest", "--db", db, "--max-field-bytes", "0", small])
        #expect(bad.status != 0 && bad.stderr.contains("--max-field-bytes") && !bad.stderr.contains("Fatal"))
    }

    @Test func hugeFieldIsQuarantinedWithoutCrash() throws {
        let dir = TempDir()
        let huge = String(repeating: "x", count: 24 << 20)   // 24 MiB in one quoted field
        let file = dir.write("v.csv", victims([("V-1", "2024-08-01", "\"" + huge + "\""), ("V-2", "2024-08-01", "Busan")]))
        let db = dir.path("s.sqlite")
        let (r, report) = try ingestJSON(["--db", db, file])
        #expect(r.status == 0 && !r.stderr.contains("Fatal"), "\(r.stderr)")
        let c = fileCounts(report)
        #expect(c["rows_read"] == 2 && c["loaded"] == 1 && c["quarantined"] == 1, "\(r.stdout)")
        let rank = try run(tallyBinary, ["query", "victims", "--db", db, "--group-by", "region"])
        #expect(rank.status == 0 && rank.stdout.utf8.count < 1000)
    }

    @Test func futureTimestampsAndDatesAreQuarantined() throws {
        let dir = TempDir()
        let now = Date()
        func iso(_ d: Date) -> String {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            return f.string(from: d)
        }
        func day(_ d: Date) -> String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "Asia/Seoul")
            f.dateFormat = "yyyy-MM-dd"
            return f.string(from: d)
        }
        print("now: \(iso(now))")
        let hour = 3600.0, dayS = 86_400.0
        let head = "request_id,platform,platform_origin,content_kind,requested_by,detected_by,requested_at,resolved_at,outcome\n"
        let takedowns = dir.write("t.csv", head
            + "R-1,X,overseas,image,victim,ai,\(iso(now.addingTimeInterval(-hour))),,pending\n"          // past: loads
            + "R-2,X,overseas,image,victim,ai,\(iso(now.addingTimeInterval(hour))),,pending\n"           // within a day: loads
            + "R-3,X,overseas,image,victim,ai,\(iso(now.addingTimeInterval(dayS + 2 * hour))),,pending\n" // beyond: quarantined
            + "R-4,X,overseas,image,victim,ai,9999-12-31T00:00:00Z,,pending\n"                           // year 9999: quarantined
            + "R-5,X,overseas,image,victim,ai,\(iso(now.addingTimeInterval(-2 * hour))),\(iso(now.addingTimeInterval(3 * dayS))),removed\n")
        let victimsFile = dir.write("v.csv", victims([("V-1", day(now), "Seoul"), ("V-2", day(now.addingTimeInterval(dayS)), "Seoul"),
                                                      ("V-3", day(now.addingTimeInterval(3 * dayS)), "Seoul"), ("V-4", "9999-01-01", "Seoul")]))
        let db = dir.path("s.sqlite")
        let r = try run(tallyBinary, ["ingest", "--db", db, takedowns, victimsFile])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try sqlite3(db, "SELECT group_concat(request_id) FROM (SELECT request_id FROM takedowns ORDER BY request_id)") == "R-1,R-2")
        #expect(try sqlite3(db, "SELECT group_concat(victim_id) FROM (SELECT victim_id FROM victims ORDER BY victim_id)") == "V-1,V-2")
        let q = try run(tallyBinary, ["quarantine", "--db", db, "--format", "json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 5)
        #expect(entries.allSatisfy { ($0["reason"] as? String)?.contains("in the future") == true }, "\(entries)")
        #expect(Set(entries.compactMap { $0["column"] as? String }) == ["requested_at", "resolved_at", "contacted_on"])
    }

    /// ESC, OSC (ESC ] … BEL) and a C1 CSI in the data reach no terminal as control bytes.
    @Test func controlCharactersAreEscapedInTextOutput() throws {
        let dir = TempDir()
        let esc = "\u{1B}[31mRED\u{1B}[0m", osc = "\u{1B}]0;pwned\u{07}", c1 = "\u{9B}2J"
        let head = "request_id,platform,platform_origin,content_kind,requested_by,detected_by,requested_at,resolved_at,outcome\n"
        var rows = ""
        for i in 0..<40 {
            rows += "R-\(i),Tele\(esc)gram\(osc),overseas,image,victim,ai,2024-08-0\(1 + i % 9)T01:00:00Z,2024-08-0\(1 + i % 9)T05:00:00Z,removed\n"
        }
        rows += "R-x,X\(c1),overseas,image,victim,ai,2024-08-02T01:00:00Z,2024-08-02T02:00:00Z,removed\n"
        rows += "R-bad,X,overseas,image,victim,ai,2024-08-02T01:00:00Z,2024-08-02T02:00:00Z,gone\(osc)\n"
        let file = dir.write("t.csv", head + rows)
        let db = dir.path("s.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", db, file]).status == 0)
        let outputs = [
            try run(tallyBinary, ["quarantine", "--db", db]),
            try run(tallyBinary, ["query", "takedowns", "--db", db, "--group-by", "platform"]),
            try run(tallyBinary, ["rank", "--db", db, "--period", "2024-08"], cwd: packageRoot),
            try run(tallyBinary, ["stats", "--db", db, "--period", "2024-08"], cwd: packageRoot),
        ]
        for (i, r) in outputs.enumerated() {
            #expect(r.status == 0, "\(i): \(r.stderr)")
            let bad = r.stdout.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
            #expect(bad.isEmpty, "output \(i) has control characters: \(bad.map { String($0.value, radix: 16) })")
        }
        #expect(outputs[0].stdout.contains("gone\\x1B]0;pwned\\x07"), "\(outputs[0].stdout)")
        #expect(outputs[1].stdout.contains("Tele\\x1B[31mRED\\x1B[0mgram\\x1B]0;pwned\\x07"), "\(outputs[1].stdout)")
        #expect(outputs[1].stdout.contains("X\\u{9B}2J"), "\(outputs[1].stdout)")
        #expect(outputs[2].stdout.contains("Tele\\x1B[31mRED"), "\(outputs[2].stdout)")
        // JSON keeps the data as it is (the encoder escapes it).
        let json = try run(tallyBinary, ["query", "takedowns", "--db", db, "--group-by", "platform", "--format", "json"])
        let rowsJSON = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rowsJSON.contains { $0["platform"] as? String == "Tele\(esc)gram\(osc)" })
    }

    /// Files ingested from a folder whose name identifies a victim: no published output (PDF
    /// text, manifest.json, table CSVs, charts) carries any folder of the input paths.
    @Test func publicationsNameInputFilesWithoutFolders() throws {
        let dir = TempDir()
        let folder = dir.url.appendingPathComponent("victim-Kim-Minji")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var inputs: [String] = []
        for f in sampleFiles {
            let to = folder.appendingPathComponent(URL(fileURLWithPath: f).lastPathComponent)
            try FileManager.default.copyItem(atPath: f, toPath: to.path)
            inputs.append(to.path)
        }
        let db = dir.path("s.sqlite")
        #expect(try run(tallyBinary, ["ingest", "--db", db] + inputs).status == 0)
        let out = dir.path("out")
        let b = try run(tallyBinary, ["bulletin", "--db", db, "--period", "2024-08", "--lang", "en", "--out", out], cwd: packageRoot)
        #expect(b.status == 0, "\(b.stderr)")
        let forbidden = ["victim-Kim-Minji", dir.url.path]
        var checked = 0, namesSeen = 0
        let files = FileManager.default.enumerator(atPath: out)!.compactMap { $0 as? String }
        for name in files {
            let path = out + "/" + name
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue, !name.hasSuffix(".png") else { continue }
            let text: String
            if name.hasSuffix(".pdf") {
                let r = try run("/usr/bin/pdftotext", ["-raw", path, "-"])
                #expect(r.status == 0)
                text = r.stdout
            } else {
                text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            }
            checked += 1
            for f in forbidden { #expect(!text.contains(f), "\(name) contains \(f)") }
            if text.contains("takedowns-2024.csv") { namesSeen += 1 }
        }
        #expect(checked >= 3)
        #expect(namesSeen >= 2, "the file names themselves are still published (PDF, manifest, sources table)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any])
        let files2 = (manifest["inputs"] as? [[String: Any]])?.compactMap { $0["file"] as? String }
        #expect(files2 == sampleFiles.map { URL(fileURLWithPath: $0).lastPathComponent })
    }
}
