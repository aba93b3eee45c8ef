import Foundation
import TallyCore
import TallyCSV
import TallyProfiles
import TallyXLSX

/// The parsing half of an ingest: a thread that reads CSV bytes with libcsv (or a workbook's
/// sheet with `TallyXLSX`), checks the header, validates every row and sends the rows in
/// batches, in file order.
final class RowParser: @unchecked Sendable {
    enum Message {
        /// The kind and validator of the file, and the source profile that maps it (nil: a
        /// contract CSV).
        case header(RecordKind, RowValidator, ProfileBinding?)
        case rows(RowBatch)
        /// The end of the file, or the error that stopped the parse.
        case end(Error?)
    }

    struct Cancelled: Error {}

    /// Room for every batch plus the header and end messages: the parser may run ahead of
    /// the writer by all its batches (it does while the file's SHA-256 is computed).
    let output = Channel<Message>(capacity: RowParser.spareBatches + 3)
    /// Batches ready for reuse: room for all of them, so that giving one back never waits.
    private let free = Channel<RowBatch>(capacity: RowParser.spareBatches + 1)
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    private let bytes: UnsafeRawBufferPointer
    /// A sheet to read instead of CSV bytes.
    private let sheet: SheetReader?
    private let options: IngestOptions
    private let zone: ZoneOffsets
    private let lock = NSLock()
    private var fed = 0

    /// Where the rows go once the header is known (set by the parsing thread).
    private(set) var router: HeaderRouter?
    /// The source profile's sink, when the file is read through one: its skipped rows are
    /// final once `.end` was received.
    var profileSink: ProfileSink? { router?.profileSink }

    /// Record kinds whose rows are also built into engine columns (`SegmentBuilder`), and
    /// the rows to make room for at first. Set before `start`.
    var segmentKinds: Set<RecordKind> = []
    var segmentCapacity = 1024
    private var sheetSegment: SegmentBuilder?
    /// The file's engine columns, when its kind is among `segmentKinds` (set by the parsing
    /// thread before it sends the header; complete once `.end` was received).
    var segment: SegmentBuilder? { sheetSegment ?? router?.segment }

    /// Bytes handed to libcsv so far (for progress).
    var bytesFed: Int { lock.withLock { fed } }

    init(bytes: UnsafeRawBufferPointer, options: IngestOptions, zone: ZoneOffsets) {
        self.bytes = bytes
        self.sheet = nil
        self.options = options
        self.zone = zone
    }

    /// A parser of a workbook's sheet (`bytesFed` then counts the sheet's XML read).
    init(sheet: SheetReader, options: IngestOptions, zone: ZoneOffsets) {
        self.bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        self.sheet = sheet
        self.options = options
        self.zone = zone
    }

    /// Size of the sheet's XML, when the parser reads a sheet (for progress).
    private(set) var sheetBytes: Int64?
    /// A sheet's header columns, set before the header message is sent (to name cells).
    private(set) var sheetFields: SheetFields?

    func start() {
        started = true
        let thread = Thread { [self] in
            output.send(.end(run()))
            done.signal()
        }
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Stops the thread if it still runs and waits for it; the bytes must outlive this call.
    func stop() {
        guard started else { return }
        output.close()
        free.close()
        done.wait()
        started = false
    }

    /// Gives a written batch back for reuse.
    func recycle(_ batch: RowBatch) {
        batch.reset()
        free.send(batch)
    }

    /// Parses everything; returns the error that stopped it, if any.
    private func run() -> Error? {
        if let sheet { return runSheet(sheet) }
        // Until the header is known the reader calls this closure; then it calls the sink's
        // per-row method, which reaches everything it needs through constant references.
        let reader = CSVReader { _ in }
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
        let router = HeaderRouter(options: options, zone: zone, now: now, output: output, free: free,
                                  segmentKinds: segmentKinds, segmentCapacity: segmentCapacity)
        self.router = router
        reader.handler = { [self, unowned reader] csvRow in
            // Names in the header: the field limit, but never below the default (a small
            // limit for values must not refuse the contract's column names).
            let nameLimit = max(options.maxFieldBytes, IngestOptions.defaultMaxFieldBytes)
            if let i = (0..<csvRow.count).first(where: { csvRow.field($0).count > nameLimit }) {
                throw FileRejection(message: "line \(csvRow.line): name \(i + 1) of the header is longer than \(nameLimit) bytes")
            }
            let header = (0..<csvRow.count).map { csvRow.string($0).trimmingSpaces }
            guard let route = try router.offer(header, line: csvRow.line) else { return }
            // Data fields (not the header's names) are cut at the limit; see `RowSink.longField`.
            reader.maxFieldBytes = options.maxFieldBytes
            // The DSA dumps write one record per line (see `CSVReader.oneRecordPerLine`).
            if case .contract(let rows) = route { reader.oneRecordPerLine = rows.validator.schema.kind == .decisions }
            switch route {
            case .contract(let rows): reader.handler = { csvRow in try rows.take(csvRow) }
            case .profile(let profiled): reader.handler = { csvRow in try profiled.take(csvRow) }
            }
        }
        do {
            var offset = 0
            while offset < bytes.count {
                var end = Self.chunkEnd(bytes, from: offset)
                // The first chunk ends with the first line, so that what the header decides
                // (one record per line) applies from the second line on.
                if offset == 0, let lf = bytes[0..<end].firstIndex(of: 0x0A) { end = lf + 1 }
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
                // The chunk's text check runs here, ahead of its parse (see `Store.decodeText`).
                if options.encoding == .utf8 { try Store.checkText(chunk, offset: offset, in: bytes) }
                try reader.feed(chunk)
                offset = end
                lock.withLock { fed = offset }
            }
            try reader.finish()
            try router.finish()
            return nil
        } catch {
            return error
        }
    }

    /// Reads a sheet as a table (`SheetReader.readTable`: the first row holding a value is the
    /// header, merged header cells honoured, blank rows skipped) and validates its rows exactly
    /// as CSV rows: each data row is seen through the header's columns (`SheetFields`).
    private func runSheet(_ reader: SheetReader) -> Error? {
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
        var sink: RowSink?
        var fields: SheetFields?
        do {
            try reader.readTable(progress: { [self] done, total in
                lock.withLock {
                    fed = done
                    sheetBytes = total
                }
            }, header: { [self] h in
                let nameLimit = max(options.maxFieldBytes, IngestOptions.defaultMaxFieldBytes)
                if let i = h.names.firstIndex(where: { $0.utf8.count > nameLimit }) {
                    throw FileRejection(message: "cell \(CellReference.name(column: h.firstColumn + i, row: h.firstRow)): "
                        + "name \(i + 1) of the header is longer than \(nameLimit) bytes")
                }
                let header = h.names.map { $0.trimmingSpaces }
                // Not the contract's header (an agency's export, its title row first): the sheet is
                // read again, row by row, through the source profiles.
                if options.source != nil
                    || (options.kind == nil && RecordSchema.detect(header: header) == nil && !options.profiles.isEmpty) {
                    throw ReadThroughProfile()
                }
                // A name merged across columns names each of them: say so rather than only that it repeats.
                var seen: [String: Int] = [:]
                for (i, name) in header.enumerated() where !name.isEmpty {
                    if let j = seen[name], let m = h.merges.first(where: { $0.contains(column: h.firstColumn + i, row: h.lastRow) }) {
                        throw FileRejection(message: "column '\(name)' appears twice in the header: its cell is merged over \(m) "
                            + "(columns \(CellReference.letters(h.firstColumn + j)) and \(CellReference.letters(h.firstColumn + i))); "
                            + "give each column its own name")
                    }
                    seen[name] = i
                }
                let (kind, validator) = try Store.checkHeader(header, options: options, zone: zone)
                validator.rejectFuture(now: now)
                for _ in 0..<Self.spareBatches { free.send(RowBatch(schema: kind.schema, jsonSets: validator.jsonSets)) }
                if segmentKinds.contains(kind) {
                    sheetSegment = SegmentBuilder(kind: kind, registry: options.platforms, capacity: segmentCapacity)
                }
                sink = RowSink(validator: validator, batch: RowBatch(schema: kind.schema, jsonSets: validator.jsonSets),
                               output: output, free: free, header: header, maxFieldBytes: options.maxFieldBytes,
                               strictPlatforms: options.strictPlatforms ? options.platforms : nil, segment: sheetSegment)
                fields = SheetFields(header: header, firstColumn: h.firstColumn, validator: validator)
                sheetFields = fields
                guard output.send(.header(kind, validator, nil)) else { throw Cancelled() }
            }, row: { row in
                guard let sink, let fields else { return }
                fields.load(row)
                try sink.take(fields)
            })
            try sink?.flush()
            return nil
        } catch is ReadThroughProfile {
            return runProfiledSheet(reader)
        } catch let error as WorkbookError {
            return FileRejection(message: error.description)
        } catch {
            return error
        }
    }

    struct ReadThroughProfile: Error {}

    /// Reads a sheet through a source profile: every row as the strings of its cells from
    /// column A, offered to the `HeaderRouter` until it finds the header (title rows above it are
    /// skipped as in a CSV export), then mapped and validated; problems are placed by cell.
    private func runProfiledSheet(_ reader: SheetReader) -> Error? {
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
        let router = HeaderRouter(options: options, zone: zone, now: now, output: output, free: free,
                                  segmentKinds: segmentKinds, segmentCapacity: segmentCapacity)
        self.router = router
        let nameLimit = max(options.maxFieldBytes, IngestOptions.defaultMaxFieldBytes)
        do {
            try reader.forEachRow(progress: { [self] done, total in
                lock.withLock {
                    fed = done
                    sheetBytes = total
                }
            }) { row in
                if router.route == nil {
                    let cells = row.strings()
                    if let i = cells.firstIndex(where: { $0.utf8.count > nameLimit }) {
                        throw FileRejection(message: "cell \(CellReference.name(column: i, row: row.number)): "
                            + "name \(i + 1) of the header is longer than \(nameLimit) bytes")
                    }
                    if let route = try router.offer(cells.map { $0.trimmingSpaces }, line: row.number),
                       case .profile(let p) = route {
                        p.sheetCell = { field, line in field.map { CellReference.letters($0) + String(line) } }
                    }
                    return
                }
                var cells = row.strings()
                // Cells right of the header's last column hold nothing the profile reads.
                if case .profile(let p)? = router.route, cells.count > p.binding.header.count,
                   cells[p.binding.header.count...].allSatisfy({ $0.isEmpty }) {
                    cells.removeLast(cells.count - p.binding.header.count)
                }
                try router.take(fields: cells, line: row.number)
            }
            try router.finish()
            return nil
        } catch let error as WorkbookError {
            return FileRejection(message: error.description)
        } catch {
            return error
        }
    }


    /// A profile bound to a file's header; rejects the file when a required column is missing
    /// or a header name appears twice.
    static func bind(_ profile: SourceProfile, header: [String]) throws -> ProfileBinding {
        let binding = profile.bind(header: header)
        var seen = Set<String>()
        for name in header where !name.isEmpty {
            if !seen.insert(SourceProfile.headerKey(name)).inserted {
                throw FileRejection(message: "column '\(name)' appears twice in the header (source profile \(profile.name))")
            }
        }
        if !binding.missingRequired.isEmpty {
            let list = binding.missingRequired.map { "'\($0)'" }.joined(separator: ", ")
            throw FileRejection(message: "missing required column\(binding.missingRequired.count == 1 ? "" : "s") \(list) "
                + "for source profile \(profile.name) (\(profile.kind.rawValue))")
        }
        return binding
    }

    /// Batches in flight besides the one being filled.
    static let spareBatches = 12

    /// End of the chunk that starts at `offset`: about a megabyte, cut just after a line
    /// feed when there is one in its second half, else before a byte that starts a UTF-8
    /// sequence; either way no UTF-8 sequence is split between chunks.
    static func chunkEnd(_ bytes: UnsafeRawBufferPointer, from offset: Int, size: Int = 1 << 20) -> Int {
        let limit = min(offset + size, bytes.count)
        if limit == bytes.count { return limit }
        var k = limit
        while k > offset + size / 2 {
            if bytes[k - 1] == 0x0A { return k }
            k -= 1
        }
        k = limit
        while k > limit - 3 && bytes[k] & 0xC0 == 0x80 { k -= 1 }
        return k
    }
}

/// The per-row work of the parsing thread once the header is known: validate, append to the
/// current batch, send full batches on.
final class RowSink {
    let validator: RowValidator
    let row: ValidatedRow
    let output: Channel<RowParser.Message>
    let free: Channel<RowBatch>
    var batch: RowBatch
    let header: [String]
    let maxFieldBytes: Int
    let tooLong: String
    /// The file's engine columns, fed each batch before it is sent (nil: not built).
    let segment: SegmentBuilder?
    /// `--strict-platforms`: the registry, and the field index of `platform`.
    let strict: PlatformRegistry?
    let platformField: Int
    /// Platform names seen, as bytes → the reason to quarantine (nil: registered).
    var platformVerdicts: [[UInt8]: String?] = [:]

    init(validator: RowValidator, batch: RowBatch, output: Channel<RowParser.Message>, free: Channel<RowBatch>,
         header: [String] = [], maxFieldBytes: Int = .max, strictPlatforms: PlatformRegistry? = nil,
         segment: SegmentBuilder? = nil) {
        self.segment = segment
        self.strict = validator.schema.platformColumn != nil ? strictPlatforms : nil
        self.platformField = validator.schema.platformColumn.flatMap { validator.schema.index(of: $0) }.map { validator.fieldIndex[$0] } ?? -1
        self.validator = validator
        self.header = header
        self.maxFieldBytes = maxFieldBytes
        self.tooLong = "the field is longer than the limit of \(maxFieldBytes) bytes (tally ingest --max-field-bytes)"
        self.row = ValidatedRow(columnCount: validator.schema.columns.count)
        self.batch = batch
        self.output = output
        self.free = free
    }

    func take<Row: IngestRow>(_ csvRow: Row) throws {
        if !precheck(csvRow, fieldCount: true) {
            if Row.self == CSVRow.self {
                // No cells in a CSV file, and no closure made per row on the hot path.
                validateAndAppend(csvRow, line: csvRow.line, rowBytes: csvRow.bytes)
            } else {
                validateAndAppend(csvRow, line: csvRow.line, rowBytes: csvRow.bytes, cell: csvRow.cell(of:))
            }
        }
        try sendIfFull()
    }

    /// Quarantines a row that is broken as CSV (an open quote, a field too long, with
    /// `fieldCount` a wrong number of fields) or as a sheet's row (an error value); returns
    /// whether it did.
    func precheck<Row: IngestRow>(_ csvRow: Row, fieldCount: Bool) -> Bool {
        let b = batch
        if let problem = csvRow.sourceProblem {
            b.appendProblem(line: csvRow.line, column: problem.column, value: problem.value, reason: problem.reason,
                            cell: problem.cell)
        } else if csvRow.brokenAtLineEnd {
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "a quoted field is still open at the end of the line (the row's quoting is broken, "
                                + "as a \\\" written by the exporter breaks it); the row is skipped, the next line read as the next row")
        } else if csvRow.endsInOpenQuote {
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "a quoted field opened on this line is never closed (end of file reached)")
        } else if csvRow.bytes.count > Self.maxRowBytes {
            // Many fields each under the limit: the batch's 32-bit text offsets must still hold.
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "the row's fields hold more than \(Self.maxRowBytes) bytes together", cell: csvRow.cell(of: nil))
        } else if let i = longField(csvRow) {
            b.appendProblem(line: csvRow.line, column: i < header.count && !header[i].isEmpty ? header[i] : "field \(i + 1)",
                            value: RowProblem.shortened(csvRow.field(i)), reason: tooLong, cell: csvRow.cell(ofField: i))
        } else if fieldCount && csvRow.count != validator.headerCount {
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "the row has \(csvRow.count) fields, the header has \(validator.headerCount)",
                            cell: csvRow.cell(of: nil))
        } else {
            return false
        }
        return true
    }

    /// Validates a row and appends it to the batch, or its first problem (passed through
    /// `rename`, which a source profile uses to name its own column and value).
    @inline(__always)
    func validateAndAppend<S: FieldSource>(_ source: S, line: Int, rowBytes: UnsafeBufferPointer<UInt8>,
                                           rename: ((RowProblem) -> RowProblem)? = nil,
                                           cell: ((String?) -> String?)? = nil) {
        let b = batch
        let problems = validator.validate(source, into: row)
        if var first = problems.first {
            let contractColumn = first.column
            if let rename { first = rename(first) }
            var reason = first.reason
            if problems.count > 1 {
                reason += " (and \(problems.count - 1) more: "
                    + problems.dropFirst().map { rename?($0).column ?? $0.column }.joined(separator: ", ") + ")"
            }
            b.appendProblem(line: line, column: first.column, value: first.value, reason: reason, cell: cell?(contractColumn))
        } else if strict != nil, platformField >= 0, let reason = unregistered(source.field(platformField)) {
            var problem = RowProblem(column: validator.schema.platformColumn ?? "platform",
                                     value: RowProblem.shortened(source.field(platformField)), reason: reason)
            if let rename { problem = rename(problem) }
            b.appendProblem(line: line, column: problem.column, value: problem.value, reason: problem.reason,
                            cell: cell?(validator.schema.platformColumn))
        } else {
            b.append(row, line: line, rowBytes: rowBytes)
        }
    }

    func appendProblem(line: Int, column: String?, value: String, reason: String, cell: String? = nil) {
        batch.appendProblem(line: line, column: column, value: value, reason: reason, cell: cell)
    }

    /// Sends the batch on when it is full and takes a free one.
    @inline(__always)
    func sendIfFull() throws {
        if batch.isFull {
            segment?.append(batch)
            guard output.send(.rows(batch)), let next = free.receive() else { throw RowParser.Cancelled() }
            batch = next
        }
    }

    /// Why a platform name is refused under `--strict-platforms`, or nil when it is registered.
    func unregistered(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let key = Array(bytes)
        if let verdict = platformVerdicts[key] { return verdict }
        let name = String(decoding: bytes, as: UTF8.self)
        var verdict: String?
        if let strict, strict.canonical(for: name) == nil {
            let like = strict.resembling(name)
            verdict = "platform '\(UnregisteredPlatform.visible(name))' is not in the platform registry"
                + (like.isEmpty ? "" : "; it resembles " + like.joined(separator: ", "))
                + " (--strict-platforms; add it as an alias in the registry, or correct the file)"
        }
        platformVerdicts[key] = verdict
        return verdict
    }

    /// Most bytes of all fields of a row together (a batch's text offsets are 32-bit).
    static let maxRowBytes = 1 << 28

    /// Index of the first field longer than the limit (the reader keeps limit + 1 bytes of it).
    @inline(__always)
    func longField<Row: IngestRow>(_ csvRow: Row) -> Int? {
        guard maxFieldBytes < csvRow.bytes.count else { return nil }  // no field can be longer than the row
        for i in 0..<csvRow.count where csvRow.field(i).count > maxFieldBytes { return i }
        return nil
    }

    /// Sends the last, partly filled batch.
    func flush() throws {
        if batch.count > 0 {
            segment?.append(batch)
            guard output.send(.rows(batch)) else { throw RowParser.Cancelled() }
        }
    }
}

/// A row as the ingest validates it: a CSV row, or a sheet's row seen through its header.
protocol IngestRow: FieldSource {
    /// The row's line in the file (a sheet's row number).
    var line: Int { get }
    var count: Int { get }
    /// All field bytes of the row, back to back; every `field(i)` lies inside it.
    var bytes: UnsafeBufferPointer<UInt8> { get }
    var endsInOpenQuote: Bool { get }
    /// A one-record-per-line CSV row whose quoting is still open at its line's end.
    var brokenAtLineEnd: Bool { get }
    /// A problem of the source itself, found before validation (a spreadsheet error value).
    var sourceProblem: SourceProblem? { get }
    /// The cell of field `i` (`C17`), for a sheet's row; nil for CSV.
    func cell(ofField i: Int) -> String?
    /// The cell of the named column (else the row's first cell), for a sheet's row; nil for CSV.
    func cell(of column: String?) -> String?
}

struct SourceProblem {
    var column: String?
    var value: String
    var reason: String
    var cell: String?
}

extension CSVRow: IngestRow {
    public var fieldCount: Int { count }
    var sourceProblem: SourceProblem? { nil }
    func cell(ofField i: Int) -> String? { nil }
    func cell(of column: String?) -> String? { nil }
}
