import TallyCore

/// Parsed and validated rows on their way from the parsing thread to the writing thread,
/// in flat buffers that are reused batch after batch (no allocation per row).
final class RowBatch: @unchecked Sendable {
    static let capacity = 4096

    let columns: Int
    private(set) var count = 0
    /// Line of each row's first line in the file.
    private(set) var lines: [Int] = []
    /// -1 for a valid row, else the index of its problem in `problems`.
    private(set) var problemIndex: [Int32] = []
    private(set) var problems: [(column: String?, value: String, reason: String)] = []
    // Valid rows' typed slots, `columns` per row.
    private(set) var isNull: [Bool] = []
    private(set) var ints: [Int64] = []
    private(set) var textStart: [Int] = []
    private(set) var textLength: [Int] = []
    private(set) var bytes: [UInt8] = []

    init(columns: Int) {
        self.columns = columns
        lines.reserveCapacity(Self.capacity)
        problemIndex.reserveCapacity(Self.capacity)
        isNull.reserveCapacity(Self.capacity * columns)
        ints.reserveCapacity(Self.capacity * columns)
        textStart.reserveCapacity(Self.capacity * columns)
        textLength.reserveCapacity(Self.capacity * columns)
        bytes.reserveCapacity(Self.capacity * 128)
    }

    var isFull: Bool { count >= Self.capacity || bytes.count >= 1 << 22 }

    func reset() {
        count = 0
        lines.removeAll(keepingCapacity: true)
        problemIndex.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
        isNull.removeAll(keepingCapacity: true)
        ints.removeAll(keepingCapacity: true)
        textStart.removeAll(keepingCapacity: true)
        textLength.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Copies a valid row (its text out of the reader's buffer).
    func append(_ row: ValidatedRow, line: Int) {
        lines.append(line)
        problemIndex.append(-1)
        for c in 0..<columns {
            isNull.append(row.isNull[c])
            ints.append(row.ints[c])
            let t = row.text[c]
            textStart.append(bytes.count)
            textLength.append(t.count)
            if t.count > 0 { bytes.append(contentsOf: t) }
        }
        count += 1
    }

    func appendProblem(line: Int, column: String?, value: String, reason: String) {
        lines.append(line)
        problemIndex.append(Int32(problems.count))
        problems.append((column, value, reason))
        // Keep the per-row slots aligned.
        for _ in 0..<columns {
            isNull.append(true)
            ints.append(0)
            textStart.append(bytes.count)
            textLength.append(0)
        }
        count += 1
    }

    /// Fills `row` with row `i`, its text pointing into `base` (this batch's bytes).
    @inline(__always)
    func load(_ i: Int, into row: inout ValidatedRow, base: UnsafeBufferPointer<UInt8>) {
        let o = i * columns
        for c in 0..<columns {
            row.isNull[c] = isNull[o + c]
            row.ints[c] = ints[o + c]
            row.text[c] = UnsafeBufferPointer(start: base.baseAddress.map { $0 + textStart[o + c] },
                                              count: textLength[o + c])
        }
    }
}
