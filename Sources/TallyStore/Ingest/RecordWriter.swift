import TallyCore
import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Writes validated rows of one record kind into the store, telling new records from
/// repeated and conflicting ones by key.
///
/// One prepared `INSERT … ON CONFLICT DO NOTHING` is reused for every row; values are bound
/// straight from the CSV reader's buffer, and enum and set values from C strings made once.
final class RecordWriter {
    enum Outcome {
        case inserted
        /// The key exists with the same content.
        case duplicate
        /// The key exists with other content: where it was loaded from.
        case conflict(path: String, line: Int)
    }

    let schema: RecordSchema
    let insert: Statement
    let lookup: Statement
    let enumStrings: [[UnsafeMutablePointer<CChar>]]
    var setStrings: [Int64: UnsafeMutablePointer<CChar>] = [:]
    let provenanceIndex: Int32
    let codes: [KindCode]
    let setValues: [[String]]

    init(db: Database, schema: RecordSchema) throws {
        self.schema = schema
        let names = StoreSchema.columns(of: schema).map(\.name) + ["file_id", "line", "row_hash"]
        let table = schema.kind.rawValue
        insert = try db.prepare("""
            INSERT INTO \(table) (\(names.joined(separator: ", ")))
            VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))
            ON CONFLICT (\(schema.key)) DO NOTHING
            """)
        lookup = try db.prepare("""
            SELECT t.row_hash, f.path, t.line FROM \(table) t JOIN files f ON f.id = t.file_id
            WHERE t.\(schema.key) = ?
            """)
        enumStrings = schema.columns.map { c in
            if case .enumeration(let values) = c.kind { return values.map { strdup($0)! } }
            return []
        }
        provenanceIndex = Int32(names.count - 2)
        codes = schema.columns.map(\.kind.code)
        setValues = schema.columns.map { c in if case .set(let v) = c.kind { return v }; return [] }
    }

    deinit {
        for list in enumStrings { for p in list { free(p) } }
        for p in setStrings.values { free(p) }
    }

    /// Inserts `row` unless its key is already there.
    func write(_ row: ValidatedRow, fileID: Int64, line: Int, db: Database) throws -> Outcome {
        var hash = FNV1a()
        var p: Int32 = 1
        for c in 0..<codes.count {
            let code = codes[c]
            if row.isNull[c] {
                insert.bindNull(p)
                if code == .timestamp { insert.bindNull(p + 1) }
                hash.mixNull()
            } else {
                switch code {
                case .string, .date:
                    insert.bindText(row.text[c], p)
                    hash.mix(row.text[c])
                case .timestamp:
                    insert.bindInt(row.ints[c], p)
                    insert.bindText(row.text[c], p + 1)
                    hash.mix(row.ints[c])
                case .bool, .int:
                    insert.bindInt(row.ints[c], p)
                    hash.mix(row.ints[c])
                case .enumeration:
                    insert.bindStatic(enumStrings[c][Int(row.ints[c])], p)
                    hash.mix(row.ints[c])
                case .set:
                    insert.bindStatic(setString(mask: row.ints[c], values: setValues[c]), p)
                    hash.mix(row.ints[c])
                }
            }
            p += code == .timestamp ? 2 : 1
        }
        insert.bindInt(fileID, provenanceIndex)
        insert.bindInt(Int64(line), provenanceIndex + 1)
        insert.bindInt(Int64(bitPattern: hash.value), provenanceIndex + 2)
        defer { sqlite3_reset(insert.handle) }
        try insert.step()
        if db.changes == 1 { return .inserted }

        // The key exists: the same content is a duplicate, other content a conflict.
        defer { lookup.reset() }
        lookup.bindText(row.text[schema.keyIndex], 1)
        guard try lookup.step() else { return .inserted }
        if lookup.int(0) == Int64(bitPattern: hash.value) { return .duplicate }
        return .conflict(path: lookup.text(1) ?? "?", line: Int(lookup.int(2)))
    }

    /// The canonical text of a set: its members in the contract's order, `;`-separated.
    func setString(mask: Int64, values: [String]) -> UnsafeMutablePointer<CChar> {
        if let p = setStrings[mask] { return p }
        let text = values.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element).joined(separator: ";")
        let p = strdup(text)!
        setStrings[mask] = p
        return p
    }
}

/// 64-bit FNV-1a over typed values; a content fingerprint, not a security hash.
struct FNV1a {
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
    @inline(__always) mutating func mixNull() { byte(0xFF); byte(0x1D) }
}
