import Foundation
import TallyEngine
#if canImport(Glibc)
import Glibc
#endif

/// A table on disk as its columns' raw bytes, to be memory-mapped back.
///
/// Layout: `TALLYCOL`, a little-endian UInt32 header length, a JSON header (format, the
/// store fingerprint it was made from, row count, and per column its type and the byte
/// offsets of its values, validity words and dictionary), then the blocks, each at a
/// 64-byte boundary. A dictionary block is, per string, a UInt32 length and the UTF-8 bytes.
enum ColumnCache {
    static let magic = Array("TALLYCOL".utf8)
    static let format = 1

    struct Header: Codable {
        struct Entry: Codable {
            var name: String
            var type: DataType
            var values: Int
            var validity: Int?
            var dictionary: Int?
            var dictionaryBytes: Int?
        }
        var format: Int
        var fingerprint: String
        var rows: Int
        var columns: [Entry]
    }

    struct Stale: Error {}

    static func write(_ table: Table, path: String, fingerprint: String) throws {
        var blocks: [(offset: Int, bytes: UnsafeRawBufferPointer)] = []
        var dictionaries: [[UInt8]] = []
        var entries: [Header.Entry] = []
        var cursor = 0
        func place(_ count: Int) -> Int {
            let at = (cursor + 63) & ~63
            cursor = at + count
            return at
        }
        for (name, c) in zip(table.names, table.columns) {
            let values = place(c.count * c.type.width)
            blocks.append((values, UnsafeRawBufferPointer(start: c.data.base + c.dataOffset, count: c.count * c.type.width)))
            var entry = Header.Entry(name: name, type: c.type, values: values)
            if let v = c.validity {
                entry.validity = place(v.words.byteCount)
                blocks.append((entry.validity!, UnsafeRawBufferPointer(v.words.values)))
            }
            if let d = c.dictionary {
                var bytes: [UInt8] = []
                for s in d.strings {
                    var n = UInt32(s.utf8.count).littleEndian
                    withUnsafeBytes(of: &n) { bytes.append(contentsOf: $0) }
                    bytes.append(contentsOf: s.utf8)
                }
                entry.dictionary = place(bytes.count)
                entry.dictionaryBytes = bytes.count
                dictionaries.append(bytes)
            }
            entries.append(entry)
        }
        let header = try JSONEncoder().encode(Header(format: format, fingerprint: fingerprint,
                                                     rows: table.rowCount, columns: entries))
        // Blocks start after the header, rounded up to 64 bytes.
        let dataStart = (magic.count + 4 + header.count + 63) & ~63
        let total = dataStart + cursor
        let tmp = path + ".tmp\(getpid())"
        let fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Stale() }
        defer { close(fd) }
        var prefix = magic
        var length = UInt32(header.count).littleEndian
        withUnsafeBytes(of: &length) { prefix.append(contentsOf: $0) }
        prefix.append(contentsOf: header)
        guard ftruncate(fd, off_t(total)) == 0, pwriteAll(fd, prefix, at: 0) else { throw Stale() }
        for block in blocks where block.bytes.count > 0 {
            guard pwriteAll(fd, block.bytes, at: dataStart + block.offset) else { throw Stale() }
        }
        var d = 0
        for e in entries where e.dictionary != nil {
            guard pwriteAll(fd, dictionaries[d], at: dataStart + e.dictionary!) else { throw Stale() }
            d += 1
        }
        guard rename(tmp, path) == 0 else { unlink(tmp); throw Stale() }
    }

    static func pwriteAll<C: ContiguousBytes>(_ fd: Int32, _ bytes: C, at offset: Int) -> Bool {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }

    /// The table in `path` if it was made from a store with this fingerprint.
    static func read(path: String, fingerprint: String) throws -> Table {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Stale() }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 12 else { throw Stale() }
        let size = Int(info.st_size)
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { throw Stale() }
        let storage = Storage(base: map, byteCount: size) { p, n in munmap(p, n) }
        let raw = UnsafeRawBufferPointer(start: map, count: size)
        guard Array(raw[0..<8]) == magic else { throw Stale() }
        let length = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
        guard 12 + length <= size else { throw Stale() }
        let header = try JSONDecoder().decode(Header.self, from: Data(raw[12..<(12 + length)]))
        guard header.format == format, header.fingerprint == fingerprint else { throw Stale() }
        let dataStart = (12 + length + 63) & ~63
        var pairs: [(String, Column)] = []
        for e in header.columns {
            let rows = header.rows
            guard dataStart + e.values + rows * e.type.width <= size else { throw Stale() }
            var validity: Bitmap?
            if let v = e.validity {
                validity = Bitmap(words: Buffer<UInt64>(storage: storage, offset: dataStart + v, count: Bitmap.wordCount(rows)),
                                  count: rows)
            }
            var dictionary: StringDictionary?
            if let at = e.dictionary, let n = e.dictionaryBytes {
                var strings: [String] = []
                var p = dataStart + at
                let end = p + n
                while p < end {
                    let len = Int(raw.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
                    strings.append(String(decoding: raw[(p + 4)..<(p + 4 + len)], as: UTF8.self))
                    p += 4 + len
                }
                dictionary = StringDictionary(strings)
            }
            pairs.append((e.name, Column(type: e.type, count: rows, data: storage, dataOffset: dataStart + e.values,
                                         validity: validity, dictionary: dictionary)))
        }
        return Table(pairs)
    }
}
