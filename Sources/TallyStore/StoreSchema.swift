import TallyCore

/// The store's tables, derived from the record contract, and the migrations that build them.
///
/// Record tables hold one row per loaded record, keyed by the record's `*_id`:
/// - `string`, `enum` and `set` columns as TEXT (enums lower-case; sets in the contract's
///   order, `;`-separated), `date` as TEXT `YYYY-MM-DD`, `bool` and `int` as INTEGER;
/// - a `timestamp` column as INTEGER microseconds since 1970-01-01T00:00Z (UTC), plus
///   `<name>_text` with the text as it stood in the file;
/// - `file_id` and `line`: where the record came from; `row_hash`: a fingerprint of the
///   normalised content, which tells a repeated record from a conflicting one.
///
/// Record tables are `WITHOUT ROWID`, clustered on the key: one B-tree per table, which
/// both enforces uniqueness and stores the rows (half the writes of a rowid table plus index).
///
/// The schema version is `PRAGMA user_version`; each migration moves it up by one.
public enum StoreSchema {
    public static let version = migrations.count

    /// SQL column names and types of a record kind's table, in order (without provenance).
    public static func columns(of schema: RecordSchema) -> [(name: String, type: String)] {
        schema.columns.flatMap { c -> [(String, String)] in
            switch c.kind {
            case .timestamp: return [(c.name, "INTEGER"), (c.name + "_text", "TEXT")]
            case .bool, .int: return [(c.name, "INTEGER")]
            default: return [(c.name, "TEXT")]
            }
        }
    }

    /// Columns of a record table besides the contract's and the provenance and version
    /// columns, copied with a version wherever it moves: takedowns' `platform_text` (schema 3).
    public static func extraColumns(of kind: RecordKind) -> [String] {
        kind == .takedowns ? ["platform_text"] : []
    }

    /// Migration `i` takes the store from version `i` to `i + 1`. Each is literal SQL, frozen
    /// when it shipped: a migration is never edited, only a new one added (a test compares a
    /// fresh store's `sqlite_master` with `Tests/TallyStoreTests/Schema/schema.sql`).
    static let migrations: [String] = [
        // 1: records, files, batches, quarantine.
        """
        CREATE TABLE batches (
          id INTEGER PRIMARY KEY,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          tool_version TEXT NOT NULL,
          time_zone TEXT NOT NULL,
          encoding TEXT NOT NULL
        );
        CREATE TABLE files (
          id INTEGER PRIMARY KEY,
          batch_id INTEGER NOT NULL REFERENCES batches(id),
          path TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          kind TEXT,
          status TEXT NOT NULL CHECK (status IN ('loaded', 'rejected')),
          rows_read INTEGER NOT NULL DEFAULT 0,
          loaded INTEGER NOT NULL DEFAULT 0,
          duplicates INTEGER NOT NULL DEFAULT 0,
          quarantined INTEGER NOT NULL DEFAULT 0,
          unknown_columns TEXT,
          error TEXT
        );
        CREATE UNIQUE INDEX files_loaded_sha256 ON files(sha256) WHERE status = 'loaded';
        CREATE TABLE quarantine (
          id INTEGER PRIMARY KEY,
          file_id INTEGER NOT NULL REFERENCES files(id),
          line INTEGER NOT NULL,
          column_name TEXT,
          value TEXT,
          reason TEXT NOT NULL
        );
        CREATE INDEX quarantine_file ON quarantine(file_id, line);
        CREATE TABLE arrests (
          arrest_id TEXT NOT NULL,
          arrested_on TEXT NOT NULL,
          agency TEXT NOT NULL,
          offense TEXT NOT NULL,
          suspect_age INTEGER,
          victim_minor INTEGER,
          undercover INTEGER,
          confessed INTEGER,
          proceeds_seized_krw INTEGER,
          file_id INTEGER NOT NULL REFERENCES files(id),
          line INTEGER NOT NULL,
          row_hash INTEGER NOT NULL,
          PRIMARY KEY (arrest_id)
        ) WITHOUT ROWID;
        CREATE TABLE victims (
          victim_id TEXT NOT NULL,
          contacted_on TEXT NOT NULL,
          age INTEGER,
          gender TEXT,
          channel TEXT NOT NULL,
          services TEXT,
          region TEXT,
          file_id INTEGER NOT NULL REFERENCES files(id),
          line INTEGER NOT NULL,
          row_hash INTEGER NOT NULL,
          PRIMARY KEY (victim_id)
        ) WITHOUT ROWID;
        CREATE TABLE takedowns (
          request_id TEXT NOT NULL,
          platform TEXT NOT NULL,
          platform_origin TEXT,
          content_kind TEXT,
          requested_by TEXT NOT NULL,
          detected_by TEXT,
          requested_at INTEGER NOT NULL,
          requested_at_text TEXT,
          resolved_at INTEGER,
          resolved_at_text TEXT,
          outcome TEXT NOT NULL,
          file_id INTEGER NOT NULL REFERENCES files(id),
          line INTEGER NOT NULL,
          row_hash INTEGER NOT NULL,
          PRIMARY KEY (request_id)
        ) WITHOUT ROWID;
        """,
        // 2: versions (contract v2, revisions.md). A record table holds each record's current
        // version (`change`: new, update, correction or restored; `changed_fields`; `valid_from`:
        // the batch it became current in, null = the batch of its file). A version that is
        // superseded (by an update, a correction or a retraction) moves, unchanged, into
        // `<kind>_history` with the batch that superseded it: the vintage after batch N is every
        // current version valid from a batch <= N plus every history version valid from <= N
        // and superseded after N. Batches get a kind (ingest or retract) and a reason; files the
        // counts of updates and corrections; bulletins published are recorded. A file may be
        // loaded again as a revision (`--revise`), so a file's hash is unique per batch.
        """
        ALTER TABLE batches ADD COLUMN kind TEXT NOT NULL DEFAULT 'ingest' CHECK (kind IN ('ingest', 'retract'));
        ALTER TABLE batches ADD COLUMN reason TEXT;
        DROP INDEX files_loaded_sha256;
        CREATE UNIQUE INDEX files_loaded_sha256 ON files(sha256, batch_id) WHERE status = 'loaded';
        ALTER TABLE files ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE files ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE files ADD COLUMN retracted_in INTEGER REFERENCES batches(id);
        ALTER TABLE arrests ADD COLUMN change TEXT NOT NULL DEFAULT 'new';
        ALTER TABLE arrests ADD COLUMN changed_fields TEXT;
        ALTER TABLE arrests ADD COLUMN valid_from INTEGER REFERENCES batches(id);
        ALTER TABLE victims ADD COLUMN change TEXT NOT NULL DEFAULT 'new';
        ALTER TABLE victims ADD COLUMN changed_fields TEXT;
        ALTER TABLE victims ADD COLUMN valid_from INTEGER REFERENCES batches(id);
        ALTER TABLE takedowns ADD COLUMN change TEXT NOT NULL DEFAULT 'new';
        ALTER TABLE takedowns ADD COLUMN changed_fields TEXT;
        ALTER TABLE takedowns ADD COLUMN valid_from INTEGER REFERENCES batches(id);
        CREATE TABLE arrests_history (
          arrest_id TEXT NOT NULL,
          arrested_on TEXT NOT NULL,
          agency TEXT NOT NULL,
          offense TEXT NOT NULL,
          suspect_age INTEGER,
          victim_minor INTEGER,
          undercover INTEGER,
          confessed INTEGER,
          proceeds_seized_krw INTEGER,
          file_id INTEGER REFERENCES files(id),
          line INTEGER,
          row_hash INTEGER NOT NULL,
          change TEXT NOT NULL,
          changed_fields TEXT,
          valid_from INTEGER NOT NULL REFERENCES batches(id),
          superseded_in INTEGER NOT NULL REFERENCES batches(id),
          superseded_as TEXT NOT NULL CHECK (superseded_as IN ('update', 'correction', 'retraction'))
        );
        CREATE INDEX arrests_history_key ON arrests_history(arrest_id);
        CREATE INDEX arrests_history_vintage ON arrests_history(valid_from, superseded_in);
        CREATE TABLE victims_history (
          victim_id TEXT NOT NULL,
          contacted_on TEXT NOT NULL,
          age INTEGER,
          gender TEXT,
          channel TEXT NOT NULL,
          services TEXT,
          region TEXT,
          file_id INTEGER REFERENCES files(id),
          line INTEGER,
          row_hash INTEGER NOT NULL,
          change TEXT NOT NULL,
          changed_fields TEXT,
          valid_from INTEGER NOT NULL REFERENCES batches(id),
          superseded_in INTEGER NOT NULL REFERENCES batches(id),
          superseded_as TEXT NOT NULL CHECK (superseded_as IN ('update', 'correction', 'retraction'))
        );
        CREATE INDEX victims_history_key ON victims_history(victim_id);
        CREATE INDEX victims_history_vintage ON victims_history(valid_from, superseded_in);
        CREATE TABLE takedowns_history (
          request_id TEXT NOT NULL,
          platform TEXT NOT NULL,
          platform_origin TEXT,
          content_kind TEXT,
          requested_by TEXT NOT NULL,
          detected_by TEXT,
          requested_at INTEGER NOT NULL,
          requested_at_text TEXT,
          resolved_at INTEGER,
          resolved_at_text TEXT,
          outcome TEXT NOT NULL,
          file_id INTEGER REFERENCES files(id),
          line INTEGER,
          row_hash INTEGER NOT NULL,
          change TEXT NOT NULL,
          changed_fields TEXT,
          valid_from INTEGER NOT NULL REFERENCES batches(id),
          superseded_in INTEGER NOT NULL REFERENCES batches(id),
          superseded_as TEXT NOT NULL CHECK (superseded_as IN ('update', 'correction', 'retraction'))
        );
        CREATE INDEX takedowns_history_key ON takedowns_history(request_id);
        CREATE INDEX takedowns_history_vintage ON takedowns_history(valid_from, superseded_in);
        CREATE TABLE retractions (
          batch_id INTEGER NOT NULL REFERENCES batches(id),
          kind TEXT NOT NULL,
          record_id TEXT NOT NULL,
          outcome TEXT NOT NULL CHECK (outcome IN ('withdrawn', 'reverted', 'not_found'))
        );
        CREATE TABLE publications (
          id INTEGER PRIMARY KEY,
          period TEXT NOT NULL,
          lang TEXT NOT NULL,
          vintage INTEGER NOT NULL REFERENCES batches(id),
          as_of_micros INTEGER NOT NULL,
          manifest_sha256 TEXT NOT NULL,
          written_at TEXT NOT NULL
        );
        """,
        // 3: inputs read from archives. A file row for an archive member keeps the member's
        // path inside the archive (nested archives joined by `!`) and the archive's SHA-256.
        """
        ALTER TABLE files ADD COLUMN member TEXT;
        ALTER TABLE files ADD COLUMN archive_sha256 TEXT;
        """,
        // 4: one name per platform (Data/platforms.yaml). `takedowns.platform` holds the
        // canonical name and `platform_text` the name as written in the file (null: loaded
        // before schema 4, when the two were one). `platform_registries` records each
        // registry the store was mapped with (its fingerprint) and the batch that re-mapped
        // loaded records to it, if any did.
        """
        ALTER TABLE takedowns ADD COLUMN platform_text TEXT;
        ALTER TABLE takedowns_history ADD COLUMN platform_text TEXT;
        CREATE TABLE platform_registries (
          id INTEGER PRIMARY KEY,
          fingerprint TEXT NOT NULL,
          applied_at TEXT NOT NULL,
          batch_id INTEGER REFERENCES batches(id),
          remapped INTEGER NOT NULL DEFAULT 0
        );
        """,
        // 5: Excel workbooks. A file row read from a workbook keeps the sheet it was read from
        // (its SHA-256 is the workbook's); a quarantined row of a sheet keeps the cell of the
        // offending value (`C17`; `line` holds the sheet's row number). One workbook may load
        // once per sheet, so a loaded file is unique by its SHA-256 and sheet within a batch.
        """
        ALTER TABLE files ADD COLUMN sheet TEXT;
        ALTER TABLE quarantine ADD COLUMN cell TEXT;
        DROP INDEX files_loaded_sha256;
        CREATE UNIQUE INDEX files_loaded_sha256 ON files(sha256, batch_id, coalesce(sheet, '')) WHERE status = 'loaded';
        """,
    ]

    /// The tables of a version-1 store: what tells a store written before the application id
    /// was set from another program's database.
    static let tablesOfVersion1: Set<String> = ["batches", "files", "quarantine", "arrests", "victims", "takedowns"]

    /// Brings a store up to the current version and marks it as Tally's; refuses one written
    /// by a newer Tally. The version is read inside the migration's write transaction, so two
    /// processes opening a new store at once migrate it once.
    static func migrate(_ db: Database, applicationID: Int32) throws {
        // Up to date: no write transaction (it would wait behind a running load).
        if try db.userVersion == version, try db.scalarInt("PRAGMA application_id") == Int(applicationID) { return }
        try db.transaction {
            let current = try db.userVersion
            if current > version {
                throw StoreError.newerSchema(found: current, supported: version)
            }
            if current < 0 { throw StoreError.damaged(path: db.path, reason: "schema version \(current)") }
            for v in current..<version {
                try db.execute(migrations[v])
                try db.execute("PRAGMA user_version = \(v + 1)")
            }
            if try db.scalarInt("PRAGMA application_id") != Int(applicationID) {
                try db.execute("PRAGMA application_id = \(applicationID)")
            }
        }
    }
}

public enum StoreError: Error, CustomStringConvertible {
    case newerSchema(found: Int, supported: Int)
    case notAStore(String)
    case missing(String)
    case foreign(path: String, what: String)
    case needsMigration(path: String, found: Int)
    case damaged(path: String, reason: String)
    case unreadableWAL(path: String, reason: String)

    public var description: String {
        switch self {
        case let .newerSchema(found, supported):
            return "the store has schema version \(found), this tally supports up to \(supported); upgrade tally"
        case .notAStore(let path):
            return "\(path) is not a Tally store (not an SQLite database)"
        case .missing(let path):
            return "no store at \(path): load data first with `tally ingest FILE...` (or give --db)"
        case let .foreign(path, what):
            return "\(path) is not a Tally store: it is \(what); it was left untouched"
        case let .needsMigration(path, found):
            return "the store \(path) has schema version \(found) and needs upgrading to \(StoreSchema.version): "
                + "`tally ingest --db \(path)` with no files upgrades it (reading commands never write to a store)"
        case let .damaged(path, reason):
            return "\(path) is a damaged Tally store (\(reason))"
        case let .unreadableWAL(path, reason):
            return "\(path) cannot be read here: its latest changes are in \(path)-wal, which SQLite cannot read on read-only media "
                + "without \(path)-shm (\(reason)); copy the store together with its -shm file, or from a copy where no program has it open"
        }
    }
}
