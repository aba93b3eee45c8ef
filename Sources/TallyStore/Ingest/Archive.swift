import TallyCore
import Foundation
import CArchive
import TallyXLSX

/// Reading inputs that are archives (.zip, .tar) or compressed (.gz, .bz2, .xz, .zst) with
/// libarchive, from a buffer (the input file mapped into memory), without extracting to disk.
///
/// What an input is, is told by libarchive from its first bytes (not by its name): a plain
/// file, a compressed single stream (`takedowns.csv.gz`: one member, named after the file
/// without the compression suffix), or an archive with members. Each member that is a CSV
/// file (by its name's extension) is read into memory — the parser works on a buffer, so a
/// member costs memory up to its uncompressed size — and handed on; a member that is itself
/// an archive (by its first bytes) is read the same way, its members named
/// `outer!inner!member.csv`; any other member is skipped and listed.
enum ArchiveInput {
    /// One thing found in an input file.
    enum Item {
        /// A CSV member's bytes, with the chain of member paths leading to it (`day.zip!part1.csv`).
        case csv(member: String, data: Data)
        /// An Excel workbook member's bytes (a zip holding a workbook, or a member named `.xlsx`).
        case workbook(member: String, data: Data)
        /// A member not read, and why.
        case skipped(member: String, reason: String)
        /// A member (or, with an empty member path, the archive itself) that cannot be read.
        case damaged(member: String, reason: String)
    }

    enum Kind: Equatable { case plain, compressed, archive }

    /// Whether libarchive reads `bytes` as a compressed stream or an archive (plain otherwise).
    /// A file that starts like an archive but cannot be read is an archive (read: damaged).
    static func kind(of bytes: UnsafeRawBufferPointer) -> Kind {
        guard bytes.count > 0 else { return .plain }
        guard let reader = Reader(bytes) else { return hasArchiveMagic(bytes) ? .archive : .plain }
        return reader.kind
    }

    /// Calls `body` for every member of the archive or compressed stream in `bytes`, in order.
    /// `name` is the input's file name (for a compressed stream's single member). A compressed
    /// file given by the user is CSV whatever its name, as a plain file is; inside archives,
    /// CSV is told by the `.csv` extension.
    static func forEachMember(of bytes: UnsafeRawBufferPointer, name: String, prefix: String = "",
                              _ body: (Item) throws -> Void) throws {
        let anyName = prefix.isEmpty
        guard let reader = Reader(bytes) else {
            try body(.damaged(member: prefix, reason: "not a readable archive"))
            return
        }
        if let error = reader.openError {
            try body(.damaged(member: prefix, reason: error))
            return
        }
        switch reader.kind {
        case .plain:
            try body(.damaged(member: prefix, reason: "not an archive"))
        case .compressed:
            let member = prefix + strippingCompressionSuffix(name)
            switch reader.readData() {
            case .success(let data):
                if data.withUnsafeBytes({ Workbook.isWorkbook($0) }) || isWorkbookName(member) {
                    try body(.workbook(member: member, data: data))
                } else if data.isEmpty == false, case let inner = data.withUnsafeBytes({ kind(of: $0) }), inner != .plain {
                    try data.withUnsafeBytes { try forEachMember(of: $0, name: strippingCompressionSuffix(name), prefix: member + "!", body) }
                } else if anyName || member.lowercased().hasSuffix(".csv") {
                    try body(.csv(member: member, data: data))
                } else {
                    try body(.skipped(member: member, reason: "not a CSV file (by its name); skipped"))
                }
            case .failure(let message):
                try body(.damaged(member: member, reason: "damaged compressed data: " + message))
            }
        case .archive:
            var status = reader.firstStatus
            while status == ARCHIVE_OK || status == ARCHIVE_WARN {
                if let entry = reader.entry {
                    let path = entryPath(entry)
                    let member = prefix + path
                    if archive_entry_filetype(entry) & 0o170000 == 0o100000 { // AE_IFREG: a regular file
                        let isCSV = path.lowercased().hasSuffix(".csv")
                        if isCSV || looksLikeArchive(path) || isWorkbookName(path) {
                            switch reader.readData() {
                            case .success(let data):
                                let inner = data.withUnsafeBytes { kind(of: $0) }
                                if data.withUnsafeBytes({ Workbook.isWorkbook($0) }) || isWorkbookName(path) {
                                    try body(.workbook(member: member, data: data))
                                } else if inner != .plain {
                                    try data.withUnsafeBytes {
                                        try forEachMember(of: $0, name: Provenance.fileName(path), prefix: member + "!", body)
                                    }
                                } else if isCSV {
                                    try body(.csv(member: member, data: data))
                                } else {
                                    try body(.skipped(member: member, reason: "not a CSV file (by its name) nor an archive; skipped"))
                                }
                            case .failure(let message):
                                try body(.damaged(member: member, reason: "damaged member: " + message))
                                if reader.fatal { return }
                            }
                        } else {
                            try body(.skipped(member: member, reason: "not a CSV file (by its name); skipped"))
                        }
                    }
                }
                status = reader.next()
            }
            if status != ARCHIVE_EOF {
                let at = prefix.isEmpty ? "" : String(prefix.dropLast())
                try body(.damaged(member: at, reason: "damaged archive: " + reader.errorString))
            }
        }
    }

    /// Names of members worth opening although they are not `.csv`: archives by their name.
    /// (A `.csv` member is also checked for being an archive by its bytes.)
    static func looksLikeArchive(_ path: String) -> Bool {
        let lower = path.lowercased()
        return [".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zst", ".7z"].contains { lower.hasSuffix($0) }
    }

    /// Names of Excel workbooks (read as workbooks even when their bytes are damaged, so that
    /// the message says what is wrong with the workbook).
    static func isWorkbookName(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".xlsx") || lower.hasSuffix(".xlsm")
    }

    static func strippingCompressionSuffix(_ name: String) -> String {
        let lower = name.lowercased()
        for suffix in [".gz", ".bz2", ".xz", ".zst", ".lz4", ".z"] where lower.hasSuffix(suffix) && lower.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    /// The first bytes of zip, gzip, bzip2, xz, zstd and 7z files: such a file that libarchive
    /// cannot open is a damaged archive, not text.
    static func hasArchiveMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let magics: [[UInt8]] = [[0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x05, 0x06], [0x1F, 0x8B], [0x42, 0x5A, 0x68],
                                 [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], [0x28, 0xB5, 0x2F, 0xFD], [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]]
        return magics.contains { m in bytes.count >= m.count && zip(m, bytes).allSatisfy { $0 == $1 } }
    }

    static func entryPath(_ entry: OpaquePointer) -> String {
        var path = ""
        if let p = archive_entry_pathname_utf8(entry) {
            path = String(cString: p)
        } else if let p = archive_entry_pathname(entry) {
            path = String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
        }
        while path.hasPrefix("/") { path.removeFirst() }
        if path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }

    /// A libarchive read handle over a buffer, positioned at its first entry.
    final class Reader {
        let a: OpaquePointer
        private(set) var entry: OpaquePointer?
        private(set) var openError: String?
        private(set) var firstStatus: Int32 = ARCHIVE_FATAL
        private(set) var fatal = false
        let magic: Bool

        init?(_ bytes: UnsafeRawBufferPointer) {
            guard let a = archive_read_new() else { return nil }
            self.a = a
            magic = ArchiveInput.hasArchiveMagic(bytes)
            archive_read_support_filter_all(a)
            // Not archive_read_support_format_all: its text formats (mtree) claim CSV text.
            archive_read_support_format_zip(a)
            archive_read_support_format_tar(a)
            archive_read_support_format_7zip(a)
            archive_read_support_format_raw(a)
            guard archive_read_open_memory(a, bytes.baseAddress, bytes.count) == ARCHIVE_OK else {
                openError = errorString
                return
            }
            var e: OpaquePointer?
            firstStatus = archive_read_next_header(a, &e)
            if firstStatus == ARCHIVE_OK || firstStatus == ARCHIVE_WARN { entry = e } else if firstStatus != ARCHIVE_EOF { openError = "damaged archive: " + errorString }
        }

        deinit { archive_read_free(a) }

        var errorString: String {
            archive_error_string(a).map { String(cString: $0) } ?? "unreadable data"
        }

        var kind: Kind {
            if openError != nil { return magic ? .archive : .plain }
            let format = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK
            // A compressed stream: a filter (gzip, ...) besides the bottom one reading the bytes.
            let compressed = (0..<archive_filter_count(a)).contains { archive_filter_code(a, $0) != ARCHIVE_FILTER_NONE }
            if format == ARCHIVE_FORMAT_RAW || format == ARCHIVE_FORMAT_EMPTY { return compressed ? .compressed : .plain }
            // Text-like formats libarchive might claim for a CSV file.
            if format == ARCHIVE_FORMAT_MTREE { return compressed ? .compressed : .plain }
            return .archive
        }

        func next() -> Int32 {
            var e: OpaquePointer?
            let status = archive_read_next_header(a, &e)
            entry = e
            return status
        }

        enum ReadResult { case success(Data), failure(String) }

        /// The current entry's data, whole (decompressed as it is read).
        func readData() -> ReadResult {
            var data = Data()
            if let entry, archive_entry_size_is_set(entry) != 0 {
                data.reserveCapacity(Int(max(0, min(archive_entry_size(entry), 1 << 32))))
            }
            let chunk = 1 << 16
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = archive_read_data(a, buffer, chunk)
                if n == 0 { return .success(data) }
                if n < 0 {
                    if n == Int(ARCHIVE_FATAL) { fatal = true }
                    if n == Int(ARCHIVE_WARN) { continue }
                    return .failure(errorString)
                }
                data.append(buffer.assumingMemoryBound(to: UInt8.self), count: n)
            }
        }
    }
}
