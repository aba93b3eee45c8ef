import Foundation
import Testing

/// `tally revisions`, the `revisions` chart and the bulletin's Revisions section, through the
/// real binary, on a store built load by load. Expected values are worked out by hand from
/// the rows below (comments give the arithmetic).
@Suite(.serialized) struct RevisionsCLITests {
    static let victimHeader = "victim_id,contacted_on,age,gender,channel,services,region"
    static let takedownHeader = "request_id,platform,platform_origin,content_kind,requested_by,detected_by,requested_at,resolved_at,outcome"

    /// Batch 1: August — victims V1 (30), V2 (15), V3 (age unknown); takedowns T1 (removed after
    /// 2 h) and T2 (pending). As-of: T2's request, 2024-08-10T03:00Z: T1 due and within, T2
    /// not yet due. August: victims 3, minors 1, share 1/2; due 1, within 1, compliance 100%.
    /// Batch 2 (a revision, reason "age corrected by the agency"): V1's age 30 → 12.
    /// Batch 3: September — victims V4, V5; a late August victim V6 (40); T2 removed after 30 h
    /// (an update: late); T3 in September removed after 5 h. August now: victims 4, minors 2
    /// (12, 15), share 2/3; due 2, within 1, compliance 50%.
    /// Batch 4: October — victim V7 only (no takedown: the as-of time stays).
    static func load(_ dir: TempDir, db: String, through batch: Int) throws {
        let files: [(String, String, [String])] = [
            ("aug.csv", victimHeader + "\nV1,2024-08-02,30,,hotline,,\nV2,2024-08-03,15,,hotline,,\nV3,2024-08-04,,,hotline,,\n", []),
            ("aug-takedowns.csv", takedownHeader + "\nT1,X,,,police,,2024-08-05T03:00:00Z,2024-08-05T05:00:00Z,removed\nT2,X,,,police,,2024-08-10T03:00:00Z,,pending\n", []),
            ("aug-fix.csv", victimHeader + "\nV1,2024-08-02,12,,hotline,,\n", ["--revise", "--reason", "age corrected by the agency"]),
            ("sep.csv", victimHeader + "\nV4,2024-09-02,22,,hotline,,\nV5,2024-09-03,16,,hotline,,\nV6,2024-08-20,40,,hotline,,\n", []),
            ("sep-takedowns.csv", takedownHeader + "\nT2,X,,,police,,2024-08-10T03:00:00Z,2024-08-11T09:00:00Z,removed\nT3,X,,,police,,2024-09-04T03:00:00Z,2024-09-04T08:00:00Z,removed\n", []),
            ("oct.csv", victimHeader + "\nV7,2024-10-02,33,,hotline,,\n", []),
        ]
        // Batches: 1 = the two August files, 2 = the fix, 3 = the two September files, 4 = October.
        let groups = [[0, 1], [2], [3, 4], [5]]
        for g in groups.prefix(batch) {
            let paths = g.map { dir.write(files[$0].0, files[$0].1) }
            let r = try run(tallyBinary, ["ingest", "--db", db] + files[g[0]].2 + paths)
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    func bulletin(_ db: String, _ period: String, _ lang: String, _ out: String) throws -> RunResult {
        try run(tallyBinary, ["bulletin", "--db", db, "--period", period, "--lang", lang, "--out", out], cwd: packageRoot)
    }

    func text(_ path: String) throws -> String { String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) }

    func pdfText(_ pdf: String) throws -> String {
        let r = try run("/usr/bin/pdftotext", ["-layout", pdf, "-"])
        #expect(r.status == 0)
        return r.stdout
    }

    @Test func bulletinListsRevisedFiguresWithReasonsAndMarksThem() throws {
        let dir = TempDir()
        let db = dir.path("store.sqlite")
        try Self.load(dir, db: db, through: 1)
        let aug = try bulletin(db, "2024-08", "en", dir.path("aug"))
        #expect(aug.status == 0, "\(aug.stderr)")
        #expect(try pdfText(dir.path("aug/bulletin-2024-08-en.pdf")).contains("No earlier bulletin is recorded"))
        #expect(try sqlite3(db, "SELECT period || '|' || lang || '|' || vintage FROM publications") == "2024-08|en|1")

        try Self.load(dir, db: db, through: 3)
        let sep = try bulletin(db, "2024-09", "en", dir.path("sep"))
        #expect(sep.status == 0, "\(sep.stderr)")
        let revised = try text(dir.path("sep/tables/revisions-en.csv")).split(separator: "\r\n").map(String.init)
        func row(_ label: String) -> String? { revised.first { $0.hasPrefix("August 2024," + label + ",") } }
        #expect(row("Victims who sought help")?.hasPrefix("August 2024,Victims who sought help,3,4,'+1,") == true, "\(revised)")
        #expect(row("of whom minors")?.hasPrefix("August 2024,of whom minors,1,2,'+1,") == true)
        #expect(row("Share who were minors")?.hasPrefix("August 2024,Share who were minors,50.0%,66.7%,'+16.7 pp,") == true)
        #expect(row("Requests due")?.hasPrefix("August 2024,Requests due,1,2,'+1,") == true)
        #expect(row("Compliance")?.hasPrefix("August 2024,Compliance,100.0%,50.0%,−50.0 pp,") == true)
        #expect(row("Removed within the deadline") == nil, "1 before and after: not revised")
        #expect(row("Victims who sought help")?.contains("age corrected by the agency") == true)
        #expect(row("Victims who sought help")?.contains("sep.csv") == true)
        #expect(!revised.joined().contains(dir.url.path), "no folder paths")
        // The previous-month cells of revised figures are marked r; the others are not.
        let headline = try text(dir.path("sep/tables/headline-en.csv")).split(separator: "\r\n").map(String.init)
        #expect(headline.contains { $0.hasPrefix("Victims who sought help,2,4 r,") }, "\(headline)")
        // September: T3 not yet due at the as-of time (its own resolution, 5 h after the request).
        #expect(headline.contains { $0.hasPrefix("Requests due,0,2 r,") }, "\(headline)")
        #expect(headline.contains { $0.hasPrefix("Removed within the deadline,0,1,") })
        let pdf = try pdfText(dir.path("sep/bulletin-2024-09-en.pdf"))
        #expect(pdf.contains("Revised figures of earlier months"))
        #expect(pdf.contains("age corrected by the agency"))
        #expect(pdf.contains("r: revised since the previous bulletin"))

        // Nothing changed since September's bulletin (October brings a victim, no takedown:
        // the as-of time stays): the sentence, in both languages, and no mark.
        try Self.load(dir, db: db, through: 4)
        let oct = try bulletin(db, "2024-10", "en", dir.path("oct"))
        #expect(oct.status == 0, "\(oct.stderr)")
        let octText = try pdfText(dir.path("oct/bulletin-2024-10-en.pdf"))
        #expect(octText.contains("No figures of earlier months were revised"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("oct/tables/revisions-en.csv")))
        #expect(!(try text(dir.path("oct/tables/headline-en.csv"))).contains(" r,"))
        let ko = try bulletin(db, "2024-10", "ko", dir.path("oct-ko"))
        #expect(ko.status == 0, "\(ko.stderr)")
        #expect(try pdfText(dir.path("oct-ko/bulletin-2024-10-ko.pdf")).replacingOccurrences(of: " ", with: "").contains("수정된것이없습니다"))
        let published = try sqlite3(db, "SELECT group_concat(period || '|' || lang || '|' || vintage, ';') FROM (SELECT * FROM publications ORDER BY id)")
        #expect(published == "2024-08|en|1;2024-09|en|3;2024-10|en|4;2024-10|ko|4", "\(published)")
        // Every publication's manifest hash is the manifest's.
        let recorded = try sqlite3(db, "SELECT manifest_sha256 FROM publications WHERE period = '2024-09'")
        let sha = try run("/usr/bin/sha256sum", [dir.path("sep/manifest.json")]).stdout.prefix(64)
        #expect(recorded == String(sha))
    }

    @Test func revisionsInEveryFormat() throws {
        let dir = TempDir()
        let db = dir.path("store.sqlite")
        try Self.load(dir, db: db, through: 4)
        // JSON: August 3 at batches 1–2, 4 from batch 3; September 2 from batch 3; October 1
        // at batch 4. Revisions 1, 0, 0: mean 1/3, mean absolute 1/3.
        let j = try run(tallyBinary, ["revisions", "--db", db, "--from", "2024-08", "--to", "2024-10", "--metric", "victims.total",
                                      "--metric", "takedowns.compliance", "--format", "json"])
        #expect(j.status == 0, "\(j.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        #expect((json["vintages"] as! [[String: Any]]).map { $0["batch"] as! Int } == [1, 2, 3, 4])
        let figures = json["figures"] as! [[String: Any]]
        #expect(figures.map { $0["id"] as! String } == ["victims.total", "takedowns.compliance"])
        let months = figures[0]["months"] as! [[String: Any]]
        #expect(months.map { $0["period"] as! String } == ["2024-08", "2024-09", "2024-10"])
        #expect(months[0]["values"] as! [String: Int] == ["1": 3, "2": 3, "3": 4, "4": 4])
        #expect(months[1]["values"] as! [String: Int] == ["3": 2, "4": 2])
        #expect(months[2]["values"] as! [String: Int] == ["4": 1])
        #expect((months[0]["first"] as! [String: Int]) == ["batch": 1, "value": 3])
        #expect(months[0]["latest"] as! Int == 4 && months[0]["revision"] as! Int == 1)
        #expect(abs(figures[0]["mean_revision"] as! Double - 1.0 / 3) < 1e-12)
        #expect(abs(figures[0]["mean_absolute_revision"] as! Double - 1.0 / 3) < 1e-12)
        // Compliance of August: 1/1 at batches 1–2 (T2 not due), 1/2 from batch 3 (T2 late).
        let compliance = (figures[1]["months"] as! [[String: Any]])[0]["values"] as! [String: Double]
        #expect(compliance == ["1": 1, "2": 1, "3": 0.5, "4": 0.5])

        let c = try run(tallyBinary, ["revisions", "--db", db, "--from", "2024-08", "--to", "2024-10", "--metric", "victims.total", "--format", "csv"])
        #expect(c.status == 0)
        let lines = c.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "figure,period,batch_1,batch_2,batch_3,batch_4,first_batch,first,latest,revision")
        #expect(lines[1] == "victims.total,2024-08,3,3,4,4,1,3,4,1")
        #expect(lines[2] == "victims.total,2024-09,,,2,2,3,2,2,0")
        #expect(lines[4].hasPrefix("victims.total,mean_revision,"))

        let t = try run(tallyBinary, ["revisions", "--db", db, "--from", "2024-08", "--to", "2024-10"])
        #expect(t.status == 0)
        #expect(t.stdout.contains("victims.total") && t.stdout.contains("takedowns.compliance"))
        #expect(t.stdout.split(separator: "\n").contains { $0.hasPrefix("2024-08") && $0.hasSuffix("+1") })

        for (args, expected) in [(["--from", "2024-13", "--to", "2024-12"], "expected a month YYYY-MM"),
                                 (["--from", "2024-08", "--to", "2024-09", "--metric", "victims.nope"], "expected a figure id"),
                                 (["--from", "2024-08", "--to", "2024-09", "--metric", "takedowns.compliance_ci95"], "expected a figure whose value is a number"),
                                 (["--from", "2024-08", "--to", "2024-09", "--vintages", "some"], "--vintages must be all or published")] {
            let e = try run(tallyBinary, ["revisions", "--db", db] + args)
            #expect(e.status != 0)
            #expect(e.stderr.contains(expected), "\(args): \(e.stderr)")
        }
    }

    @Test func revisionsChart() throws {
        let dir = TempDir()
        let db = dir.path("store.sqlite")
        try Self.load(dir, db: db, through: 4)
        let png = dir.path("rev.png")
        let r = try run(tallyBinary, ["chart", "Charts/revisions-compliance.yaml", "--db", db, "--period", "2024-10", "--out", png], cwd: packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        let svg = dir.path("rev.svg")
        _ = try run(tallyBinary, ["chart", "Charts/revisions-compliance.yaml", "--db", db, "--period", "2024-10", "--out", svg], cwd: packageRoot)
        let s = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(s.contains("<svg"))
    }
}
