import Foundation
import CArchive

/// The zip container of a workbook (Office Open XML calls it a package), read with libarchive
/// from a buffer: the workbook file mapped into memory, or an archive member read into memory.
///
/// Each part is found by opening the buffer again and walking the entries' headers; libarchive
/// reads a zip in memory through its central directory and skips an entry without inflating it,
/// so finding a part costs a walk over the headers, not over the data. A part's data is inflated
/// as it is read, in chunks: no part is ever held whole (the sheet can be far larger than memory).
final class Package: @unchecked Sendable {  // immutable after init
    let data: Data

    init(_ data: Data) { self.data = data }

    /// Whether `bytes` are a zip holding a SpreadsheetML workbook part (`xl/workbook.xml`, or the
    /// binary `xl/workbook.bin`, which is refused later with its own message).
    static func isWorkbook(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B, bytes[2] == 0x03, bytes[3] == 0x04 else { return false }
        guard let a = open(bytes) else { return false }
        defer { archive_read_free(a) }
        var entry: OpaquePointer?
        while archive_read_next_header(a, &entry) == ARCHIVE_OK, let e = entry {
            let name = entryName(e).lowercased()
            if name == "xl/workbook.xml" || name == "xl/workbook.bin" || name.hasPrefix("xl/workbook") && name.hasSuffix(".xml") {
                return true
            }
        }
        return false
    }

    /// The names of all entries (for checks and messages).
    func partNames() throws -> [String] {
        try data.withUnsafeBytes { bytes in
            guard let a = Package.open(bytes) else { throw WorkbookError.notZip("libarchive cannot open it") }
            defer { archive_read_free(a) }
            var names: [String] = []
            var entry: OpaquePointer?
            while true {
                let status = archive_read_next_header(a, &entry)
                if status == ARCHIVE_EOF { return names }
                guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let e = entry else {
                    let zip = bytes.count >= 2 && bytes[0] == 0x50 && bytes[1] == 0x4B
                    throw zip ? WorkbookError.damagedZip(Package.errorString(a)) : WorkbookError.notZip(Package.errorString(a))
                }
                names.append(Package.entryName(e))
            }
        }
    }

    /// Streams part `name` (case-insensitive, as OPC part names are) in chunks to `body`;
    /// returns false when the package has no such part. `body` returns false to stop early.
    @discardableResult
    func stream(_ name: String, chunk: Int = 1 << 18, _ body: (UnsafeRawBufferPointer, _ total: Int64?) throws -> Bool) throws -> Bool {
        let wanted = Package.normalized(name)
        return try data.withUnsafeBytes { bytes in
            guard let a = Package.open(bytes) else { throw WorkbookError.notZip("libarchive cannot open it") }
            defer { archive_read_free(a) }
            var entry: OpaquePointer?
            while true {
                let status = archive_read_next_header(a, &entry)
                if status == ARCHIVE_EOF { return false }
                guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let e = entry else {
                    throw WorkbookError.damagedZip(Package.errorString(a))
                }
                guard Package.entryName(e).lowercased() == wanted else { continue }
                let total: Int64? = archive_entry_size_is_set(e) != 0 ? archive_entry_size(e) : nil
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
                defer { buffer.deallocate() }
                while true {
                    let n = archive_read_data(a, buffer, chunk)
                    if n == 0 { return true }
                    if n < 0 {
                        if n == Int(ARCHIVE_WARN) { continue }
                        throw WorkbookError.damagedPart(part: name, message: Package.errorString(a))
                    }
                    if try !body(UnsafeRawBufferPointer(start: buffer, count: n), total) { return true }
                }
            }
        }
    }

    /// `stream`, with the inflating done ahead on a thread of its own: the caller's thread only
    /// parses. (Inflating a sheet's XML is a fifth of reading it; on two cores the two overlap.)
    func streamAhead(_ name: String, _ body: (UnsafeRawBufferPointer, _ total: Int64?) throws -> Bool) throws -> Bool {
        let queue = ChunkQueue(capacity: 8)
        let thread = Thread { [self] in
            do {
                let found = try stream(name) { chunk, total in queue.put(.chunk(Data(chunk), total)) }
                queue.put(.end(found))
            } catch {
                queue.put(.failure(error))
            }
            queue.finished.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        defer {
            queue.close()
            queue.finished.wait()
        }
        while let item = queue.take() {
            switch item {
            case let .chunk(data, total):
                if try !data.withUnsafeBytes({ try body($0, total) }) { return true }
            case .end(let found):
                return found
            case .failure(let error):
                throw error
            }
        }
        return false
    }

    /// Parses part `name` with `events`; false when the package has no such part. With
    /// `ahead`, the part is inflated on another thread while this one parses.
    @discardableResult
    func parse(_ name: String, _ events: XMLEvents, ahead: Bool = false, progress: ((Int, Int64?) -> Void)? = nil) throws -> Bool {
        // The stream holds `events` unretained: it must live until the parse ends.
        try withExtendedLifetime(events) {
            let xml = XMLStream(part: name, events: events)
            var done = 0
            let feed: (UnsafeRawBufferPointer, Int64?) throws -> Bool = { chunk, total in
                try xml.feed(chunk)
                done += chunk.count
                progress?(done, total)
                return !xml.stopped
            }
            let found = ahead ? try streamAhead(name, feed) : try stream(name, feed)
            if found && !xml.stopped { try xml.feed(UnsafeRawBufferPointer(start: nil, count: 0), last: true) }
            return found
        }
    }

    /// A part name from a relationship's target, resolved against the folder of the part whose
    /// relationships they are (`xl/`), or absolute (`/xl/worksheets/sheet1.xml`).
    static func resolve(_ target: String, base: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for p in target.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return parts.joined(separator: "/")
    }

    static func normalized(_ name: String) -> String {
        var n = name
        while n.hasPrefix("/") { n.removeFirst() }
        return n.lowercased()
    }

    static func entryName(_ e: OpaquePointer) -> String {
        var path = ""
        if let p = archive_entry_pathname_utf8(e) {
            path = String(cString: p)
        } else if let p = archive_entry_pathname(e) {
            path = String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
        }
        while path.hasPrefix("/") { path.removeFirst() }
        return path
    }

    private static func open(_ bytes: UnsafeRawBufferPointer) -> OpaquePointer? {
        guard let a = archive_read_new() else { return nil }
        archive_read_support_format_zip(a)
        if archive_read_open_memory(a, bytes.baseAddress, bytes.count) != ARCHIVE_OK {
            archive_read_free(a)
            return nil
        }
        return a
    }

    static func errorString(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unreadable data"
    }
}

/// Chunks of a part on their way from the inflating thread to the parsing one (bounded: the
/// inflater waits when the parser is behind, so memory stays a few chunks).
final class ChunkQueue: @unchecked Sendable {
    enum Item { case chunk(Data, Int64?), end(Bool), failure(Error) }

    private let condition = NSCondition()
    private var items: [Item] = []
    private let capacity: Int
    private var closed = false
    /// Signalled when the inflating thread has finished with the package.
    let finished = DispatchSemaphore(value: 0)

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false once the parser has stopped (the inflater then stops too).
    @discardableResult
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        if closed { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
