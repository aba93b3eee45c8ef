import Foundation
import TallyCore
import TallyEngine
import TallyFiles
#if canImport(Glibc)
import Glibc
#endif

/// The column segments of one `tally ingest` call: which record kinds' cached tables it can
/// extend, the segments its files wrote, and the manifests it leaves.
///
/// The rule that keeps them exact: a manifest claims a store state only when nothing but
/// this call changed the records since a state the call found its kind's cache matching.
///
/// 1. `begin`, in a write transaction (no other connection can commit), before any file:
///    for each kind, the store's fingerprint now, and what matches it exactly: the base
///    cache `<kind>.tcol`, a manifest, or (a kind with no records) nothing at all. Kinds with
///    none are not extended. SQLite's `PRAGMA data_version` is read then.
/// 2. After each file's transaction committed: its segment (the rows it made current) and
///    tombstones (the current versions it superseded) are written, checksummed and atomic.
/// 3. `finish`, after the last file: the WAL is checkpointed into the store (so that closing
///    the connection, which would checkpoint, changes no file), then in a write transaction
///    `data_version` is read again — it changes only when another connection committed —
///    and, only when unchanged, the store's fingerprint is taken (once its files are 50 ms
///    old, so that a later commit cannot share their times) and each manifest written. Then
///    the transaction ends without writing.
///
/// Any other writer (sqlite3, `tally retract`, another load, a crash between a commit and
/// `finish`) leaves a manifest whose state is not the store's: readers then rebuild from
/// SQLite, as they do for any stale cache.
final class IngestSegments {
    struct Chain {
        var base: String?
        var segments: [SegmentManifest.Segment]
        /// The store's fingerprint of the kind at `begin`, and how many segments were there.
        var startState: String
        var startSegments: Int
    }

    let store: Store
    let cache: String
    /// The kinds whose table this call extends.
    private(set) var chains: [RecordKind: Chain] = [:]
    private var dataVersion = 0
    /// The last file's segment, written (under temporary names) while its transaction
    /// commits, and named once it has.
    private var pending: PendingSegment?
    /// Whether any transaction of this call committed.
    var committed = false

    init(store: Store) {
        self.store = store
        cache = store.cacheDirectory
    }

    /// The kinds whose files' parsers build segments.
    var kinds: Set<RecordKind> { Set(chains.keys) }

    /// The call changes `kind`'s records without a segment: its table is not extended.
    func drop(_ kind: RecordKind) { chains[kind] = nil }

    func begin() throws {
        let db = store.db
        try db.execute("BEGIN IMMEDIATE")
        defer { try? db.execute("ROLLBACK") }
        dataVersion = try store.dataVersion()
        for kind in RecordKind.allCases {
            let state = try store.fingerprint(kind)
            if ColumnFile.fingerprint(path: store.cacheFile(kind)) == Store.cacheKey(rowsAt: state) {
                chains[kind] = Chain(base: Store.cacheKey(rowsAt: state), segments: [], startState: state, startSegments: 0)
            } else if let m = try? SegmentManifest.read(path: SegmentManifest.path(cache, kind)), m.state == state {
                chains[kind] = Chain(base: m.base, segments: m.segments, startState: state, startSegments: m.segments.count)
            } else if try db.scalarInt("SELECT EXISTS (SELECT 1 FROM \(kind.rawValue))") == 0 {
                chains[kind] = Chain(base: nil, segments: [], startState: state, startSegments: 0)
            }
        }
    }

    /// The file's rows are all written (its transaction is about to commit): its segment and
    /// tombstones are built and written on a thread of their own, so that their write and
    /// sync overlap the commit's; they get their names in `fileCommitted`.
    func fileLoaded(_ builder: SegmentBuilder, _ rows: SegmentRows) {
        discardPending()
        let kind = builder.kind
        guard chains[kind] != nil else { return }
        guard rows.exact else {
            pending = PendingSegment(kind: kind, rows: rows, name: nil)
            return
        }
        if rows.kept == 0 && rows.tombstones.isEmpty { return }
        let name = "f\(rows.fileID)-\(getpid())-\(DispatchTime.now().uptimeNanoseconds)"
        let p = PendingSegment(kind: kind, rows: rows, name: name)
        p.start(builder, cache: cache)
        pending = p
    }

    /// A file's transaction committed: its segment is named, or its kind dropped.
    func fileCommitted() {
        committed = true
        guard let p = pending else { return }
        pending = nil
        guard let name = p.name else {
            chains[p.kind] = nil
            return
        }
        do {
            let written = try p.wait()
            try ColumnFile.rename(written.rows, to: SegmentManifest.rowsPath(cache, p.kind, name))
            if let t = written.tombstones {
                try ColumnFile.rename(t, to: SegmentManifest.tombstonesPath(cache, p.kind, name))
            }
            Self.testCrash("segment")
            chains[p.kind]?.segments.append(.init(name: name, rows: written.count, tombstones: p.rows.tombstones.count))
        } catch {
            // A cache that cannot be written is not an error of the load: readers rebuild it.
            p.remove()
            chains[p.kind] = nil
        }
    }

    /// The last file's transaction did not commit: its segment's files are removed.
    func discardPending() {
        pending?.remove()
        pending = nil
    }

    /// After the call's last file: the manifests, when nobody else committed meanwhile.
    func finish() throws {
        guard committed, store.db.path != ":memory:" else { return }
        let db = store.db
        // Readers between files may hold the WAL: the checkpoint waits a little for them, not
        // a minute; if it cannot empty the WAL, the close will, and readers then rebuild.
        db.setBusyTimeout(milliseconds: 2_000)
        _ = try? db.scalarInt("PRAGMA wal_checkpoint(TRUNCATE)")
        db.setBusyTimeout(milliseconds: 60_000)
        Self.testCrash("checkpoint")
        try db.execute("BEGIN IMMEDIATE")
        defer { try? db.execute("ROLLBACK") }
        if try store.dataVersion() != dataVersion { chains = [:] }
        for kind in RecordKind.allCases {
            var keep: Set<String> = []
            // An empty kind needs no manifest (reading it from SQLite costs nothing), and
            // every manifest costs two syncs.
            if var chain = chains[kind], chain.base != nil || !chain.segments.isEmpty {
                // A reader merged the table as it was at `begin` meanwhile (it writes the base,
                // never the segments): that base replaces the segments it holds.
                if chain.startSegments > 0, ColumnFile.fingerprint(path: store.cacheFile(kind)) == Store.cacheKey(rowsAt: chain.startState) {
                    chain.base = Store.cacheKey(rowsAt: chain.startState)
                    chain.segments.removeFirst(chain.startSegments)
                }
                let (state, settled) = try store.fingerprintAndSettled(kind)
                let manifest = SegmentManifest(kind: kind.rawValue, state: state, base: chain.base, segments: chain.segments)
                if settled {
                    do {
                        try FileManager.default.createDirectory(atPath: SegmentManifest.directory(cache, kind),
                                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                        try manifest.write(path: SegmentManifest.path(cache, kind))
                        keep = manifest.files
                        Self.testCrash("manifest")
                    } catch {}
                }
            }
            if keep.isEmpty { unlink(SegmentManifest.path(cache, kind)) }
            removeFiles(of: kind, except: keep)
        }
    }

    /// Testing (debug builds only): `TALLY_TEST_EXIT_IN_SEGMENTS=segment|checkpoint|manifest`
    /// ends the process abruptly at that point (after a segment file, after the checkpoint,
    /// after the first manifest), as a kill there would. Release builds have no such hook.
    static func testCrash(_ point: String) {
        #if DEBUG
        if ProcessInfo.processInfo.environment["TALLY_TEST_EXIT_IN_SEGMENTS"] == point { _exit(70) }
        #endif
    }

    /// Segment files no manifest refers to any more (merged, superseded, or left by a killed
    /// load). Only loads write here, one at a time (the writer lock), so none is in use by a
    /// writer; a reader that mapped one keeps its pages.
    private func removeFiles(of kind: RecordKind, except keep: Set<String>) {
        let directory = SegmentManifest.directory(cache, kind)
        TemporaryFiles.sweep(directory: directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where !keep.contains(name) && name.hasSuffix(".tcol") {
            unlink(directory + "/" + name)
        }
    }
}

/// One file's segment and tombstones, written under temporary names by a thread of their own.
final class PendingSegment: @unchecked Sendable {
    let kind: RecordKind
    let rows: SegmentRows
    /// Nil: the file's rows cannot be named exactly; its kind is dropped when it commits.
    let name: String?
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    private var result: Result<(rows: String, tombstones: String?, count: Int), Error> = .failure(CancellationError())

    init(kind: RecordKind, rows: SegmentRows, name: String?) {
        self.kind = kind
        self.rows = rows
        self.name = name
    }

    func start(_ builder: SegmentBuilder, cache: String) {
        guard let name else { return }
        started = true
        let kind = self.kind, rows = self.rows
        let thread = Thread { [self] in
            result = Result {
                let directory = SegmentManifest.directory(cache, kind)
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                let table = rows.segment(of: builder.build())
                let main = try ColumnFile.writeTemporary(table, path: SegmentManifest.rowsPath(cache, kind, name),
                                                         fingerprint: SegmentManifest.rowsKey(name))
                guard !rows.tombstones.isEmpty else { return (main, nil, table.rowCount) }
                var ids = ColumnBuilder(type: .int64, capacity: rows.tombstones.count)
                for id in rows.tombstones { ids.append(id) }
                do {
                    let dead = try ColumnFile.writeTemporary(Table([(Store.rowIdentity, ids.build())]),
                                                             path: SegmentManifest.tombstonesPath(cache, kind, name),
                                                             fingerprint: SegmentManifest.tombstonesKey(name))
                    return (main, dead, table.rowCount)
                } catch {
                    unlink(main)
                    throw error
                }
            }
            done.signal()
        }
        thread.start()
    }

    /// The temporary files, once written.
    func wait() throws -> (rows: String, tombstones: String?, count: Int) {
        if started {
            done.wait()
            started = false
        }
        return try result.get()
    }

    /// Waits for the writing thread and removes what it wrote.
    func remove() {
        if let written = try? wait() {
            unlink(written.rows)
            if let t = written.tombstones { unlink(t) }
        }
        result = .failure(CancellationError())
    }
}
