import Foundation
import TallyTestSupport
import Testing
@testable import TallyFiles

/// Files appear whole or not at all; a failed write leaves the old file and no temporary.
@Suite struct AtomicFileTests {
    final class Dir {
        let path: String
        init() {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-files-\(UUID().uuidString)").path
            try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func entries() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }
    }

    struct Boom: Error {}

    @Test func writesAndReplaces() throws {
        let dir = Dir()
        let path = dir.path + "/a.txt"
        try AtomicFile.write("first", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first")
        try AtomicFile.write(Array("second, longer".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second, longer")
        #expect(dir.entries() == ["a.txt"])
    }

    @Test func aFailedWriteKeepsTheOldFileAndLeavesNoTemporary() throws {
        let dir = Dir()
        let path = dir.path + "/b.pdf"
        try AtomicFile.write("published", to: path)
        #expect(throws: Boom.self) {
            try AtomicFile.replace(path) { tmp in
                try "half a PDF".write(toFile: tmp, atomically: false, encoding: .utf8)
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "published")
        #expect(dir.entries() == ["b.pdf"])
    }

    @Test func aBodyThatWritesNothingIsAnErrorNamingTheFile() throws {
        let dir = Dir()
        let path = dir.path + "/c.svg"
        do {
            try AtomicFile.replace(path) { _ in }
            Issue.record("expected an error")
        } catch let e as FileWriteError {
            #expect(e.description.hasPrefix("cannot write \(path): "))
        }
        #expect(dir.entries().isEmpty)
    }

    @Test func aMissingFolderIsAOneLineError() {
        let path = "/nonexistent-\(UUID().uuidString)/x.csv"
        do {
            try AtomicFile.write("x", to: path)
            Issue.record("expected an error")
        } catch let e as FileWriteError {
            #expect(e.description == "cannot write \(path): No such file or directory")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// The temporary files of dead processes go; those of live ones (this one) stay.
    @Test func sweepRemovesOnlyTemporariesOfDeadProcesses() throws {
        let dir = Dir()
        // A child that has exited: its pid is free (until reused, which a fresh pid is not).
        let child = try ChildProcess("/bin/true", [])
        try child.wait()
        let dead = child.pid
        let mine = AtomicFile.temporaryPath(for: dir.path + "/live.pdf")
        let stale = dir.path + "/.old.pdf" + TemporaryFiles.marker + "\(dead)"
        for p in [mine, stale, dir.path + "/keep.tally-tmp-x", dir.path + "/report.pdf"] {
            FileManager.default.createFile(atPath: p, contents: Data("x".utf8))
        }
        let removed = TemporaryFiles.sweep(directory: dir.path)
        #expect(removed == [stale])
        #expect(dir.entries() == [".live.pdf" + TemporaryFiles.marker + "\(getpid())", "keep.tally-tmp-x", "report.pdf"])
    }

    @Test func ownerPIDParsesOnlyTallyTemporaries() {
        #expect(TemporaryFiles.ownerPID(".a.pdf.tally-tmp-123") == 123)
        #expect(TemporaryFiles.ownerPID("a.pdf") == nil)
        #expect(TemporaryFiles.ownerPID(".tally-tmp-") == nil)
        #expect(TemporaryFiles.ownerPID("x.tally-tmp-12a") == nil)
        #expect(TemporaryFiles.ownerPID("x.tally-tmp-0") == nil)
    }
}
