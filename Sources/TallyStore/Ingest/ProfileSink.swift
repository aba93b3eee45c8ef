import Foundation
import TallyCore
import TallyCSV
import TallyProfiles

/// Rows that a source profile says are not records (above the header, blank, totals, notes):
/// not counted as rows read, but counted here and listed with their lines (the first
/// `maxLines`: a spreadsheet saved as CSV may end in thousands of empty rows).
public struct SkippedRows: Codable, Equatable, Sendable {
    public var reason: String
    public var count: Int
    public var lines: [Int]

    public static let maxLines = 100

    public init(reason: String, lines: [Int], count: Int? = nil) {
        self.reason = reason
        self.lines = Array(lines.prefix(Self.maxLines))
        self.count = count ?? lines.count
    }

    mutating func add(_ line: Int) {
        count += 1
        if lines.count < Self.maxLines { lines.append(line) }
    }
}

/// The per-row work of the parsing thread for a file read through a source profile: each
/// source row becomes a contract row (or a skipped row, or a problem naming the source's
/// column), which is then validated against the contract like any CSV row.
///
/// The contract row's texts are packed into one buffer, as the CSV reader's buffer holds a
/// row's fields, so that `RowBatch` copies them the same way.
final class ProfileSink {
    let binding: ProfileBinding
    let rows: RowSink
    private(set) var skipped: [SkippedRows] = []
    private var packed = PackedRow()
    private var currentFields: [String] = []
    /// For a sheet read through the profile: the cell (`C17`) of a source field at a row.
    var sheetCell: ((_ field: Int?, _ row: Int) -> String?)?

    init(binding: ProfileBinding, rows: RowSink, skippedAbove: [Int]) {
        self.binding = binding
        self.rows = rows
        if !skippedAbove.isEmpty { skipped.append(SkippedRows(reason: "above the header", lines: skippedAbove)) }
    }

    func take(_ csvRow: CSVRow) throws {
        if !rows.precheck(csvRow, fieldCount: false) {
            try take(fields: (0..<csvRow.count).map { csvRow.string($0) }, line: csvRow.line, send: false)
        }
        try rows.sendIfFull()
    }

    /// One source row of strings at `line` (a CSV line; a sheet's row for a spreadsheet reader).
    func take(fields: [String], line: Int, send: Bool = true) throws {
        switch binding.map(fields) {
        case .skip(let reason):
            if let i = skipped.firstIndex(where: { $0.reason == reason }) {
                skipped[i].add(line)
            } else {
                skipped.append(SkippedRows(reason: reason, lines: [line]))
            }
        case let .problem(column, field, value, reason):
            rows.appendProblem(line: line, column: column, value: value, reason: reason, cell: sheetCell?(field, line))
        case .row(let values):
            currentFields = fields
            packed.set(values)
            if let sheetCell {
                // The cell of the source column a contract column was mapped from.
                let binding = self.binding
                packed.withSource { source, bytes in
                    rows.validateAndAppend(source, line: line, rowBytes: bytes, rename: rename,
                                           cell: { column in sheetCell(column.flatMap { binding.field(of: $0) } ?? 0, line) })
                }
            } else {
                packed.withSource { source, bytes in
                    rows.validateAndAppend(source, line: line, rowBytes: bytes, rename: rename)
                }
            }
        }
        if send { try rows.sendIfFull() }
    }

    /// A contract problem told in the source's terms: its column's header and the value as
    /// written there (not the contract text it was mapped to).
    private func rename(_ p: RowProblem) -> RowProblem {
        var out = p
        out.column = binding.sourceName(of: p.column)
        if let i = binding.field(of: p.column), i < currentFields.count {
            out.value = String(currentFields[i].trimmedWhitespace.prefix(RowProblem.maxValueLength))
        }
        if out.column != p.column && !out.reason.contains(p.column) { out.reason += " (\(p.column))" }
        return out
    }
}

/// A contract row's texts back to back in one buffer, read as a `FieldSource`.
struct PackedRow {
    var bytes: [UInt8] = []
    var starts: [Int] = []
    var lengths: [Int] = []

    mutating func set(_ values: [String]) {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        for v in values {
            starts.append(bytes.count)
            bytes.append(contentsOf: v.utf8)
            lengths.append(bytes.count - starts[starts.count - 1])
        }
    }

    func withSource<R>(_ body: (Source, UnsafeBufferPointer<UInt8>) -> R) -> R {
        // One byte more than needed, so that even an all-empty row has a base address.
        var storage = bytes
        storage.append(0)
        return storage.withUnsafeBufferPointer { all in
            let used = UnsafeBufferPointer(rebasing: all[0..<bytes.count])
            return body(Source(base: all.baseAddress!, starts: starts, lengths: lengths), used)
        }
    }

    struct Source: FieldSource {
        let base: UnsafePointer<UInt8>
        let starts: [Int]
        let lengths: [Int]
        var fieldCount: Int { starts.count }
        func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: base + starts[i], count: lengths[i])
        }
    }
}
