import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one-writer-at-a-time lock of a store: an exclusive `flock` on `<store>.lock`.
///
/// SQLite already serialises write transactions, but a load is several transactions (one per
/// file) and would otherwise interleave with another load file by file, or fail half-way with
/// SQLITE_BUSY. Holding this lock for the whole load makes a second load wait for the first,
/// up to a limit, and fail before it has loaded anything.
///
/// `flock` locks belong to the open file description, so they cannot interfere with the POSIX
/// locks SQLite takes on the store file; the lock file is never the store file. The holder
/// writes its process id, command and start time into the file, for the waiting process to
/// name it. A killed holder's lock is released by the kernel.
public final class WriterLock {
    public struct Holder: Sendable, CustomStringConvertible {
        public var pid: Int32
        public var command: String
        public var since: String
        public var description: String {
            "\(command.isEmpty ? "a process" : command) (pid \(pid)\(since.isEmpty ? "" : ", since \(since)"))"
        }
    }

    private let fd: Int32
    public let path: String

    /// The lock file of the store at `storePath`.
    public static func path(of storePath: String) -> String { storePath + ".lock" }

    /// Takes the lock, waiting up to `wait` seconds; `onWait` is called once, with the holder,
    /// when the lock is busy. Throws `WriterLockError.timedOut` when the wait runs out.
    public init(store storePath: String, wait: Double, onWait: ((Holder?) -> Void)? = nil) throws {
        path = Self.path(of: storePath)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriterLockError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        let deadline = Date().addingTimeInterval(max(0, wait))
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            guard e == EWOULDBLOCK || e == EINTR else {
                close(fd)
                throw WriterLockError.cannotOpen(path: path, reason: String(cString: strerror(e)))
            }
            let holder = Self.readHolder(fd)
            if !told { onWait?(holder); told = true }
            if Date() >= deadline {
                close(fd)
                throw WriterLockError.timedOut(store: storePath, holder: holder, seconds: wait)
            }
            usleep(50_000)
        }
        let me = "\(getpid())\n\(Self.commandLine())\n\(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        _ = ftruncate(fd, 0)
        close(fd) // releases the flock
    }

    /// Whether some process holds the lock of the store at `storePath` now, and who.
    /// Reads only (works on a read-only folder); nil when nobody writes.
    public static func currentHolder(store storePath: String) -> Holder? {
        let fd = open(path(of: storePath), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // A shared lock is refused exactly while a writer holds the exclusive one.
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readHolder(fd) ?? Holder(pid: 0, command: "", since: "")
    }

    static func readHolder(_ fd: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        let lines = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard let pid = lines.first.flatMap({ Int32($0) }) else { return nil }
        return Holder(pid: pid, command: lines.count > 1 ? String(lines[1]) : "", since: lines.count > 2 ? String(lines[2]) : "")
    }

    /// The program's name and first arguments, for a waiting process to show (no file
    /// paths beyond the first few words: an input path may name a person).
    static func commandLine() -> String {
        let args = CommandLine.arguments
        let program = (args.first ?? "tally").split(separator: "/").last.map(String.init) ?? "tally"
        return ([program] + args.dropFirst().prefix(1)).joined(separator: " ")
    }
}

public enum WriterLockError: Error, CustomStringConvertible {
    case timedOut(store: String, holder: WriterLock.Holder?, seconds: Double)
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case let .timedOut(store, holder, seconds):
            let who = holder.map { "\($0)" } ?? "another process"
            return "\(store) is being written by \(who); waited \(Int(seconds)) s, nothing was loaded (try again later, or give --wait SECONDS)"
        case let .cannotOpen(path, reason):
            return "cannot lock \(path) for writing: \(reason)"
        }
    }
}
