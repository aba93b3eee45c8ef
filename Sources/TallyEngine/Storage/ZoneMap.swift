import Synchronization

/// The minimum and maximum valid value of each block of `blockRows` rows of an integer-like
/// column (int64, timestamp, date): what a range condition on the column needs to skip the
/// blocks that cannot hold a matching row without testing their rows. Made in one pass the
/// first time a query asks (`Table.zoneMap`) and kept with the column for the rest of the
/// process, so that the month a report asks for costs the blocks that month lies in, and the
/// latest time loaded costs a look at each block's maximum.
public struct ZoneMap: Sendable {
    /// Rows per block of the zone maps made from now on (in this task): a multiple of 64, so
    /// a block starts on a validity word and a slice of blocks shares the column's memory
    /// (`Table.slice`). Task-local so that a test can use small blocks on small tables.
    @TaskLocal public static var defaultBlockRows = 1 << 16
    /// Most rows per range `Table.rowRanges` gives by default: a slice's derived columns and
    /// masks stay this small (a few MB) whatever the table's size.
    @TaskLocal public static var sliceRows = 1 << 21

    /// Rows per block of this map.
    public let blockRows: Int
    public let rowCount: Int
    /// Per block, the smallest and largest valid value; a block without a valid value has
    /// `minima[b] > maxima[b]` (Int64.max, Int64.min).
    public let minima: [Int64]
    public let maxima: [Int64]

    public var blockCount: Int { minima.count }

    /// Rows of block `b`.
    public func rows(ofBlock b: Int) -> Range<Int> {
        b * blockRows..<Swift.min(rowCount, (b + 1) * blockRows)
    }

    /// Whether block `b` may hold a valid value in `lo...hi`.
    @inline(__always)
    public func mayHold(block b: Int, _ lo: Int64, _ hi: Int64) -> Bool {
        minima[b] <= maxima[b] && maxima[b] >= lo && minima[b] <= hi
    }

    /// The largest valid value of the column (nil: every row null), from the blocks' maxima.
    public var maximum: Int64? {
        var best: Int64?
        for b in 0..<blockCount where minima[b] <= maxima[b] { best = Swift.max(best ?? maxima[b], maxima[b]) }
        return best
    }

    /// The row ranges of the blocks that may hold a value in `lo...hi`, adjacent blocks
    /// joined, each at most `maxRows` rows (rounded down to whole blocks, at least one) and
    /// starting on a block boundary.
    public func candidateRanges(_ lo: Int64, _ hi: Int64, maxRows: Int = ZoneMap.sliceRows) -> [Range<Int>] {
        let perRange = Swift.max(1, maxRows / blockRows)
        var out: [Range<Int>] = []
        var start = -1, blocks = 0
        func close(_ end: Int) {
            if start >= 0 { out.append(rows(ofBlock: start).lowerBound..<rows(ofBlock: end - 1).upperBound) }
            start = -1
            blocks = 0
        }
        for b in 0..<blockCount {
            if mayHold(block: b, lo, hi) {
                if start < 0 { start = b }
                blocks += 1
                if blocks == perRange { close(b + 1) }
            } else {
                close(b)
            }
        }
        close(blockCount)
        return out
    }

    /// One pass over `column` (int64, timestamp or date), blocks shared among the cores.
    init(_ column: Column) {
        let blockRows = Self.defaultBlockRows
        precondition(blockRows > 0 && blockRows % 64 == 0, "zone map blocks are a multiple of 64 rows")
        let n = column.count
        let blocks = (n + blockRows - 1) / blockRows
        var lows = [Int64](repeating: .max, count: blocks)
        var highs = [Int64](repeating: .min, count: blocks)
        let validity = column.nullCount == 0 ? nil : column.validity
        lows.withUnsafeMutableBufferPointer { lo in
            highs.withUnsafeMutableBufferPointer { hi in
                func scan<T: BinaryInteger>(_ v: UnsafeBufferPointer<T>) {
                    Parallel.run(Parallel.chunks(blocks)) { _, range in
                        for b in range {
                            var a = Int64.max, z = Int64.min
                            let rows = b * blockRows..<Swift.min(n, (b + 1) * blockRows)
                            if let validity {
                                for i in rows where validity.isValid(i) {
                                    let x = Int64(v[i])
                                    a = Swift.min(a, x)
                                    z = Swift.max(z, x)
                                }
                            } else {
                                for i in rows {
                                    let x = Int64(v[i])
                                    a = Swift.min(a, x)
                                    z = Swift.max(z, x)
                                }
                            }
                            lo[b] = a
                            hi[b] = z
                        }
                    }
                }
                // Blocks, not rows, are what is split: ask for every core whenever the column
                // is large enough that its rows would be.
                Parallel.$threshold.withValue(Parallel.threshold / blockRows) {
                    switch column.type {
                    case .int64, .timestamp: scan(column.int64s)
                    case .date: scan(column.int32s)
                    default: preconditionFailure("a zone map needs an int64, timestamp or date column")
                    }
                }
            }
        }
        self.blockRows = blockRows
        rowCount = n
        minima = lows
        maxima = highs
    }
}

/// What is worked out once about a column and kept with it (shared by the copies of a
/// `Column`, which is a value): its zone map.
final class ColumnMemo: Sendable {
    let zoneMap = Mutex<ZoneMap?>(nil)
    /// The smallest and largest valid value, when known without a scan (a slice of a
    /// column whose zone map was made: its blocks' bounds).
    let validBounds: (Int64, Int64)?
    init(validBounds: (Int64, Int64)? = nil) { self.validBounds = validBounds }
}

extension Column {
    /// The column's zone map, made on first use (int64, timestamp or date columns).
    public func zoneMap() throws -> ZoneMap {
        guard type == .int64 || type == .timestamp || type == .date else {
            throw EngineError.typeMismatch(column: "(zone map)", expected: "int64, timestamp or date", found: type)
        }
        return memo.zoneMap.withLock { cached in
            if let z = cached { return z }
            let z = withExtendedLifetime(data) { ZoneMap(self) }
            cached = z
            return z
        }
    }

    /// Rows `rows` as a column sharing this one's memory (no copy). `rows` must start on a
    /// multiple of 64, where a validity word starts.
    public func slice(_ rows: Range<Int>) -> Column {
        precondition(rows.lowerBound % 64 == 0 && rows.upperBound <= count, "a slice starts on a multiple of 64 rows")
        let bits = validity.map { v in
            Bitmap(words: Buffer<UInt64>(storage: v.words.storage, offset: v.words.offset + (rows.lowerBound >> 6) * 8,
                                         count: Bitmap.wordCount(rows.count)),
                   count: rows.count)
        }
        // The slice's bounds from the blocks it covers, when their zone map is at hand: what
        // lets `localDate` convert a month's slice with one offset without a scan for them.
        var bounds: (Int64, Int64)?
        if let z = memo.zoneMap.withLock({ $0 }), rows.lowerBound % z.blockRows == 0, !rows.isEmpty {
            var lo = Int64.max, hi = Int64.min
            for b in rows.lowerBound / z.blockRows..<(rows.upperBound + z.blockRows - 1) / z.blockRows {
                lo = Swift.min(lo, z.minima[b])
                hi = Swift.max(hi, z.maxima[b])
            }
            if lo <= hi { bounds = (lo, hi) }
        }
        return Column(type: type, count: rows.count, data: data, dataOffset: dataOffset + rows.lowerBound * type.width,
                      validity: bits, dictionary: dictionary, memo: ColumnMemo(validBounds: bounds))
    }

    /// The columns one after another, as one new column. All have `template`'s type and, for
    /// strings, its dictionary (e.g. pieces taken from slices of one column).
    public static func concatenate(_ parts: [Column], like template: Column) -> Column {
        let n = parts.reduce(0) { $0 + $1.count }
        let w = template.type.width
        precondition(parts.allSatisfy { $0.type == template.type && $0.dictionary === template.dictionary },
                     "concatenated columns share a type and dictionary")
        let storage = Storage(byteCount: max(n * w, 1))
        let anyNull = parts.contains { $0.nullCount > 0 }
        let words = anyNull ? Buffer<UInt64>(zeroed: max(Bitmap.wordCount(n), 1)) : nil
        var at = 0
        for p in parts {
            withExtendedLifetime(p.data) {
                (storage.base + at * w).copyMemory(from: p.data.base + p.dataOffset, byteCount: p.count * w)
            }
            if let words {
                let out = words.mutablePointer
                for i in 0..<p.count where p.isValid(i) { out[(at + i) >> 6] |= 1 << UInt64((at + i) & 63) }
            }
            at += p.count
        }
        return Column(type: template.type, count: n, data: storage,
                      validity: words.map { Bitmap(words: $0, count: n) }, dictionary: template.dictionary)
    }
}

extension Table {
    /// The zone map of column `name` (int64, timestamp or date), made on first use.
    public func zoneMap(_ name: String) throws -> ZoneMap {
        let c = try column(name)
        guard c.type == .int64 || c.type == .timestamp || c.type == .date else {
            throw EngineError.typeMismatch(column: name, expected: "int64, timestamp or date", found: c.type)
        }
        return try c.zoneMap()
    }

    /// Rows `rows` of every column, sharing the table's memory. `rows` starts on a multiple
    /// of 64 (block boundaries of `ZoneMap.candidateRanges` do).
    public func slice(_ rows: Range<Int>) -> Table {
        Table(Array(zip(names, columns.map { $0.slice(rows) })))
    }

    /// The largest valid value of an int64, timestamp or date column (nil: all null), from
    /// its zone map.
    public func maximum(_ name: String) throws -> Int64? { try zoneMap(name).maximum }

    /// Row ranges, each at most `maxRows` rows (whole blocks), that together hold every row
    /// whose `name` lies in `lo...hi`; blocks the zone map rules out are left out. The ranges
    /// may hold other rows too: the caller still applies its condition.
    public func rowRanges(where name: String, from lo: Int64, through hi: Int64, maxRows: Int = ZoneMap.sliceRows) throws -> [Range<Int>] {
        try zoneMap(name).candidateRanges(lo, hi, maxRows: maxRows)
    }

    /// Exactly the rows whose `name` (int64, timestamp or date) is valid and within
    /// `lo...hi`, as `filter` of `name >= lo AND name <= hi` gives them; only the blocks the
    /// zone map leaves are tested.
    public func selection(where name: String, from lo: Int64, through hi: Int64) throws -> Selection {
        let c = try column(name)
        let z = try zoneMap(name)
        var out: [UInt32] = []
        let validity = c.nullCount == 0 ? nil : c.validity
        func scan<T: BinaryInteger>(_ v: UnsafeBufferPointer<T>) {
            for b in 0..<z.blockCount where z.mayHold(block: b, lo, hi) {
                let rows = z.rows(ofBlock: b)
                if z.minima[b] >= lo && z.maxima[b] <= hi && validity == nil {
                    out.append(contentsOf: rows.lazy.map { UInt32($0) })
                    continue
                }
                for i in rows {
                    let x = Int64(v[i])
                    if x >= lo && x <= hi && (validity?.isValid(i) ?? true) { out.append(UInt32(i)) }
                }
            }
        }
        withExtendedLifetime(c.data) {
            if c.type == .date { scan(c.int32s) } else { scan(c.int64s) }
        }
        return Selection(indices: out, count: out.count)
    }
}
