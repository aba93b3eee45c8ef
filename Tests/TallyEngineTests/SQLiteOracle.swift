import CSQLite
import TallyEngine

/// The reference the differential tests compare the engine with: an in-memory SQLite
/// database holding copies of engine tables, queried with plain SQL.
///
/// A table is stored with one SQL column per engine column, plus `rid`, the 0-based row
/// number (its integer primary key). Engine values map to SQLite values as follows: int64
/// and timestamps (microseconds) are INTEGER, float64 is REAL, bools are INTEGER 0/1,
/// dates are INTEGER day numbers, strings are TEXT, nulls are NULL. Query results come back
/// as `Value`s of the SQL storage classes (`.int`, `.double`, `.string`, `.null`); compare
/// them with engine values through `SQLiteOracle.matches`.
final class SQLiteOracle {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private var db: OpaquePointer?

    init() {
        guard sqlite3_open(":memory:", &db) == SQLITE_OK else {
            fatalError("cannot open an in-memory SQLite database")
        }
    }

    /// A database with `table` loaded as `name`.
    convenience init(_ table: Table, as name: String = "t") throws {
        self.init()
        try load(table, as: name)
    }

    deinit { sqlite3_close(db) }

    static func sqlType(_ t: DataType) -> String {
        switch t {
        case .int64, .bool, .date, .timestamp: return "INTEGER"
        case .float64: return "REAL"
        case .string: return "TEXT"
        }
    }

    /// Copies `table` into a new SQL table `name` (columns of the same names, plus `rid`).
    func load(_ table: Table, as name: String) throws {
        let defs = zip(table.names, table.columns).map { "\(Self.ident($0)) \(Self.sqlType($1.type))" }
        try execute("CREATE TABLE \(Self.ident(name)) (rid INTEGER PRIMARY KEY, \(defs.joined(separator: ", ")))")
        let marks = Array(repeating: "?", count: table.columns.count + 1).joined(separator: ", ")
        try execute("BEGIN")
        let stmt = try prepare("INSERT INTO \(Self.ident(name)) VALUES (\(marks))")
        defer { sqlite3_finalize(stmt) }
        for r in 0..<table.rowCount {
            sqlite3_reset(stmt)
            sqlite3_bind_int64(stmt, 1, Int64(r))
            for (k, v) in table.row(r).enumerated() { bind(stmt, Int32(k + 2), v) }
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw failure("insert row \(r)") }
        }
        try execute("COMMIT")
    }

    func execute(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw failure(sql) }
    }

    /// Every row of the query's result, each column as a SQL-class `Value`.
    func query(_ sql: String) throws -> [[Value]] {
        let stmt = try prepare(sql)
        defer { sqlite3_finalize(stmt) }
        var rows: [[Value]] = []
        let n = sqlite3_column_count(stmt)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(sql) }
            rows.append((0..<n).map { column(stmt, $0) })
        }
        return rows
    }

    /// The first column of every row, as integers (e.g. `SELECT rid … ORDER BY rid`).
    func integers(_ sql: String) throws -> [Int] {
        try query(sql).map { row in
            guard case .int(let x) = row[0] else { throw Failure(description: "not an integer: \(row[0]) in \(sql)") }
            return Int(x)
        }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else { throw failure(sql) }
        return stmt
    }

    private func failure(_ context: String) -> Failure {
        Failure(description: "SQLite: \(String(cString: sqlite3_errmsg(db))) — in: \(context)")
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func bind(_ stmt: OpaquePointer?, _ i: Int32, _ v: Value) {
        switch Self.sqlValue(v) {
        case .null: sqlite3_bind_null(stmt, i)
        case .int(let x): sqlite3_bind_int64(stmt, i, x)
        case .double(let x): sqlite3_bind_double(stmt, i, x)
        case .string(let s): sqlite3_bind_text(stmt, i, s, -1, Self.transient)
        case .bool, .date, .timestamp: preconditionFailure("sqlValue maps these to .int")
        }
    }

    private func column(_ stmt: OpaquePointer?, _ i: Int32) -> Value {
        switch sqlite3_column_type(stmt, i) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(stmt, i))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(stmt, i))
        case SQLITE_TEXT: return .string(String(cString: sqlite3_column_text(stmt, i)))
        case SQLITE_NULL: return .null
        default: return .string("<blob>")
        }
    }

    // MARK: - Mapping and comparing values

    /// An engine value as SQLite stores it: bools, dates and timestamps become integers.
    static func sqlValue(_ v: Value) -> Value {
        switch v {
        case .bool(let b): return .int(b ? 1 : 0)
        case .date(let d): return .int(Int64(d))
        case .timestamp(let t): return .int(t)
        default: return v
        }
    }

    /// An engine value written as a SQL literal.
    static func literal(_ v: Value) -> String {
        switch sqlValue(v) {
        case .null: return "NULL"
        case .int(let x): return String(x)
        case .double(let x):
            precondition(x.isFinite, "no SQL literal for \(x)")
            return String(x)  // shortest round-trip form, e.g. 0.5, -3.0, 1e-05
        case .string(let s): return "'" + s.replacingOccurrences("'", "''") + "'"
        case .bool, .date, .timestamp: preconditionFailure("sqlValue maps these to .int")
        }
    }

    /// A quoted SQL identifier.
    static func ident(_ name: String) -> String { "\"" + name.replacingOccurrences("\"", "\"\"") + "\"" }

    /// Whether an engine value and a SQL result value are the same: exactly, except that
    /// numbers where either side is floating point agree to a relative 1e-9.
    static func matches(_ engine: Value, _ sql: Value, tolerance: Double = 1e-9) -> Bool {
        let e = sqlValue(engine)
        switch (e, sql) {
        case (.double, .double), (.double, .int), (.int, .double):
            let a = e.asDouble!, b = sql.asDouble!
            return a == b || abs(a - b) <= tolerance * max(1, abs(a), abs(b))
        default:
            return e == sql
        }
    }

    static func matches(_ engine: [Value], _ sql: [Value], tolerance: Double = 1e-9) -> Bool {
        engine.count == sql.count && zip(engine, sql).allSatisfy { matches($0, $1, tolerance: tolerance) }
    }
}

extension String {
    /// Foundation-free `replacingOccurrences(of:with:)` for single characters.
    fileprivate func replacingOccurrences(_ c: Character, _ with: String) -> String {
        var out = ""
        for ch in self { if ch == c { out += with } else { out.append(ch) } }
        return out
    }
}

extension Table {
    /// Every row as boxed values (a test convenience).
    var allRows: [[Value]] { (0..<rowCount).map { row($0) } }
}
