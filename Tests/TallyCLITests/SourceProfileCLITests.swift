import Foundation
import Testing

/// `tally ingest --source` and the detection of a source profile, through the built program.
@Suite struct SourceProfileCLITests {
    /// The agencies' workbooks, each read through the profile found from its header: the report
    /// names each sheet, and counts the rows it skipped as rows (a sheet has rows, not lines).
    @Test func workbooksReportSheetsAndRows() throws {
        let tmp = TempDir()
        let r = try tally("ingest", "--db", tmp.path("s.sqlite"), "Data/sample/agency/2024-08-agency.zip", cwd: packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("2024-08-agency.zip!police-arrests-2024-08.xlsx!검거: read with source profile police-arrests; "
            + "not records: 2 above the header (rows 1, 2), 1 totals row (row 67), 1 note row (row 68)"), "\(r.stdout)")
    }

    @Test func sourceByNameOrFileAndDetection() throws {
        let tmp = TempDir()
        let db = tmp.path("s.sqlite")
        let month = packageRoot.path + "/Data/sample/agency/2024-08"
        // By name (found in Data/sources of the working folder).
        let named = try tally("ingest", "--db", db, "--source", "police-arrests", month + "/police-arrests-2024-08.csv", cwd: packageRoot)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stdout.contains("read with source profile police-arrests; not records: 2 above the header (lines 1, 2), 1 totals row (line 67), 1 note row (line 68)"))
        // By file, from another working folder.
        let byFile = try tally("ingest", "--db", db, "--format", "json", "--source", packageRoot.path + "/Data/sources/support-victims.yaml",
                               month + "/support-victims-2024-08.csv", cwd: tmp.url)
        #expect(byFile.status == 0, "\(byFile.stderr)")
        #expect(byFile.stdout.contains("\"source\" : \"support-victims\"") || byFile.stdout.contains("\"source\":\"support-victims\""))
        // Found from the header.
        let found = try tally("ingest", "--db", db, month + "/regulator-takedowns-2024-08.csv", cwd: packageRoot)
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout.contains("read with source profile regulator-takedowns"))
        #expect(try sqlite3(db, "SELECT (SELECT count(*) FROM arrests), (SELECT count(*) FROM victims), (SELECT count(*) FROM takedowns)") == "63|200|1622")
        // The regulator writes Korean names of domestic platforms; the registry maps them.
        #expect(try sqlite3(db, "SELECT count(*) FROM takedowns WHERE platform_text = '네이버' AND platform = 'Naver'") != "0")
    }

    @Test func mistakesAreOneLine() throws {
        let tmp = TempDir()
        let db = tmp.path("s.sqlite")
        let file = tmp.write("f.csv", "검거번호,검거일,관서,죄명\nP1,2024.8.1,서울청,제작\n")
        let unknown = try tally("ingest", "--db", db, "--source", "nobody", file, cwd: packageRoot)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("--source nobody: no such source profile (known: police-arrests, regulator-takedowns, support-victims)"))
        // Two profiles fit the header: one line asking for --source.
        let dir = tmp.path("sources")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let police = try String(contentsOfFile: packageRoot.path + "/Data/sources/police-arrests.yaml", encoding: .utf8)
        try police.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try police.write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let ambiguous = try tally("ingest", "--db", db, "--sources", dir, file)
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr == "error: \(file): the header on line 1 fits several source profiles (a, b); give --source NAME\n")
        // A broken profile stops the command, naming file and key.
        try (police + "extra: 1\n").write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let broken = try tally("ingest", "--db", db, "--sources", dir, file)
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("\(dir)/b.yaml: unknown key 'extra'; expected one of: kind, title, header"))
        #expect(broken.stderr.split(separator: "\n").count == 1)
        let both = try tally("ingest", "--db", db, "--source", "a", "--kind", "arrests", file)
        #expect(both.status == 64)
    }
}
