import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program the tests run: started with `posix_spawn`, waited for with `waitpid`, never longer
/// than a deadline.
///
/// Why not Foundation's `Process`: tests run in parallel, and on Linux `Process` gives each child
/// a socket pair (and `Pipe` two descriptors) that are not close-on-exec; a child started on
/// another thread at the wrong moment inherits them, and then the first child's exit (or its
/// pipe's end) is not seen until the second child exits — two children reading their standard
/// input until its end can wait for each other for ever. Here every child closes every descriptor
/// above 2 as it starts (`posix_spawn_file_actions_addclosefrom_np`), its standard streams are
/// files, and `waitpid` on its own pid says when it ended. A child still running at its deadline
/// is killed and the wait throws `ChildProcess.Overran`, naming the command: a test that would
/// hang fails instead.
public final class ChildProcess: @unchecked Sendable {
    /// How long a child may run before it is killed: `TALLY_TEST_CHILD_SECONDS`, default 600.
    public static let defaultDeadline: TimeInterval =
        ProcessInfo.processInfo.environment["TALLY_TEST_CHILD_SECONDS"].flatMap(TimeInterval.init) ?? 600

    public struct Overran: Error, CustomStringConvertible {
        public let command: String
        public let seconds: TimeInterval
        public var description: String { "\(command) was still running after \(Int(seconds)) s and was killed" }
    }

    public struct SpawnFailed: Error, CustomStringConvertible {
        public let command: String
        public let code: Int32
        /// What was being set up: the program itself, a standard stream's file, the folder.
        public var what = "it"
        public var description: String { "cannot start \(command) (\(what)): \(String(cString: strerror(code)))" }
    }

    /// The child was reaped by someone else's `waitpid`: how it ended is unknown.
    public struct ReapedElsewhere: Error, CustomStringConvertible {
        public let command: String
        public var description: String { "\(command) was reaped by another wait; its status is unknown" }
    }

    public let pid: pid_t
    public let command: String
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` (a path) with `arguments`. `stdin`, `stdout`, `stderr` are paths
    /// (nil: /dev/null); `environment` replaces the whole environment when given.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                cwd: String? = nil, stdin: String? = nil, stdout: String? = nil, stderr: String? = nil) throws {
        command = ([executable] + arguments).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The file actions run in the child; posix_spawn returns the first one's error. A stream's
        // file or the folder that cannot be opened is checked here first, so that the error names it.
        for (path, flags) in [(stdin, O_RDONLY), (stdout, O_WRONLY | O_CREAT), (stderr, O_WRONLY | O_CREAT)] {
            guard let path else { continue }
            let fd = open(path, flags | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SpawnFailed(command: command, code: errno, what: path) }
            close(fd)
        }
        if let cwd, access(cwd, X_OK) != 0 { throw SpawnFailed(command: command, code: errno, what: "folder \(cwd)") }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // glibc ≥ 2.34 and ≥ 2.29; Swift's Glibc module does not declare them, so they are looked
        // up. Both return an error number (they do not set errno).
        guard let closeFrom = Self.closeFrom, let changeDirectory = Self.changeDirectory else {
            throw SpawnFailed(command: command, code: ENOSYS, what: "this C library has no posix_spawn_file_actions_addclosefrom_np")
        }
        var rc = closeFrom(&actions, 3)
        guard rc == 0 else { throw SpawnFailed(command: command, code: rc, what: "closing descriptors") }
        if let cwd {
            rc = changeDirectory(&actions, cwd)
            guard rc == 0 else { throw SpawnFailed(command: command, code: rc, what: "folder \(cwd)") }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked, whatever the spawning thread blocks.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0)=\($1)" }
        var child: pid_t = 0
        let code = Self.withCStrings([executable] + arguments) { argv in
            Self.withCStrings(env) { envp in
                posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            }
        }
        guard code == 0 else { throw SpawnFailed(command: command, code: code, what: "the program") }
        pid = child
    }

    /// A child still running when its owner lets go (a test that threw before waiting) is
    /// killed and reaped: it must not write on while later tests run, nor stay a zombie.
    deinit { killAndReap() }

    private func killAndReap() {
        signal(SIGKILL)
        while poll() == nil { usleep(1_000) }
    }

    /// Whether the child still runs (reaps it if it has ended).
    public var isRunning: Bool { poll() == nil }

    /// Sends a signal (the child may already have ended: then nothing happens).
    public func signal(_ signal: Int32) {
        lock.withLock { if status == nil { _ = Glibc.kill(pid, signal) } }
    }

    /// Waits for the end and returns the raw wait status; kills the child at the deadline.
    @discardableResult
    public func wait(deadline seconds: TimeInterval = ChildProcess.defaultDeadline) throws -> Int32 {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        var pause: useconds_t = 1_000
        while true {
            if let s = poll() {
                if s == Self.reapedElsewhere { throw ReapedElsewhere(command: command) }
                return s
            }
            if DispatchTime.now().uptimeNanoseconds >= end {
                killAndReap()
                throw Overran(command: command, seconds: seconds)
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// The exit code, or 128 + the signal that ended it (as a shell reports it).
    public static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// The signal that ended the child, if one did.
    public static func terminatingSignal(_ status: Int32) -> Int32? {
        let signal = status & 0x7f
        return signal == 0 || signal == 0x7f ? nil : signal
    }

    private func poll() -> Int32? {
        lock.withLock {
            if let status { return status }
            var s: Int32 = 0
            let r = waitpid(pid, &s, WNOHANG)
            if r == pid { status = s }
            else if r == -1 && errno == ECHILD { status = Self.reapedElsewhere }
            return status
        }
    }

    /// Not a status `waitpid` can report (a stopped child's low byte is 0x7f, and it is never asked for).
    private static let reapedElsewhere: Int32 = -1

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let changeDirectory = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: ChangeDirectory.self) }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }
}

/// What a finished child printed, and how it ended.
public struct ChildOutput: Sendable {
    /// The exit code, or 128 + the signal that ended it.
    public var status: Int32
    /// Standard output's bytes.
    public var data: Data
    public var stderr: String
    public var stdout: String { String(decoding: data, as: UTF8.self) }
}

/// Runs a program to its end (at most `deadline` seconds), its input from `input`, its outputs
/// read from files afterwards.
public func runChild(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                     cwd: String? = nil, input: Data? = nil,
                     deadline: TimeInterval = ChildProcess.defaultDeadline) throws -> ChildOutput {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("tally-child-\(UUID().uuidString)").path
    let inPath = base + ".in", outPath = base + ".out", errPath = base + ".err"
    defer { for p in [inPath, outPath, errPath] { unlink(p) } }
    if let input { try input.write(to: URL(fileURLWithPath: inPath)) }
    let child = try ChildProcess(executable, arguments, environment: environment, cwd: cwd,
                                 stdin: input == nil ? nil : inPath, stdout: outPath, stderr: errPath)
    let status = try child.wait(deadline: deadline)
    let out = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
    let err = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
    return ChildOutput(status: ChildProcess.exitCode(status), data: out, stderr: String(decoding: err, as: UTF8.self))
}

/// python3 (the one on PATH) running `script` with `arguments`: an independent computation for
/// tests. Returns its standard output, trimmed; an exit other than 0 throws, with its stderr.
@discardableResult
public func python3(_ script: String, _ arguments: [String]) throws -> String {
    let r = try runChild("/usr/bin/env", ["python3", "-c", script] + arguments)
    guard r.status == 0 else { throw PythonFailed(status: r.status, stderr: r.stderr) }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

public struct PythonFailed: Error, CustomStringConvertible {
    public let status: Int32
    public let stderr: String
    public var description: String { "python3 failed (status \(status)): \(stderr)" }
}
