/// A1-style cell references: column letters and a 1-based row number.
public enum CellReference {
    /// Columns a sheet can have (Excel's limit, XFD).
    public static let maxColumns = 16_384

    /// The letters of 0-based column `c` (0 → A, 25 → Z, 26 → AA).
    public static func letters(_ c: Int) -> String {
        var n = c + 1
        var s: [UInt8] = []
        while n > 0 {
            let r = (n - 1) % 26
            s.append(UInt8(ascii: "A") + UInt8(r))
            n = (n - 1) / 26
        }
        return String(decoding: s.reversed(), as: UTF8.self)
    }

    /// `C17` for 0-based column 2, row 17.
    public static func name(column: Int, row: Int) -> String { letters(column) + String(row) }

    /// The 0-based column and the row of a reference such as `AB12` (`$` allowed), or nil.
    @inline(__always)
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> (column: Int, row: Int)? {
        var i = 0
        let n = b.count
        if i < n && b[i] == UInt8(ascii: "$") { i += 1 }
        var col = 0
        let letterStart = i
        while i < n {
            let c = b[i] | 0x20
            guard c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") else { break }
            col = col * 26 + Int(c - UInt8(ascii: "a") + 1)
            if col > maxColumns { return nil }
            i += 1
        }
        if i == letterStart { return nil }
        if i < n && b[i] == UInt8(ascii: "$") { i += 1 }
        var row = 0
        let digitStart = i
        while i < n, b[i] >= 0x30 && b[i] <= 0x39 {
            row = row * 10 + Int(b[i] - 0x30)
            if row > 1 << 30 { return nil }
            i += 1
        }
        if i == digitStart || i != n || row == 0 { return nil }
        return (col - 1, row)
    }

    public static func parse(_ s: String) -> (column: Int, row: Int)? {
        var s = s
        return s.withUTF8 { parse($0) }
    }
}

/// A rectangle of cells (`B1:C2`), 0-based columns, 1-based rows, bounds included.
public struct CellRange: Equatable, Sendable, CustomStringConvertible {
    public var firstColumn: Int
    public var firstRow: Int
    public var lastColumn: Int
    public var lastRow: Int

    public init(firstColumn: Int, firstRow: Int, lastColumn: Int, lastRow: Int) {
        self.firstColumn = firstColumn
        self.firstRow = firstRow
        self.lastColumn = lastColumn
        self.lastRow = lastRow
    }

    /// `B1:C2`, or a single cell `B1`; nil when not a reference.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 1 || parts.count == 2, let a = CellReference.parse(String(parts[0])) else { return nil }
        let b = parts.count == 2 ? CellReference.parse(String(parts[1])) : a
        guard let b else { return nil }
        self.init(firstColumn: min(a.column, b.column), firstRow: min(a.row, b.row),
                  lastColumn: max(a.column, b.column), lastRow: max(a.row, b.row))
    }

    public func contains(column: Int, row: Int) -> Bool {
        column >= firstColumn && column <= lastColumn && row >= firstRow && row <= lastRow
    }

    public var description: String {
        let a = CellReference.name(column: firstColumn, row: firstRow)
        if firstColumn == lastColumn && firstRow == lastRow { return a }
        return a + ":" + CellReference.name(column: lastColumn, row: lastRow)
    }
}
