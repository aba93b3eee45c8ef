import Foundation
import Crypto
import TallyCore
import TallyCSV
import TallyProfiles
import TallyXLSX

public struct IngestOptions: Sendable {
    /// The record kind; detected from the header when nil.
    public var kind: RecordKind?
    public var encoding: TextEncoding = .utf8
    /// Zone of timestamps written without an offset.
    public var timeZone: String = Tally.defaultTimeZone
    /// Called about five times a second during a load.
    public var progress: (@Sendable (IngestProgress) -> Void)?
    /// Testing: throw after this many data rows of a file, as a failure mid-file would.
    public var failAfterRows: Int?
    /// Testing (debug builds only): end the process abruptly (no rollback) after this many
    /// data rows of a file. Release builds have no such hook; the crash tests kill them.
    public var crashAfterRows: Int?
    /// A revision (`tally ingest --revise --reason TEXT`): corrections are written, not
    /// quarantined as conflicts; the reason is recorded with the batch.
    public var revise = false
    public var reason: String?
    /// Seconds to wait for another process's load of the same store before giving up.
    public var wait: Double = 600
    /// Called once when another process is loading into the store, naming it.
    public var onWait: (@Sendable (WriterLock.Holder?) -> Void)?
    /// Rows with a field longer than this many bytes are quarantined (see `RowSink`).
    public var maxFieldBytes: Int = IngestOptions.defaultMaxFieldBytes
    public static let defaultMaxFieldBytes = 65_536
    /// The platform registry: takedowns' platform names are mapped to its canonical names
    /// (the name as written kept in `platform_text`). Nil: names load as written.
    public var platforms: PlatformRegistry?
    /// `--strict-platforms`: a takedown whose platform is not in the registry is quarantined.
    public var strictPlatforms = false
    /// `--source`: every file is read through this profile.
    public var source: SourceProfile?
    /// Profiles tried on a file whose first row is not a contract header (`Data/sources`):
    /// the only one whose header is among the file's first rows reads it.
    public var profiles: [SourceProfile] = []
    /// `--sheet NAME|INDEX`: the sheet read from each Excel workbook (nil: its first sheet).
    public var sheet: String?
    /// Decisions: store the long free-text columns (`tally ingest --keep-text`); without it
    /// they are read and not stored.
    public var keepText = false
    /// Write the engine's column segments while loading (`<store>.cache/<kind>/`), so that the
    /// first query after the load maps them instead of reading SQLite (`IngestSegments`).
    public var columnSegments = true

    public init() {}
}

public enum IngestError: Error, CustomStringConvertible {
    case unknownTimeZone(String)
    case simulatedFailure(row: Int)

    public var description: String {
        switch self {
        case .unknownTimeZone(let z): return "unknown time zone '\(z)' (expected an IANA name such as Asia/Seoul)"
        case .simulatedFailure(let r): return "simulated failure after row \(r)"
        }
    }
}

/// A reason to refuse a whole file: nothing of it is loaded.
package struct FileRejection: Error {
    package let message: String
}

extension Store {
    /// Loads each file in its own transaction and reports on every one; a rejected file
    /// does not stop the others. Throws only for problems of the store itself.
    ///
    /// The whole load holds the store's `WriterLock`: a second load waits for it (up to
    /// `options.wait` seconds) and, when the wait runs out, fails before loading anything.
    /// The batch row is written in the first file's transaction; a load killed between files
    /// leaves its batch with `finished_at` null, which `status` reports as interrupted.
    public func ingest(_ paths: [String], options: IngestOptions = IngestOptions()) throws -> IngestReport {
        guard let zone = ZoneOffsets(identifier: options.timeZone) else {
            throw IngestError.unknownTimeZone(options.timeZone)
        }
        let lock = db.path == ":memory:" ? nil : try WriterLock(store: db.path, wait: options.wait, onWait: options.onWait)
        defer { withExtendedLifetime(lock) {} }
        var report = IngestReport(batch: nil, files: [])
        if let registry = options.platforms {
            report.platformRemap = try remapPlatforms(registry, options: options)
        }
        // Which kinds' cached tables this call can extend with its files' segments, decided
        // before any file (see `IngestSegments`).
        if options.columnSegments && db.path != ":memory:" {
            let session = IngestSegments(store: self)
            if (try? session.begin()) != nil { segments = session }
        }
        defer {
            segments?.discardPending()
            segments = nil
        }
        for path in paths {
            report.files += try ingestInput(path, options: options, zone: zone, batch: &report.batch)
        }
        if let batch = report.batch {
            try db.execute("UPDATE batches SET finished_at = '\(Self.now())' WHERE id = \(batch)")
        }
        // A cache that cannot be finished is not an error of the load: readers rebuild it.
        try? segments?.finish()
        return report
    }

    func startBatch(_ options: IngestOptions) throws -> Int {
        let s = try db.prepare("""
            INSERT INTO batches (started_at, tool_version, time_zone, encoding, kind, reason) VALUES (?, ?, ?, ?, 'ingest', ?)
            """)
        try s.bind([.text(Self.now()), .text(Tally.version), .text(options.timeZone), .text(options.encoding.rawValue),
                    options.reason.map { .text($0) } ?? .null])
        try s.step()
        return Int(db.lastInsertRowID)
    }

    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    /// Where a file read from an archive came from.
    struct ArchiveOrigin {
        var member: String
        var archiveSHA256: String
    }

    /// Loads one input: a plain file, or each member of an archive or compressed file (told
    /// from its first bytes by libarchive) as a file of its own, in its own transaction.
    func ingestInput(_ path: String, options: IngestOptions, zone: ZoneOffsets, batch: inout Int?) throws -> [FileReport] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            var report = FileReport(path: path, status: .rejected)
            report.error = "cannot read the file: " + Self.readErrorReason(path)
            return [report]
        }
        if data.withUnsafeBytes({ Workbook.isWorkbook($0) }) || ArchiveInput.isWorkbookName(path) {
            return [try ingestWorkbook(data, path: path, origin: nil, options: options, zone: zone, batch: &batch)]
        }
        if data.withUnsafeBytes({ ArchiveInput.kind(of: $0) }) == .plain {
            return [try ingestFile(data, path: path, origin: nil, options: options, zone: zone, batch: &batch)]
        }
        let archiveSHA256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        var reports: [FileReport] = []
        try data.withUnsafeBytes { bytes in
            try ArchiveInput.forEachMember(of: bytes, name: Provenance.fileName(path)) { item in
                switch item {
                case let .csv(member, memberData):
                    let origin = ArchiveOrigin(member: member, archiveSHA256: archiveSHA256)
                    reports.append(try ingestFile(memberData, path: path + "!" + member, origin: origin, options: options,
                                                  zone: zone, batch: &batch))
                case let .workbook(member, memberData):
                    let origin = ArchiveOrigin(member: member, archiveSHA256: archiveSHA256)
                    reports.append(try ingestWorkbook(memberData, path: path + "!" + member, origin: origin, options: options,
                                                      zone: zone, batch: &batch))
                case let .skipped(member, reason):
                    var report = FileReport(path: path + "!" + member, status: .skipped)
                    report.member = member
                    report.archiveSHA256 = archiveSHA256
                    report.error = reason
                    reports.append(report)
                case let .damaged(member, reason):
                    var report = FileReport(path: member.isEmpty ? path : path + "!" + member, status: .rejected)
                    report.member = member.isEmpty ? nil : member
                    report.archiveSHA256 = archiveSHA256
                    report.error = reason
                    try inBatchTransaction(&batch, options) { batch in
                        try recordRejection(report, bytes: member.isEmpty ? data.count : 0, batch: batch)
                    }
                    reports.append(report)
                }
            }
        }
        if reports.isEmpty {
            var report = FileReport(path: path, status: .skipped)
            report.archiveSHA256 = archiveSHA256
            report.error = "the archive holds no files; nothing to load"
            reports.append(report)
        }
        return reports
    }

    /// Loads one file's bytes (a plain file's, or an archive member's) in one transaction.
    func ingestFile(_ data: Data, path: String, origin: ArchiveOrigin?, options: IngestOptions, zone: ZoneOffsets,
                    batch: inout Int?) throws -> FileReport {
        var report = FileReport(path: path, status: .loaded)
        report.member = origin?.member
        report.archiveSHA256 = origin?.archiveSHA256
        // The SHA-256 is computed on its own thread while the file is parsed and written.
        let hash = BackgroundSHA256(data)
        func sha256() -> String { hash.value }

        do {
            let text = try Self.decodeText(data, encoding: options.encoding, checkLater: true)
            try text.withUnsafeBytes { bytes in
                // The parse starts at once; it is stopped unused when the file turns out to be
                // loaded already.
                let parser = RowParser(bytes: bytes, options: options, zone: zone)
                parser.segmentKinds = segments?.kinds ?? []
                // A capacity on the generous side: pages of a column never written cost nothing.
                parser.segmentCapacity = bytes.count / 48
                parser.start()
                defer { parser.stop() }
                // Only a loaded file of the same size can be this one: then its SHA-256 is
                // awaited and checked first, so that loading a file again costs its hash only.
                // Otherwise the rows are written while the hash is computed, and the check is
                // made at the end, before the commit (`LoadedAlready`).
                if try loadedFile(ofBytes: bytes.count) {
                    report.sha256 = sha256()
                    // A revision loads a file again: the rows that were conflicts become corrections.
                    if try alreadyLoaded(sha256(), report: &report, asRevision: options.revise) { return }
                }
                // The load inserts only its own file's id into file_id: checking that foreign
                // key row by row would be work without purpose. (The pragma cannot change
                // inside a transaction, hence around it.)
                try db.execute("PRAGMA foreign_keys = OFF")
                defer { try? db.execute("PRAGMA foreign_keys = ON") }
                do {
                    try inBatchTransaction(&batch, options) { batch in
                        // The file's row holds a unique stand-in until the SHA-256 is known.
                        let pending = "pending:" + UUID().uuidString
                        try load(byteCount: bytes.count, parser: parser, path: path, origin: origin, sha256: pending, batch: batch,
                                 options: options, report: &report)
                        var probe = FileReport(path: path, status: .loaded)
                        if try alreadyLoaded(sha256(), report: &probe, asRevision: options.revise) { throw LoadedAlready() }
                        let update = try db.prepare("UPDATE files SET sha256 = ? WHERE sha256 = ?")
                        try update.bind([.text(sha256()), .text(pending)])
                        try update.step()
                        report.sha256 = sha256()
                    }
                    segments?.fileCommitted()
                } catch is LoadedAlready {
                    // Rolled back: the report is that of a file loaded before, as when found first
                    // (and the segment written for its rows is removed, never named).
                    segments?.discardPending()
                    report = FileReport(path: path, status: .loaded)
                    report.member = origin?.member
                    report.archiveSHA256 = origin?.archiveSHA256
                    report.sha256 = sha256()
                    _ = try alreadyLoaded(sha256(), report: &report, asRevision: options.revise)
                }
            }
        } catch let rejection as FileRejection {
            report = FileReport(path: path, status: .rejected)
            report.member = origin?.member
            report.archiveSHA256 = origin?.archiveSHA256
            report.sha256 = sha256()
            // Loaded before (say, with another --encoding): that, not the rejection, is news.
            if try alreadyLoaded(sha256(), report: &report) { return report }
            report.error = rejection.message
            try inBatchTransaction(&batch, options) { batch in
                try recordRejection(report, bytes: data.count, batch: batch)
            }
        }
        return report
    }

    /// Loads one sheet of an Excel workbook (`options.sheet`, else the first) in one
    /// transaction, exactly as a CSV file with the same rows: the same validation, counts and
    /// quarantine reasons, with rows placed by sheet and cell. The file's SHA-256 is the
    /// workbook's; the sheet is recorded with it, so each sheet of a workbook loads once. A
    /// workbook that cannot be read (not a zip, a missing part, malformed XML), or has no such
    /// sheet, is rejected whole with one line naming the part or listing the sheets.
    func ingestWorkbook(_ data: Data, path: String, origin: ArchiveOrigin?, options: IngestOptions, zone: ZoneOffsets,
                        batch: inout Int?) throws -> FileReport {
        var report = FileReport(path: path, status: .loaded)
        report.member = origin?.member
        report.archiveSHA256 = origin?.archiveSHA256
        let sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        report.sha256 = sha256
        var sheetName: String?
        do {
            let book: Workbook
            let info: SheetInfo
            let reader: SheetReader
            do {
                book = try Workbook(data: data)
                info = try book.sheet(options.sheet)
                sheetName = info.name
                report.sheet = info.name
                if try alreadyLoaded(sha256, sheet: info.name, report: &report, asRevision: options.revise) { return report }
                reader = try book.reader(for: info)
            } catch let error as WorkbookError {
                throw FileRejection(message: error.description)
            }
            let parser = RowParser(sheet: reader, options: options, zone: zone)
            parser.segmentKinds = segments?.kinds ?? []
            parser.start()
            defer { parser.stop() }
            try db.execute("PRAGMA foreign_keys = OFF")
            defer { try? db.execute("PRAGMA foreign_keys = ON") }
            try inBatchTransaction(&batch, options) { batch in
                try load(byteCount: data.count, sheet: info.name, parser: parser, path: path, origin: origin, sha256: sha256,
                         batch: batch, options: options, report: &report)
            }
            segments?.fileCommitted()
        } catch let rejection as FileRejection {
            report = FileReport(path: path, status: .rejected)
            report.member = origin?.member
            report.archiveSHA256 = origin?.archiveSHA256
            report.sha256 = sha256
            report.sheet = sheetName
            if let sheetName, try alreadyLoaded(sha256, sheet: sheetName, report: &report) { return report }
            report.error = rejection.message
            try inBatchTransaction(&batch, options) { batch in
                try recordRejection(report, bytes: data.count, batch: batch)
            }
        }
        return report
    }

    /// Runs `body` in one write transaction with the load's batch id, creating the batch row
    /// in that same transaction when it is the load's first: a load that never commits a
    /// file leaves no batch behind.
    func inBatchTransaction(_ batch: inout Int?, _ options: IngestOptions, _ body: (Int) throws -> Void) throws {
        let existing = batch
        segments?.discardPending()
        do {
            try db.transaction {
                let id = try existing ?? startBatch(options)
                try body(id)
                batch = id
            }
            segments?.committed = true
        } catch {
            batch = existing
            throw error
        }
    }

    /// A file found loaded already once its SHA-256 was known, at the end of its load (which
    /// is then rolled back).
    struct LoadedAlready: Error {}

    /// Whether a loaded file has this many bytes (as `files.bytes` counts them), i.e. whether
    /// a file of this size may have been loaded before.
    func loadedFile(ofBytes count: Int) throws -> Bool {
        try db.scalarInt("SELECT 1 FROM files WHERE status = 'loaded' AND bytes = ? LIMIT 1", [.int(Int64(count))]) != nil
    }

    /// Whether a file with this SHA-256 is in the store already; if so, says so in `report`.
    /// With `asRevision`, only a load of the file as a revision counts: a file loaded before
    /// without `--revise` is read again, so that the conflicts it caused become corrections.
    /// A workbook's sheets are told apart by `sheet`: another sheet of a loaded workbook is new.
    func alreadyLoaded(_ sha256: String, sheet: String? = nil, report: inout FileReport, asRevision: Bool = false) throws -> Bool {
        guard let previous = try db.scalarInt("""
            SELECT f.batch_id FROM files f JOIN batches b ON b.id = f.batch_id
            WHERE f.sha256 = ? AND f.status = 'loaded' AND (? = 0 OR b.reason IS NOT NULL) AND coalesce(f.sheet, '') = ?
            ORDER BY f.id DESC LIMIT 1
            """, [.text(sha256), .int(asRevision ? 1 : 0), .text(sheet ?? "")]) else { return false }
        report.status = .alreadyLoaded
        report.loadedInBatch = previous
        report.kind = try db.scalarText("SELECT kind FROM files WHERE sha256 = ? AND status = 'loaded'", [.text(sha256)])
        return true
    }

    package static func readErrorReason(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return "read error"
    }

    /// The file as UTF-8 bytes, or a rejection saying why it is not text of that encoding.
    /// With `checkLater`, UTF-8 input is returned unchecked: the ingest's parsing thread
    /// checks it chunk by chunk (`RowParser`) instead of holding up the start of the load.
    package static func decodeText(_ data: Data, encoding: TextEncoding, checkLater: Bool = false) throws -> Data {
        try data.withUnsafeBytes { raw -> Data in
            if raw.count == 0 { throw FileRejection(message: "no header: the file is empty") }
            switch encoding {
            case .utf8:
                if !checkLater { try checkText(raw, offset: 0, in: raw) }
                return data
            case .cp949:
                try checkText(raw, offset: 0, in: raw, utf8: false)
                do {
                    return Data(try encoding.toUTF8(raw))
                } catch EncodingError.invalid(_, let offset) {
                    throw FileRejection(message: "not valid cp949 (line \(TextEncoding.line(ofOffset: offset, in: raw)))")
                }
            }
        }
    }

    /// Rejects the file when `chunk` (at `offset` in `file`) holds a NUL byte or, with `utf8`,
    /// bytes that are not UTF-8, naming the line.
    static func checkText(_ chunk: UnsafeRawBufferPointer, offset: Int, in file: UnsafeRawBufferPointer,
                          utf8: Bool = true) throws {
        if let nul = TextEncoding.firstNUL(chunk) {
            throw FileRejection(message: "not a text file (a NUL byte on line \(TextEncoding.line(ofOffset: offset + nul, in: file)))")
        }
        if utf8, let bad = TextEncoding.firstInvalidUTF8(chunk) {
            throw FileRejection(message: "not UTF-8 (first invalid byte on line \(TextEncoding.line(ofOffset: offset + bad, in: file))); "
                + "if it is a Korean spreadsheet export, try --encoding cp949")
        }
    }

    func recordRejection(_ report: FileReport, bytes: Int, batch: Int) throws {
        let s = try db.prepare("""
            INSERT INTO files (batch_id, path, sha256, bytes, kind, status, error, member, archive_sha256, sheet)
            VALUES (?, ?, ?, ?, ?, 'rejected', ?, ?, ?, ?)
            """)
        try s.bind([.int(Int64(batch)), .text(report.path), .text(report.sha256 ?? ""), .int(Int64(bytes)),
                    report.kind.map { .text($0) } ?? .null, .text(report.error ?? ""),
                    report.member.map { .text($0) } ?? .null, report.archiveSHA256.map { .text($0) } ?? .null,
                    report.sheet.map { .text($0) } ?? .null])
        try s.step()
    }

    /// Parses, validates and writes one file's rows; runs inside the file's transaction.
    ///
    /// Two threads share the work: `parser` (started by the caller) reads the CSV with libcsv
    /// and validates each row into a `RowBatch`; this thread, which owns the SQLite
    /// connection, writes the batches in file order. Either side stopping stops the other.
    func load(byteCount: Int, sheet: String? = nil, parser: RowParser, path: String, origin: ArchiveOrigin?, sha256: String,
              batch: Int, options: IngestOptions, report: inout FileReport) throws {
        let insertFile = try db.prepare("""
            INSERT INTO files (batch_id, path, sha256, bytes, status, member, archive_sha256, sheet)
            VALUES (?, ?, ?, ?, 'loaded', ?, ?, ?)
            """)
        try insertFile.bind([.int(Int64(batch)), .text(path), .text(sha256), .int(Int64(byteCount)),
                             origin.map { .text($0.member) } ?? .null, origin.map { .text($0.archiveSHA256) } ?? .null,
                             sheet.map { .text($0) } ?? .null])
        try insertFile.step()
        let fileID = db.lastInsertRowID
        let quarantine = try db.prepare("""
            INSERT INTO quarantine (file_id, line, column_name, value, reason, cell) VALUES (?, ?, ?, ?, ?, ?)
            """)

        var validator: RowValidator?
        var profile: ProfileBinding?
        var writer: RecordWriter?
        var counts = (read: 0, loaded: 0, updated: 0, corrected: 0, duplicates: 0, quarantined: 0)
        // Decisions: valid rows whose application_date is before their content_date (counted
        // and reported, not quarantined: decisions.md).
        var applicationBeforeContent = 0
        var dateColumns: (application: Int, content: Int)?
        var raisedCache = false
        // The SQLite thread's half of the file's column segment, when its kind gets one.
        var segmentRows: SegmentRows?
        defer { if raisedCache { try? db.execute("PRAGMA cache_size = -65536") } }
        let started = Date()
        var lastProgress = started
        // Indices of a batch's valid rows, handed to the writer together.
        let valid = UnsafeMutablePointer<Int>.allocate(capacity: RowBatch.capacity)
        defer { valid.deallocate() }

        func quarantineRow(line: Int, column: String?, value: String, reason: String, cell: String? = nil) throws {
            counts.quarantined += 1
            quarantine.reset()
            try quarantine.bind([.int(fileID), .int(Int64(line)), column.map { .text($0) } ?? .null,
                                 .text(value), .text(reason), cell.map { .text($0) } ?? .null])
            try quarantine.step()
        }

        loop: while let message = parser.output.receive() {
            switch message {
            case let .header(kind, v, binding):
                validator = v
                profile = binding
                writer = try RecordWriter(db: db, schema: kind.schema, fileID: fileID, batchID: Int64(batch),
                                          revise: options.revise, platforms: options.platforms)
                report.kind = kind.rawValue
                report.unknownColumns = binding?.unknownColumns ?? v.unknownColumns
                if let s = segments, s.kinds.contains(kind) {
                    if parser.segment != nil { segmentRows = SegmentRows(fileID: fileID) } else { s.drop(kind) }
                }
                report.source = binding?.profile.name
                if kind == .decisions {
                    dateColumns = (kind.schema.index(of: "application_date")!, kind.schema.index(of: "content_date")!)
                    // Decisions are keyed by random uuids: every insert lands on a random page
                    // of the uuid index, which outgrows the store's 64 MiB page cache at a few
                    // million rows. A larger cache for this load keeps the index in memory
                    // (pages are only allocated as used); the store's size is set back after.
                    if let mib = Self.decisionCacheMiB {
                        try db.execute("PRAGMA cache_size = -\(mib * 1024)")
                        raisedCache = true
                    }
                }
            case .rows(let b):
                guard let w = writer, let v = validator else { break }
                var n = 0
                for i in 0..<b.count {
                    counts.read += 1
                    if let limit = options.failAfterRows, counts.read > limit { throw IngestError.simulatedFailure(row: limit) }
                    #if DEBUG
                    if let limit = options.crashAfterRows, counts.read > limit { _exit(70) }
                    #endif
                    let p = b.problemIndex[i]
                    if p >= 0 {
                        let problem = b.problems[Int(p)]
                        try quarantineRow(line: b.lines[i], column: problem.column, value: problem.value, reason: problem.reason,
                                          cell: problem.cell)
                    } else {
                        valid[n] = i
                        n += 1
                        if let d = dateColumns {
                            let o = i * b.columns
                            if !b.isNull[o + d.content] && b.ints[o + d.application] < b.ints[o + d.content] {
                                applicationBeforeContent += 1
                            }
                        }
                    }
                }
                try w.write(b, rows: UnsafeBufferPointer(start: valid, count: n), db: db) { i, outcome in
                    switch outcome {
                    case .inserted: counts.loaded += 1
                    case .duplicate: counts.duplicates += 1
                    case .updated: counts.updated += 1
                    case .corrected: counts.corrected += 1
                    case .conflict: break
                    }
                    if let rows = segmentRows {
                        switch outcome {
                        case .inserted:
                            rows.add(line: b.lines[i], current: true)
                        case .updated, .corrected:
                            rows.add(line: b.lines[i], current: true)
                            rows.superseded(file: w.superseded.file, line: w.superseded.line)
                        case .duplicate, .conflict:
                            rows.add(line: b.lines[i], current: false)
                        }
                    }
                    switch outcome {
                    case .inserted, .duplicate, .updated, .corrected: break
                    case let .conflict(otherPath, otherLine, fields, otherSheet):
                        let key = profile?.sourceName(of: v.schema.key) ?? v.schema.key
                        let value = String(decoding: b.text(i, v.schema.keyIndex), as: UTF8.self)
                        // A sheet's rows are rows, placed as `book.xlsx!Sheet row 5`; a CSV's are lines.
                        let place = otherSheet.map { "row \(otherLine) of sheet '\($0)'" } ?? "line \(otherLine)"
                        let origin = otherPath == path && otherSheet == sheet ? "\(place) of this file"
                            : "\(Provenance.fileName(otherPath)) \(otherSheet.map { "sheet '\($0)' row \(otherLine)" } ?? place)"
                        try quarantineRow(line: b.lines[i], column: key, value: value,
                                          reason: "conflict: \(key) '\(value)' was loaded from \(origin) with other values of "
                                              + fields.joined(separator: ", ") + "; a correction needs `tally ingest --revise --reason TEXT`",
                                          cell: parser.sheetFields?.cell(of: key, row: b.lines[i])
                                              ?? parser.profileSink?.sheetCell?(profile?.field(of: v.schema.key), b.lines[i]))
                    }
                }
                parser.recycle(b)
                if let progress = options.progress {
                    let now = Date()
                    if now.timeIntervalSince(lastProgress) >= 0.2 {
                        lastProgress = now
                        progress(IngestProgress(path: path, rows: counts.read, bytesDone: parser.bytesFed,
                                                bytesTotal: sheet == nil ? byteCount : Int(parser.sheetBytes ?? 0),
                                                seconds: now.timeIntervalSince(started)))
                    }
                }
            case .end(let error):
                if let error { throw error }
                break loop
            }
        }
        guard validator != nil else { throw FileRejection(message: "no header: the file has no rows") }
        if let rows = segmentRows, let builder = parser.segment { segments?.fileLoaded(builder, rows) }
        report.unregisteredPlatforms = writer?.platforms.unregistered() ?? []
        report.skippedRows = parser.profileSink?.skipped ?? []

        report.rowsRead = counts.read
        report.loaded = counts.loaded
        report.updated = counts.updated
        report.corrected = counts.corrected
        report.duplicates = counts.duplicates
        report.quarantined = counts.quarantined
        if dateColumns != nil { report.applicationBeforeContent = applicationBeforeContent }
        precondition(counts.read == counts.loaded + counts.updated + counts.corrected + counts.duplicates + counts.quarantined)
        let update = try db.prepare("""
            UPDATE files SET kind = ?, rows_read = ?, loaded = ?, updated = ?, corrected = ?, duplicates = ?, quarantined = ?,
              unknown_columns = ?, application_before_content = ?
            WHERE id = ?
            """)
        try update.bind([.text(report.kind ?? ""), .int(Int64(counts.read)), .int(Int64(counts.loaded)),
                         .int(Int64(counts.updated)), .int(Int64(counts.corrected)),
                         .int(Int64(counts.duplicates)), .int(Int64(counts.quarantined)),
                         report.unknownColumns.isEmpty ? .null : .text(report.unknownColumns.joined(separator: ",")),
                         report.applicationBeforeContent.map { .int(Int64($0)) } ?? .null,
                         .int(fileID)])
        try update.step()
    }

    /// Page cache (MiB) of a decisions load; nil: the store's 64 MiB. `TALLY_DECISION_CACHE_MIB`
    /// overrides it (0: the store's), for benchmarks.
    static let decisionCacheMiB: Int? = {
        let v = ProcessInfo.processInfo.environment["TALLY_DECISION_CACHE_MIB"].flatMap(Int.init) ?? 512
        return v > 0 ? min(v, 16_384) : nil
    }()

    /// Decides the record kind and checks the header; rejects the file when it cannot be loaded.
    static func checkHeader(kind given: RecordKind? = nil, _ header: [String], options: IngestOptions,
                            zone: ZoneOffsets) throws -> (RecordKind, RowValidator) {
        var seen = Set<String>()
        for name in header where !name.isEmpty {
            if !seen.insert(name).inserted {
                throw FileRejection(message: "column '\(name)' appears twice in the header")
            }
        }
        guard let kind = given ?? options.kind ?? RecordSchema.detect(header: header) else {
            let keys = RecordKind.allCases.map { k in
                let c = k.schema.detectionColumns
                return c.count == 1 ? c[0] : c[0] + " (with " + c.dropFirst().joined(separator: " and ") + ")"
            }.joined(separator: ", ")
            throw FileRejection(message: "cannot tell the record kind: the header has none (or several) of \(keys); give --kind")
        }
        let validator = RowValidator(schema: kind.schema, header: header, zone: zone, keepText: options.keepText)
        if !validator.missingRequired.isEmpty {
            let list = validator.missingRequired.map { "'\($0)'" }.joined(separator: ", ")
            let noun = validator.missingRequired.count == 1 ? "column" : "columns"
            throw FileRejection(message: "missing required \(noun) \(list) for \(kind.rawValue)")
        }
        return (kind, validator)
    }
}


