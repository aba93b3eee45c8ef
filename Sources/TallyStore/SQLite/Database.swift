import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An error from SQLite, with the statement or action that failed.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let context: String
    public var description: String { "SQLite error \(code) (\(context)): \(message)" }
}

/// A thin, explicit wrapper over one SQLite connection.
///
/// Files are created owner-only (0600): SQLite's journal and WAL files inherit the mode of
/// the database file.
///
/// A connection serves one thread at a time: it is opened without SQLite's own mutex
/// (`SQLITE_OPEN_NOMUTEX`), so two threads stepping statements on it at once is undefined
/// behaviour (seen: a test whose parallel cases shared a store spun for ever in `sqlite3_step`).
/// Debug builds check it: a statement prepared, run, stepped or reset while another thread is
/// inside one of those traps with the store's name (binding and reading columns are not checked:
/// they are the hot path of a load, and the steps around them are).
public final class Database {
    package let handle: OpaquePointer
    public let path: String
    #if DEBUG
    private let userLock = NSLock()
    private var user: pthread_t?
    private var depth = 0

    /// Marks the calling thread as the connection's user until the matching `leave`.
    func enter() {
        userLock.lock()
        defer { userLock.unlock() }
        let me = pthread_self()
        if let user, pthread_equal(user, me) == 0 {
            preconditionFailure("the SQLite connection to \(path) is used by two threads at once")
        }
        user = me
        depth += 1
    }

    func leave() {
        userLock.lock()
        defer { userLock.unlock() }
        depth -= 1
        if depth == 0 { user = nil }
    }
    #else
    @inline(__always) func enter() {}
    @inline(__always) func leave() {}
    #endif

    /// Process-wide settings made once, before the first connection.
    private static let configured: Bool = {
        // Tally keeps no use for SQLite's memory statistics; they cost a global mutex per
        // allocation on the ingest's hot path.
        _ = tally_sqlite3_disable_memstatus()
        return true
    }()

    /// How a connection opens its file.
    public enum Access: Sendable {
        /// Read and write, creating the file (owner-only) when it does not exist.
        case readWrite
        /// Read only: the file is never written (SQLite may still create the `-shm` and
        /// `-wal` files of a WAL database beside it where the folder allows).
        case readOnly
        /// Read only, for a file on read-only media: SQLite takes no locks and reads no WAL
        /// (`immutable=1`), which is right only where nothing can change the file.
        case immutable
    }

    public init(path: String, access: Access = .readWrite, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        _ = Self.configured
        self.path = path
        if access == .readWrite && path != ":memory:" {
            // Create the file ourselves so that it is 0600 whatever the umask. Only a file
            // that did not exist is opened (O_EXCL): closing any descriptor of a file drops
            // every POSIX lock the process holds on it, and another connection of this
            // process (a reader's shared lock on a WAL store) may have the file open.
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                close(fd)
            } else if errno != EEXIST {
                throw SQLiteError(code: SQLITE_CANTOPEN, message: String(cString: strerror(errno)), context: "open \(path)")
            }
        }
        var h: OpaquePointer?
        let name: String
        let flags: Int32
        switch access {
        case .readWrite: (name, flags) = (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        case .readOnly: (name, flags) = (path, SQLITE_OPEN_READONLY)
        case .immutable: (name, flags) = (Self.uri(path) + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
        }
        let rc = sqlite3_open_v2(name, &h, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let h else {
            let message = h.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let h { sqlite3_close_v2(h) }
            throw SQLiteError(code: rc, message: message, context: "open \(path)")
        }
        handle = h
        sqlite3_busy_timeout(h, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(h, 1)
    }

    /// A `file:` URI for `path` (percent-encoding what URIs reserve).
    static func uri(_ path: String) -> String {
        var out = "file:"
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(b)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }

    /// Waits up to `milliseconds` for another connection's lock before failing with SQLITE_BUSY.
    public func setBusyTimeout(milliseconds: Int32) { sqlite3_busy_timeout(handle, milliseconds) }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        enter()
        defer { leave() }
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: message, context: String(sql.prefix(80)))
        }
    }

    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in one read transaction (one snapshot of the store, however many
    /// statements it runs and whatever other processes commit meanwhile); inside a
    /// transaction already, just runs it.
    public func read<T>(_ body: () throws -> T) throws -> T {
        guard sqlite3_get_autocommit(handle) != 0 else { return try body() }
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }

    public var userVersion: Int {
        get throws { try scalarInt("PRAGMA user_version") ?? 0 }
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// First column of the first row as an integer, or nil when there is no row or it is null.
    public func scalarInt(_ sql: String, _ args: [SQLValue] = []) throws -> Int? {
        let s = try prepare(sql)
        try s.bind(args)
        return try s.step() && !s.isNull(0) ? Int(s.int(0)) : nil
    }

    public func scalarText(_ sql: String, _ args: [SQLValue] = []) throws -> String? {
        let s = try prepare(sql)
        try s.bind(args)
        return try s.step() ? s.text(0) : nil
    }
}

/// A value bound to or read from a statement, for the non-hot paths.
public enum SQLValue: Equatable, Sendable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
}

/// A prepared statement. Bind, step, read; `reset` to reuse.
public final class Statement {
    package let handle: OpaquePointer
    unowned let database: Database

    init(database: Database, sql: String) throws {
        var h: OpaquePointer?
        database.enter()
        defer { database.leave() }
        let rc = sqlite3_prepare_v2(database.handle, sql, -1, &h, nil)
        guard rc == SQLITE_OK, let h else {
            throw SQLiteError(code: rc, message: database.lastMessage, context: String(sql.prefix(120)))
        }
        handle = h
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once; true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
        database.enter()
        defer { database.leave() }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw SQLiteError(code: rc, message: database.lastMessage, context: String(cString: sqlite3_sql(handle)))
    }

    public func reset() {
        database.enter()
        defer { database.leave() }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ values: [SQLValue]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    /// Binds `:name` parameters; names the statement does not use are skipped.
    public func bind(named values: [(name: String, value: SQLValue)]) throws {
        for (name, v) in values {
            let i = sqlite3_bind_parameter_index(handle, ":" + name)
            if i > 0 { try bind(v, at: i) }
        }
    }

    public func bind(_ v: SQLValue, at i: Int32) throws {
        let rc: Int32
        switch v {
        case .null: rc = sqlite3_bind_null(handle, i)
        case .int(let x): rc = sqlite3_bind_int64(handle, i, x)
        case .double(let x): rc = sqlite3_bind_double(handle, i, x)
        case .text(let s): rc = sqlite3_bind_text(handle, i, s, -1, SQLITE_TRANSIENT)
        }
        try check(rc)
    }

    @inline(__always)
    public func bindInt(_ x: Int64, _ i: Int32) { sqlite3_bind_int64(handle, i, x) }
    /// Binds bytes without copying them: they must stay unchanged until the statement has
    /// been stepped and reset (the ingest binds from the CSV reader's row buffer, then steps).
    @inline(__always)
    public func bindText(_ b: UnsafeBufferPointer<UInt8>, _ i: Int32) {
        _ = b.withMemoryRebound(to: CChar.self) { p in
            if let base = p.baseAddress {
                sqlite3_bind_text(handle, i, base, Int32(p.count), nil)
            } else {
                sqlite3_bind_text(handle, i, "", 0, nil)
            }
        }
    }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }
    public func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(i))) }
    public func isNull(_ i: Int) -> Bool { sqlite3_column_type(handle, Int32(i)) == SQLITE_NULL }
    public func int(_ i: Int) -> Int64 { sqlite3_column_int64(handle, Int32(i)) }
    public func double(_ i: Int) -> Double { sqlite3_column_double(handle, Int32(i)) }
    public func text(_ i: Int) -> String? {
        guard let p = sqlite3_column_text(handle, Int32(i)) else { return nil }
        return String(cString: p)
    }
    public func value(_ i: Int) -> SQLValue {
        switch sqlite3_column_type(handle, Int32(i)) {
        case SQLITE_INTEGER: return .int(int(i))
        case SQLITE_FLOAT: return .double(double(i))
        case SQLITE_NULL: return .null
        default: return .text(text(i) ?? "")
        }
    }

    func check(_ rc: Int32) throws {
        if rc != SQLITE_OK {
            throw SQLiteError(code: rc, message: database.lastMessage, context: "bind")
        }
    }
}

/// SQLite's "copy this now" destructor, which the C macro cannot express in Swift.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
