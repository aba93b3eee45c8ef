import Foundation
import Testing
import TallyCore
import TallyTestSupport
@testable import TallyStore

/// The store file under SQLite's locks, and stores on read-only media.
@Suite struct StoreLockAndMediaTests {
    /// The POSIX locks this process holds on the file at `path`, from /proc/locks (the
    /// kernel's own list: a lock SQLite believes it holds but the kernel dropped is not there).
    static func myLocks(on path: String) throws -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        let pid = String(getpid()), inode = ":" + String(info.st_ino)
        return try String(contentsOfFile: "/proc/locks", encoding: .utf8).split(separator: "\n").filter { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            return f.count > 5 && f[1] == "POSIX" && f[4] == pid && f[5].hasSuffix(inode)
        }.map(String.init)
    }

    /// A process that reads a WAL store holds a shared lock on the store file for as long as
    /// its connection is open (it keeps other processes from deleting the WAL under it).
    /// Opening a second connection for writing in the same process (as `tally bulletin`
    /// does to record its publication) must not drop that lock: closing any descriptor of
    /// the file drops every POSIX lock the process holds on it.
    @Test func openingForWritingKeepsTheLocksOfAReaderInTheSameProcess() throws {
        let box = Sandbox()
        _ = try box.store().ingest([box.write("t.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,,pending\n")])
        let reader = try Store(path: box.storePath, access: .read)
        #expect(try reader.latestBatch() == 1)
        let before = try StoreLockAndMediaTests.myLocks(on: box.storePath)
        #expect(!before.isEmpty, "a reader of a WAL store holds a lock on it")
        let writer = try Store(path: box.storePath, access: .write)
        #expect(try StoreLockAndMediaTests.myLocks(on: box.storePath) == before)
        withExtendedLifetime((reader, writer)) {}
    }

    static func run(_ tool: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
