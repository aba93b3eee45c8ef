import ArgumentParser
import TallyCore

struct TallyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Trustworthy public statistics from records of digital sex crimes.",
        discussion: """
        Load arrest, victim and takedown-request CSV files into a store, then
        compute the figures of the metric contract, draw charts and write the
        monthly bulletin from it. The store is ./tally.sqlite unless --db or
        the TALLY_DB environment variable names another.

        Examples:
          tally ingest Data/sample/*.csv
          tally status
          tally stats --period 2024-08
          tally rank --period 2024-08
          tally bulletin --period 2024-08 --lang ko --out out/bulletin
          tally verify out/bulletin/manifest.json
          tally export --kind takedowns --period 2024-08 --format csv --out t.csv
        """,
        version: Tally.version,
        subcommands: [
            IngestCommand.self, StatusCommand.self, QuarantineCommand.self,
            StatsCommand.self, RankCommand.self, FiguresCommand.self, QueryCommand.self,
            ChartCommand.self, BulletinCommand.self, VerifyCommand.self, ExportCommand.self, RetractCommand.self, RevisionsCommand.self,
        ]
    )
}
