import CSQLite
import Foundation
import TallyCore
import TallyStore
import TallyEngine
import TallyFiles

/// Engine tables of the store's records, through a columnar cache next to the store.
///
/// A record kind's table has every column of the record contract except the key (ids are
/// never needed for figures, and would be the largest dictionary) and the columns that are
/// not `inEngine` (decisions' free text and `platform_uid`): strings, enums and sets (JSON
/// arrays as their canonical text) as dictionary strings, dates as dates, timestamps as UTC instants, bools and ints.
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
    /// In order: the cached table `<kind>.tcol` when it was made at the store's exact state;
    /// else the column segments of the loads since (`SegmentManifest`) when their manifest
    /// names the store's exact state — one file mapped as it is, or several merged (rows of
    /// superseded versions dropped) and written back as `<kind>.tcol`, so the merge is paid
    /// once; else SQLite, and the result cached as `<kind>.tcol`.
    ///
    /// A cache that is out of date (the store changed) is rebuilt silently. One that is
    /// present but damaged is reported once on stderr, removed, and rebuilt from the store:
    /// the figures are always the store's.
    public func table(_ kind: RecordKind, useCache: Bool = true) throws -> TableLoad {
        guard useCache else { return TableLoad(table: try readTable(kind), fromCache: false) }
        let columns = Self.engineColumns(of: kind) + [(Self.rowIdentity, DataType.int64)]
        let load = try cachedTable(kind, file: "\(kind.rawValue).tcol", columns: columns, useCache: true, key: Self.cacheKey(rowsAt:),
                                   segments: { state in try self.segmentsTable(kind, state: state, columns: columns) }) {
            try readTable(kind, rowIdentity: true)
        }
        // The row identity is the cache's own, for tombstones; figures never see it.
        let t = load.table
        let table = Table(zip(t.names, t.columns).filter { $0.0 != Self.rowIdentity })
        return TableLoad(table: table, fromCache: load.fromCache, cacheDamage: load.cacheDamage)
    }

    /// Damage found in a column segment, its manifest or its tombstones.
    struct SegmentDamage: Error {
        let path: String
        let why: String
    }

    /// The table the segment manifest of `kind` describes, when it names store state `state`
    /// and each of its files passes every check; nil when there is none, or it is out of date.
    func segmentsTable(_ kind: RecordKind, state: String, columns: [(name: String, type: DataType)]) throws -> Table? {
        let manifestPath = SegmentManifest.path(cacheDirectory, kind)
        let manifest: SegmentManifest
        do {
            guard let m = try SegmentManifest.read(path: manifestPath) else { return nil }
            manifest = m
        } catch ColumnFileError.damaged(let why) {
            throw SegmentDamage(path: manifestPath, why: why)
        }
        guard manifest.state == state, manifest.kind == kind.rawValue else { return nil }

        /// One file of the table; nil when it is missing or not the one named (a later load or
        /// merge replaced it): then the table is rebuilt, silently.
        func part(_ path: String, _ key: String, _ expected: [(name: String, type: DataType)]) throws -> Table? {
            do {
                let t = try ColumnFile.read(path: path, fingerprint: key)
                guard t.names == expected.map(\.name), t.columns.map(\.type) == expected.map(\.type) else {
                    throw SegmentDamage(path: path, why: "its columns are not those of \(kind.rawValue)")
                }
                return t
            } catch ColumnFileError.damaged(let why) {
                throw SegmentDamage(path: path, why: why)
            } catch let e as SegmentDamage {
                throw e
            } catch {
                return nil
            }
        }
        var parts: [Table] = []
        if let base = manifest.base {
            guard let t = try part(cacheFile(kind), base, columns) else { return nil }
            parts.append(t)
        }
        var tombstones: [Int64] = []
        let identity = [(Self.rowIdentity, DataType.int64)]
        for s in manifest.segments {
            let path = SegmentManifest.rowsPath(cacheDirectory, kind, s.name)
            guard let t = try part(path, SegmentManifest.rowsKey(s.name), columns) else { return nil }
            guard t.rowCount == s.rows else {
                throw SegmentDamage(path: path, why: "it has \(t.rowCount) rows, its manifest says \(s.rows)")
            }
            parts.append(t)
            if s.tombstones > 0 {
                let deadPath = SegmentManifest.tombstonesPath(cacheDirectory, kind, s.name)
                guard let d = try part(deadPath, SegmentManifest.tombstonesKey(s.name), identity) else { return nil }
                let ids = d[Self.rowIdentity]
                guard d.rowCount == s.tombstones, ids.nullCount == 0 else {
                    throw SegmentDamage(path: deadPath, why: "it does not hold the \(s.tombstones) tombstones its manifest says")
                }
                ids.withInt64s { tombstones.append(contentsOf: $0) }
            }
        }
        if parts.count == 1 && tombstones.isEmpty { return parts[0] }
        if parts.isEmpty { return Table(columns.map { ($0.name, ColumnBuilder(type: $0.type, capacity: 0).build()) }) }

        // Each tombstone names exactly one row of the parts: a superseded version was current
        // once, in one file, at one line. Anything else is not the store's table.
        let dead = Set(tombstones)
        guard dead.count == tombstones.count else {
            throw SegmentDamage(path: manifestPath, why: "a row is superseded twice")
        }
        // A bit per hash bucket: most rows are told alive without a set lookup.
        var filter = [UInt64](repeating: 0, count: 1 << 14)
        func bucket(_ id: Int64) -> Int { Int(truncatingIfNeeded: (UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15) >> 44) }
        for id in tombstones { filter[bucket(id) >> 6] |= 1 << UInt64(bucket(id) & 63) }
        var matched = 0
        var rows: [[Int]?] = []
        for t in parts {
            var drop: [Int] = []
            if !dead.isEmpty {
                let column = t[Self.rowIdentity]
                column.withInt64s { ids in
                    for i in 0..<t.rowCount {
                        let b = bucket(ids[i])
                        if filter[b >> 6] & (1 << UInt64(b & 63)) != 0, column.isValid(i), dead.contains(ids[i]) { drop.append(i) }
                    }
                }
            }
            matched += drop.count
            if drop.isEmpty {
                rows.append(nil)
            } else {
                var keep: [Int] = []
                keep.reserveCapacity(t.rowCount - drop.count)
                var d = 0
                for i in 0..<t.rowCount {
                    if d < drop.count && drop[d] == i { d += 1 } else { keep.append(i) }
                }
                rows.append(keep)
            }
        }
        guard matched == tombstones.count else {
            throw SegmentDamage(path: manifestPath, why: "\(tombstones.count - matched) of its tombstones name no row")
        }
        let merged = Table.concatenating(Array(zip(parts, rows)).map { (table: $0.0, rows: $0.1) }, columns: columns.map(\.name))
        // Written back as the kind's cached table at this state: the next reader maps it, and
        // the next load extends it.
        TemporaryFiles.sweep(directory: cacheDirectory)
        try? ColumnFile.write(merged, path: cacheFile(kind), fingerprint: Self.cacheKey(rowsAt: state))
        return merged
    }

    static let validFrom = "_valid_from", validTo = "_valid_to"

    /// The engine columns of `kind` and each version's interval of batches.
    static func versionColumns(of kind: RecordKind) -> [(name: String, type: DataType)] {
        engineColumns(of: kind) + [(validFrom, .int64), (validTo, .int64)]
    }

    /// A table read by `read`, through the cache file `file` when it matches the store.
    /// `key` turns the store's fingerprint into the one the file's header must hold; `segments`,
    /// when given, is asked next (with the store's fingerprint) before SQLite is read.
    func cachedTable(_ kind: RecordKind, file: String, columns expected: [(name: String, type: DataType)], useCache: Bool,
                     key: (String) -> String = { $0 }, segments: ((String) throws -> Table?)? = nil,
                     read: () throws -> Table) throws -> TableLoad {
        let (fingerprint, settled) = try fingerprintAndSettled(kind)
        let cachePath = cacheDirectory + "/" + file
        var damage: String?
        var damaged = cachePath
        if useCache {
            do {
                let cached = try ColumnFile.read(path: cachePath, fingerprint: key(fingerprint))
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
            if damage == nil, let segments {
                do {
                    if let table = try segments(fingerprint) { return TableLoad(table: table, fromCache: true) }
                } catch let e as SegmentDamage {
                    damage = e.why
                    damaged = e.path
                }
            }
        }
        let table = try read()
        var rewritten: String?
        if useCache && settled && db.path != ":memory:" {
            try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
            // Temporary cache files of processes killed while writing them.
            TemporaryFiles.sweep(directory: cacheDirectory)
            do { try ColumnFile.write(table, path: cachePath, fingerprint: key(fingerprint)) } catch {
                rewritten = "\(error)"
            }
        }
        if let damage {
            let outcome = rewritten.map { "ignored, and not rebuilt (\($0))" } ?? "ignored and rebuilt from the store"
            Self.warnOnce(path: damaged, "tally: warning: the column cache \(damaged) is damaged (\(damage)); \(outcome)")
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

    /// Reads every record of `kind` from SQLite into columns; with `rowIdentity`, each row's
    /// `file_id << 32 | line` too (null beyond that range), as column segments name rows.
    func readTable(_ kind: RecordKind, vintage: Int? = nil, rowIdentity: Bool = false) throws -> Table {
        var columns = Self.engineColumns(of: kind)
        var names = columns.map(\.name).joined(separator: ", ")
        if rowIdentity {
            columns.append((Self.rowIdentity, .int64))
            names += ", CASE WHEN file_id BETWEEN 0 AND 2147483647 AND line BETWEEN 0 AND 4294967295 THEN file_id << 32 | line END"
        }
        return try db.read {
            let rows = vintage == nil ? try db.scalarInt("SELECT count(*) FROM \(kind.rawValue)") ?? 0 : 1024
            return try readTableInSnapshot(columns, sql: Self.vintageSQL(kind, columns: names, vintage: vintage), rows: rows)
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
