import Foundation
import Testing

/// `tally ingest` and `tally quarantine` with Excel workbooks (fixtures of TallyXLSXTests, made
/// by its `Fixtures/make.py`), through the built binary.
@Suite struct WorkbookCLITests {
    static let fixtures = packageRoot.appendingPathComponent("Tests/TallyXLSXTests/Fixtures")
    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    @Test func workbooksLoadAndQuarantineNamesSheetAndCell() throws {
        let dir = TempDir()
        let db = dir.path("t.sqlite")
        let r = try tally("ingest", "--db", db, "--format", "json", Self.path("takedowns.xlsx"))
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let file = (json["files"] as! [[String: Any]])[0]
        #expect(file["sheet"] as? String == "2024-08" && file["rows_read"] as? Int == 8 && file["loaded"] as? Int == 5)

        let q = try tally("quarantine", "--db", db)
        #expect(q.status == 0)
        let lines = q.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("PLACE") == true)
        #expect(lines.contains { $0.contains(Self.path("takedowns.xlsx") + "!2024-08!B9") && $0.contains("#DIV/0!") })
        let qj = try tally("quarantine", "--db", db, "--format", "json")
        let entries = try JSONSerialization.jsonObject(with: Data(qj.stdout.utf8)) as! [[String: Any]]
        #expect(entries.map { $0["cell"] as? String ?? "" } == ["I5", "B9", "J10"])
        #expect(entries.allSatisfy { $0["sheet"] as? String == "2024-08" })
        // Independent check with sqlite3: the sheet and cells as stored.
        #expect(try sqlite3(db, "SELECT group_concat(f.sheet || '!' || q.cell, ' ') FROM quarantine q JOIN files f ON f.id = q.file_id")
                == "2024-08!I5 2024-08!B9 2024-08!J10")
    }

    @Test func aMissingSheetIsOneLineListingTheSheets() throws {
        let dir = TempDir()
        let db = dir.path("t.sqlite")
        let r = try tally("ingest", "--db", db, "--sheet", "요청", Self.path("takedowns.xlsx"), Self.path("takedowns.csv"))
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(Self.path("takedowns.xlsx")): the workbook has no sheet '요청'; its sheets: 1 '2024-08', 2 'notes'\n")
        #expect(try sqlite3(db, "SELECT count(*) FROM takedowns") == "4")  // the CSV still loaded
        let byIndex = try tally("ingest", "--db", db, "--sheet", "1", Self.path("takedowns.xlsx"))
        #expect(byIndex.status == 0 && byIndex.stdout.contains("takedowns.xlsx!2024-08"))
    }
}
