import TallyTestSupport
import Foundation
import Testing
import TallyCore
@testable import TallyStore

/// Loading Excel workbooks. The fixtures are TallyXLSXTests' (made by its `Fixtures/make.py`
/// with xlsxwriter): `takedowns.xlsx` holds, as typed cells, the same rows as `takedowns.csv`
/// (written by the same script) plus rows only a workbook can have. The CSV load is the
/// independent expectation: the workbook's records and quarantined rows must be the CSV's.
@Suite struct WorkbookIngestTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TallyXLSXTests/Fixtures")

    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func sha256(_ path: String) throws -> String {
        try python3("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())", [path])
    }

    static let takedownColumns = "request_id, platform, platform_origin, content_kind, requested_by, detected_by, "
        + "requested_at, requested_at_text, resolved_at, resolved_at_text, outcome, line, row_hash, change, platform_text"

    @Test func aWorkbookLoadsLikeTheSameCSV() throws {
        let csvBox = Sandbox(), bookBox = Sandbox()
        let csvStore = try csvBox.store(), bookStore = try bookBox.store()
        let csv = try csvStore.ingest([Self.path("takedowns.csv")])
        let book = try bookStore.ingest([Self.path("takedowns.xlsx")])
        #expect(csv.files[0].status == .loaded && book.files[0].status == .loaded)

        // The CSV's five rows are the workbook's rows 2–6: the same records, line for line, and
        // the same quarantined row with the same reason.
        let ids = "('R-0001', 'R-0002', 'R-0003', 'R-0004', 'R-0005')"
        let want = try csvBox.rows(csvStore, "SELECT \(Self.takedownColumns) FROM takedowns ORDER BY 1")
        let got = try bookBox.rows(bookStore, "SELECT \(Self.takedownColumns) FROM takedowns WHERE request_id IN \(ids) ORDER BY 1")
        #expect(want.count == 4 && got == want)
        let q = "SELECT q.line, coalesce(q.column_name, '-'), q.value, q.reason FROM quarantine q ORDER BY q.line"
        let csvQuarantine = try csvBox.rows(csvStore, q)
        #expect(csvQuarantine == [["5", "outcome", "gone", "expected one of removed, blocked, refused, pending"]])
        #expect(Array(try bookBox.rows(bookStore, q).prefix(1)) == csvQuarantine)

        // What only a workbook has: an error cell, a value right of the header; blank rows 7–8
        // skipped; every row read accounted for.
        let f = book.files[0]
        #expect(f.sheet == "2024-08" && f.rowsRead == 8 && f.loaded == 5 && f.quarantined == 3)
        #expect(f.rowsRead == f.loaded + f.updated + f.corrected + f.duplicates + f.quarantined)
        let places = try bookStore.quarantined().map { [$0.place, $0.column ?? "-", $0.value ?? ""] }
        let name = Self.path("takedowns.xlsx")
        #expect(places == [[name + "!2024-08!I5", "outcome", "gone"],
                           [name + "!2024-08!B9", "platform", "#DIV/0!"],
                           [name + "!2024-08!J10", "-", "stray note"]])
        let reasons = try bookStore.quarantined().map(\.reason)
        #expect(reasons[1] == "the cell holds the spreadsheet error #DIV/0!, not a value (a formula that failed, or an error typed in)")
        #expect(reasons[2] == "cell J10 holds a value but its column has no name in the header")
        #expect(try bookBox.rows(bookStore, "SELECT request_id, line, requested_at_text FROM takedowns WHERE request_id = 'R-0008'")
                == [["R-0008", "11", "2024-08-08T09:00:00"]])

        // Provenance: the workbook's SHA-256 and the sheet.
        #expect(try bookBox.rows(bookStore, "SELECT sha256, sheet, bytes FROM files")
                == [[try Self.sha256(name), "2024-08", String(try Data(contentsOf: URL(fileURLWithPath: name)).count)]])
        let provenance = try bookStore.provenance()
        #expect(provenance.files[0].sheet == "2024-08" && provenance.files[0].name == "takedowns.xlsx")
        if case .object(let pairs) = provenance.files[0].json {
            #expect(pairs.contains { $0.0 == "sheet" && $0.1 == .string("2024-08") })
        } else {
            Issue.record("provenance JSON is not an object")
        }

        // The same workbook again: nothing to do; CSV places stay file:line.
        #expect(try bookStore.ingest([name]).files[0].status == .alreadyLoaded)
        #expect(try csvStore.quarantined()[0].place == Self.path("takedowns.csv") + ":5")
    }

    @Test func aConflictNamesTheSheetAndRowItCameFrom() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([Self.path("takedowns.xlsx")])
        let csv = box.write("later.csv", takedownHeader + "\n"
            + "R-0001,Naver,domestic,image,victim,report,2024-08-01T09:00:00,2024-08-01T17:30:00,refused\n")
        let report = try store.ingest([csv])
        #expect(report.files[0].quarantined == 1)
        #expect(try store.quarantined(file: "later.csv").map(\.reason) == [
            "conflict: request_id 'R-0001' was loaded from takedowns.xlsx sheet '2024-08' row 2 with other values of outcome; "
                + "a correction needs `tally ingest --revise --reason TEXT`"])
    }

    @Test func aSheetIsRetractedByItsPlace() throws {
        let box = Sandbox()
        let store = try box.store()
        _ = try store.ingest([Self.path("takedowns.xlsx")])
        #expect(throws: RetractionError.self) { try store.retract(file: "takedowns.xlsx!notes", reason: "test") }
        let r = try store.retract(file: "takedowns.xlsx!2024-08", reason: "sent by mistake")
        #expect(r.withdrawn == 5)
        #expect(try box.count(store, "takedowns") == 0)
    }

    @Test func sheetsByNameAndIndexEachLoadOnce() throws {
        let box = Sandbox()
        let store = try box.store()
        var options = IngestOptions()
        options.sheet = "Takedowns"
        let merged = try store.ingest([Self.path("merged.xlsx")], options: options)
        // A two-row header with merged cells: the names are the lower row's, or the merge's.
        #expect(merged.files[0].status == .loaded && merged.files[0].loaded == 2, "\(merged.files[0])")
        #expect(try box.rows(store, "SELECT request_id, platform, requested_by, requested_at_text, coalesce(resolved_at_text, ''), outcome, line FROM takedowns ORDER BY 1")
                == [["R-9001", "Naver", "victim", "2024-08-01T09:00:00", "2024-08-01T10:00:00", "removed", "3"],
                    ["R-9002", "X", "police", "2024-08-02T09:00:00", "", "pending", "4"]])
        // By index: sheet 3 is OneRow, whose name merged over two columns is refused, saying so.
        options.sheet = "3"
        let one = try store.ingest([Self.path("merged.xlsx")], options: options)
        #expect(one.files[0].status == .rejected && one.files[0].sheet == "OneRow")
        #expect(one.files[0].error == "column 'name' appears twice in the header: its cell is merged over B1:C1 (columns B and C); give each column its own name")
        // A sheet the workbook lacks: one line listing its sheets; the next file still loads.
        options.sheet = "요청"
        let missing = try store.ingest([Self.path("merged.xlsx"), Self.path("takedowns.csv")], options: options)
        #expect(missing.files[0].error == "the workbook has no sheet '요청'; its sheets: 1 'TwoRows', 2 'Takedowns', 3 'OneRow'")
        #expect(missing.files[1].status == .loaded)
        // The Takedowns sheet again: already loaded (the workbook's SHA-256 and the sheet match).
        options.sheet = "takedowns"
        #expect(try store.ingest([Self.path("merged.xlsx")], options: options).files[0].status == .alreadyLoaded)
    }

    @Test func damagedWorkbooksAreOneLineAndTheBatchGoesOn() throws {
        let box = Sandbox()
        let store = try box.store()
        let names = ["not-a-zip.xlsx", "truncated.xlsx", "malformed.xlsx", "missing-part.xlsx", "takedowns.csv"]
        let report = try store.ingest(names.map(Self.path))
        let errors = report.files.map { $0.error ?? "" }
        #expect(errors[0].hasPrefix("not an Excel workbook: not a readable zip archive"))
        #expect(errors[1].hasPrefix("damaged workbook: its zip archive cannot be read ("))
        #expect(errors[2] == "damaged workbook: the part xl/worksheets/sheet1.xml is not well-formed XML (line 2): Opening and ending tag mismatch: row line 2 and rowx")
        #expect(errors[3] == "damaged workbook: the part xl/sharedStrings.xml is missing")
        #expect(report.files.prefix(4).allSatisfy { $0.status == .rejected && !$0.error!.contains("\n") })
        #expect(report.files[4].status == .loaded && report.files[4].loaded == 4)
        // The malformed sheet's rows before the damage are not loaded: the file is one transaction.
        #expect(try box.count(store, "takedowns") == 4)
        #expect(try box.rows(store, "SELECT count(*) FROM files WHERE status = 'rejected'") == [["4"]])
    }

    @Test func aWorkbookInsideAZip() throws {
        let box = Sandbox()
        let store = try box.store()
        let zip = Self.path("nested.zip")
        let report = try store.ingest([zip])
        #expect(report.files.count == 1)
        let f = report.files[0]
        #expect(f.path == zip + "!exports/takedowns.xlsx" && f.member == "exports/takedowns.xlsx" && f.sheet == "2024-08")
        let zipSHA = try Self.sha256(zip), bookSHA = try Self.sha256(Self.path("takedowns.xlsx"))
        #expect(f.archiveSHA256 == zipSHA && f.sha256 == bookSHA)
        #expect(f.loaded == 5 && f.quarantined == 3)
        #expect(try store.quarantined()[0].place == zip + "!exports/takedowns.xlsx!2024-08!I5")
        // The workbook given plain afterwards is the same file and sheet: already loaded.
        #expect(try store.ingest([Self.path("takedowns.xlsx")]).files[0].status == .alreadyLoaded)
    }

    /// Damaged workbooks never crash a load: 300 seeded rounds of byte flips, inserted markup
    /// and cut-offs in a workbook whose parts are stored uncompressed (so that the XML itself is
    /// damaged, not only the deflate stream). Each must load with every row accounted for, or be
    /// rejected with one line; a later plain CSV still loads in the same call.
    @Test func mutatedWorkbooksLoadOrAreRejectedInOneLine() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["TALLY_TEST_SEED"].flatMap(UInt64.init) ?? 20241130)
        print("mutatedWorkbooksLoadOrAreRejectedInOneLine seed \(seed)")
        var rng = SeededRandom(seed: seed)
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: Self.path("stored.xlsx"))))
        let tokens: [[UInt8]] = ["<", ">", "</c>", "<c r=\"ZZZZ9\">", " t=\"s\"", "<v>99999999</v>", "&", "\"", "<row r=\"0\">",
                                 "<mergeCell ref=\"A1:A900000\"/>", "\u{0}", "_xD800_", "<is><t>x</t></is>"].map { Array($0.utf8) }
        let box = Sandbox()
        let store = try box.store()
        var outcomes = [FileReport.Status: Int]()
        for round in 0..<300 {
            var bytes = original
            switch rng.next() % 3 {
            case 0:
                for _ in 0..<(1 + Int(rng.next() % 8)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            case 1:
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
            default:
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            }
            let path = box.write("m\(round).xlsx", bytes: bytes)
            let report = try store.ingest([path])
            for f in report.files {
                outcomes[f.status, default: 0] += 1
                #expect(f.rowsRead == f.loaded + f.updated + f.corrected + f.duplicates + f.quarantined)
                if f.status == .rejected {
                    #expect(!(f.error ?? "").isEmpty && !(f.error ?? "").contains("\n"), "round \(round): \(f.error ?? "")")
                }
            }
        }
        print("outcomes: \(outcomes)")
        #expect(outcomes[.rejected, default: 0] > 0)
        #expect(try store.ingest([Self.path("takedowns.csv")]).files[0].status != .rejected)
        #expect(try store.db.scalarText("PRAGMA integrity_check") == "ok")
    }
}
