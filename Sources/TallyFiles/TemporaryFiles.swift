#if canImport(Glibc)
import Glibc
#endif

/// Temporary files left by Tally processes that died before renaming them into place.
public enum TemporaryFiles {
    /// What every temporary file name carries before its owner's process id.
    public static let marker = ".tally-tmp-"

    /// Removes the temporary files in `directory` whose process is gone. Files of live
    /// processes (another Tally writing there now) are left alone.
    @discardableResult
    public static func sweep(directory: String) -> [String] {
        guard let dir = opendir(directory.isEmpty ? "." : directory) else { return [] }
        defer { closedir(dir) }
        var removed: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = ownerPID(name), !isAlive(pid) else { continue }
            let path = (directory.hasSuffix("/") || directory.isEmpty ? directory : directory + "/") + name
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// The process id in a temporary file's name, if it is one of Tally's.
    static func ownerPID(_ name: String) -> pid_t? {
        let bytes = Array(name.utf8), m = Array(marker.utf8)
        guard bytes.count > m.count else { return nil }
        var start = bytes.count
        while start > 0, bytes[start - 1] >= 0x30, bytes[start - 1] <= 0x39 { start -= 1 }
        guard start < bytes.count, start >= m.count, Array(bytes[(start - m.count)..<start]) == m,
              let pid = pid_t(String(decoding: bytes[start...], as: UTF8.self)), pid > 0 else { return nil }
        return pid
    }

    /// Whether a process with this id exists (EPERM: it exists but is another user's).
    public static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
