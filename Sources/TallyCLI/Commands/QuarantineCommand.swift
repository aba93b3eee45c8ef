import ArgumentParser
import TallyStore

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "List the rows that were not loaded, with file, line (or sheet and cell), column and reason.",
        discussion: """
        Examples:
          tally quarantine
          tally quarantine --file takedowns-2024-08.csv --limit 20
          tally quarantine --format json
        """
    )

    @Option(help: "Only rows of this file (its path as loaded, or its name).")
    var file: String?

    @Option(help: "At most this many rows.")
    var limit: Int?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var store: StoreOptions

    func run() throws {
        let entries = try store.open(.read).quarantined(file: file, limit: limit)
        if format == .json {
            print(try Format.json(entries))
            return
        }
        if entries.isEmpty {
            Terminal.print("No quarantined rows.")
            return
        }
        let rows = entries.map { e in
            [e.place, e.column ?? "-", e.value.map { $0.isEmpty ? "(empty)" : $0 } ?? "", e.reason]
        }
        Terminal.print(Format.table([entries.contains { $0.sheet != nil } ? "PLACE" : "FILE:LINE", "COLUMN", "VALUE", "REASON"], rows))
    }
}
