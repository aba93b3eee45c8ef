/// A sheet read as a table: a header, then rows of data.
public struct SheetHeader: Sendable, Equatable {
    /// The column names, from `firstColumn` on, one per column (empty for a column without one).
    public var names: [String]
    /// 0-based column of the first name.
    public var firstColumn: Int
    /// The header's rows: its first (the first row holding a value) to its last.
    public var firstRow: Int
    public var lastRow: Int
    /// Merged ranges that cover header cells (known only when the header needed them).
    public var merges: [CellRange]

    /// Rows a header may take in through its merges.
    public static let maxRows = 10
}

extension SheetReader {
    /// Reads the sheet as a table. The header is the first row that holds a value; blank rows
    /// (no cell with text) are skipped before, inside and after it, as blank lines of a CSV file.
    ///
    /// **Merged header cells.** A merged range shows its value in its top-left cell only; the
    /// sheet's `mergeCells` come after all its rows in the XML, so they are not known when the
    /// header is read. When the header row has an empty cell between two named ones, holds
    /// empty cells at all (Excel writes the covered cells of a merge as empty, formatted cells),
    /// or is narrower than the sheet's stated used range (`dimension`, which comes before the
    /// rows: a merge at the header's end leaves no other mark) — a first, separate pass over the sheet reads the merges (memory: one
    /// range per merge; time: one more parse of the part, only for such sheets). Then the header
    /// takes in the rows that merges starting in the header row reach down into (a two-row
    /// header: a group name merged over sub-columns, beside names merged over both rows; at most
    /// `SheetHeader.maxRows` rows), and
    /// each column is named by its lowest cell in those rows that has a value, a cell inside a
    /// merged range having the range's value. A name merged across columns in a one-row header
    /// thus names each of them (the caller decides whether repeated names are acceptable).
    /// Data rows are never filled from merges.
    public func readTable(progress: ((Int, Int64?) -> Void)? = nil,
                          header: (SheetHeader) throws -> Void, row: (SheetRow) throws -> Void) throws {
        var state = 0  // 0: before the header, 1: inside a header of several rows, 2: data
        var blockRows: [Int: [Int: String]] = [:]  // row → column → text
        var first = 0, last = 0, firstRow = 0, lastRow = 0
        var merges: [CellRange] = []

        func finishHeader() throws {
            var lastColumn = last
            for m in merges where m.firstRow <= lastRow && m.lastRow >= firstRow { lastColumn = max(lastColumn, m.lastColumn) }
            func value(_ c: Int, _ r: Int) -> String {
                if let m = merges.first(where: { $0.contains(column: c, row: r) }) {
                    return blockRows[m.firstRow]?[m.firstColumn] ?? ""
                }
                return blockRows[r]?[c] ?? ""
            }
            var names: [String] = []
            for c in first...lastColumn {
                var name = ""
                for r in stride(from: lastRow, through: firstRow, by: -1) {
                    let v = value(c, r)
                    if !v.isEmpty { name = v; break }
                }
                names.append(name)
            }
            let used = merges.filter { $0.firstRow <= lastRow && $0.lastRow >= firstRow }
            try header(SheetHeader(names: names, firstColumn: first, firstRow: firstRow, lastRow: lastRow, merges: used))
            state = 2
            blockRows = [:]
        }

        func texts(_ r: SheetRow) -> [Int: String] {
            var out: [Int: String] = [:]
            for k in 0..<r.count where r.text(k).count > 0 { out[r.column(k)] = r.string(k) }
            return out
        }

        try forEachRow(progress: progress) { r in
            switch state {
            case 2:
                if !r.isBlank { try row(r) }
            case 1:
                if r.number <= lastRow {
                    blockRows[r.number] = texts(r)
                    return
                }
                try finishHeader()
                if !r.isBlank { try row(r) }
            default:
                if r.isBlank { return }
                let t = texts(r)
                guard let lo = t.keys.min(), let hi = t.keys.max() else {
                    // Only error cells: the header cannot be read.
                    throw WorkbookError.invalid(part: sheet.part, message: "row \(r.number), the header, holds no names")
                }
                first = lo; last = hi; firstRow = r.number; lastRow = r.number
                blockRows[r.number] = t
                let wider = dimension.map { $0.firstColumn < lo || $0.lastColumn > hi } ?? false
                if t.count < hi - lo + 1 || r.count > t.count || wider {
                    merges = try mergedRanges().filter { $0.firstRow <= r.number && $0.lastRow >= r.number }
                    for m in merges where m.firstRow == r.number { lastRow = max(lastRow, m.lastRow) }
                    // A header is a few rows; a merge reaching further down (a whole column
                    // merged) must not turn the sheet into header rows held in memory.
                    lastRow = min(lastRow, firstRow + SheetHeader.maxRows - 1)
                    first = min(first, merges.map(\.firstColumn).min() ?? first)
                }
                if lastRow > firstRow { state = 1 } else { try finishHeader() }
            }
        }
        if state == 1 { try finishHeader() }
    }
}
