import TallyMetrics
import ArgumentParser
import TallyStore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarise what the store holds.",
        discussion: """
        Rows per record kind with their date ranges, files loaded and rejected,
        quarantined rows, and the last batch.

        Examples:
          tally status
          tally status --db store.sqlite --format json
        """
    )

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Platform registry (default: Data/platforms.yaml when it exists): names not in it are listed.", valueName: "file"))
    var platforms: String?

    @OptionGroup var store: StoreOptions

    func run() throws {
        let opened = try store.open(.read)
        var status = try opened.status()
        if let registry = try PlatformRegistryOption.load(platforms) {
            status.unregisteredPlatforms = try opened.unregisteredPlatforms(registry)
        }
        if format == .json {
            print(try Format.json(status))
            return
        }
        var out = ["Store \(status.path) (schema version \(status.schemaVersion))"]
        let rows = status.kinds.map { k in [k.kind, FigureFormat.thousands(k.rows), k.first ?? "-", k.last ?? "-"] }
        out += Format.table(["KIND", "ROWS", "FIRST", "LAST"], rows, rightAligned: [1])
            .split(separator: "\n").map { "  " + $0 }
        out.append("Files: \(FigureFormat.thousands(status.filesLoaded)) loaded, \(FigureFormat.thousands(status.filesRejected)) rejected; "
            + "\(FigureFormat.thousands(status.duplicates)) duplicate rows skipped; \(FigureFormat.thousands(status.quarantined)) rows quarantined")
        out.append("Versions: \(FigureFormat.thousands(status.updated)) updates, \(FigureFormat.thousands(status.corrected)) corrections, "
            + "\(FigureFormat.thousands(status.retracted)) records retracted (every earlier version is kept; --vintage N reads the store after batch N)")
        for u in status.unregisteredPlatforms ?? [] {
            out.append("Platform not in the registry: \(u.text)")
        }
        if let b = status.lastBatch {
            out.append("Last batch: #\(b.id), \(b.startedAt), \(b.files) file\(b.files == 1 ? "" : "s"), "
                + "tally \(b.toolVersion), time zone \(b.timeZone)"
                + (b.state == "running" ? " — loading now"
                    : b.state == "interrupted" ? " — interrupted (stopped before it finished; the files it committed are in the store, "
                        + "the rest are not)" : ""))
        } else {
            out.append("Nothing loaded yet: `tally ingest FILE...`")
        }
        Terminal.print(out.joined(separator: "\n"))
    }
}
