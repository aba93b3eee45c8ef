/// What a cell held, besides its text.
public enum CellKind: UInt8, Sendable {
    /// A shared, inline or formula string.
    case string
    /// A number, as its shortest exact decimal text.
    case number
    /// A number shown as a date or time, as ISO 8601 local text.
    case date
    /// `TRUE` or `FALSE`.
    case bool
    /// An error value (`#DIV/0!`, `#N/A`, `#REF!`…), as its text: not a value.
    case error
    /// A formula whose value was never computed (the file has none cached): empty text.
    case uncomputed
}

/// One row of a sheet as read: its number and its cells in column order (only the cells the
/// sheet holds; a missing cell is empty). Reused from row to row: valid only inside the call
/// it is passed to; copy what you keep.
public final class SheetRow {
    /// The row's 1-based number in the sheet (`17` for cells `A17`, `B17`…).
    public internal(set) var number = 0
    public internal(set) var count = 0
    var columns: UnsafeMutablePointer<Int32>
    var kinds: UnsafeMutablePointer<CellKind>
    var starts: UnsafeMutablePointer<Int32>
    var ends: UnsafeMutablePointer<Int32>
    var cellCapacity = 64
    var buffer: UnsafeMutablePointer<UInt8>
    var used = 0
    var capacity = 1 << 12
    /// Whether a cell came before one of a lower column (the sheet wrote cells out of order).
    var unordered = false

    init() {
        columns = .allocate(capacity: cellCapacity)
        kinds = .allocate(capacity: cellCapacity)
        starts = .allocate(capacity: cellCapacity)
        ends = .allocate(capacity: cellCapacity)
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        columns.deallocate()
        kinds.deallocate()
        starts.deallocate()
        ends.deallocate()
        buffer.deallocate()
    }

    /// 0-based column of cell `k`.
    @inline(__always) public func column(_ k: Int) -> Int { Int(columns[k]) }
    @inline(__always) public func kind(_ k: Int) -> CellKind { kinds[k] }
    /// Text of cell `k` (UTF-8).
    @inline(__always)
    public func text(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: buffer + Int(starts[k]), count: Int(ends[k] - starts[k]))
    }
    public func string(_ k: Int) -> String { String(decoding: text(k), as: UTF8.self) }

    /// All cells' text, back to back: every `text(k)` lies inside it.
    @inline(__always)
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: buffer, count: used) }

    /// Whether no cell holds text or an error (a row of empty, formatted cells).
    public var isBlank: Bool {
        for k in 0..<count where ends[k] > starts[k] || kinds[k] == .error || kinds[k] == .uncomputed { return false }
        return true
    }

    /// The cell index of column `c`, if the row holds it (binary search: cells are in order).
    public func index(ofColumn c: Int) -> Int? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = Int(columns[mid])
            if m == c { return mid }
            if m < c { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// The row's texts by column from `first` for `width` columns, empty where no cell is.
    public func strings(from first: Int = 0, width: Int? = nil) -> [String] {
        let w = width ?? (count == 0 ? 0 : Int(columns[count - 1]) + 1 - first)
        var out = [String](repeating: "", count: max(0, w))
        for k in 0..<count {
            let c = Int(columns[k]) - first
            if c >= 0 && c < out.count { out[c] = string(k) }
        }
        return out
    }

    func reset(number: Int) {
        self.number = number
        count = 0
        used = 0
        unordered = false
    }

    @inline(__always)
    func append(column: Int, kind: CellKind, _ text: UnsafeBufferPointer<UInt8>) {
        if count == cellCapacity { growCells() }
        if used + text.count > capacity { growBuffer(used + text.count) }
        if count > 0 && Int(columns[count - 1]) >= column { unordered = true }
        columns[count] = Int32(column)
        kinds[count] = kind
        starts[count] = Int32(used)
        if let base = text.baseAddress, text.count > 0 { (buffer + used).update(from: base, count: text.count) }
        used += text.count
        ends[count] = Int32(used)
        count += 1
    }

    func append(column: Int, kind: CellKind, _ text: String) {
        var t = text
        t.withUTF8 { append(column: column, kind: kind, $0) }
    }

    /// Puts cells written out of order into column order (a later cell of the same column wins).
    func sortCells() {
        var order = Array(0..<count)
        order.sort { (columns[$0], $0) < (columns[$1], $1) }
        var kept: [Int] = []
        for k in order {
            if let last = kept.last, columns[last] == columns[k] { kept[kept.count - 1] = k } else { kept.append(k) }
        }
        let cols = kept.map { columns[$0] }, ks = kept.map { kinds[$0] }
        let ss = kept.map { starts[$0] }, es = kept.map { ends[$0] }
        for (i, _) in kept.enumerated() {
            columns[i] = cols[i]; kinds[i] = ks[i]; starts[i] = ss[i]; ends[i] = es[i]
        }
        count = kept.count
        unordered = false
    }

    private func growCells() {
        let c = cellCapacity * 2
        func grow<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let q = UnsafeMutablePointer<T>.allocate(capacity: c)
            q.moveInitialize(from: p, count: count)
            p.deallocate()
            return q
        }
        columns = grow(columns)
        kinds = grow(kinds)
        starts = grow(starts)
        ends = grow(ends)
        cellCapacity = c
    }

    private func growBuffer(_ needed: Int) {
        var c = capacity
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: buffer, count: used)
        buffer.deallocate()
        buffer = b
        capacity = c
    }
}
