import TallyCore
import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Writes validated rows of one record kind into the store, telling new records from
/// repeated and conflicting ones by key.
///
/// Rows go in groups of `groupSize` through one prepared multi-row
/// `INSERT OR IGNORE … VALUES (…), (…), …` (SQLite's per-statement work is then
/// paid once per group, not once per row); the rest of a batch goes row by row. When a
/// group inserts fewer rows than it has, the rows whose key was already there are looked up
/// one by one to tell duplicates from conflicts. Values are bound straight from the batch's
/// buffers, and enum and set values from C strings made once.
final class RecordWriter {
    enum Outcome {
        case inserted
        /// The key exists with the same content.
        case duplicate
        /// The key exists with other content: where it was loaded from.
        case conflict(path: String, line: Int)
    }

    static let groupSize = 32

    let schema: RecordSchema
    let fileID: Int64
    let insertGroup: Statement
    let insertOne: Statement
    let lookup: Statement
    /// Parameters per row.
    let width: Int32
    let codes: [KindCode]
    /// Enum values as C strings, all columns' lists back to back; column `c`'s list starts
    /// at `enumStart[c]`. (Flat, so that the per-row loop touches no nested array.)
    let enumStrings: UnsafeMutableBufferPointer<(pointer: UnsafeMutablePointer<CChar>, length: Int32)>
    let enumStart: [Int]
    var setStrings: [Int64: (pointer: UnsafeMutablePointer<CChar>, length: Int32)] = [:]
    let setValues: [[String]]

    init(db: Database, schema: RecordSchema, fileID: Int64) throws {
        self.schema = schema
        self.fileID = fileID
        let names = StoreSchema.columns(of: schema).map(\.name) + ["file_id", "line", "row_hash"]
        width = Int32(names.count)
        let table = schema.kind.rawValue
        let tuple = "(" + Array(repeating: "?", count: names.count).joined(separator: ", ") + ")"
        // `OR IGNORE` rather than `ON CONFLICT (key) DO NOTHING`: no constraint can then
        // abort the statement halfway, so SQLite needs no statement journal for it (which
        // copies the touched pages once per statement). The only constraints besides the key
        // are NOT NULL on required columns, which validation has already ensured; a row
        // skipped for any reason other than its key is caught in `resolve`.
        func insert(rows: Int) -> String {
            """
            INSERT OR IGNORE INTO \(table) (\(names.joined(separator: ", ")))
            VALUES \(Array(repeating: tuple, count: rows).joined(separator: ", "))
            """
        }
        insertGroup = try db.prepare(insert(rows: Self.groupSize))
        insertOne = try db.prepare(insert(rows: 1))
        lookup = try db.prepare("""
            SELECT t.row_hash, t.file_id, f.path, t.line FROM \(table) t JOIN files f ON f.id = t.file_id
            WHERE t.\(schema.key) = ?
            """)
        var strings: [(pointer: UnsafeMutablePointer<CChar>, length: Int32)] = []
        var starts: [Int] = []
        for c in schema.columns {
            starts.append(strings.count)
            if case .enumeration(let values) = c.kind {
                strings += values.map { (strdup($0)!, Int32($0.utf8.count)) }
            }
        }
        enumStrings = .allocate(capacity: strings.count)
        _ = enumStrings.initialize(from: strings)
        enumStart = starts
        codes = schema.columns.map(\.kind.code)
        setValues = schema.columns.map { c in if case .set(let v) = c.kind { return v }; return [] }
    }

    deinit {
        for p in enumStrings { free(p.pointer) }
        enumStrings.deallocate()
        for p in setStrings.values { free(p.pointer) }
    }

    /// Inserts the valid rows `rows` (indices into `batch`, in file order) and reports each
    /// row's outcome, in order, to `outcome`.
    func write(_ batch: RowBatch, rows: UnsafeBufferPointer<Int>, db: Database,
               outcome: (Int, Outcome) throws -> Void) throws {
        var start = 0
        while rows.count - start >= Self.groupSize {
            let group = UnsafeBufferPointer(rebasing: rows[start..<(start + Self.groupSize)])
            for (k, i) in group.enumerated() { bind(batch, i, insertGroup, base: Int32(k) * width) }
            defer { sqlite3_reset(insertGroup.handle) }
            try insertGroup.step()
            if db.changes == group.count {
                for i in group { try outcome(i, .inserted) }
            } else {
                for i in group { try outcome(i, try resolve(batch, i)) }
            }
            start += Self.groupSize
        }
        for i in rows[start...] {
            bind(batch, i, insertOne, base: 0)
            defer { sqlite3_reset(insertOne.handle) }
            try insertOne.step()
            try outcome(i, db.changes == 1 ? .inserted : try resolve(batch, i))
        }
    }

    /// Binds row `i` of `batch` to parameters `base + 1 …` of `statement`.
    @inline(__always)
    func bind(_ batch: RowBatch, _ i: Int, _ statement: Statement, base: Int32) {
        let h = statement.handle
        var p = base + 1
        let o = i * batch.columns
        for c in 0..<codes.count {
            let code = codes[c]
            if batch.isNull[o + c] {
                sqlite3_bind_null(h, p)
                if code == .timestamp { sqlite3_bind_null(h, p + 1) }
            } else {
                switch code {
                case .string, .date:
                    statement.bindText(batch.text(i, c), p)
                case .timestamp:
                    sqlite3_bind_int64(h, p, batch.ints[o + c])
                    statement.bindText(batch.text(i, c), p + 1)
                case .bool, .int:
                    sqlite3_bind_int64(h, p, batch.ints[o + c])
                case .enumeration:
                    let s = enumStrings[enumStart[c] + Int(batch.ints[o + c])]
                    sqlite3_bind_text(h, p, s.pointer, s.length, nil)
                case .set:
                    let s = setString(mask: batch.ints[o + c], values: setValues[c])
                    sqlite3_bind_text(h, p, s.pointer, s.length, nil)
                }
            }
            p += code == .timestamp ? 2 : 1
        }
        sqlite3_bind_int64(h, p, fileID)
        sqlite3_bind_int64(h, p + 1, Int64(batch.lines[i]))
        sqlite3_bind_int64(h, p + 2, Int64(bitPattern: batch.hashes[i]))
    }

    /// After an insert that skipped some rows: what happened to row `i`. The row is in the
    /// table when its key now points at this file and line; otherwise the key was there
    /// before, with the same content (a duplicate) or other content (a conflict).
    func resolve(_ batch: RowBatch, _ i: Int) throws -> Outcome {
        defer { lookup.reset() }
        lookup.bindText(batch.text(i, schema.keyIndex), 1)
        guard try lookup.step() else { throw NotStored(line: batch.lines[i]) }
        if lookup.int(1) == fileID && lookup.int(3) == Int64(batch.lines[i]) { return .inserted }
        if lookup.int(0) == Int64(bitPattern: batch.hashes[i]) { return .duplicate }
        return .conflict(path: lookup.text(2) ?? "?", line: Int(lookup.int(3)))
    }

    /// A valid row that the insert skipped although its key is not in the table: a bug, never
    /// to be passed over in silence.
    struct NotStored: Error, CustomStringConvertible {
        let line: Int
        var description: String { "internal error: the row on line \(line) was not stored (please report this)" }
    }

    /// The canonical text of a set: its members in the contract's order, `;`-separated.
    func setString(mask: Int64, values: [String]) -> (pointer: UnsafeMutablePointer<CChar>, length: Int32) {
        if let p = setStrings[mask] { return p }
        let text = values.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element).joined(separator: ";")
        let p = (strdup(text)!, Int32(text.utf8.count))
        setStrings[mask] = p
        return p
    }
}
