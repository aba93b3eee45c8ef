import ArgumentParser
import Foundation
import TallyCore
import TallyMetrics
import TallyStore

/// `tally figures`: the figure catalogue — every published id with its kind, unit,
/// comparisons, disclosure control and definition — and, with `--sql`, the exact SQL that
/// computes a figure, ready for `sqlite3`.
struct FiguresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "List the figure catalogue, or print the SQL that computes a figure.",
        discussion: """
        Without --sql: every figure id (or family of ids, such as
        victims.by_channel.<channel>) with its kind, unit, whether a month's figure
        gets .prev/.change_pct/.ytd, its disclosure control, the query that
        computes it and its definition (--lang ko: in Korean). --format markdown
        prints the table README.md carries.

        With --sql ID (an id, a family such as victims.by_channel.<channel>, or a
        query name such as takedowns.counts): the figure SQL for --period, with
        the parameters set for the sqlite3 shell (.parameter set), at the vintage
        (default: the latest), the as-of time (default: the latest requested_at or
        resolved_at at that vintage) and the settings. Run it with
          tally figures --sql takedowns.compliance --period 2024-08 > q.sql
          sqlite3 tally.sqlite < q.sql
        It returns (id, value) rows; what Swift adds (Wilson intervals, fines,
        ranks, comparisons, suppression) is named in its header.
        """)

    @Option(help: ArgumentHelp("Print the SQL computing this figure id, family or query.", valueName: "id"))
    var sql: String?

    @Option(help: ArgumentHelp("With --sql: a month YYYY-MM, a quarter YYYY-Qn, a year YYYY or a range FROM..TO.", valueName: "period"))
    var period: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("With --sql: the as-of time (default: the latest requested_at or resolved_at loaded).", valueName: "time"))
    var asOf: String?

    @Option(help: ArgumentHelp("With --sql: the records after batch N, or after the last batch finished by a time (default: the latest).",
                               valueName: "N|time"))
    var vintage: String?

    @Option(help: "Without --sql: text, markdown or json.")
    var format: CatalogueFormat = .text

    @Option(help: "Language of the definitions: en or ko.")
    var lang: Language = .en

    @OptionGroup var settingsOptions: SettingsOptions

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if sql != nil && period == nil { throw ValidationError("--sql needs --period") }
        if sql == nil && (period != nil || asOf != nil || vintage != nil) {
            throw ValidationError("--period, --as-of and --vintage go with --sql")
        }
    }

    func run() throws {
        guard let id = sql else {
            print(FiguresCommand.catalogue(format: format, lang: lang))
            return
        }
        guard let query = FiguresCommand.query(for: id) else {
            throw CLIError("--sql '\(id)': not a figure id, family or query of the catalogue (tally figures lists them)")
        }
        let (settings, _) = try settingsOptions.resolved()
        let p: Period
        p = try Period.parse(period!)
        let st = try store.open(.read)
        let v: Vintage
        v = try st.vintage(vintage)
        var at = try MetricsOptions.parseAsOf(asOf, zone: settings.zone)
        if at == nil {
            let s = try st.db.prepare(AsOf.defaultSQL)
            try s.bind(named: [("vintage", .int(Int64(v.batch)))])
            if try s.step(), !s.isNull(0) { at = s.int(0) }
        }
        let parameters = FigureSQL.Parameters(vintage: v.batch, period: p, asOf: at ?? AsOf.endOfDay(p.last, zone: settings.zone),
                                              settings: settings)
        print(FigureSQL.script(query, parameters: parameters), terminator: "")
    }

    /// The query computing `id`: an id or family of the catalogue, or a query's name.
    static func query(for id: String) -> FigureQuery? {
        if let q = FigureQueries.query(id) { return q }
        let entry = FigureCatalogue.entry(id) ?? FigureCatalogue.lookup(id)?.entry
        return entry.flatMap { FigureQueries.query($0.computation.query) }
    }

    static func catalogue(format: CatalogueFormat, lang: Language) -> String {
        let header = ["ID", "KIND", "UNIT", "COMPARISONS", "SUPPRESSION", "QUERY", "DEFINITION"]
        let rows = FigureCatalogue.entries.map { e -> [String] in
            [e.pattern, e.kind.rawValue, e.unit, e.comparisons ? "prev, change_pct, ytd" : "–",
             e.suppression == .none ? "–" : e.suppression.rawValue,
             e.computation.query + (e.computation.swiftStep.map { " + " + $0 } ?? ""),
             lang == .ko ? e.ko : e.en]
        }
        switch format {
        case .text:
            return Format.table(header, rows, rightAligned: [])
        case .markdown:
            var out = ["| " + header.map { $0.prefix(1) + $0.dropFirst().lowercased() }.joined(separator: " | ") + " |",
                       "|" + String(repeating: "---|", count: header.count)]
            for r in rows {
                out.append("| `" + r[0] + "` | " + r[1...].map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
            }
            return out.joined(separator: "\n")
        case .json:
            return JSONValue.array(FigureCatalogue.entries.map { e in
                .object([("id", .string(e.pattern)), ("kind", .string(e.kind.rawValue)), ("unit", .string(e.unit)),
                         ("comparisons", .array(e.comparisons ? Comparison.allCases.map { .string($0.rawValue) } : [])),
                         ("suppression", .string(e.suppression.rawValue)), ("query", .string(e.computation.query)),
                         ("swift_step", e.computation.swiftStep.map(JSONValue.string) ?? .null),
                         ("definition_en", .string(e.en)), ("definition_ko", .string(e.ko))])
            }).rendered(pretty: true)
        }
    }
}

enum CatalogueFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown, json
}

