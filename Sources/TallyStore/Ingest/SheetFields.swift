import TallyCore
import TallyXLSX

/// A sheet's row seen through the header's columns, as the ingest validates a CSV row: field
/// `i` is the cell under header name `i` (empty where the sheet holds no cell), so a row always
/// has as many fields as the header — a spreadsheet leaves trailing empty cells out, and that
/// is not a short row.
///
/// What a CSV row cannot have is found here, before validation (`sourceProblem`): an error value
/// (`#DIV/0!`) or a formula without a computed value in a column the contract reads, and a value
/// in a column without a name (right of the header, say) — quarantined naming the cell, rather
/// than loaded as text or dropped unseen. Errors in columns the contract does not read are
/// ignored, as those columns are.
final class SheetFields: IngestRow {
    let header: [String]
    let firstColumn: Int
    let width: Int
    /// Whether field i is a column of the contract (read by the validator).
    let used: [Bool]
    /// Cell index in the current row of each field, -1 where none.
    private let index: UnsafeMutablePointer<Int>
    private var row: SheetRow?
    private(set) var sourceProblem: SourceProblem?
    let columnLetters: [String]

    init(header: [String], firstColumn: Int, validator: RowValidator) {
        self.header = header
        self.firstColumn = firstColumn
        width = header.count
        var used = [Bool](repeating: false, count: header.count)
        for f in validator.fieldIndex where f >= 0 && f < used.count { used[f] = true }
        self.used = used
        index = .allocate(capacity: max(1, header.count))
        columnLetters = (0..<header.count).map { CellReference.letters(firstColumn + $0) }
    }

    deinit { index.deallocate() }

    func load(_ r: SheetRow) {
        row = r
        sourceProblem = nil
        index.update(repeating: -1, count: width)
        for k in 0..<r.count {
            let c = r.column(k) - firstColumn
            if c >= 0 && c < width {
                index[c] = k
                if sourceProblem == nil && used[c] {
                    switch r.kind(k) {
                    case .error:
                        let value = r.string(k)
                        sourceProblem = SourceProblem(
                            column: header[c], value: value,
                            reason: "the cell holds the spreadsheet error \(value), not a value (a formula that failed, or an error typed in)",
                            cell: columnLetters[c] + String(r.number))
                    case .uncomputed:
                        sourceProblem = SourceProblem(
                            column: header[c], value: "",
                            reason: "the cell's formula has no computed value in the file "
                                + "(open and save the workbook in a spreadsheet program, which computes it)",
                            cell: columnLetters[c] + String(r.number))
                    default: break
                    }
                }
            } else if sourceProblem == nil && (r.text(k).count > 0 || r.kind(k) == .error) {
                let cell = CellReference.name(column: r.column(k), row: r.number)
                sourceProblem = SourceProblem(
                    column: nil, value: RowProblem.shortened(r.text(k)),
                    reason: "cell \(cell) holds a value but its column has no name in the header",
                    cell: cell)
            }
        }
    }

    var line: Int { row?.number ?? 0 }
    var count: Int { width }
    var fieldCount: Int { width }
    var endsInOpenQuote: Bool { false }
    var bytes: UnsafeBufferPointer<UInt8> { row?.bytes ?? UnsafeBufferPointer(start: nil, count: 0) }

    @inline(__always)
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let k = index[i]
        guard k >= 0, let row else { return UnsafeBufferPointer(start: nil, count: 0) }
        // Spaces and tabs around a value are trimmed, as libcsv trims an unquoted CSV field.
        let t = row.text(k)
        var s = 0, e = t.count
        while s < e && (t[s] == 0x20 || t[s] == 0x09) { s += 1 }
        while e > s && (t[e - 1] == 0x20 || t[e - 1] == 0x09) { e -= 1 }
        return s == 0 && e == t.count ? t : UnsafeBufferPointer(rebasing: t[s..<e])
    }

    func cell(ofField i: Int) -> String? {
        guard i >= 0 && i < width else { return cell(of: nil) }
        return columnLetters[i] + String(line)
    }

    /// The cell of the named column in row `row` (any thread: reads only what `init` set).
    func cell(of column: String, row: Int) -> String? {
        header.firstIndex(of: column).map { columnLetters[$0] + String(row) }
    }

    /// The cell of the column of that name, or, without one, the row's first cell under the header.
    func cell(of column: String?) -> String? {
        if let column, let i = header.firstIndex(of: column) { return cell(ofField: i) }
        return (columnLetters.first ?? "A") + String(line)
    }
}
