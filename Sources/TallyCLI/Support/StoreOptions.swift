import ArgumentParser
import Foundation
import TallyStore

/// `--db`, shared by every command that reads or writes the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store (SQLite file).", discussion:
        "Defaults to the TALLY_DB environment variable, else ./tally.sqlite.", valueName: "path"))
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["TALLY_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? Store.defaultPath
    }

    /// Opens the store; `mustExist` refuses to create one (for read-only commands).
    func open(mustExist: Bool = false) throws -> Store {
        if mustExist && !FileManager.default.fileExists(atPath: path) {
            throw CLIError("no store at \(path): load data first with `tally ingest FILE...` (or give --db)")
        }
        do {
            return try Store(path: path)
        } catch {
            throw CLIError("cannot open the store \(path): \(error)")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// An error the user can act on; printed as one line, no stack trace.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
