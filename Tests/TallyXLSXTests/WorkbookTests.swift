import Foundation
import Testing
@testable import TallyXLSX

/// The fixtures are made by `Fixtures/make.py` with xlsxwriter and openpyxl (PyPI); what
/// openpyxl reads back from them (cached values) is `Fixtures/expected.json`, the independent
/// expectation. Where openpyxl and Excel differ (Excel's fictitious 1900-02-29, serial 0 of
/// the 1904 system), the expectation is Excel's, written here by hand.
@Suite struct WorkbookTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func open(_ name: String) throws -> Workbook {
        try Workbook(data: Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    static func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("expected.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The sheet's non-blank rows as texts, keyed by row number, each `width` columns wide.
    static func rows(_ book: Workbook, _ sheet: String, width: Int) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        try book.reader(for: try book.sheet(sheet)).forEachRow { row in
            if !row.isBlank { out[String(row.number)] = row.strings(width: width) }
        }
        return out
    }

    @Test(arguments: ["cells.xlsx", "inline.xlsx", "date1904.xlsx", "takedowns.xlsx", "openpyxl.xlsx"])
    func everySheetReadsAsOpenpyxlReadsIt(_ name: String) throws {
        let all = try Self.expected()[name] as! [String: Any]
        let book = try Self.open(name)
        #expect(book.sheets.map(\.name) == all["sheets"] as! [String])
        #expect(book.date1904 == all["epoch1904"] as! Bool)
        for (sheet, value) in all["rows"] as! [String: [String: [String]]] {
            var want = value
            // Excel, not openpyxl: serial 60 is Excel's 1900-02-29; serial 0 of the 1904 system
            // with a date format is 1904-01-01 (openpyxl reads 0 as a time).
            if name == "cells.xlsx" && sheet == "Cells" { want["11"]![2] = "1900-02-29" }
            if name == "date1904.xlsx" { want["2"]![1] = "1904-01-01" }
            let width = want.values.map(\.count).max() ?? 0
            let got = try Self.rows(book, sheet, width: width)
            #expect(got == want, "\(name) sheet \(sheet)")
        }
    }

    @Test func cellKinds() throws {
        let book = try Self.open("cells.xlsx")
        var kinds: [String: CellKind] = [:]
        try book.reader(for: book.sheets[0]).forEachRow { row in
            for k in 0..<row.count { kinds[CellReference.name(column: row.column(k), row: row.number)] = row.kind(k) }
        }
        #expect(kinds["B2"] == .string)
        #expect(kinds["B3"] == .string)     // rich text
        #expect(kinds["B4"] == .number)
        #expect(kinds["B7"] == .bool)
        #expect(kinds["B8"] == .number)     // a formula's cached number
        #expect(kinds["C8"] == .string)     // t="str"
        #expect(kinds["B9"] == .error)
        #expect(kinds["C9"] == .error)
        #expect(kinds["B10"] == .date)
        #expect(kinds["B14"] == .number)    // "0.00 \"days\"": the d is quoted
        #expect(kinds["B16"] == nil && kinds["D16"] == .string)  // sparse
    }

    @Test func aFormulaWithoutCachedValueIsUncomputed() throws {
        let book = try Self.open("openpyxl.xlsx")
        var c3: CellKind?
        try book.reader(for: book.sheets[0]).forEachRow { row in
            if row.number == 3, let k = row.index(ofColumn: 2) { c3 = row.kind(k) }
        }
        #expect(c3 == .uncomputed)
    }

    @Test func sheetsByNameByIndexAndMissing() throws {
        let book = try Self.open("cells.xlsx")
        #expect(try book.sheet(nil).name == "Cells")
        #expect(try book.sheet("요청").index == 2)
        #expect(try book.sheet("third").name == "Third")   // case-insensitive when no exact match
        #expect(try book.sheet("3").name == "Third")
        #expect(try Self.rows(book, "2", width: 2) == ["1": ["요청ID", "플랫폼"], "2": ["R-1", "네이버"]])
        #expect(throws: WorkbookError.noSuchSheet("Sheet9", ["Cells", "요청", "Third"])) { try book.sheet("Sheet9") }
        #expect(throws: WorkbookError.noSuchSheet("4", ["Cells", "요청", "Third"])) { try book.sheet("4") }
        #expect(WorkbookError.noSuchSheet("x", ["Cells", "요청"]).description
                == "the workbook has no sheet 'x'; its sheets: 1 'Cells', 2 '요청'")
    }

    @Test func mergedHeaderOfTwoRows() throws {
        let book = try Self.open("merged.xlsx")
        var header: SheetHeader?
        var data: [[String]] = []
        try book.reader(for: try book.sheet("TwoRows")).readTable(header: { header = $0 }, row: { data.append($0.strings(width: 4)) })
        #expect(header?.names == ["request_id", "platform", "platform_origin", "outcome"])
        #expect(header?.firstRow == 1 && header?.lastRow == 2 && header?.firstColumn == 0)
        #expect(header?.merges.map(\.description).sorted() == ["A1:A2", "B1:C1"])
        #expect(data == [["R-1", "Naver", "domestic", "removed"], ["R-2", "X", "overseas", "pending"]])
    }

    @Test func aNameMergedAcrossColumnsNamesEach() throws {
        let book = try Self.open("merged.xlsx")
        var header: SheetHeader?
        var rows = 0
        try book.reader(for: try book.sheet("OneRow")).readTable(header: { header = $0 }, row: { _ in rows += 1 })
        #expect(header?.names == ["id", "name", "name"])
        #expect(header?.lastRow == 1)
        #expect(rows == 1)
    }

    @Test func aHeaderWithoutGapsReadsNoMerges() throws {
        let book = try Self.open("takedowns.xlsx")
        var header: SheetHeader?
        var numbers: [Int] = []
        try book.reader(for: book.sheets[0]).readTable(header: { header = $0 }, row: { numbers.append($0.number) })
        #expect(header?.names.count == 9 && header?.merges == [])
        #expect(numbers == [2, 3, 4, 5, 6, 9, 10, 11])  // blank rows 7 and 8 skipped
    }

    @Test func damagedWorkbooksNameThePart() throws {
        #expect(throws: WorkbookError.self) { try Self.open("not-a-zip.xlsx") }
        do {
            _ = try Self.open("not-a-zip.xlsx")
        } catch let e as WorkbookError {
            #expect(e.description.hasPrefix("not an Excel workbook: not a readable zip archive"))
        }
        #expect(throws: WorkbookError.missingPart("xl/sharedStrings.xml")) {
            let book = try Self.open("missing-part.xlsx")
            _ = try book.reader(for: book.sheets[0])
        }
        do {
            let book = try Self.open("malformed.xlsx")
            try book.reader(for: book.sheets[0]).forEachRow { _ in }
            Issue.record("a malformed sheet was read")
        } catch let WorkbookError.malformed(part, line, message) {
            #expect(part == "xl/worksheets/sheet1.xml")
            #expect(line == 2)
            #expect(message.contains("mismatch"), "\(message)")
        }
        // A zip cut in half: opening, or reading, fails with one error, never a crash.
        do {
            let book = try Self.open("truncated.xlsx")
            try book.reader(for: book.sheets[0]).forEachRow { _ in }
            Issue.record("a truncated workbook was read")
        } catch let e as WorkbookError {
            #expect(!e.description.isEmpty)
        }
    }

    @Test func workbooksAreToldByTheirBytes() throws {
        for (name, isBook) in [("cells.xlsx", true), ("nested.zip", false), ("not-a-zip.xlsx", false), ("takedowns.csv", false)] {
            let data = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
            #expect(data.withUnsafeBytes { Workbook.isWorkbook($0) } == isBook, "\(name)")
        }
    }
}
