import Foundation
import Testing

/// `tally export`: the records of a period as CSV, JSON and SQLite, checked against an
/// independent count with sqlite3 on the store.
@Suite struct ExportTests {
    /// A store with the sample loaded (kept alive by the returned folder).
    static func sampleStore() throws -> (TempDir, String) {
        let dir = TempDir()
        let db = dir.path("s.sqlite")
        let r = try tally(["ingest", "--db", db] + sampleFiles)
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, db)
    }

    static func tally(_ arguments: [String]) throws -> RunResult { try run(tallyBinary, arguments) }

    /// Microseconds since 1970 UTC of `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`, parsed here
    /// (not by Tally) so that the read-back is independent.
    static func instant(_ text: String) throws -> Int64 {
        let m = try #require(text.wholeMatch(of: /(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|([+-])(\d\d):(\d\d))/))
        let y = Int64(m.1)!, mo = Int64(m.2)!, d = Int64(m.3)!
        // Days from the civil date (H. Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
        var seconds = days * 86_400 + Int64(m.4)! * 3600 + Int64(m.5)! * 60 + Int64(m.6)!
        if let sign = m.9 {
            let offset = Int64(m.10!)! * 3600 + Int64(m.11!)! * 60
            seconds -= sign == "+" ? offset : -offset
        }
        var fraction: Int64 = 0
        if let f = m.7 { fraction = Int64(f.padding(toLength: 6, withPad: "0", startingAt: 0))! }
        return seconds * 1_000_000 + fraction
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Rows of a CSV export (no quoted line breaks in the sample).
    func csvRows(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    @Test func rowCountsEqualAnIndependentCount() throws {
        let (keep, db) = try Self.sampleStore()
        defer { withExtendedLifetime(keep) {} }
        for period in ["2024-08", "2024-01", "2024-Q3", "2024-02-29..2024-03-01"] { try counts(db, period) }
    }

    func counts(_ db: String, _ period: String) throws {
        // Independent counts: dates as text; takedowns by requested_at's local date in Seoul (UTC+9, no DST since 1988).
        let (first, last): (String, String) = {
            switch period {
            case "2024-08": return ("2024-08-01", "2024-08-31")
            case "2024-01": return ("2024-01-01", "2024-01-31")
            case "2024-Q3": return ("2024-07-01", "2024-09-30")
            default: return ("2024-02-29", "2024-03-01")
            }
        }()
        let sql: [String: String] = [
            "arrests": "SELECT count(*) FROM arrests WHERE arrested_on BETWEEN '\(first)' AND '\(last)'",
            "victims": "SELECT count(*) FROM victims WHERE contacted_on BETWEEN '\(first)' AND '\(last)'",
            "takedowns": "SELECT count(*) FROM takedowns WHERE date(requested_at / 1000000 + 9 * 3600, 'unixepoch') BETWEEN '\(first)' AND '\(last)'",
        ]
        for kind in ["arrests", "victims", "takedowns"] {
            let expected = try #require(Int(try sqlite3(db, sql[kind]!)))
            #expect(expected > 0)
            let csv = try Self.tally(["export", "--db", db, "--kind", kind, "--period", period, "--format", "csv"])
            #expect(csv.status == 0, "\(csv.stderr)")
            #expect(csvRows(csv.stdout).count == expected + 1, "\(kind) \(period) csv")
            let j = try Self.tally(["export", "--db", db, "--kind", kind, "--period", period, "--format", "json"])
            #expect(j.status == 0, "\(j.stderr)")
            let doc = try json(j.stdout)
            #expect((doc["records"] as? [Any])?.count == expected, "\(kind) \(period) json")
            #expect(doc["kind"] as? String == kind)
            #expect(doc["time_zone"] as? String == "Asia/Seoul")
        }
    }

    @Test func jsonTypesAndTimestampsReadBackToTheSameInstants() throws {
        let (keep, db) = try Self.sampleStore()
        defer { withExtendedLifetime(keep) {} }
        let r = try Self.tally(["export", "--db", db, "--kind", "takedowns", "--period", "2024-08", "--format", "json"])
        #expect(r.status == 0)
        let doc = try json(r.stdout)
        #expect(doc["period"] as? String == "2024-08")
        let columns = try #require(doc["columns"] as? [[String: Any]])
        #expect(columns.map { $0["name"] as? String } == ["request_id", "platform", "platform_origin", "content_kind", "requested_by",
                                                         "detected_by", "requested_at", "resolved_at", "outcome"])
        #expect(columns.first { $0["name"] as? String == "requested_at" }?["type"] as? String == "timestamp")
        #expect(columns.first { $0["name"] as? String == "outcome" }?["type"] as? String == "enum")
        let records = try #require(doc["records"] as? [[String: Any]])
        // The store's instants (µs UTC) for the same requests.
        let stored = try sqlite3(db, "SELECT request_id || ',' || requested_at || ',' || coalesce(resolved_at, '') FROM takedowns")
        var micros: [String: (Int64, Int64?)] = [:]
        for line in stored.split(separator: "\n") {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            micros[String(f[0])] = (Int64(f[1])!, f[2].isEmpty ? nil : Int64(f[2])!)
        }
        var checked = 0
        for rec in records {
            let id = try #require(rec["request_id"] as? String)
            let text = try #require(rec["requested_at"] as? String)
            #expect(text.hasSuffix("+09:00"), "\(text)")
            #expect(try Self.instant(text) == micros[id]!.0, "\(id) \(text)")
            if let resolved = rec["resolved_at"] as? String {
                #expect(try Self.instant(resolved) == micros[id]!.1, "\(id) \(resolved)")
            } else {
                #expect(rec["resolved_at"] is NSNull && micros[id]!.1 == nil)
            }
            checked += 1
        }
        #expect(checked == records.count && checked > 1000)

        // Another zone: the offset follows it, the instants stay.
        let utc = try Self.tally(["export", "--db", db, "--kind", "takedowns", "--period", "2024-08-15", "--format", "csv", "--tz", "UTC"])
        let first = try #require(csvRows(utc.stdout).dropFirst().first)
        #expect(first.contains("T") && first.contains("Z,"), "\(first)")

        // Ints as numbers, bools as true/false in arrests.
        let arrestsText = try Self.tally(["export", "--db", db, "--kind", "arrests", "--period", "2024-08", "--format", "json"]).stdout
        let a = try json(arrestsText)
        let arrests = try #require(a["records"] as? [[String: Any]])
        let arrest = try #require(arrests.first { !($0["suspect_age"] is NSNull) })
        #expect(arrest["suspect_age"] is NSNumber && !(arrest["suspect_age"] is String))
        let bools = arrestsText.matches(of: /"undercover": (true|false)/).count
        #expect(bools == arrests.count, "undercover as true/false")
        #expect(arrestsText.matches(of: /"undercover": [01]\b/).isEmpty)
        #expect(a.keys.sorted() == ["columns", "kind", "period", "records", "time_zone"])
    }

    @Test func formulaCellsAreEscapedAndVictimsHaveOnlyPseudonymousIDs() throws {
        let dir = TempDir()
        let db = dir.path("v.sqlite")
        let file = dir.write("v.csv", "victim_id,contacted_on,age,channel,region\nV1,2024-08-02,17,hotline,=SUM(A1)\nV2,2024-08-03,,website,\"+1,Busan\"\n")
        #expect(try Self.tally(["ingest", "--db", db, file]).status == 0)
        let r = try Self.tally(["export", "--db", db, "--kind", "victims", "--period", "2024-08", "--format", "csv"])
        #expect(r.status == 0)
        let rows = csvRows(r.stdout)
        #expect(rows == ["victim_id,contacted_on,age,gender,channel,services,region",
                         "V1,2024-08-02,17,,hotline,,'=SUM(A1)",
                         "V2,2024-08-03,,,website,,\"'+1,Busan\""])
        // JSON keeps the value as it is: no spreadsheet there.
        let j = try json(try Self.tally(["export", "--db", db, "--kind", "victims", "--period", "2024-08", "--format", "json"]).stdout)
        #expect((j["records"] as? [[String: Any]])?.first?["region"] as? String == "=SUM(A1)")
    }

    @Test func sqliteExportIsDocumentedOwnerOnlyAndNotOverwritten() throws {
        let (keep, db) = try Self.sampleStore()
        defer { withExtendedLifetime(keep) {} }
        let dir = TempDir()
        let out = dir.path("export.sqlite")
        let r = try Self.tally(["export", "--db", db, "--period", "2024-08", "--format", "sqlite", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let tables = try sqlite3(out, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")
        #expect(tables == "about,arrests,columns,sources,takedowns,victims")
        #expect(try sqlite3(out, "SELECT value FROM about WHERE key = 'period'") == "2024-08")
        #expect(try sqlite3(out, "SELECT count(*) FROM columns WHERE meaning = ''") == "0")
        #expect(try sqlite3(out, "SELECT count(*) FROM columns") == "25")
        #expect(try sqlite3(out, "SELECT type FROM columns WHERE table_name = 'takedowns' AND name = 'requested_at'") == "timestamp")
        #expect(try sqlite3(out, "SELECT count(*) FROM sources") == "3")
        // The same rows as the store holds for the period, and timestamps SQLite can read.
        #expect(try sqlite3(out, "SELECT count(*) FROM victims") == sqlite3(db, "SELECT count(*) FROM victims WHERE contacted_on LIKE '2024-08-%'"))
        #expect(try sqlite3(out, "SELECT count(*) FROM takedowns WHERE unixepoch(requested_at) IS NULL") == "0")
        let sample = try sqlite3(out, "SELECT request_id || ',' || unixepoch(requested_at) FROM takedowns ORDER BY request_id LIMIT 1").split(separator: ",")
        #expect(try sqlite3(db, "SELECT requested_at / 1000000 FROM takedowns WHERE request_id = '\(sample[0])'") == String(sample[1]))

        let again = try Self.tally(["export", "--db", db, "--period", "2024-08", "--format", "sqlite", "--out", out, "--kind", "victims"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("exists; give --force"))
        #expect(try sqlite3(out, "SELECT count(*) FROM sqlite_master WHERE name = 'takedowns'") == "1", "left as it was")
        let forced = try Self.tally(["export", "--db", db, "--period", "2024-08", "--format", "sqlite", "--out", out, "--kind", "victims", "--force"])
        #expect(forced.status == 0)
        #expect(try sqlite3(out, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)") == "about,columns,sources,victims")
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func filesAreOwnerOnly() throws {
        let (keep, db) = try Self.sampleStore()
        defer { withExtendedLifetime(keep) {} }
        let dir = TempDir()
        for format in ["csv", "json"] {
            let out = dir.path("t.\(format)")
            // Even a file that existed with a wider mode ends up owner-only.
            FileManager.default.createFile(atPath: out, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
            let r = try Self.tally(["export", "--db", db, "--kind", "takedowns", "--period", "2024-08", "--format", format, "--out", out])
            #expect(r.status == 0 && r.stdout.isEmpty)
            let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(format)")
            #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix(format == "csv" ? "request_id," : "{"))
        }
    }

    @Test func usageErrors() throws {
        let (keep, db) = try Self.sampleStore()
        defer { withExtendedLifetime(keep) {} }
        let noKind = try Self.tally(["export", "--db", db, "--period", "2024-08", "--format", "csv"])
        #expect(noKind.status == 64 && noKind.stderr.contains("--kind"))
        let noOut = try Self.tally(["export", "--db", db, "--period", "2024-08", "--format", "sqlite"])
        #expect(noOut.status == 64 && noOut.stderr.contains("--out"))
        let badPeriod = try Self.tally(["export", "--db", db, "--kind", "victims", "--period", "2024-13"])
        #expect(badPeriod.status != 0 && badPeriod.stderr.contains("period '2024-13'"))
        let empty = try Self.tally(["export", "--db", db, "--kind", "victims", "--period", "2030-01"])
        #expect(empty.status == 0 && empty.stdout == "victim_id,contacted_on,age,gender,channel,services,region\n")
        #expect(empty.stderr.contains("no victims in 2030-01"))
    }
}
