import CSQLite
import Foundation
import TallyCore
import TallyStore
import TallyEngine
import TallyFiles

/// Engine tables of the store's records, through a columnar cache next to the store.
///
/// A record kind's table has every column of the record contract except the key (ids are
/// never needed for figures, and would be the largest dictionary): strings, enums and sets
/// as dictionary strings, dates as dates, timestamps as UTC instants, bools and ints.
/// The first load reads SQLite and writes `<store>.cache/<kind>.tcol`; later loads map that
/// file (no parsing, no copy) until the store changes.
extension Store {
    public struct TableLoad {
        public var table: Table
        /// Whether the cache answered (false: read from SQLite, cache rewritten).
        public var fromCache: Bool
        /// Why the cache file was present but not used (damaged or unreadable), if it was.
        public var cacheDamage: String?
    }

    /// Engine column name → record column of a kind (in contract order, key excluded).
    public static func engineColumns(of kind: RecordKind) -> [(name: String, type: DataType)] {
        let schema = kind.schema
        return schema.columns.filter { $0.name != schema.key }.map { c in
            switch c.kind {
            case .string, .enumeration, .set: return (c.name, .string)
            case .date: return (c.name, .date)
            case .timestamp: return (c.name, .timestamp)
            case .bool: return (c.name, .bool)
            case .int: return (c.name, .int64)
            }
        }
    }

    /// The records of `kind` at the vintage after batch `vintage` (nil or the latest batch:
    /// the current records, through the cache). An older vintage is taken from the table of
    /// every version (`<kind>.versions.tcol`, cached like the current records), keeping the
    /// rows whose interval of batches [valid from, superseded in) holds the vintage.
    public func table(_ kind: RecordKind, useCache: Bool = true, vintage: Int?) throws -> TableLoad {
        guard let n = vintage, n < (try latestBatch() ?? 0) else { return try table(kind, useCache: useCache) }
        let versions = try cachedTable(kind, file: "\(kind.rawValue).versions.tcol", columns: Self.versionColumns(of: kind),
                                       useCache: useCache) { try readVersions(kind) }
        let t = versions.table
        let batch = Int64(n)
        var indices: [Int] = []
        indices.reserveCapacity(t.rowCount)
        t[Self.validFrom].withInt64s { from in
            t[Self.validTo].withInt64s { to in
                for i in 0..<t.rowCount where from[i] <= batch && batch < to[i] { indices.append(i) }
            }
        }
        let table = t.gather(indices, columns: Self.engineColumns(of: kind).map(\.name))
        return TableLoad(table: table, fromCache: versions.fromCache, cacheDamage: versions.cacheDamage)
    }

    /// The records of `kind` as an engine table, from the cache when it is current.
    ///
    /// A cache that is out of date (the store changed) is rebuilt silently. One that is
    /// present but damaged is reported once on stderr, removed, and rebuilt from the store:
    /// the figures are always the store's.
    public func table(_ kind: RecordKind, useCache: Bool = true) throws -> TableLoad {
        try cachedTable(kind, file: "\(kind.rawValue).tcol", columns: Self.engineColumns(of: kind), useCache: useCache) {
            try readTable(kind)
        }
    }

    static let validFrom = "_valid_from", validTo = "_valid_to"

    /// The engine columns of `kind` and each version's interval of batches.
    static func versionColumns(of kind: RecordKind) -> [(name: String, type: DataType)] {
        engineColumns(of: kind) + [(validFrom, .int64), (validTo, .int64)]
    }

    /// A table read by `read`, through the cache file `file` when it matches the store.
    func cachedTable(_ kind: RecordKind, file: String, columns expected: [(name: String, type: DataType)], useCache: Bool,
                     read: () throws -> Table) throws -> TableLoad {
        let (fingerprint, settled) = try fingerprintAndSettled(kind)
        let cachePath = cacheDirectory + "/" + file
        var damage: String?
        if useCache {
            do {
                let cached = try ColumnFile.read(path: cachePath, fingerprint: fingerprint)
                // The columns the engine expects, by name and type: anything else is not ours.
                guard cached.names == expected.map(\.name), cached.columns.map(\.type) == expected.map(\.type) else {
                    throw ColumnFileError.damaged("its columns are not those of \(kind.rawValue)")
                }
                return TableLoad(table: cached, fromCache: true)
            } catch ColumnFileError.damaged(let why) {
                damage = why
                unlink(cachePath)
            } catch {
                // Missing or stale: the normal case after a load, rebuilt below.
            }
        }
        let table = try read()
        var rewritten: String?
        if useCache && settled && db.path != ":memory:" {
            try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
            // Temporary cache files of processes killed while writing them.
            TemporaryFiles.sweep(directory: cacheDirectory)
            do { try ColumnFile.write(table, path: cachePath, fingerprint: fingerprint) } catch {
                rewritten = "\(error)"
            }
        }
        if let damage {
            let outcome = rewritten.map { "ignored, and not rebuilt (\($0))" } ?? "ignored and rebuilt from the store"
            Self.warnOnce(path: cachePath, "tally: warning: the column cache \(cachePath) is damaged (\(damage)); \(outcome)")
        }
        return TableLoad(table: table, fromCache: false, cacheDamage: damage)
    }

    /// Paths already warned about in this process: a damaged cache is one line on stderr,
    /// however many times its table is loaded.
    nonisolated(unsafe) private static var warned: Set<String> = []
    private static let warnedLock = NSLock()

    static func warnOnce(path: String, _ line: String) {
        warnedLock.lock()
        let first = warned.insert(path).inserted
        warnedLock.unlock()
        if first { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public var cacheDirectory: String { db.path + ".cache" }
    func cacheFile(_ kind: RecordKind) -> String { cacheDirectory + "/\(kind.rawValue).tcol" }

    /// What the cache must match: schema version, the files loaded and their row counts,
    /// and the state of the store's files, which any commit by any program alters: the
    /// identity, size and modification time of the store file and of its `-wal` file (in
    /// WAL mode a commit appends to the WAL; a checkpoint rewrites the store file).
    ///
    /// It is computed before the table is read, so a table read from the store is never
    /// older than the fingerprint it is cached under: a commit in between only makes the
    /// next reader rebuild the cache, it cannot make it trust a stale one.
    func fingerprint(_ kind: RecordKind) throws -> String {
        try fingerprintAndSettled(kind).key
    }

    /// The fingerprint, and whether it is safe to cache under: file times have a coarse
    /// clock (a few milliseconds), so a commit in the same tick as the last one, after this
    /// fingerprint was taken, might leave size and time as they were. When both files were
    /// last changed more than 50 ms before now, any later commit has a later time.
    /// Right after a commit, this waits out those 50 ms once rather than not caching.
    func fingerprintAndSettled(_ kind: RecordKind) throws -> (key: String, settled: Bool) {
        var files = Self.fileStamp(db.path)
        if !files.settled {
            usleep(60_000)
            files = Self.fileStamp(db.path)
        }
        let s = try db.prepare("""
            SELECT coalesce(max(id), 0), coalesce(sum(loaded), 0) FROM files WHERE status = 'loaded' AND kind = ?
            """)
        try s.bind([.text(kind.rawValue)])
        _ = try s.step()
        return ("v\(try db.userVersion):\(s.int(0)):\(s.int(1)):\(files.text)", files.settled)
    }

    /// The identity, size and time of the store file and its `-wal`, by `stat` only: opening
    /// and closing a descriptor of a file SQLite has locked would drop its POSIX locks.
    static func fileStamp(_ path: String) -> (text: String, settled: Bool) {
        guard path != ":memory:" else { return ("memory", true) }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var settled = true
        func stamp(_ p: String) -> String {
            var info = stat()
            guard stat(p, &info) == 0 else { return "-" }
            let age = Double(now.tv_sec - info.st_mtim.tv_sec) + Double(now.tv_nsec - info.st_mtim.tv_nsec) / 1e9
            if age < 0.05 { settled = false }
            return "\(info.st_dev).\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        // The clock is read first: a change after it has a time at or after it.
        return ([stamp(path), stamp(path + "-wal")].joined(separator: "|"), settled)
    }

    /// Reads every record of `kind` from SQLite into columns.
    func readTable(_ kind: RecordKind, vintage: Int? = nil) throws -> Table {
        let names = Self.engineColumns(of: kind).map(\.name).joined(separator: ", ")
        return try db.read {
            let rows = vintage == nil ? try db.scalarInt("SELECT count(*) FROM \(kind.rawValue)") ?? 0 : 1024
            return try readTableInSnapshot(Self.engineColumns(of: kind), sql: Self.vintageSQL(kind, columns: names, vintage: vintage),
                                           rows: rows)
        }
    }

    /// Every version of every record of `kind`, current and superseded, with the interval of
    /// batches over which it was current: [`_valid_from`, `_valid_to`), the end Int64.max
    /// for a current version.
    func readVersions(_ kind: RecordKind) throws -> Table {
        let columns = Self.versionColumns(of: kind)
        let names = Self.engineColumns(of: kind).map(\.name).joined(separator: ", ")
        let table = kind.rawValue
        let sql = """
            SELECT \(names), coalesce(valid_from, (SELECT f.batch_id FROM files f WHERE f.id = \(table).file_id)), \(Int64.max)
            FROM \(table)
            UNION ALL
            SELECT \(names), valid_from, superseded_in FROM \(table)_history
            """
        return try db.read {
            let rows = (try db.scalarInt("SELECT (SELECT count(*) FROM \(table)) + (SELECT count(*) FROM \(table)_history)") ?? 0)
            return try readTableInSnapshot(columns, sql: sql, rows: rows)
        }
    }

    /// The records of `kind` at the vintage after batch `vintage` (revisions.md): each key's
    /// version that was current then — a current version valid from a batch <= N, or a
    /// history version valid from <= N and superseded after N. Nil: the current versions.
    public static func vintageSQL(_ kind: RecordKind, columns: String, vintage: Int?) -> String {
        let table = kind.rawValue
        guard let n = vintage else { return "SELECT \(columns) FROM \(table)" }
        return """
            SELECT \(columns) FROM \(table)
            WHERE coalesce(valid_from, (SELECT f.batch_id FROM files f WHERE f.id = \(table).file_id)) <= \(n)
            UNION ALL
            SELECT \(columns) FROM \(table)_history WHERE valid_from <= \(n) AND superseded_in > \(n)
            """
    }

    /// The rows `sql` selects, its columns typed as `columns`.
    private func readTableInSnapshot(_ columns: [(name: String, type: DataType)], sql: String, rows: Int) throws -> Table {
        var builders = columns.map { ColumnBuilder(type: $0.type, capacity: max(rows, 16)) }
        let s = try db.prepare(sql)
        let h = s.handle
        while try s.step() {
            for (i, c) in columns.enumerated() {
                let col = Int32(i)
                if sqlite3_column_type(h, col) == SQLITE_NULL {
                    builders[i].appendNull()
                    continue
                }
                switch c.type {
                case .string:
                    let p = sqlite3_column_text(h, col)
                    let n = Int(sqlite3_column_bytes(h, col))
                    builders[i].append(utf8: UnsafeRawBufferPointer(start: p, count: n))
                case .date:
                    let p = sqlite3_column_text(h, col)
                    let n = Int(sqlite3_column_bytes(h, col))
                    if let d = FieldParser.date(UnsafeBufferPointer(start: p, count: n)) {
                        builders[i].append(days: Int32(d))
                    } else {
                        builders[i].appendNull()
                    }
                case .timestamp, .int64:
                    builders[i].append(sqlite3_column_int64(h, col))
                case .bool:
                    builders[i].append(sqlite3_column_int64(h, col) != 0)
                case .float64:
                    builders[i].append(sqlite3_column_double(h, col))
                }
            }
        }
        return Table(zip(columns, builders).map { ($0.0.name, $0.1.build()) })
    }
}
