import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// The embedded SQLite store of loaded records, quarantined rows and provenance.
///
/// The store is in WAL mode: any number of readers (Tally, `sqlite3`, Datasette) read while
/// one load writes, and each reader sees the store as it was when its read began. Loads are
/// serialised by `WriterLock` (a `flock` on `<store>.lock`, never a second descriptor of the
/// store file itself, whose closing would drop SQLite's POSIX locks).
///
/// A Tally store carries `PRAGMA application_id = 0x54414C59` ("TALY"); any other SQLite
/// database is refused before anything is written to it.
public final class Store {
    public let db: Database
    public let access: Access
    /// The column segments of the `ingest` call running (nil outside one).
    var segments: IngestSegments?

    /// The path used when neither `--db` nor `TALLY_DB` names one.
    public static let defaultPath = "tally.sqlite"
    /// `PRAGMA application_id` of every Tally store: "TALY" in ASCII.
    public static let applicationID: Int32 = 0x5441_4C59

    public enum Access: Sendable {
        /// Commands that only read: the store file is never written, and a store on a
        /// read-only file or folder can be read.
        case read
        /// Commands that load or change: creates the store when missing and migrates it.
        case write
    }

    /// Opens the store at `path`. `.write` creates (owner-only) and migrates it; `.read`
    /// opens an existing store without writing to it.
    public init(path: String, access: Access = .write) throws {
        self.access = access
        switch access {
        case .write:
            db = try Self.catchingNotADatabase(path) { try Database(path: path, access: .readWrite, busyTimeoutMilliseconds: 60_000) }
            try Self.catchingNotADatabase(path) { try self.prepareForWriting() }
        case .read:
            guard path == ":memory:" || Self.exists(path) else { throw StoreError.missing(path) }
            var opened = try Self.catchingNotADatabase(path) { try Database(path: path, access: .readOnly, busyTimeoutMilliseconds: 60_000) }
            var identity: Identity
            do {
                identity = try Self.catchingNotADatabase(path) { try Self.identity(of: opened) }
            } catch let e as SQLiteError where Self.isReadOnlyMediaError(e) {
                // A WAL store on read-only media whose `-shm` file does not exist: SQLite cannot
                // create it. Nothing can change such a file, so it is read as immutable, but
                // only when it has no WAL to read: an immutable read ignores the `-wal`, and
                // would silently give the store as it was before the commits in it.
                if Self.size(path + "-wal") ?? 0 > 0 { throw StoreError.unreadableWAL(path: path, reason: e.message) }
                opened = try Database(path: path, access: .immutable, busyTimeoutMilliseconds: 60_000)
                identity = try Self.catchingNotADatabase(path) { try Self.identity(of: opened) }
            }
            db = opened
            try Self.catchingNotADatabase(path) {
                switch identity {
                case .tally(let version):
                    if version > StoreSchema.version { throw StoreError.newerSchema(found: version, supported: StoreSchema.version) }
                    if version < StoreSchema.version { throw StoreError.needsMigration(path: path, found: version) }
                case .empty: throw StoreError.missing(path)
                case .foreign(let what): throw StoreError.foreign(path: path, what: what)
                }
                try db.execute("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
            }
        }
    }

    /// Checks what the file is, then (only for an empty file or a Tally store) switches it to
    /// WAL and migrates it.
    private func prepareForWriting() throws {
        let identity = try Self.identity(of: db)
        if case .foreign(let what) = identity { throw StoreError.foreign(path: db.path, what: what) }
        if case .tally(let version) = identity, version > StoreSchema.version {
            throw StoreError.newerSchema(found: version, supported: StoreSchema.version)
        }
        if case .empty = identity {
            // 16 KiB pages for a new store (a no-op on an existing one): bulk loads of
            // ~150-byte records go about a fifth faster than with 4 KiB pages (fewer pages
            // to balance, write and sync). It must precede the switch to WAL.
            try db.execute("PRAGMA page_size = 16384")
        }
        if db.path != ":memory:" {
            // Persistent: every later connection, Tally's or another program's, uses WAL too.
            // The WAL file is cut back to 64 MiB after each checkpoint.
            _ = try db.scalarText("PRAGMA journal_mode = WAL")
            try db.execute("PRAGMA journal_size_limit = 67108864")
        }
        // FULL: every commit is synced, so a committed file survives a power cut too (in WAL
        // mode NORMAL would lose the last commits). Set here, not left to SQLite's build.
        try db.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
        try StoreSchema.migrate(db, applicationID: Self.applicationID)
    }

    enum Identity {
        /// No schema at all: a new (or empty) file.
        case empty
        /// A Tally store (marked, or an unmarked one written by Tally before the mark) at this schema version.
        case tally(version: Int)
        /// Another program's database.
        case foreign(String)
    }

    /// What the file holds, from reads only.
    static func identity(of db: Database) throws -> Identity {
        let applicationID = try db.scalarInt("PRAGMA application_id") ?? 0
        let version = try db.scalarInt("PRAGMA user_version") ?? 0
        var tables = Set<String>()
        let s = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        while try s.step() { if let n = s.text(0) { tables.insert(n) } }
        if applicationID == Int(Self.applicationID) {
            guard version >= 1 else { throw StoreError.damaged(path: db.path, reason: "schema version \(version)") }
            return .tally(version: version)
        }
        if applicationID == 0 && version == 0 && tables.isEmpty {
            let objects = try db.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
            if objects == 0 { return .empty }
        }
        // Stores written before the mark existed: schema version 1 with exactly Tally's tables.
        if applicationID == 0 && version == 1 && tables == StoreSchema.tablesOfVersion1 {
            return .tally(version: version)
        }
        var what = "an SQLite database of another program"
        if applicationID != 0 { what += " (application_id \(applicationID))" }
        if !tables.isEmpty {
            let names = tables.sorted()
            what += " with tables " + names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
        }
        return .foreign(what)
    }

    /// The size of the file at `path`, nil when there is none.
    static func size(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The errors SQLite gives when a WAL database cannot be opened read-only in place.
    static func isReadOnlyMediaError(_ e: SQLiteError) -> Bool {
        let primary = e.code & 0xFF
        return primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY || primary == SQLITE_IOERR
    }

    static func catchingNotADatabase<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as SQLiteError where e.code & 0xFF == SQLITE_NOTADB {
            throw StoreError.notAStore(path)
        }
    }
}
