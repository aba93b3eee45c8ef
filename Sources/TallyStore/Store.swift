import CSQLite

/// The embedded SQLite store of loaded records, quarantined rows and provenance.
public final class Store {
    public let db: Database

    /// The path used when neither `--db` nor `TALLY_DB` names one.
    public static let defaultPath = "tally.sqlite"

    /// Opens (creating if needed, owner-only) and migrates the store at `path`.
    public init(path: String) throws {
        db = try Database(path: path)
        do {
            // 16 KiB pages for a new store (a no-op on an existing one): bulk loads of
            // ~150-byte records go about a fifth faster than with 4 KiB pages (fewer pages
            // to balance, write and sync).
            try db.execute("PRAGMA page_size = 16384")
            try db.execute("PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
            try StoreSchema.migrate(db)
        } catch let e as SQLiteError where e.code & 0xFF == SQLITE_NOTADB {
            throw StoreError.notAStore(path)
        }
    }
}
