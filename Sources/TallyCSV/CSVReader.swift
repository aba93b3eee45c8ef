import CCSV
#if canImport(Glibc)
import Glibc
#endif

/// One row as the reader delivers it: trimmed field bytes and the line it starts on.
///
/// A row is only valid inside the handler it is passed to; copy what you keep.
public struct CSVRow {
    let reader: CSVReader
    /// 1-based line number of the row's first line in the file.
    public let line: Int

    public var count: Int { reader.fieldCount }

    /// Bytes of field `i` (unquoted, unescaped, surrounding spaces of unquoted fields trimmed).
    @inline(__always)
    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: reader.buffer + reader.starts[i], count: reader.ends[i] - reader.starts[i])
    }

    public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }

    /// All field bytes of the row, back to back; every `field(i)` lies inside it.
    @inline(__always)
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: reader.buffer, count: reader.used) }

    /// True when the row ended inside a quoted field that was never closed (end of file).
    public var endsInOpenQuote: Bool { reader.openQuoteAtEnd }

    /// With `CSVReader.oneRecordPerLine`: true when a quoted field was still open at the end
    /// of the row's line, so the row was cut there (its fields are not to be trusted).
    public var brokenAtLineEnd: Bool { reader.brokenRow }
}

/// Streaming RFC 4180 reader over libcsv's callback API.
///
/// Feed it bytes in chunks of any size; it calls `handler` once per record with the line
/// number of the record's first line (quoted fields may span lines; LF, CRLF and lone CR
/// all end a line; blank lines are skipped but counted). A leading UTF-8 BOM is skipped.
/// Field storage is one growing buffer reused for every row: no allocation per row.
public final class CSVReader {
    public typealias Handler = (CSVRow) throws -> Void

    var parser = csv_parser()
    var buffer: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var used = 0
    var starts: UnsafeMutablePointer<Int>
    var ends: UnsafeMutablePointer<Int>
    var fieldCapacity: Int
    var fieldCount = 0

    var line = 1
    var rowStartLine = 1
    var lastTerminatorWasCR = false
    var lastFieldByteWasCR = false
    var openQuoteAtEnd = false
    /// Bytes held back while deciding whether the input starts with a BOM.
    var head: [UInt8] = []
    var headDecided = false
    var failure: Error?
    /// Called once per row; may be replaced between rows (e.g. once the header is known).
    public var handler: Handler

    /// Bytes of a field kept in the row buffer: a longer field is cut to `maxFieldBytes + 1`
    /// bytes (so that `field(i).count > maxFieldBytes` tells the row is to be refused) and
    /// the row buffer never grows beyond the limit per field. (libcsv itself still holds the
    /// whole field while it reads it.)
    public var maxFieldBytes = Int.max

    /// Every record is one physical line (as in the DSA dumps, whose exporter replaces line
    /// breaks inside text by spaces): a quoted field still open when its line ends is a
    /// broken row — a `\"` leaked by the exporter's escaping, say — not a field that goes on.
    /// The row is ended there and delivered with `brokenAtLineEnd`, and the next line is read
    /// as the next record, so one broken row costs one row, not the rows after it that the
    /// open quote would otherwise swallow. May be set from the handler (after the header).
    public var oneRecordPerLine = false
    var brokenRow = false

    /// Rows delivered so far (the header included).
    public private(set) var rowsDelivered = 0

    public init(handler: @escaping Handler) {
        self.handler = handler
        capacity = 1 << 12
        buffer = .allocate(capacity: capacity)
        fieldCapacity = 64
        starts = .allocate(capacity: fieldCapacity)
        ends = .allocate(capacity: fieldCapacity)
        // Trimming of spaces and tabs around unquoted fields is libcsv's default.
        // Fields are passed on with their lengths, so no NUL terminator is needed.
        csv_init(&parser, UInt8(CSV_REPALL_NL))
    }

    deinit {
        csv_free(&parser)
        buffer.deallocate()
        starts.deallocate()
        ends.deallocate()
    }

    /// Parses a chunk; rethrows the first error the handler threw (later rows are ignored).
    public func feed(_ chunk: UnsafeRawBufferPointer) throws {
        guard failure == nil else { try rethrow(); return }
        var rest = chunk
        if !headDecided {
            // The BOM may arrive split across chunks: hold bytes until it is clear.
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            var k = 0
            while head.count < 3 && k < rest.count { head.append(rest[k]); k += 1 }
            rest = UnsafeRawBufferPointer(rebasing: rest[k...])
            if head == Array(bom.prefix(head.count)) && head.count < 3 { return }
            headDecided = true
            if head != bom { try head.withUnsafeBytes { try parse($0) } }
            head = []
        }
        try parse(rest)
    }

    func parse(_ raw: UnsafeRawBufferPointer) throws {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        let context = Unmanaged.passUnretained(self).toOpaque()
        if oneRecordPerLine {
            try parseByLine(raw, context)
            return
        }
        let consumed = csv_parse(&parser, base, raw.count, fieldCallback, rowCallback, context)
        try rethrow()
        if consumed != raw.count {
            throw CSVReaderError.libcsv(String(cString: csv_strerror(csv_error(&parser))))
        }
    }

    /// `parse` for `oneRecordPerLine`: libcsv is given one line at a time; a line that
    /// leaves it inside a quoted field has its row ended by `csv_fini` and marked broken.
    func parseByLine(_ raw: UnsafeRawBufferPointer, _ context: UnsafeMutableRawPointer) throws {
        let base = raw.baseAddress!
        var start = 0
        while start < raw.count {
            let lf = memchr(base + start, 0x0A, raw.count - start)
            let end = lf.map { UnsafeRawPointer($0) - base + 1 } ?? raw.count
            let consumed = csv_parse(&parser, base + start, end - start, fieldCallback, rowCallback, context)
            try rethrow()
            if consumed != end - start {
                throw CSVReaderError.libcsv(String(cString: csv_strerror(csv_error(&parser))))
            }
            // libcsv's states: 2 = inside a field; `quoted`: that field opened with a quote.
            if lf != nil && parser.pstate == 2 && parser.quoted != 0 {
                brokenRow = true
                csv_fini(&parser, fieldCallback, rowCallback, context)
                brokenRow = false
                try rethrow()
            }
            start = end
        }
    }

    /// Delivers the last row if the input did not end with a newline.
    public func finish() throws {
        guard failure == nil else { try rethrow(); return }
        if !headDecided {
            headDecided = true
            try head.withUnsafeBytes { try parse($0) }
        }
        // libcsv's states: 2 = inside a field; `quoted` = that field opened with a quote.
        openQuoteAtEnd = parser.pstate == 2 && parser.quoted != 0
        let context = Unmanaged.passUnretained(self).toOpaque()
        csv_fini(&parser, fieldCallback, rowCallback, context)
        try rethrow()
    }

    func rethrow() throws {
        if let f = failure { throw f }
    }

    @inline(__always)
    func appendField(_ data: UnsafeMutableRawPointer?, _ length: Int) {
        if fieldCount == 0 { rowStartLine = line }
        if fieldCount == fieldCapacity { growFields() }
        let kept = length > maxFieldBytes ? maxFieldBytes + 1 : length
        if used + kept > capacity { growBuffer(used + kept) }
        starts[fieldCount] = used
        if length > 0, let data {
            let src = data.assumingMemoryBound(to: UInt8.self)
            (buffer + used).update(from: src, count: kept)
            // Quoted fields may hold line breaks: keep the line count true. Runs of eight
            // bytes with none below 0x0E (so neither CR nor LF) are skipped at once.
            var k = 0
            while k + 8 <= length {
                let v = UnsafeRawPointer(src + k).loadUnaligned(as: UInt64.self)
                if (v &- 0x0E0E_0E0E_0E0E_0E0E) & ~v & 0x8080_8080_8080_8080 != 0 { break }
                k += 8
            }
            while k < length {
                let c = src[k]
                if c == 0x0A { if !lastFieldByteWasCR { line += 1 }; lastFieldByteWasCR = false }
                else if c == 0x0D { line += 1; lastFieldByteWasCR = true }
                else { lastFieldByteWasCR = false }
                k += 1
            }
            lastFieldByteWasCR = false
        }
        used += kept
        ends[fieldCount] = used
        fieldCount += 1
    }

    @inline(__always)
    func endRow(_ terminator: Int32) {
        if fieldCount == 0 {
            // A line break outside any record: a blank line, or the LF of a CRLF.
            if !(terminator == 0x0A && lastTerminatorWasCR) && terminator >= 0 { line += 1 }
            lastTerminatorWasCR = terminator == 0x0D
            return
        }
        if failure == nil {
            rowsDelivered += 1
            do { try handler(CSVRow(reader: self, line: rowStartLine)) } catch { failure = error }
        }
        if terminator == 0x0D || terminator == 0x0A { line += 1 }
        lastTerminatorWasCR = terminator == 0x0D
        fieldCount = 0
        used = 0
    }

    func growBuffer(_ needed: Int) {
        var c = capacity
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: buffer, count: used)
        buffer.deallocate()
        buffer = b
        capacity = c
    }

    func growFields() {
        let c = fieldCapacity * 2
        let s = UnsafeMutablePointer<Int>.allocate(capacity: c)
        let e = UnsafeMutablePointer<Int>.allocate(capacity: c)
        s.update(from: starts, count: fieldCount)
        e.update(from: ends, count: fieldCount)
        starts.deallocate()
        ends.deallocate()
        starts = s
        ends = e
        fieldCapacity = c
    }
}

public enum CSVReaderError: Error, CustomStringConvertible {
    case libcsv(String)
    public var description: String {
        switch self {
        case .libcsv(let m): return "CSV parser error: \(m)"
        }
    }
}

private func fieldCallback(_ data: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    let reader = Unmanaged<CSVReader>.fromOpaque(context!).takeUnretainedValue()
    if reader.failure == nil { reader.appendField(data, length) }
}

private func rowCallback(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    let reader = Unmanaged<CSVReader>.fromOpaque(context!).takeUnretainedValue()
    reader.endRow(terminator)
}
