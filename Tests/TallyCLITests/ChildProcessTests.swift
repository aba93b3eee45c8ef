import Foundation
import Testing
import TallyTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The way every test starts a program (`ChildProcess`, TallyTestSupport): nothing of the
/// parent's inherited, exits and signals told apart, a deadline that kills, a clear error when
/// a program cannot start, and no child left running when its owner lets go.
@Suite struct ChildProcessTests {
    /// Whether a process still exists (a zombie counts: it has not been reaped).
    static func exists(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    @Test func aChildInheritsOnlyItsStandardStreams() throws {
        // A descriptor without close-on-exec, as Foundation's pipes and socket pairs are.
        let fd = open("/dev/null", O_RDONLY)
        #expect(fd > 2)
        defer { close(fd) }
        let r = try runChild("/bin/ls", ["/proc/self/fd"])
        #expect(r.status == 0)
        let open = Set(r.stdout.split(separator: "\n").compactMap { Int32($0) })
        #expect(open.isSuperset(of: [0, 1, 2]))
        #expect(!open.contains(fd), "the child holds the parent's descriptor \(fd): \(open.sorted())")
        #expect(open.count <= 4, "\(open.sorted())")   // 0, 1, 2 and the folder ls itself reads
    }

    @Test func exitCodesAndSignalsAreToldApart() throws {
        #expect(try runChild("/bin/sh", ["-c", "exit 3"]).status == 3)
        let killed = try ChildProcess("/bin/sh", ["-c", "kill -9 $$"])
        let status = try killed.wait()
        #expect(ChildProcess.exitCode(status) == 137)
        #expect(ChildProcess.terminatingSignal(status) == SIGKILL)
        #expect(ChildProcess.terminatingSignal(try ChildProcess("/bin/true", []).wait()) == nil)
    }

    @Test func inputCwdAndEnvironmentReachTheChild() throws {
        let r = try runChild("/bin/sh", ["-c", "pwd; echo $TALLY_CHILD_TEST; cat"], environment: ["TALLY_CHILD_TEST": "x1", "PATH": "/usr/bin:/bin"],
                             cwd: "/tmp", input: Data("from stdin\n".utf8))
        #expect(r.stdout == "/tmp\nx1\nfrom stdin\n")
    }

    @Test func aChildPastItsDeadlineIsKilledAndNamed() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        let start = Date()
        #expect(throws: ChildProcess.Overran.self) { try child.wait(deadline: 0.3) }
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(!Self.exists(child.pid))
        do {
            try child.wait(deadline: 0.3)
        } catch {
            Issue.record("a second wait after the kill should return its status: \(error)")
        }
        do {
            _ = try runChild("/bin/sleep", ["30"], deadline: 0.3)
            Issue.record("no error past the deadline")
        } catch let e as ChildProcess.Overran {
            #expect(e.description == "/bin/sleep 30 was still running after 0 s and was killed")
        }
    }

    @Test func aProgramThatCannotStartIsAClearError() throws {
        do {
            _ = try ChildProcess("/nonexistent/program", [])
            Issue.record("started")
        } catch let e as ChildProcess.SpawnFailed {
            #expect(e.description == "cannot start /nonexistent/program (the program): No such file or directory")
        }
        do {
            _ = try ChildProcess("/bin/true", [], cwd: "/nonexistent/folder")
            Issue.record("started")
        } catch let e as ChildProcess.SpawnFailed {
            #expect(e.description == "cannot start /bin/true (folder /nonexistent/folder): No such file or directory")
        }
        do {
            _ = try ChildProcess("/bin/true", [], stdout: "/nonexistent/folder/out")
            Issue.record("started")
        } catch let e as ChildProcess.SpawnFailed {
            #expect(e.description == "cannot start /bin/true (/nonexistent/folder/out): No such file or directory")
        }
    }

    @Test func aChildLetGoIsKilledAndReaped() throws {
        var pid: pid_t = 0
        do {
            let child = try ChildProcess("/bin/sleep", ["30"])
            pid = child.pid
            #expect(child.isRunning)
        }
        #expect(pid > 0 && !Self.exists(pid))
    }
}
