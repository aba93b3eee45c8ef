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

    let output = Channel<Message>(capacity: 2)
    private let free = Channel<RowBatch>(capacity: 3)
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
        var validator: RowValidator?
        var row = ValidatedRow(columnCount: 0)
        var batch: RowBatch?

        let reader = CSVReader { [self] csvRow in
            guard let v = validator, let b = batch else {
                let header = (0..<csvRow.count).map { csvRow.string($0).trimmingSpaces }
                let (kind, checked) = try Store.checkHeader(header, options: options, zone: zone)
                validator = checked
                let columns = kind.schema.columns.count
                row = ValidatedRow(columnCount: columns)
                for _ in 0..<2 { free.send(RowBatch(columns: columns)) }
                batch = RowBatch(columns: columns)
                guard output.send(.header(kind, checked)) else { throw Cancelled() }
                return
            }
            if csvRow.endsInOpenQuote {
                b.appendProblem(line: csvRow.line, column: nil, value: "",
                                reason: "a quoted field opened on this line is never closed (end of file reached)")
            } else if csvRow.count != v.headerCount {
                b.appendProblem(line: csvRow.line, column: nil, value: "",
                                reason: "the row has \(csvRow.count) fields, the header has \(v.headerCount)")
            } else {
                let problems = v.validate(csvRow, into: &row)
                if let first = problems.first {
                    var reason = first.reason
                    if problems.count > 1 {
                        reason += " (and \(problems.count - 1) more: "
                            + problems.dropFirst().map(\.column).joined(separator: ", ") + ")"
                    }
                    b.appendProblem(line: csvRow.line, column: first.column, value: first.value, reason: reason)
                } else {
                    b.append(row, line: csvRow.line)
                }
            }
            if b.isFull {
                guard output.send(.rows(b)), let next = free.receive() else { throw Cancelled() }
                batch = next
            }
        }
        do {
            let chunkSize = 1 << 20
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunkSize, bytes.count)
                try reader.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                offset = end
                lock.withLock { fed = offset }
            }
            try reader.finish()
            if let b = batch, b.count > 0 {
                guard output.send(.rows(b)) else { throw Cancelled() }
            }
            return nil
        } catch {
            return error
        }
    }
}

extension CSVRow: FieldSource {
    public var fieldCount: Int { count }
}
