import Testing
@testable import TallyXLSX

/// Hand-worked cases: dates from Excel's serials (checked against what Excel shows), numbers'
/// shortest texts, number formats, cell references.
@Suite struct CellTextTests {
    @Test(arguments: [
        (1.0, "1900-01-01"), (59.0, "1900-02-28"), (60.0, "1900-02-29"), (61.0, "1900-03-01"),
        (45505.0, "2024-08-01"), (45505.5, "2024-08-01T12:00:00"), (45505.545243055554, "2024-08-01T13:05:09"),
        (45505.25001157407, "2024-08-01T06:00:01"), (45505.999999999, "2024-08-02"),
        (45505.0000028935185, "2024-08-01T00:00:00.250"), (0.0, "1900-01-00"), (0.5, "1900-01-00T12:00:00"),
    ])
    func serials1900(_ serial: Double, _ text: String) {
        #expect(ExcelDate.text(serial, date1904: false) == text)
    }

    @Test func serials1904() {
        #expect(ExcelDate.text(0, date1904: true) == "1904-01-01")
        #expect(ExcelDate.text(59, date1904: true) == "1904-02-29")  // 1904 is a leap year
        #expect(ExcelDate.text(60, date1904: true) == "1904-03-01")
        #expect(ExcelDate.text(44043, date1904: true) == "2024-08-01")  // 1462 days less than 1900's 45505
    }

    @Test func timesAndImpossibleSerials() {
        #expect(ExcelDate.text(0.25, date1904: false, kind: .time) == "06:00:00")
        #expect(ExcelDate.text(1.25, date1904: false, kind: .time) == "1900-01-01T06:00:00")
        #expect(ExcelDate.text(-1, date1904: false) == nil)
        #expect(ExcelDate.text(3_000_000, date1904: false) == nil)
        #expect(ExcelDate.text(.nan, date1904: false) == nil)
    }

    @Test(arguments: [
        ("42", "42"), ("-7", "-7"), ("0", "0"), ("0.1", "0.1"), ("45000.099999999999", "45000.1"),
        ("0.30000000000000004", "0.30000000000000004"), ("1E-3", "0.001"), ("1.23E-4", "0.000123"),
        ("1.5E+20", "150000000000000000000"), ("123456789012345678", "123456789012345680"), ("-0", "0"),
        ("3.50", "3.5"), ("007", "7"), ("2.5e-10", "0.00000000025"), ("1e400", nil), ("abc", nil),
    ] as [(String, String?)])
    func shortestNumbers(_ raw: String, _ text: String?) {
        var s = raw
        #expect(s.withUTF8 { NumberText.shortest($0) } == text, "\(raw)")
    }

    @Test func shortestReadsBack() {
        // Seeded: every printed text reads back as the same double.
        var g = UInt64(20241130)
        print("shortestReadsBack seed 20241130")
        for _ in 0..<20_000 {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            let v = Double(bitPattern: g >> 1)  // positive doubles of every magnitude
            guard v.isFinite else { continue }
            let t = NumberText.shortest(v)
            #expect(Double(t) == v && !t.contains("e"), "\(v) → \(t)")
        }
    }

    @Test(arguments: [
        (14, nil, NumberFormat.Kind.date), (22, nil, .date), (18, nil, .time), (46, nil, .time), (0, nil, .number),
        (2, nil, .number), (31, nil, .date), (57, nil, .date),
        (164, "yyyy-mm-dd", .date), (164, "yyyy\"년\" mm\"월\" dd\"일\"", .date), (164, "hh:mm:ss", .time),
        (164, "0.00\" days\"", .number), (164, "[Red]0.00", .number), (164, "[$-409]mmm d, yyyy", .date),
        (164, "General", .number), (164, "0.00E+00", .number), (164, "\\d0", .number), (164, "mmm", .date),
        (164, "#,##0_);[Red](#,##0)", .number), (164, "@", .number),
    ] as [(Int, String?, NumberFormat.Kind)])
    func numberFormats(_ id: Int, _ code: String?, _ kind: NumberFormat.Kind) {
        #expect(NumberFormat.kind(id: id, code: code) == kind, "\(id) \(code ?? "")")
    }

    @Test(arguments: [
        ("plain", nil), ("a_x000D_b", "a\rb"), ("_x005F_x0041_", "_x0041_"), ("x_x0041__x0042_", "xAB"),
        ("_xD83D__xDE00_", "\u{1F600}"), ("_xD83D_a", "\u{FFFD}a"), ("_x00G1_", nil), ("_x12_", nil),
    ] as [(String, String?)])
    func escapes(_ raw: String, _ text: String?) {
        var s = raw
        let decoded = s.withUTF8 { EscapedText.decode($0) }
        #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == text, "\(raw)")
    }

    @Test func references() {
        #expect(CellReference.letters(0) == "A")
        #expect(CellReference.letters(25) == "Z")
        #expect(CellReference.letters(26) == "AA")
        #expect(CellReference.letters(16383) == "XFD")
        #expect(CellReference.parse("C17")! == (2, 17))
        #expect(CellReference.parse("$AB$3")! == (27, 3))
        #expect(CellReference.parse("XFE1") == nil)
        #expect(CellReference.parse("A0") == nil)
        #expect(CellReference.parse("17") == nil)
        #expect(CellRange("B1:C2")?.description == "B1:C2")
        #expect(CellRange("C2:B1") == CellRange("B1:C2"))
    }
}
