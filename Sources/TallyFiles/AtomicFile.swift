#if canImport(Glibc)
import Glibc
#endif

/// A file that appears whole under its final name or not at all.
///
/// Everything Tally publishes or caches is written to a temporary file in the destination's
/// folder (`.<name>.tally-tmp-<pid>`), flushed to disk with `fsync`, and renamed over the
/// final name; the folder is synced so that the rename itself survives a power cut. A
/// process killed half-way leaves only its temporary file, which the next Tally process that
/// writes into the same folder removes (`TemporaryFiles.sweep`). Any write error (a full
/// disk, `ulimit -f`, an I/O error) is thrown as a `FileWriteError` naming the final path,
/// and the temporary file is removed.
public enum AtomicFile {
    /// Writes `bytes` to `path`, replacing what was there.
    public static func write<C: Collection<UInt8>>(_ bytes: C, to path: String, mode: mode_t? = nil) throws {
        try replace(path, mode: mode) { tmp in
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw FileWriteError(path: path, errno: errno) }
            defer { close(fd) }
            let result: Int32? = bytes.withContiguousStorageIfAvailable { writeAll(fd, UnsafeRawBufferPointer($0)) }
                ?? Array(bytes).withUnsafeBytes { writeAll(fd, $0) }
            if let e = result, e != 0 { throw FileWriteError(path: path, errno: e) }
        }
    }

    /// Writes `text` as UTF-8 to `path`, replacing what was there.
    public static func write(_ text: String, to path: String, mode: mode_t? = nil) throws {
        var text = text
        try text.withUTF8 { utf8 in try write(utf8, to: path, mode: mode) }
    }

    /// Runs `body` with a temporary path beside `path` for it to create and fill (a library
    /// such as Cairo or SQLite that writes a file by name), then syncs the file and renames it
    /// over `path`. When `body` throws, or the file cannot be synced or renamed, the temporary
    /// file is removed and the error thrown.
    public static func replace(_ path: String, mode: mode_t? = nil, _ body: (String) throws -> Void) throws {
        let tmp = temporaryPath(for: path)
        unlink(tmp)
        do {
            try body(tmp)
        } catch {
            unlink(tmp)
            throw error
        }
        try commit(tmp, to: path, mode: mode)
    }

    /// Syncs the finished temporary file `tmp` and renames it to `path`; removes `tmp` on failure.
    public static func commit(_ tmp: String, to path: String, mode: mode_t? = nil) throws {
        let fd = open(tmp, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            unlink(tmp)
            throw FileWriteError(path: path, errno: e)
        }
        // The process umask decides the mode (Tally's is owner-only) unless one is given.
        if let mode { _ = fchmod(fd, mode) }
        // fsync reports a write error the kernel found late (an I/O error, a full disk on a
        // delayed allocation): the last chance to refuse before the file takes the final name.
        if fsync(fd) != 0 {
            let e = errno
            close(fd)
            unlink(tmp)
            throw FileWriteError(path: path, errno: e)
        }
        close(fd)
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw FileWriteError(path: path, errno: e)
        }
        syncDirectory(of: path)
    }

    /// `.<name>.tally-tmp-<pid>` in the folder of `path`.
    public static func temporaryPath(for path: String) -> String {
        let (dir, name) = split(path)
        return dir + "." + name + TemporaryFiles.marker + String(getpid())
    }

    static func split(_ path: String) -> (dir: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    /// Makes a rename in the folder durable (best effort: some file systems refuse).
    static func syncDirectory(of path: String) {
        let dir = split(path).dir
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    /// Writes all bytes; returns 0 or the errno of the failure.
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Int32 {
        var done = 0
        while done < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            done += n
        }
        return 0
    }
}

/// A file that could not be written: one line naming the file and the reason.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public init(path: String, errno code: Int32) {
        self.init(path: path, reason: FileWriteError.describe(code))
    }

    public var description: String { "cannot write \(path): \(reason)" }

    /// strerror, with the advice a user needs for the usual causes.
    public static func describe(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        switch code {
        case ENOSPC: return text + " (the disk is full; nothing was written)"
        case EFBIG: return text + " (over the file size limit; nothing was written)"
        case EDQUOT: return text + " (over the disk quota; nothing was written)"
        default: return text
        }
    }
}
