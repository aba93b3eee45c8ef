import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Starts the kernel's write-back of the store file every few tens of megabytes of input
/// during a long load, so that the commit's final `fsync` finds little left to write.
///
/// This changes nothing in what SQLite writes or when it syncs; it only moves disk work
/// from the end of the load to the time the load runs anyway.
final class Writeback {
    private let fd: Int32
    private var next: Int
    static let every = 32 << 20

    init(path: String) {
        fd = path == ":memory:" ? -1 : open(path, O_RDONLY | O_CLOEXEC)
        next = Self.every
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Called after each batch with the bytes of input parsed so far.
    func maybeStart(bytesFed: Int) {
        guard fd >= 0, bytesFed >= next else { return }
        next = bytesFed + Self.every
        _ = tally_start_writeback(fd)
    }
}
