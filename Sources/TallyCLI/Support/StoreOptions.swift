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

    /// Opens the store: `.read` for commands that only read (never creates or writes the
    /// store, works on read-only media), `.write` for those that load.
    func open(_ access: Store.Access) throws -> Store {
        do {
            return try Store(path: path, access: access)
        } catch let e as StoreError {
            throw CLIError(e.description)
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
