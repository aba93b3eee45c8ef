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
            try db.execute("PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
            try StoreSchema.migrate(db)
        } catch let e as SQLiteError where e.code & 0xFF == SQLITE_NOTADB {
            throw StoreError.notAStore(path)
        }
    }
}
