import Foundation
import TallyTestSupport

/// The package's root folder (…/Tests/TallyCLITests/Support.swift → …).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A program built beside the test bundle (`tally`, `tally-sample`).
func builtProgram(_ name: String) -> String {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    // The bundle may be a folder (….xctest/…) on some platforms: climb to the build folder.
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path) && dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent(name).path
}

let tallyBinary = builtProgram("tally")

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion with the given environment additions (TallyTestSupport's
/// `runChild`: outputs through files, a deadline, no descriptor of another test inherited).
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
         cwd: URL? = nil) throws -> RunResult {
    let r = try runChild(executable, arguments, environment: childEnvironment(environment), cwd: cwd?.path)
    return RunResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
}

/// The environment a program run by the tests gets: this process's, without `TALLY_DB` (a
/// developer's store must never be the one a test writes), with `additions`.
func childEnvironment(_ additions: [String: String] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "TALLY_DB")
    for (k, v) in additions { env[k] = v }
    return env
}

func tally(_ arguments: String..., environment: [String: String] = [:], cwd: URL? = nil) throws -> RunResult {
    try run(tallyBinary, arguments, environment: environment, cwd: cwd)
}

/// sqlite3's own CSV import and SQL: a computation independent of Tally's reader and store.
func sqlite3(_ database: String, _ script: String) throws -> String {
    let r = try run("/usr/bin/sqlite3", ["-batch", "-noheader", "-list", database, "-cmd", script, ".quit"])
    if r.status != 0 { throw SQLiteCLIError(message: r.stderr) }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

struct SQLiteCLIError: Error { let message: String }

final class TempDir {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        FileManager.default.createFile(atPath: path(name), contents: Data(text.utf8))
        return path(name)
    }
}

let sampleFiles = ["arrests-2024.csv", "victims-2024.csv", "takedowns-2024.csv"]
    .map { packageRoot.appendingPathComponent("Data/sample/\($0)").path }
