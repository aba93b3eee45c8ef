import TallyCore
import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Writes validated rows of one record kind into the store, classifying each by key as
/// revisions.md says: new, duplicate, update, correction, or conflict.
///
/// Rows go in groups of `groupSize` through one prepared multi-row
/// `INSERT OR IGNORE … VALUES (…), (…), …` (SQLite's per-statement work is then
/// paid once per group, not once per row); the rest of a batch goes row by row. When a
/// group inserts fewer rows than it has, the rows whose key was already there are looked up
/// one by one and compared with the key's current version: the same content is a duplicate;
/// content that only fills empty fields, adds to a set or resolves a pending takedown is an
/// update; anything else a correction, written only when the load is a revision (else a
/// conflict). An accepted update or correction moves the current version, unchanged, into
/// `<kind>_history` (superseded by this batch) and writes the row as the current version.
/// Values are bound straight from the batch's buffers, and enum and set values from C
/// strings made once.
final class RecordWriter {
    enum Outcome {
        case inserted
        /// The key exists with the same content.
        case duplicate
        /// Written as a new version: fields that were empty filled, items added to a set, a
        /// pending takedown resolved.
        case updated(fields: [String])
        /// Written as a new version under `--revise`: any other change.
        case corrected(fields: [String])
        /// A correction in a load that is not a revision: not written. Where the current
        /// version came from, and the fields that differ.
        /// `sheet`: the sheet of the workbook the stored version came from (`line` is then its row).
        case conflict(path: String, line: Int, fields: [String], sheet: String?)
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

    /// Whether corrections are written (`tally ingest --revise`).
    let revise: Bool
    let batchID: Int64
    /// The current version's stored columns, for comparison.
    let storedColumns: [(name: String, type: String)]
    let moveToHistory: Statement
    let deleteCurrent: Statement
    let markChange: Statement

    /// The index of the platform column (takedowns' `platform`, decisions' `platform_name`), whose canonical name (by `platforms`) is written
    /// in its column and the name as written in `platform_text` (the last parameter of a row).
    let platformColumn: Int?
    let platforms: PlatformNames
    /// Where the current version that the last update or correction replaced came from (its
    /// file and line, which name it in the column segments' tombstones).
    private(set) var superseded: (file: Int64, line: Int) = (0, 0)

    init(db: Database, schema: RecordSchema, fileID: Int64, batchID: Int64, revise: Bool,
         platforms: PlatformRegistry? = nil) throws {
        self.schema = schema
        self.fileID = fileID
        self.batchID = batchID
        self.revise = revise
        self.platforms = PlatformNames(registry: platforms)
        platformColumn = schema.platformColumn.flatMap { schema.index(of: $0) }
        storedColumns = StoreSchema.columns(of: schema)
        let names = StoreSchema.columns(of: schema).map(\.name) + ["file_id", "line", "row_hash"]
            + StoreSchema.extraColumns(of: schema.kind)
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
        let stored = StoreSchema.columns(of: schema).map { "t." + $0.name }.joined(separator: ", ")
        lookup = try db.prepare("""
            SELECT t.row_hash, t.file_id, f.path, t.line, \(stored), f.sheet FROM \(table) t JOIN files f ON f.id = t.file_id
            WHERE t.\(schema.key) = ?
            """)
        let history = StoreSchema.columns(of: schema).map(\.name) + ["file_id", "line", "row_hash", "change", "changed_fields"]
            + StoreSchema.extraColumns(of: schema.kind)
        moveToHistory = try db.prepare("""
            INSERT INTO \(table)_history (\(history.joined(separator: ", ")), valid_from, superseded_in, superseded_as)
            SELECT \(history.map { "t." + $0 }.joined(separator: ", ")),
                   coalesce(t.valid_from, (SELECT f.batch_id FROM files f WHERE f.id = t.file_id)), ?, ?
            FROM \(table) t WHERE t.\(schema.key) = ?
            """)
        deleteCurrent = try db.prepare("DELETE FROM \(table) WHERE \(schema.key) = ?")
        markChange = try db.prepare("UPDATE \(table) SET change = ?, changed_fields = ? WHERE \(schema.key) = ?")
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
        if let pc = platformColumn {
            for i in rows { platforms.take(batch, i, pc) }
        }
        var start = 0
        while rows.count - start >= Self.groupSize {
            let group = UnsafeBufferPointer(rebasing: rows[start..<(start + Self.groupSize)])
            for (k, i) in group.enumerated() { bind(batch, i, insertGroup, base: Int32(k) * width) }
            defer { sqlite3_reset(insertGroup.handle) }
            try insertGroup.step()
            let inserted = db.changes
            sqlite3_reset(insertGroup.handle)
            if inserted == group.count {
                for i in group { try outcome(i, .inserted) }
            } else {
                for i in group { try outcome(i, try resolveAndWrite(batch, i, db: db)) }
            }
            start += Self.groupSize
        }
        for i in rows[start...] {
            bind(batch, i, insertOne, base: 0)
            try insertOne.step()
            let inserted = db.changes == 1
            sqlite3_reset(insertOne.handle)
            try outcome(i, inserted ? .inserted : try resolveAndWrite(batch, i, db: db))
        }
    }

    /// Classifies row `i` whose key was there, and writes it as the new current version when
    /// it is an update, or a correction in a revision.
    func resolveAndWrite(_ batch: RowBatch, _ i: Int, db: Database) throws -> Outcome {
        let result = try resolve(batch, i)
        let change: String
        let fields: [String]
        switch result {
        case .updated(let f): (change, fields) = ("update", f)
        case .corrected(let f): (change, fields) = ("correction", f)
        default: return result
        }
        let key = batch.text(i, schema.keyIndex)
        moveToHistory.reset()
        moveToHistory.bindInt(batchID, 1)
        try moveToHistory.bind(.text(change), at: 2)
        moveToHistory.bindText(key, 3)
        try moveToHistory.step()
        deleteCurrent.reset()
        deleteCurrent.bindText(key, 1)
        try deleteCurrent.step()
        bind(batch, i, insertOne, base: 0)
        try insertOne.step()
        guard db.changes == 1 else { sqlite3_reset(insertOne.handle); throw NotStored(line: batch.lines[i]) }
        sqlite3_reset(insertOne.handle)
        markChange.reset()
        try markChange.bind([.text(change), .text(fields.joined(separator: ",")), .text(String(decoding: key, as: UTF8.self))])
        try markChange.step()
        return result
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
                case .string where c == platformColumn:
                    let name = platforms.canonical(batch, i)
                    sqlite3_bind_text(h, p, name.pointer, name.length, nil)
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
                case .jsonSet:
                    let s = batch.jsonSets!.text(batch.ints[o + c])
                    sqlite3_bind_text(h, p, s.pointer, s.length, nil)
                }
            }
            p += code == .timestamp ? 2 : 1
        }
        sqlite3_bind_int64(h, p, fileID)
        sqlite3_bind_int64(h, p + 1, Int64(batch.lines[i]))
        sqlite3_bind_int64(h, p + 2, Int64(bitPattern: batch.hashes[i]))
        if let pc = platformColumn { statement.bindText(batch.text(i, pc), p + 3) }
    }

    /// After an insert that skipped some rows: what row `i` is. The row is in the table when
    /// its key now points at this file and line; otherwise the key was there before, and the
    /// row is compared with that current version.
    func resolve(_ batch: RowBatch, _ i: Int) throws -> Outcome {
        defer { lookup.reset() }
        lookup.bindText(batch.text(i, schema.keyIndex), 1)
        guard try lookup.step() else { throw NotStored(line: batch.lines[i]) }
        if lookup.int(1) == fileID && lookup.int(3) == Int64(batch.lines[i]) { return .inserted }
        if lookup.int(0) == Int64(bitPattern: batch.hashes[i]) { return .duplicate }
        superseded = (lookup.int(1), Int(lookup.int(3)))
        // The fingerprints differ: compare field by field (a fingerprint of an older
        // definition differs for the same content).
        var filled: [String] = [], changed: [String] = []
        var p = 4  // first stored column in the lookup
        let o = i * batch.columns
        let h = lookup.handle
        for (c, column) in schema.columns.enumerated() {
            let code = codes[c]
            let storedNull = sqlite3_column_type(h, Int32(p)) == SQLITE_NULL
            let newNull = batch.isNull[o + c]
            defer { p += code == .timestamp ? 2 : 1 }
            if storedNull && newNull { continue }
            if storedNull { filled.append(column.name); continue }
            if newNull { changed.append(column.name); continue }
            var same: Bool
            var isUpdate = false
            switch code {
            case .string where c == platformColumn:
                // Two spellings of one platform are the same value.
                let name = platforms.canonical(batch, i)
                same = Self.equal(h, p, UnsafeBufferPointer(start: UnsafeRawPointer(name.pointer).assumingMemoryBound(to: UInt8.self),
                                                            count: Int(name.length)))
                    || platforms.registry?.canonical(for: Self.text(h, p)) == String(cString: name.pointer)
            case .string, .date:
                same = Self.equal(h, p, batch.text(i, c))
            case .timestamp, .bool, .int:
                same = sqlite3_column_int64(h, Int32(p)) == batch.ints[o + c]
            case .enumeration:
                let s = enumStrings[enumStart[c] + Int(batch.ints[o + c])]
                same = Self.equal(h, p, UnsafeBufferPointer(start: UnsafeRawPointer(s.pointer).assumingMemoryBound(to: UInt8.self),
                                                            count: Int(s.length)))
                // A pending takedown resolved.
                if !same, schema.kind == .takedowns, column.name == "outcome", Self.text(h, p) == "pending" { isUpdate = true }
            case .set:
                let old = Set(Self.text(h, p).split(separator: ";").map(String.init))
                let new = Set(setValues[c].enumerated().filter { batch.ints[o + c] & (1 << $0.offset) != 0 }.map(\.element))
                same = old == new
                if !same && new.isSuperset(of: old) { isUpdate = true }
            case .jsonSet:
                let s = batch.jsonSets!.text(batch.ints[o + c])
                same = Self.equal(h, p, UnsafeBufferPointer(start: UnsafeRawPointer(s.pointer).assumingMemoryBound(to: UInt8.self),
                                                            count: Int(s.length)))
                // Items added to the set: an update, as for `;`-separated sets.
                if !same, let old = JSONSets.stringArray(Self.text(h, p)),
                   Set(batch.jsonSets!.members(batch.ints[o + c])).isSuperset(of: old) { isUpdate = true }
            }
            if same { continue }
            if isUpdate { filled.append(column.name) } else { changed.append(column.name) }
        }
        if filled.isEmpty && changed.isEmpty { return .duplicate }
        if changed.isEmpty { return .updated(fields: filled) }
        if revise { return .corrected(fields: filled + changed) }
        return .conflict(path: lookup.text(2) ?? "?", line: Int(lookup.int(3)), fields: changed + filled,
                         sheet: lookup.text(4 + storedColumns.count))
    }

    static func equal(_ h: OpaquePointer, _ column: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = Int(sqlite3_column_bytes(h, Int32(column)))
        guard n == bytes.count else { return false }
        guard n > 0, let p = sqlite3_column_text(h, Int32(column)), let q = bytes.baseAddress else { return true }
        return memcmp(p, q, n) == 0
    }

    static func text(_ h: OpaquePointer, _ column: Int) -> String {
        sqlite3_column_text(h, Int32(column)).map { String(cString: $0) } ?? ""
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

/// The platform names of one file's takedowns: each distinct name as written, its canonical
/// name (the name itself when it is not registered, or when there is no registry) and how
/// many valid rows had it. Rows are looked up by their bytes; the names are few, so most
/// lookups are a short scan, without allocating.
final class PlatformNames {
    struct Entry {
        var bytes: [UInt8]
        var canonical: (pointer: UnsafeMutablePointer<CChar>, length: Int32)
        var registered: Bool
        var rows = 0
    }

    let registry: PlatformRegistry?
    private(set) var entries: [Entry] = []
    private var byBytes: [[UInt8]: Int] = [:]
    /// Entry of each row of the batch being written (by row index).
    private let rowEntry = UnsafeMutablePointer<Int32>.allocate(capacity: RowBatch.capacity)

    init(registry: PlatformRegistry?) { self.registry = registry }

    deinit {
        for e in entries { free(e.canonical.pointer) }
        rowEntry.deallocate()
    }

    /// Looks up row `i`'s name (column `c`) and counts it; `canonical` then answers for the row.
    func take(_ batch: RowBatch, _ i: Int, _ c: Int) {
        let k = entry(batch.text(i, c))
        entries[k].rows += 1
        rowEntry[i] = Int32(k)
    }

    @inline(__always)
    func canonical(_ batch: RowBatch, _ i: Int) -> (pointer: UnsafeMutablePointer<CChar>, length: Int32) {
        entries[Int(rowEntry[i])].canonical
    }

    func entry(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        for k in 0..<min(entries.count, 32) where entries[k].bytes.count == bytes.count {
            let same = entries[k].bytes.withUnsafeBufferPointer { e in
                bytes.count == 0 || memcmp(e.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            }
            if same { return k }
        }
        let key = Array(bytes)
        if let k = byBytes[key] { return k }
        let text = String(decoding: bytes, as: UTF8.self)
        let canonical = registry?.canonical(for: text)
        let name = canonical ?? text
        entries.append(Entry(bytes: key, canonical: (strdup(name)!, Int32(name.utf8.count)), registered: canonical != nil))
        byBytes[key] = entries.count - 1
        return entries.count - 1
    }

    /// Names not in the registry, with their rows and the registered names they resemble.
    func unregistered() -> [UnregisteredPlatform] {
        guard let registry else { return [] }
        return entries.filter { !$0.registered }.map { e in
            let name = String(decoding: e.bytes, as: UTF8.self)
            return UnregisteredPlatform(name: name, rows: e.rows, resembles: registry.resembling(name))
        }
    }
}
