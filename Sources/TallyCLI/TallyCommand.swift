import ArgumentParser
import TallyCore

struct TallyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Trustworthy public statistics from records of digital sex crimes.",
        discussion: """
        Load arrest, victim and takedown-request CSV files into a store, then compute the
        figures of the metric contract from it.

        The store is ./tally.sqlite unless --db or the TALLY_DB environment variable names
        another. Examples:
          tally ingest Data/sample/*.csv
          tally status
          tally quarantine --format json
        """,
        version: Tally.version,
        subcommands: [IngestCommand.self, StatusCommand.self, QuarantineCommand.self, StatsCommand.self, RankCommand.self, QueryCommand.self, ChartCommand.self, BulletinCommand.self, VerifyCommand.self, ExportCommand.self]
    )
}
