import Foundation
import TallyFiles
#if canImport(Glibc)
import Glibc
#endif

/// Why a cache file was not used.
package enum ColumnFileError: Error, Equatable, CustomStringConvertible {
    /// Missing, written by another version of the format, or made from another state of the
    /// store: the normal case after a load, rebuilt without a word.
    case stale
    /// Present but unusable (truncated, bytes changed, unreadable): the reason, for a warning.
    case damaged(String)
    /// The cache could not be written (the temporary file is removed).
    case writeFailed(String)

    package var description: String {
        switch self {
        case .stale: return "out of date"
        case .damaged(let why): return why
        case .writeFailed(let why): return why
        }
    }
}

/// A table on disk as its columns' raw bytes, to be memory-mapped back.
///
/// Layout (format 2): `TALLYCOL`; little-endian UInt32 format, UInt32 header length and
/// UInt64 checksum of the header; the JSON header (the store fingerprint it was made from,
/// row count, and per column its type, the byte offsets of its values, validity words and
/// dictionary, and a checksum of those bytes); then the blocks, each at a 64-byte boundary.
/// A dictionary block is, per string, a UInt32 length and the UTF-8 bytes.
///
/// The file is never trusted: `read` checks the header's checksum, that every block lies in
/// the file with the size the row count and type imply, each column's checksum, every
/// dictionary entry (inside its block, valid UTF-8, distinct) and every dictionary code
/// (below the dictionary's count), with overflow-checked arithmetic, so that a damaged file
/// is rejected with a reason instead of giving wrong figures or crashing.
package enum ColumnFile {
    package static let magic = Array("TALLYCOL".utf8)
    package static let format: UInt32 = 2
    /// Magic, format, header length, header checksum.
    package static let prefixLength = 24

    package struct Header: Codable {
        package struct Entry: Codable {
            package var name: String
            package var type: DataType
            package var values: Int
            package var validity: Int?
            package var dictionary: Int?
            package var dictionaryBytes: Int?
            /// `Checksum` of the values, validity and dictionary bytes, as 16 hex digits
            /// (a string: JSON numbers are not exact beyond 2^53 everywhere).
            package var checksum: String
        }
        package var fingerprint: String
        package var rows: Int
        package var columns: [Entry]
    }

    // MARK: Writing

    package static func write(_ table: Table, path: String, fingerprint: String) throws {
        try rename(try writeTemporary(table, path: path, fingerprint: fingerprint), to: path)
    }

    /// Puts a file written by `writeTemporary` under its final name.
    package static func rename(_ tmp: String, to path: String) throws {
        guard Glibc.rename(tmp, path) == 0 else {
            let e = ColumnFileError.writeFailed("cannot rename \(tmp): \(String(cString: strerror(errno)))")
            unlink(tmp)
            throw e
        }
    }

    /// Writes and syncs the file that `write` would write at `path`, under the temporary name
    /// it returns, for the caller to rename when the file may appear (or remove).
    package static func writeTemporary(_ table: Table, path: String, fingerprint: String) throws -> String {
        var blocks: [(offset: Int, bytes: UnsafeRawBufferPointer)] = []
        var dictionaries: [(offset: Int, bytes: [UInt8])] = []
        var entries: [Header.Entry] = []
        var cursor = 0
        func place(_ count: Int) -> Int {
            let at = (cursor + 63) & ~63
            cursor = at + count
            return at
        }
        for (name, c) in zip(table.names, table.columns) {
            let valueBytes = UnsafeRawBufferPointer(start: c.data.base + c.dataOffset, count: c.count * c.type.width)
            let values = place(valueBytes.count)
            blocks.append((values, valueBytes))
            var entry = Header.Entry(name: name, type: c.type, values: values, checksum: "")
            var sum = Checksum.of(valueBytes)
            if let v = c.validity {
                let words = UnsafeRawBufferPointer(v.words.values)
                entry.validity = place(words.count)
                blocks.append((entry.validity!, words))
                sum = Checksum.of(words, seed: sum)
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
                dictionaries.append((entry.dictionary!, bytes))
                sum = bytes.withUnsafeBytes { Checksum.of($0, seed: sum) }
            }
            entry.checksum = hex(sum)
            entries.append(entry)
        }
        let header = try JSONEncoder().encode(Header(fingerprint: fingerprint, rows: table.rowCount, columns: entries))
        // Blocks start after the header, rounded up to 64 bytes.
        let dataStart = (prefixLength + header.count + 63) & ~63
        let total = dataStart + cursor

        // Named like every temporary file of Tally's: one left by a killed process is swept.
        let tmp = AtomicFile.temporaryPath(for: path)
        let fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ColumnFileError.writeFailed("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        // Until it is synced, any failure removes the temporary file: nothing is left behind.
        var synced = false
        defer {
            close(fd)
            if !synced { unlink(tmp) }
        }
        func fail(_ what: String) -> ColumnFileError {
            .writeFailed("\(what) \(tmp): \(String(cString: strerror(errno)))")
        }
        var prefix = magic
        for n in [format, UInt32(header.count)] {
            withUnsafeBytes(of: n.littleEndian) { prefix.append(contentsOf: $0) }
        }
        let headerSum = header.withUnsafeBytes { Checksum.of($0, seed: UInt64(header.count)) }
        withUnsafeBytes(of: headerSum.littleEndian) { prefix.append(contentsOf: $0) }
        prefix.append(contentsOf: header)
        guard ftruncate(fd, off_t(total)) == 0 else { throw fail("cannot size") }
        guard pwriteAll(fd, prefix, at: 0) else { throw fail("cannot write") }
        for block in blocks where block.bytes.count > 0 {
            guard pwriteAll(fd, block.bytes, at: dataStart + block.offset) else { throw fail("cannot write") }
        }
        for d in dictionaries {
            guard pwriteAll(fd, d.bytes, at: dataStart + d.offset) else { throw fail("cannot write") }
        }
        // On disk before it gets its name: a crash can leave the old cache or the new one,
        // never a renamed file whose blocks were not yet written.
        guard fsync(fd) == 0 else { throw fail("cannot sync") }
        synced = true
        return tmp
    }

    static func pwriteAll<C: ContiguousBytes>(_ fd: Int32, _ bytes: C, at offset: Int) -> Bool {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }

    package static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    // MARK: Reading

    /// The table in `path` if it was made from a store with this fingerprint. Throws `.stale`
    /// when the file is missing, of another format version or of another fingerprint, and
    /// `.damaged` with the reason when it is present but fails any check.
    package static func read(path: String, fingerprint: String) throws -> Table {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw ColumnFileError.stale }
            throw ColumnFileError.damaged("cannot open it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ColumnFileError.damaged("cannot read its size") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ColumnFileError.damaged("not a regular file") }
        let size = Int(info.st_size)
        guard size >= prefixLength else { throw ColumnFileError.damaged("\(size) bytes, shorter than its header") }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw ColumnFileError.damaged("cannot map it: \(String(cString: strerror(errno)))")
        }
        let storage = Storage(base: map, byteCount: size) { p, n in munmap(p, n) }
        return try parse(UnsafeRawBufferPointer(start: map, count: size), storage: storage, fingerprint: fingerprint)
    }

    /// The store state the file at `path` says it was made from: its header only, checked
    /// against the header's checksum (nil when the file is missing, of another format or its
    /// header does not check). The columns are not read, so this says nothing of them; `read`
    /// checks everything before a table is used.
    package static func fingerprint(path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var prefix = [UInt8](repeating: 0, count: prefixLength)
        guard pread(fd, &prefix, prefixLength, 0) == prefixLength, Array(prefix[0..<8]) == magic else { return nil }
        let word = { (at: Int) in prefix[at..<(at + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        guard word(8) == format else { return nil }
        let length = Int(word(12))
        guard length <= 1 << 26 else { return nil }
        var header = [UInt8](repeating: 0, count: length)
        guard pread(fd, &header, length, off_t(prefixLength)) == length else { return nil }
        let sum = prefix[16..<24].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard header.withUnsafeBytes({ Checksum.of($0, seed: UInt64(length)) }) == sum,
              let h = try? JSONDecoder().decode(Header.self, from: Data(header)) else { return nil }
        return h.fingerprint
    }

    /// Checks and decodes a whole cache file held in `raw` (owned by `storage`).
    static func parse(_ raw: UnsafeRawBufferPointer, storage: Storage, fingerprint: String) throws -> Table {
        func damaged(_ why: String) -> ColumnFileError { .damaged(why) }
        let size = raw.count
        guard size >= prefixLength, Array(raw[0..<8]) == magic else { throw damaged("it does not start with TALLYCOL") }
        // Another version's file is out of date, not damaged (format 1 had the header length here).
        guard raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian == format else { throw ColumnFileError.stale }
        let length = Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
        guard length <= size - prefixLength else {
            throw damaged("its header length \(length) goes past the end of the file (\(size) bytes)")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: raw[prefixLength..<(prefixLength + length)])
        let headerSum = raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian
        guard Checksum.of(headerBytes, seed: UInt64(length)) == headerSum else { throw damaged("checksum of the header does not match") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(headerBytes)) } catch {
            throw damaged("its header cannot be decoded")
        }
        guard header.fingerprint == fingerprint else { throw ColumnFileError.stale }

        // The header is what was written; still check every number in it before using it
        // (a writer bug must not turn into a read past the mapping or a trap).
        let rows = header.rows
        guard rows >= 0, rows <= size else { throw damaged("row count \(rows) does not fit the file") }
        let dataStart = (prefixLength + length + 63) & ~63
        guard Set(header.columns.map(\.name)).count == header.columns.count else { throw damaged("two columns have the same name") }

        /// The absolute range of a block of `count` bytes at `offset` from the data start.
        func block(_ offset: Int, _ count: Int, _ what: String, _ column: String) throws -> Range<Int> {
            let (start, o1) = dataStart.addingReportingOverflow(offset)
            let (end, o2) = start.addingReportingOverflow(count)
            guard offset >= 0, count >= 0, !o1, !o2, end <= size else {
                throw damaged("the \(what) block of column '\(column)' lies outside the file")
            }
            return start..<end
        }

        struct Pending {
            var entry: Header.Entry
            var values: Range<Int>
            var validity: Range<Int>?
            var dictionary: Range<Int>?
            var checksum: UInt64
        }
        var pending: [Pending] = []
        for e in header.columns {
            let (valueBytes, o) = rows.multipliedReportingOverflow(by: e.type.width)
            guard !o else { throw damaged("row count \(rows) does not fit the file") }
            let values = try block(e.values, valueBytes, "values", e.name)
            let validity = try e.validity.map { try block($0, Bitmap.wordCount(rows) * 8, "validity", e.name) }
            var dictionary: Range<Int>?
            switch (e.type, e.dictionary, e.dictionaryBytes) {
            case (.string, let at?, let n?): dictionary = try block(at, n, "dictionary", e.name)
            case (.string, _, _): throw damaged("string column '\(e.name)' has no dictionary")
            case (_, nil, nil): break
            default: throw damaged("\(e.type.rawValue) column '\(e.name)' has a dictionary")
            }
            guard e.checksum.utf8.count == 16, let sum = UInt64(e.checksum, radix: 16) else {
                throw damaged("column '\(e.name)' has no valid checksum")
            }
            pending.append(Pending(entry: e, values: values, validity: validity, dictionary: dictionary, checksum: sum))
        }

        // Checksums: a pass over every byte, the columns in parallel when they are large.
        var sums = [UInt64](repeating: 0, count: pending.count)
        sums.withUnsafeMutableBufferPointer { out in
            let parallel = rows > Parallel.threshold / 4 && pending.count > 1
            let chunks = parallel ? pending.indices.map { $0..<($0 + 1) } : [pending.indices]
            Parallel.run(chunks) { _, range in
                for i in range {
                    let p = pending[i]
                    var sum = Checksum.of(UnsafeRawBufferPointer(rebasing: raw[p.values]))
                    if let v = p.validity { sum = Checksum.of(UnsafeRawBufferPointer(rebasing: raw[v]), seed: sum) }
                    if let d = p.dictionary { sum = Checksum.of(UnsafeRawBufferPointer(rebasing: raw[d]), seed: sum) }
                    out[i] = sum
                }
            }
        }
        for (p, sum) in zip(pending, sums) where p.checksum != sum {
            throw damaged("checksum of column '\(p.entry.name)' does not match")
        }

        var pairs: [(String, Column)] = []
        for p in pending {
            let e = p.entry
            var validity: Bitmap?
            if let v = p.validity {
                let words = Buffer<UInt64>(storage: storage, offset: v.lowerBound, count: Bitmap.wordCount(rows))
                // Bits past the last row must be clear: they would count as values.
                if rows & 63 != 0, words[words.count - 1] >> UInt64(rows & 63) != 0 {
                    throw damaged("validity words of column '\(e.name)' mark rows past the end")
                }
                validity = Bitmap(words: words, count: rows)
            }
            var dictionary: StringDictionary?
            if let d = p.dictionary {
                let strings = try dictionaryStrings(raw, d, column: e.name)
                let column = UnsafeBufferPointer(start: (raw.baseAddress! + p.values.lowerBound).assumingMemoryBound(to: UInt32.self),
                                                 count: rows)
                try checkCodes(column, count: strings.count, validity: validity, column: e.name)
                dictionary = StringDictionary(strings)
            }
            pairs.append((e.name, Column(type: e.type, count: rows, data: storage, dataOffset: p.values.lowerBound,
                                         validity: validity, dictionary: dictionary)))
        }
        return Table(pairs)
    }

    /// A dictionary block's strings: each entry inside the block, valid UTF-8, all distinct
    /// (a repeated string would give two codes for one value, and filters would miss rows).
    static func dictionaryStrings(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>, column: String) throws -> [String] {
        var strings: [String] = []
        var p = range.lowerBound
        while p < range.upperBound {
            guard range.upperBound - p >= 4 else { throw ColumnFileError.damaged("dictionary of column '\(column)' ends inside an entry") }
            let len = Int(raw.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
            guard len <= range.upperBound - p - 4 else {
                throw ColumnFileError.damaged("dictionary entry \(strings.count) of column '\(column)' has length \(len), past the end of its block")
            }
            guard let s = String(validating: UnsafeRawBufferPointer(rebasing: raw[(p + 4)..<(p + 4 + len)]), as: UTF8.self) else {
                throw ColumnFileError.damaged("dictionary entry \(strings.count) of column '\(column)' is not valid UTF-8")
            }
            strings.append(s)
            p += 4 + len
        }
        guard Set(strings).count == strings.count else {
            throw ColumnFileError.damaged("dictionary of column '\(column)' repeats a string")
        }
        return strings
    }

    /// Every code must index the dictionary; a null row holds 0, which an empty dictionary
    /// (a column of nulls only) has no entry for, so then every row must be null.
    static func checkCodes(_ codes: UnsafeBufferPointer<UInt32>, count: Int, validity: Bitmap?, column: String) throws {
        var largest: UInt32 = 0
        for c in codes { largest = max(largest, c) }
        if count > 0 {
            guard Int(largest) < count else {
                throw ColumnFileError.damaged("column '\(column)' has code \(largest) for a dictionary of \(count) strings")
            }
        } else if !codes.isEmpty {
            guard largest == 0, let v = validity, v.validCount == 0 else {
                throw ColumnFileError.damaged("column '\(column)' has values but an empty dictionary")
            }
        }
    }
}

/// A 64-bit checksum to detect damage (not an attack): four independent lanes over 8-byte
/// words, each step xxHash64's round `h = rotl(h &+ w &* p2, 31) &* p1`. Each step is a
/// bijection of the word, so a change inside any single word always changes its lane, and a
/// difference left in a lane spreads over many bits (unlike `(h ^ w) &* p`, where a flip of
/// a word's top bit equals a flip of one bit of the next word). The lanes let the multiplies
/// overlap, for several GB/s on one core. The tail and the length are mixed in at the end.
package enum Checksum {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    @inline(__always) static func step(_ h: UInt64, _ w: UInt64) -> UInt64 {
        let x = h &+ w &* p2
        return ((x << 31) | (x >> 33)) &* p1
    }

    /// Murmur3's finalizer: every input bit affects every output bit.
    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var k = x
        k ^= k >> 33; k = k &* 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33; k = k &* 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }

    package static func of(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        // Distinct starting points, so that lanes with equal words do not cancel in the xor below.
        var a = seed &+ p1 &+ p2, b = seed &+ p2, c = seed, d = seed &- p1
        var i = 0
        if let base = bytes.baseAddress {
            while i + 32 <= n {
                a = step(a, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                b = step(b, base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                c = step(c, base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
                d = step(d, base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                i += 32
            }
            while i + 8 <= n {
                a = step(a, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            if i < n {
                var last: UInt64 = 0
                for k in 0..<(n - i) { last |= UInt64(base.load(fromByteOffset: i + k, as: UInt8.self)) << UInt64(8 * k) }
                b = step(b, last)
            }
        }
        let h = mix(a) ^ mix(b &+ 1) ^ mix(c &+ 2) ^ mix(d &+ 3)
        return mix(h ^ UInt64(n))
    }
}
