import ArgumentParser
import TallyCore
import TallyMetrics
import TallySpark
import TallyStore

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Every figure of the metric contract for a period, per platform, with comparisons.",
        discussion: """
        Figures have stable ids (metrics.md). For a month, counts also get the
        previous month, the change in percent and the year to date. Shares are
        fractions in JSON and CSV, percents in the text table. Victim breakdown
        cells from 1 to 4 show as <5 (and a second cell where a total would reveal
        the first) unless --no-suppress.

        Examples:
          tally stats --period 2024-08
          tally stats --period 2024-01..2024-08 --format json
          tally stats --period 2024-Q3 --as-of 2024-10-01T00:00+09:00 --format csv
          tally stats --period 2024 --minor-age-limit 18 --deadline-hours 48 --fines my.yaml
          tally stats --period 2024-08 --engine spark --input 'hdfs://nn/takedowns/*.csv' --spark-master yarn
        """)

    @OptionGroup var options: MetricsOptions

    @Option(help: "Output format: text, json or csv.")
    var format: TableFormat = .text

    func run() throws {
        if options.engine.engine == .spark {
            let (report, run) = try options.sparkReport()
            switch format {
            case .json: print(StatsOutput.withEngine(report.json, run).rendered())
            case .csv: print(StatsOutput.csv(report))
            case .text:
                Terminal.print(StatsOutput.sparkHeader(report, run))
                Terminal.print("")
                Terminal.print(StatsOutput.figuresText(report))
                Terminal.print("")
                Terminal.print("Platforms")
                Terminal.print(StatsOutput.platformsText(report))
                if report.decisionPlatforms != nil {
                    Terminal.print("")
                    Terminal.print("Decisions by platform (EU DSA Transparency Database)")
                    Terminal.print(StatsOutput.decisionsText(report))
                }
            }
            return
        }
        let (report, provenance) = try options.report()
        switch format {
        case .json: print(report.json.rendered())
        case .csv: print(StatsOutput.csv(report))
        case .text:
            Terminal.print(StatsOutput.header(report, provenance, store: options.store.path))
            Terminal.print("")
            Terminal.print(StatsOutput.figuresText(report))
            Terminal.print("")
            Terminal.print("Platforms")
            Terminal.print(StatsOutput.platformsText(report))
            if report.decisionPlatforms != nil {
                Terminal.print("")
                Terminal.print("Decisions by platform (EU DSA Transparency Database)")
                Terminal.print(StatsOutput.decisionsText(report))
            }
        }
    }
}

struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "The platform league table: compliance with the deadline, speed, overdue requests, fines.",
        discussion: """
        Platforms with at least min_due due requests (default 30) are ranked by
        compliance (descending), then median hours to removal (ascending), then
        name; the others are listed below, unranked.

        With --kind decisions: the platforms of the EU DSA Transparency Database,
        ranked by the median hours from a decision's application to its statement's
        arrival (ascending) among platforms with at least min_decisions decisions
        (default 100), then name.

        Examples:
          tally rank --period 2024-08
          tally rank --period 2024-Q3 --min-due 100 --format csv
          tally rank --kind decisions --period 2024-03 --min-decisions 1000
        """)

    @OptionGroup var options: MetricsOptions

    @Option(help: "Output format: text, json or csv.")
    var format: TableFormat = .text

    @Option(help: "The league table of takedowns (default) or of decisions (DSA statements of reasons).")
    var kind: LeagueKind = .takedowns

    enum LeagueKind: String, ExpressibleByArgument {
        case takedowns, decisions
    }

    func run() throws {
        if kind == .decisions { return try runDecisions() }
        let (report, provenance, spark) = try reportByEngine()
        let rows = StatsOutput.league(report)
        switch format {
        case .json:
            let json = JSONValue.object([("period", .string(report.period.label)), ("as_of", .string(report.asOfText))]
                                   + (report.vintage.map { [("vintage", $0.json)] } ?? [])
                                   + [("time_zone", .string(report.settings.timeZone)),
                                    ("platforms", .array(rows.map(\.json)))]
                                   + (report.notComputable.isEmpty ? [] : [("not_computable", .object(report.notComputable.map { ($0.id, .string($0.reason)) }))]))
            print((spark.map { StatsOutput.withEngine(json, $0) } ?? json).rendered())
        case .csv:
            let keys = ["rank", "platform", "requests", "due", "within_deadline", "compliance", "compliance_ci95", "median_hours",
                        "p90_hours", "overdue", "refused", "late", "unresolved", "fine_krw"]
            var lines = [keys.joined(separator: ",")]
            for r in rows {
                guard case .object(let pairs) = r.json else { continue }
                let d = Dictionary(uniqueKeysWithValues: pairs)
                lines.append(keys.map { k -> String in
                    switch d[k] {
                    case .string(let s)?: return CSVField.text(s)
                    case .array(let a)?: return a.map { $0.rendered(pretty: false) }.joined(separator: " ")
                    case .null?, nil: return ""
                    case let v?: return v.rendered(pretty: false)
                    }
                }.joined(separator: ","))
            }
            print(lines.joined(separator: "\n"))
        case .text:
            if let provenance { Terminal.print(StatsOutput.header(report, provenance, store: options.store.path)) }
            if let spark { Terminal.print(StatsOutput.sparkHeader(report, spark)) }
            Terminal.print("")
            Terminal.print(StatsOutput.platformsText(report))
        }
    }

    /// The report from the engine asked for: the store's provenance with the local engine, the
    /// Spark run's description with Spark.
    func reportByEngine() throws -> (StatsReport, Provenance?, SparkRun?) {
        if options.engine.engine == .spark {
            let (report, spark) = try options.sparkReport()
            return (report, nil, spark)
        }
        let r = try options.report()
        return (r.0, r.1, nil)
    }

    /// `tally rank --kind decisions`.
    func runDecisions() throws {
        let (report, provenance, spark) = try reportByEngine()
        guard let platforms = report.decisionPlatforms else {
            if spark != nil { throw CLIError("the --input files hold no decisions (DSA statements of reasons)") }
            throw CLIError("the store \(options.store.path) holds no decisions: load DSA statements of reasons first with `tally ingest FILE...`")
        }
        let rows = StatsReport.decisionLeague(platforms)
        switch format {
        case .json:
            let json = JSONValue.object([("period", .string(report.period.label))]
                                   + (report.vintage.map { [("vintage", $0.json)] } ?? [])
                                   + [("min_decisions", .int(Int64(report.settings.minDecisions))),
                                      ("decision_platforms", .array(rows.map(\.json)))])
            print((spark.map { StatsOutput.withEngine(json, $0) } ?? json).rendered())
        case .csv:
            let keys = ["rank", "platform", "total", "sexual_abuse", "automated_detection_share", "automated_decision_share",
                        "moderation_delay_median_days", "moderation_delay_p90_days", "disclosure_delay_median_hours",
                        "disclosure_delay_p90_hours", "removed_share"]
            var lines = [keys.joined(separator: ",")]
            for r in rows {
                guard case .object(let pairs) = r.json else { continue }
                let d = Dictionary(uniqueKeysWithValues: pairs)
                lines.append(keys.map { k -> String in
                    switch d[k] {
                    case .string(let s)?: return CSVField.text(s)
                    case .null?, nil: return ""
                    case let v?: return v.rendered(pretty: false)
                    }
                }.joined(separator: ","))
            }
            print(lines.joined(separator: "\n"))
        case .text:
            if let provenance { Terminal.print(StatsOutput.header(report, provenance, store: options.store.path)) }
            if let spark { Terminal.print(StatsOutput.sparkHeader(report, spark)) }
            Terminal.print("")
            Terminal.print(StatsOutput.decisionsText(report))
        }
    }
}
