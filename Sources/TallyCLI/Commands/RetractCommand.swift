import ArgumentParser
import Foundation
import TallyCore
import TallyStore

/// `tally retract`: withdraws records from later vintages, keeping them in the history.
struct RetractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retract",
        abstract: "Withdraw records (by key, or everything one loaded file brought), with a reason.",
        discussion: """
        Retracted records are in no vintage from this batch on and stay in the
        history: bulletins published before still verify. With --file, records the
        file brought as new are withdrawn, and records it updated or corrected go
        back to their version before it.

        Examples:
          tally retract --file takedowns-2024-08-wrong.csv --reason "sent by mistake"
          tally retract --kind victims --ids ids.txt --reason "duplicate registrations"
        """)

    @Option(help: ArgumentHelp("A loaded file, by name or SHA-256 (at least 8 characters).", valueName: "name|sha256"))
    var file: String?

    @Option(help: ArgumentHelp("A text file of record keys, one per line (a first line naming the key column is skipped).", valueName: "file"))
    var ids: String?

    @Option(help: "The record kind of --ids.")
    var kind: RecordKind?

    @Option(help: ArgumentHelp("Why: recorded with the batch.", valueName: "text"))
    var reason: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("While another process writes to the store, wait up to this many seconds.", valueName: "seconds"))
    var wait: Double = 600

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if (file == nil) == (ids == nil) { throw ValidationError("give either --file or --ids") }
        if ids != nil && kind == nil { throw ValidationError("--ids needs --kind (arrests, victims or takedowns)") }
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must say why") }
    }

    func run() throws {
        let st = try store.open(.write)
        let report: RetractionReport
        if let file {
            report = try st.retract(file: file, reason: reason, wait: wait)
        } else {
            guard let text = try? String(contentsOfFile: ids!, encoding: .utf8) else {
                throw CLIError("cannot read \(ids!): no such file, or not UTF-8 text")
            }
            var keys = text.split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }
            if keys.first == kind!.schema.key { keys.removeFirst() }
            report = try st.retract(kind: kind!, ids: keys, reason: reason, wait: wait)
        }
        switch format {
        case .json: print(try Format.json(report))
        case .text:
            if let batch = report.batch {
                Terminal.print("Store \(store.path): retraction batch \(batch): "
                    + "\(report.withdrawn) withdrawn, \(report.reverted) reverted to their earlier version, \(report.notFound.count) not found")
            } else {
                Terminal.print("Store \(store.path): nothing to retract (no batch written): \(report.notFound.count) not found")
            }
            if !report.notFound.isEmpty {
                Terminal.print("not found: " + report.notFound.prefix(20).joined(separator: ", ") + (report.notFound.count > 20 ? ", …" : ""))
            }
        }
    }
}
