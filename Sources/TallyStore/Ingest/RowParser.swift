import Foundation
import TallyCore
import TallyCSV

/// The parsing half of an ingest: a thread that reads CSV bytes with libcsv, checks the
/// header, validates every row and sends the rows in batches, in file order.
final class RowParser: @unchecked Sendable {
    enum Message {
        case header(RecordKind, RowValidator)
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
    private let options: IngestOptions
    private let zone: ZoneOffsets
    private let lock = NSLock()
    private var fed = 0

    /// Bytes handed to libcsv so far (for progress).
    var bytesFed: Int { lock.withLock { fed } }

    init(bytes: UnsafeRawBufferPointer, options: IngestOptions, zone: ZoneOffsets) {
        self.bytes = bytes
        self.options = options
        self.zone = zone
    }

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
        // Until the header is known the reader calls this closure; then it calls the sink's
        // per-row method, which reaches everything it needs through constant references.
        let reader = CSVReader { _ in }
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
        var sink: RowSink?
        reader.handler = { [self, unowned reader] csvRow in
            // Names in the header: the field limit, but never below the default (a small
            // limit for values must not refuse the contract's column names).
            let nameLimit = max(options.maxFieldBytes, IngestOptions.defaultMaxFieldBytes)
            if let i = (0..<csvRow.count).first(where: { csvRow.field($0).count > nameLimit }) {
                throw FileRejection(message: "line \(csvRow.line): name \(i + 1) of the header is longer than \(nameLimit) bytes")
            }
            let header = (0..<csvRow.count).map { csvRow.string($0).trimmingSpaces }
            let (kind, validator) = try Store.checkHeader(header, options: options, zone: zone)
            validator.rejectFuture(now: now)
            for _ in 0..<Self.spareBatches { free.send(RowBatch(schema: kind.schema, jsonSets: validator.jsonSets)) }
            let rows = RowSink(validator: validator, batch: RowBatch(schema: kind.schema, jsonSets: validator.jsonSets),
                               output: output, free: free, header: header, maxFieldBytes: options.maxFieldBytes,
                               strictPlatforms: options.strictPlatforms ? options.platforms : nil)
            sink = rows
            guard output.send(.header(kind, validator)) else { throw Cancelled() }
            // Data fields (not the header's names) are cut at the limit; see `RowSink.longField`.
            reader.maxFieldBytes = options.maxFieldBytes
            // The DSA dumps write one record per line (see `CSVReader.oneRecordPerLine`).
            reader.oneRecordPerLine = kind == .decisions
            reader.handler = { csvRow in try rows.take(csvRow) }
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
            try sink?.flush()
            return nil
        } catch {
            return error
        }
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
    /// `--strict-platforms`: the registry, and the field index of `platform`.
    let strict: PlatformRegistry?
    let platformField: Int
    /// Platform names seen, as bytes → the reason to quarantine (nil: registered).
    var platformVerdicts: [[UInt8]: String?] = [:]

    init(validator: RowValidator, batch: RowBatch, output: Channel<RowParser.Message>, free: Channel<RowBatch>,
         header: [String] = [], maxFieldBytes: Int = .max, strictPlatforms: PlatformRegistry? = nil) {
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

    func take(_ csvRow: CSVRow) throws {
        let b = batch
        if csvRow.brokenAtLineEnd {
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "a quoted field is still open at the end of the line (the row's quoting is broken, "
                                + "as a \\\" written by the exporter breaks it); the row is skipped, the next line read as the next row")
        } else if csvRow.endsInOpenQuote {
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "a quoted field opened on this line is never closed (end of file reached)")
        } else if csvRow.bytes.count > Self.maxRowBytes {
            // Many fields each under the limit: the batch's 32-bit text offsets must still hold.
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "the row's fields hold more than \(Self.maxRowBytes) bytes together")
        } else if let i = longField(csvRow) {
            b.appendProblem(line: csvRow.line, column: i < header.count && !header[i].isEmpty ? header[i] : "field \(i + 1)",
                            value: RowProblem.shortened(csvRow.field(i)), reason: tooLong)
        } else if csvRow.count != validator.headerCount {
            b.appendProblem(line: csvRow.line, column: nil, value: "",
                            reason: "the row has \(csvRow.count) fields, the header has \(validator.headerCount)")
        } else {
            let problems = validator.validate(csvRow, into: row)
            if let first = problems.first {
                var reason = first.reason
                if problems.count > 1 {
                    reason += " (and \(problems.count - 1) more: "
                        + problems.dropFirst().map(\.column).joined(separator: ", ") + ")"
                }
                b.appendProblem(line: csvRow.line, column: first.column, value: first.value, reason: reason)
            } else if strict != nil, platformField >= 0, let reason = unregistered(csvRow.field(platformField)) {
                b.appendProblem(line: csvRow.line, column: validator.schema.platformColumn, value: RowProblem.shortened(csvRow.field(platformField)),
                                reason: reason)
            } else {
                b.append(row, line: csvRow.line, rowBytes: csvRow.bytes)
            }
        }
        if b.isFull {
            guard output.send(.rows(b)), let next = free.receive() else { throw RowParser.Cancelled() }
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
    func longField(_ csvRow: CSVRow) -> Int? {
        guard maxFieldBytes < csvRow.bytes.count else { return nil }  // no field can be longer than the row
        for i in 0..<csvRow.count where csvRow.field(i).count > maxFieldBytes { return i }
        return nil
    }

    /// Sends the last, partly filled batch.
    func flush() throws {
        if batch.count > 0 {
            guard output.send(.rows(batch)) else { throw RowParser.Cancelled() }
        }
    }
}

extension CSVRow: FieldSource {
    public var fieldCount: Int { count }
}
