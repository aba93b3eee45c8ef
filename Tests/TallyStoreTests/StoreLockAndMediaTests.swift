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
        // Every lock the reader held is still held (the writer's connection may add its own,
        // and /proc/locks gives each lock's id, which need not stay the same).
        let after = try StoreLockAndMediaTests.myLocks(on: box.storePath)
        func ranges(_ locks: [String]) -> Set<String> {
            Set(locks.map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().joined(separator: " ") })
        }
        #expect(ranges(before).isSubset(of: ranges(after)), "before \(before), after \(after)")
        withExtendedLifetime((reader, writer)) {}
    }

    /// A WAL store copied to read-only media with its `-wal` (commits not yet checkpointed
    /// into the store file) but without its `-shm`: SQLite cannot read the WAL there. Reading
    /// the store file alone (immutable) would silently give the store as it was before those
    /// commits; the store must be refused instead.
    @Test func aStoreOnReadOnlyMediaWithAnUnreadableWALIsNotReadStale() throws {
        let box = Sandbox()
        let src = box.storePath
        _ = try box.store().ingest([box.write("a.csv", "\(takedownHeader)\nT1,X,,,police,,2024-08-01T10:00:00Z,,pending\n")])
        // A second connection holds the store open, so the load's commit stays in the WAL
        // (the last connection to close would checkpoint it and delete the WAL).
        let holder = try Store(path: src, access: .read)
        _ = try holder.latestBatch()
        // Without column segments: a load that writes them checkpoints the WAL at its end
        // (so that closing its connection changes no file), and this test needs commits in it.
        var options = IngestOptions()
        options.columnSegments = false
        _ = try box.store().ingest([box.write("b.csv", "\(takedownHeader)\nT2,Y,,,police,,2024-08-02T10:00:00Z,,pending\n")],
                                   options: options)
        var walInfo = stat()
        try #require(stat(src + "-wal", &walInfo) == 0 && walInfo.st_size > 0, "the second load is in the WAL")

        let mnt = box.dir.appendingPathComponent("ro").path
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt]) == 0 else {
            print("aStoreOnReadOnlyMediaWithAnUnreadableWALIsNotReadStale: cannot mount here; skipped")
            return
        }
        defer { _ = Self.run("/bin/umount", ["-l", mnt]) }
        try FileManager.default.copyItem(atPath: src, toPath: mnt + "/s.sqlite")
        try FileManager.default.copyItem(atPath: src + "-wal", toPath: mnt + "/s.sqlite-wal")
        try #require(Self.run("/bin/mount", ["-o", "remount,ro", mnt]) == 0)
        withExtendedLifetime(holder) {}

        // Either the store is read with both batches, or it is refused: never batch 1 alone.
        do {
            let copy = try Store(path: mnt + "/s.sqlite", access: .read)
            #expect(try copy.latestBatch() == 2)
            #expect(try copy.db.scalarInt("SELECT count(*) FROM takedowns") == 2)
        } catch let e as StoreError {
            #expect("\(e)".contains("-wal"), "\(e)")
        }
    }

    static func run(_ tool: String, _ args: [String]) -> Int32 {
        (try? runChild(tool, args).status) ?? -1
    }
}
