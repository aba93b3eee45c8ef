import Foundation
import TallyCore
import TallyEngine
#if canImport(Glibc)
import Glibc
#endif

/// What a column cache or a column segment must match to be trusted: the exact state of the
/// store, and the engine columns of each record kind.
extension Store {
    /// Engine column name → record column of a kind (in contract order, key excluded).
    public static func engineColumns(of kind: RecordKind) -> [(name: String, type: DataType)] {
        let schema = kind.schema
        return schema.columns.filter { $0.name != schema.key && $0.inEngine }.map { c in
            switch c.kind {
            case .string, .enumeration, .set, .jsonSet: return (c.name, .string)
            case .date: return (c.name, .date)
            case .timestamp: return (c.name, .timestamp)
            case .bool: return (c.name, .bool)
            case .int: return (c.name, .int64)
            }
        }
    }

    /// The column of a cached table of current records that names each row's version: its
    /// file id and line, `file_id << 32 | line` (exact: file ids below 2^31 and lines below
    /// 2^32; a row beyond either has null here and can never be matched by a tombstone, so a
    /// merge that needs it falls back to SQLite). Never shown to the engine's users.
    public static let rowIdentity = "_row"

    /// The column cache's folder, `<store>.cache`.
    public var cacheDirectory: String { db.path + ".cache" }
    /// The cached table of a kind's current records (made from SQLite, or merged from segments).
    package func cacheFile(_ kind: RecordKind) -> String { cacheDirectory + "/\(kind.rawValue).tcol" }

    /// The key in the header of `<kind>.tcol` made at store state `state`: the `_row` column
    /// marked, so that a cache file of an earlier Tally (without it) is out of date, not damaged.
    package static func cacheKey(rowsAt state: String) -> String { state + "|rows" }

    /// `file_id << 32 | line` when both fit, else nil.
    package static func rowIdentity(file: Int64, line: Int) -> Int64? {
        guard file >= 0, file < 1 << 31, line >= 0, line < 1 << 32 else { return nil }
        return file << 32 | Int64(line)
    }

    /// What the cache must match: schema version, the files loaded and their row counts,
    /// and the state of the store's files, which any commit by any program alters: the
    /// identity, size and modification time of the store file and of its `-wal` file (in
    /// WAL mode a commit appends to the WAL; a checkpoint rewrites the store file).
    ///
    /// It is computed before the table is read, so a table read from the store is never
    /// older than the fingerprint it is cached under: a commit in between only makes the
    /// next reader rebuild the cache, it cannot make it trust a stale one.
    package func fingerprint(_ kind: RecordKind) throws -> String {
        try fingerprint(kind, files: Self.fileStamp(db.path).text)
    }

    /// The fingerprint, and whether it is safe to cache under: file times have a coarse
    /// clock (a few milliseconds), so a commit in the same tick as the last one, after this
    /// fingerprint was taken, might leave size and time as they were. When both files were
    /// last changed more than 50 ms before now, any later commit has a later time.
    /// Right after a commit, this waits out those 50 ms once rather than not caching.
    package func fingerprintAndSettled(_ kind: RecordKind) throws -> (key: String, settled: Bool) {
        var files = Self.fileStamp(db.path)
        if !files.settled {
            usleep(60_000)
            files = Self.fileStamp(db.path)
        }
        return (try fingerprint(kind, files: files.text), files.settled)
    }

    private func fingerprint(_ kind: RecordKind, files: String) throws -> String {
        let s = try db.prepare("""
            SELECT coalesce(max(id), 0), coalesce(sum(loaded), 0) FROM files WHERE status = 'loaded' AND kind = ?
            """)
        try s.bind([.text(kind.rawValue)])
        _ = try s.step()
        return "v\(try db.userVersion):\(s.int(0)):\(s.int(1)):\(files)"
    }

    /// The identity, size and time of the store file and its `-wal`, by `stat` only: opening
    /// and closing a descriptor of a file SQLite has locked would drop its POSIX locks.
    ///
    /// An empty `-wal` counts as none: both mean the store file holds every commit, and
    /// SQLite creates an empty one whenever a connection opens the store and removes it when
    /// the last one closes, which changes nothing stored. (A commit makes it non-empty; a
    /// checkpoint that empties it again has rewritten the store file.)
    package static func fileStamp(_ path: String) -> (text: String, settled: Bool) {
        guard path != ":memory:" else { return ("memory", true) }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var settled = true
        func stamp(_ p: String, emptyIsNone: Bool) -> String {
            var info = stat()
            guard stat(p, &info) == 0 else { return "-" }
            if emptyIsNone && info.st_size == 0 { return "-" }
            let age = Double(now.tv_sec - info.st_mtim.tv_sec) + Double(now.tv_nsec - info.st_mtim.tv_nsec) / 1e9
            if age < 0.05 { settled = false }
            return "\(info.st_dev).\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        // The clock is read first: a change after it has a time at or after it.
        return ([stamp(path, emptyIsNone: false), stamp(path + "-wal", emptyIsNone: true)].joined(separator: "|"), settled)
    }

    /// SQLite's `PRAGMA data_version`: it changes when another connection commits, never for
    /// this connection's own commits.
    package func dataVersion() throws -> Int {
        try db.scalarInt("PRAGMA data_version") ?? 0
    }
}
