import TallyCore

/// Parsed and validated rows on their way from the parsing thread to the writing thread,
/// in flat buffers allocated once and reused batch after batch (no allocation per row).
///
/// The parsing thread also computes each row's content fingerprint (`hashes`), so that the
/// writing thread, which is the slower half of an ingest, only binds and inserts.
final class RowBatch: @unchecked Sendable {
    static let capacity = 4096

    let columns: Int
    let codes: [KindCode]
    private(set) var count = 0
    /// Line of each row's first line in the file.
    let lines: UnsafeMutablePointer<Int>
    /// -1 for a valid row, else the index of its problem in `problems`.
    let problemIndex: UnsafeMutablePointer<Int32>
    /// Fingerprint of each valid row's normalised content (see `RowHash`).
    let hashes: UnsafeMutablePointer<UInt64>
    private(set) var problems: [(column: String?, value: String, reason: String, cell: String?)] = []
    // Valid rows' typed slots, `columns` per row.
    let isNull: UnsafeMutablePointer<Bool>
    let ints: UnsafeMutablePointer<Int64>
    let textStart: UnsafeMutablePointer<Int32>
    let textLength: UnsafeMutablePointer<Int32>
    /// Text of all rows, back to back.
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var bytesUsed = 0
    private var bytesCapacity: Int

    /// Bytes of text after which a batch counts as full even with fewer rows.
    static let textLimit = 1 << 22

    /// Per column, the allowed values of an enum or set column as UTF-8 (empty otherwise):
    /// the fingerprint mixes a value's text, never its position in the contract's list.
    let valueNames: [[[UInt8]]]

    init(schema: RecordSchema) {
        columns = schema.columns.count
        codes = schema.columns.map(\.kind.code)
        valueNames = schema.columns.map { c in
            switch c.kind {
            case .enumeration(let values), .set(let values): return values.map { Array($0.utf8) }
            default: return []
            }
        }
        let slots = Self.capacity * columns
        lines = .allocate(capacity: Self.capacity)
        problemIndex = .allocate(capacity: Self.capacity)
        hashes = .allocate(capacity: Self.capacity)
        isNull = .allocate(capacity: slots)
        ints = .allocate(capacity: slots)
        textStart = .allocate(capacity: slots)
        textLength = .allocate(capacity: slots)
        bytesCapacity = Self.capacity * 128
        bytes = .allocate(capacity: bytesCapacity)
    }

    deinit {
        lines.deallocate()
        problemIndex.deallocate()
        hashes.deallocate()
        isNull.deallocate()
        ints.deallocate()
        textStart.deallocate()
        textLength.deallocate()
        bytes.deallocate()
    }

    var isFull: Bool { count >= Self.capacity || bytesUsed >= Self.textLimit }

    func reset() {
        count = 0
        bytesUsed = 0
        problems.removeAll(keepingCapacity: true)
    }

    /// Copies a valid row and fingerprints it. `rowBytes` is the reader's buffer of the row,
    /// which holds all of the row's text: it is copied in one piece.
    func append(_ row: ValidatedRow, line: Int, rowBytes: UnsafeBufferPointer<UInt8>) {
        if bytesUsed + rowBytes.count > bytesCapacity { growBytes(bytesUsed + rowBytes.count) }
        let base = bytesUsed
        if let src = rowBytes.baseAddress, rowBytes.count > 0 {
            (bytes + base).update(from: src, count: rowBytes.count)
        }
        bytesUsed += rowBytes.count
        let o = count * columns
        var hash = RowHash()
        for c in 0..<columns {
            let null = row.isNull[c]
            let value = row.ints[c]
            let t = row.text[c]
            isNull[o + c] = null
            ints[o + c] = value
            if let p = t.baseAddress, let src = rowBytes.baseAddress, t.count > 0 {
                assert(p >= src && p + t.count <= src + rowBytes.count, "field outside its row")
                textStart[o + c] = Int32(truncatingIfNeeded: base + (p - src))
            } else {
                textStart[o + c] = Int32(truncatingIfNeeded: base)
            }
            textLength[o + c] = Int32(truncatingIfNeeded: t.count)
            if null {
                hash.mixNull()
            } else {
                switch codes[c] {
                case .string, .date: hash.mix(t)
                case .enumeration: hash.mix(valueNames[c][Int(value)])
                case .set: hash.mix(set: value, names: valueNames[c])
                default: hash.mix(value)
                }
            }
        }
        lines[count] = line
        problemIndex[count] = -1
        hashes[count] = hash.value
        count += 1
    }

    /// A row not loaded, and why; `cell` places it in a sheet (`C17`), nil for CSV.
    func appendProblem(line: Int, column: String?, value: String, reason: String, cell: String? = nil) {
        let o = count * columns
        for c in 0..<columns {
            isNull[o + c] = true
            ints[o + c] = 0
            textStart[o + c] = Int32(truncatingIfNeeded: bytesUsed)
            textLength[o + c] = 0
        }
        lines[count] = line
        problemIndex[count] = Int32(problems.count)
        hashes[count] = 0
        problems.append((column, value, reason, cell))
        count += 1
    }

    /// Text of column `c` of row `i`.
    @inline(__always)
    func text(_ i: Int, _ c: Int) -> UnsafeBufferPointer<UInt8> {
        let k = i * columns + c
        return UnsafeBufferPointer(start: bytes + Int(textStart[k]), count: Int(textLength[k]))
    }

    private func growBytes(_ needed: Int) {
        var c = bytesCapacity
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: bytes, count: bytesUsed)
        bytes.deallocate()
        bytes = b
        bytesCapacity = c
    }
}

/// 64-bit FNV-1a over a row's normalised values: the content fingerprint stored as
/// `row_hash`, a quick test for a repeated record (when fingerprints differ, the ingest
/// compares the fields themselves, so a fingerprint of another definition — stores written
/// before schema 2 mixed enum positions — costs a comparison, never a wrong answer). Not a
/// security hash.
///
/// Strings and dates count by their text; enums by their canonical (lower-case) text, sets
/// by their members' texts in the contract's order, `;`-separated (never by a value's
/// position in the code); timestamps, integers and booleans by their typed value (so `TRUE`
/// and `yes`, or one instant written in two offsets, are the same content); null has a
/// marker of its own.
struct RowHash {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always) mutating func byte(_ b: UInt8) {
        value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3
    }
    @inline(__always) mutating func mix(_ bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes { byte(b) }
        byte(0x1F)
    }
    @inline(__always) mutating func mix(_ x: Int64) {
        var v = UInt64(bitPattern: x)
        for _ in 0..<8 { byte(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        byte(0x1E)
    }
    @inline(__always) mutating func mix(_ bytes: [UInt8]) {
        for b in bytes { byte(b) }
        byte(0x1F)
    }
    /// A set as its canonical text: members in the contract's order, `;`-separated.
    @inline(__always) mutating func mix(set mask: Int64, names: [[UInt8]]) {
        var first = true
        for (i, name) in names.enumerated() where mask & (1 << i) != 0 {
            if !first { byte(UInt8(ascii: ";")) }
            first = false
            for b in name { byte(b) }
        }
        byte(0x1F)
    }
    @inline(__always) mutating func mixNull() { byte(0xFF); byte(0x1D) }
}
