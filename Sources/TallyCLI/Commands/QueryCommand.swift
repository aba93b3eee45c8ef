import ArgumentParser
import Foundation
import TallyCore
import TallyCSV
import TallyEngine
import TallyStore
import TallyTables

enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Group, filter and aggregate records with the columnar engine.",
        discussion: """
        The source is a record kind of the store (every column but the id) or, with
        --csv, any CSV file (column types inferred from the values).

        Derived:     NAME=diff(a,b)  NAME=hours(a,b)  NAME=date(ts)  NAME=month(col)
        Conditions:  col = v, !=, <, <=, >, >=;  col in a|b|c;  col is [not] null
        Aggregates:  count  count(col)  sum  mean  min  max  median  pNN
                     quantile(col,0.25)  count_if(COND and COND…)  share(COND…);
                     name one with NAME=...
        Timestamps compare with YYYY-MM-DDTHH:MM[:SS]Z; local dates and months (the
        month's first day) use --tz.

        Examples:
          tally query takedowns --group-by platform
          tally query takedowns --derive 'hours=hours(resolved_at,requested_at)'
            --where 'outcome in removed|blocked' --group-by platform
            --agg count --agg 'within=count_if(hours <= 24)'
            --agg 'median=median(hours)' --agg 'p90=p90(hours)' --sort median:desc
          tally query victims --derive 'month=month(contacted_on)'
            --where 'age < 19' --group-by month
          tally query --csv requests.csv --group-by platform --format csv
        """
    )

    @Argument(help: "Record kind in the store: arrests, victims or takedowns.")
    var kind: RecordKind?

    @Option(help: ArgumentHelp("Query a CSV file instead of the store.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("A derived column NAME=FUNCTION(ARGS); repeatable.", valueName: "spec"))
    var derive: [String] = []

    @Option(name: .customLong("where"), help: ArgumentHelp("A condition; repeatable (all must hold).", valueName: "condition"))
    var conditions: [String] = []

    @Option(help: ArgumentHelp("Key columns, comma-separated.", valueName: "columns"))
    var groupBy: String?

    @Option(help: ArgumentHelp("An aggregate; repeatable (default: count).", valueName: "spec"))
    var agg: [String] = []

    @Option(help: ArgumentHelp("Sort by a result column (COLUMN or COLUMN:desc); repeatable.", valueName: "key"))
    var sort: [String] = []

    @Option(help: "At most this many result rows.")
    var limit: Int?

    @Option(name: .customLong("tz"), help: ArgumentHelp("Time zone of local dates and months.", valueName: "zone"))
    var timeZone: String = Tally.defaultTimeZone

    @Option(help: ArgumentHelp("Encoding of a --csv file: utf-8 or cp949.", valueName: "name"))
    var encoding: String = "utf-8"

    @Option(help: "Output format: text, json or csv.")
    var format: TableFormat = .text

    @Flag(help: "Read the store's records from SQLite, not the columnar cache.")
    var noCache = false

    @Option(help: ArgumentHelp("Store records as known after batch N, or after the last batch finished by a time (default: the latest).",
                               valueName: "N|time"))
    var vintage: String?

    @Flag(help: "Print load and query times, column bytes and peak memory on stderr.")
    var timing = false

    @Option(help: ArgumentHelp("Run the query this many times and report the fastest (benchmarks).", visibility: .hidden))
    var `repeat`: Int = 1

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if (kind == nil) == (csv == nil) { throw ValidationError("give a record kind or --csv FILE (one of them)") }
        if ZoneOffsets(identifier: timeZone) == nil { throw ValidationError("unknown time zone '\(timeZone)'") }
        if TextEncoding(name: encoding) == nil { throw ValidationError("unknown encoding '\(encoding)'; expected utf-8 or cp949") }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
        if `repeat` < 1 { throw ValidationError("--repeat must be 1 or more") }
    }

    func run() throws {
        let zone = ZoneOffsets(identifier: timeZone)!
        let t0 = Date()
        let table: Table
        var source = ""
        if let csv {
            do { table = try CSVTable.read(path: csv, encoding: TextEncoding(name: encoding)!, zone: zone) } catch {
                throw CLIError("\(error)")
            }
            source = "csv"
        } else {
            let st = try store.open(.read)
            let v: Vintage
            v = try st.vintage(vintage)
            let load = try st.table(kind!, useCache: !noCache, vintage: v.batch)
            table = load.table
            source = load.fromCache ? "cache" : "store"
        }
        let t1 = Date()
        let spec = QuerySpec(derive: derive, conditions: conditions,
                             groupBy: groupBy.map { $0.split(separator: ",").map { String($0).trimmingSpaces } } ?? [],
                             aggregates: agg, sort: sort, limit: limit)
        var result = Table([])
        var best = Double.infinity
        for _ in 0..<`repeat` {
            let start = Date()
            result = try spec.run(on: table, zone: zone)
            best = min(best, Date().timeIntervalSince(start))
        }
        switch format {
        case .text: Terminal.print(TableOutput.text(result))
        case .json: print(TableOutput.json(result))
        case .csv: print(TableOutput.csv(result))
        }
        if timing {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            Terminal.writeError(String(format: "rows %d; columns %.1f MB; load %.1f ms (%@); query %.2f ms%@; peak RSS %.1f MB\n",
                                       table.rowCount, Double(table.byteCount) / 1e6, t1.timeIntervalSince(t0) * 1000, source,
                                       best * 1000, `repeat` > 1 ? " (best of \(`repeat`))" : "", Double(usage.ru_maxrss) * 1024 / 1e6))  // ru_maxrss is in KiB
        }
    }
}
