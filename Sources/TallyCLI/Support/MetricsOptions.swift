import ArgumentParser
import Foundation
import TallyCharts
import TallyCore
import TallyEngine
import TallyMetrics
import TallySpark
import TallyStore

/// Options shared by the commands that compute figures (`stats`, `rank`, …): the period,
/// the as-of time and the settings, with the flags overriding the settings file.
struct MetricsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A month YYYY-MM, a quarter YYYY-Qn, a year YYYY or a range FROM..TO (dates or months).", valueName: "period"))
    var period: String

    @Option(name: .customLong("as-of"), help: ArgumentHelp(
        "The moment the data describe: a timestamp (YYYY-MM-DDTHH:MM[:SS] with Z, ±HH:MM or local) or a date (its end, 24:00 local). Default: the latest requested_at or resolved_at loaded.",
        valueName: "time"))
    var asOf: String?

    @OptionGroup var settingsOptions: SettingsOptions

    @Option(name: .customLong("min-due"), help: ArgumentHelp("Due requests a platform needs to be ranked (default 30).", valueName: "n"))
    var minDue: Int?

    @Option(name: .customLong("min-decisions"), help: ArgumentHelp("DSA decisions a platform needs in the period to be ranked by `rank --kind decisions` (default 100).", valueName: "n"))
    var minDecisions: Int?

    @Flag(name: .customLong("no-suppress"), help: "Show victim breakdown cells under 5 (analysts only; not for publication).")
    var noSuppress = false

    @Flag(help: "Read the store's records from SQLite, not the columnar cache.")
    var noCache = false

    @Option(help: ArgumentHelp("What was known: the store after batch N, or after the last batch finished by a time (default: the latest).",
                               valueName: "N|time"))
    var vintage: String?

    @OptionGroup var store: StoreOptions

    @OptionGroup var engine: EngineOptions

    static let defaultSettingsFile = SettingsOptions.defaultFile

    func validate() throws {
        if let v = minDue, v < 1 { throw ValidationError("--min-due must be 1 or more") }
        if let v = minDecisions, v < 1 { throw ValidationError("--min-decisions must be 1 or more") }
    }

    /// Settings file, then flags; the fine schedule, which must agree on the deadline.
    func resolvedSettings() throws -> (Settings, FineSchedule?) {
        var (s, f) = try settingsOptions.resolved(minDue: minDue)
        if let v = minDecisions { s.minDecisions = v }
        return (s, f)
    }

    func parsedPeriod() throws -> Period {
        return try Period.parse(period)
    }

    /// The as-of option as UTC microseconds.
    func parsedAsOf(zone: ZoneOffsets) throws -> Int64? {
        try MetricsOptions.parseAsOf(asOf, zone: zone)
    }

    static func parseAsOf(_ text: String?, zone: ZoneOffsets) throws -> Int64? {
        guard let text else { return nil }
        guard let t = AsOf.parse(text, zone: zone) else {
            throw CLIError("--as-of '\(text)': expected a date YYYY-MM-DD or a timestamp YYYY-MM-DDTHH:MM[:SS] with Z, ±HH:MM or nothing (local time)")
        }
        return t
    }

    /// What every figure command reads: settings and fine schedule, period, as-of time, the
    /// store and its record tables (an empty store is an error).
    struct Inputs {
        var vintage: Vintage
        var settings: Settings
        var fines: FineSchedule?
        var period: Period
        var asOf: Int64?
        var store: Store
        var tables: RecordTables
    }

    func inputs() throws -> Inputs {
        let (settings, schedule) = try resolvedSettings()
        let period = try parsedPeriod()
        let asOf = try parsedAsOf(zone: settings.zone)
        let st = try store.open(.read)
        let useCache = !noCache
        let v: Vintage
        v = try st.vintage(vintage)
        let tables = RecordTables(arrests: try st.table(.arrests, useCache: useCache, vintage: v.batch).table,
                                  victims: try st.table(.victims, useCache: useCache, vintage: v.batch).table,
                                  takedowns: try st.table(.takedowns, useCache: useCache, vintage: v.batch).table,
                                  decisions: try st.table(.decisions, useCache: useCache, vintage: v.batch).table)
        if tables.arrests.rowCount + tables.victims.rowCount + tables.takedowns.rowCount + (tables.decisions?.rowCount ?? 0) == 0 {
            throw CLIError("the store \(store.path) holds no records: load data first with `tally ingest FILE...`")
        }
        return Inputs(vintage: v, settings: settings, fines: schedule, period: period, asOf: asOf, store: st, tables: tables)
    }

    /// The report computed by Apache Spark from the --input files, with the run's engine,
    /// files and quarantine counts.
    func sparkReport() throws -> (StatsReport, SparkRun) {
        let (report, run, _) = try sparkRun(charts: nil)
        return (report, run)
    }

    /// The Spark job run, with its report; with `charts` (a bulletin's), the job also computes
    /// what those charts draw and hashes the inputs.
    func sparkRun(charts: [ChartSpec]?) throws -> (StatsReport, SparkRun, SparkJob) {
        if vintage != nil { throw CLIError("--vintage reads the store's history; the Spark engine reads --input files") }
        let (settings, schedule) = try resolvedSettings()
        let period = try parsedPeriod()
        let asOf = try parsedAsOf(zone: settings.zone)
        let registry = try PlatformRegistryOption.load(engine.platforms)
        var job = SparkJob(inputs: engine.resolvedInputs, kind: engine.kind, period: period, settings: settings, asOf: asOf,
                           fines: schedule, registry: registry, options: engine.spark,
                           nowMicros: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()))
        job.charts = charts
        let run: SparkRun
        do { run = try job.run() } catch let e as SparkError { throw CLIError(e.description) }
        for f in run.files where f.status == "rejected" {
            FileHandle.standardError.write(Data("error: \(f.path): \(f.error ?? "rejected")\n".utf8))
        }
        if run.records.values.reduce(0, +) == 0 {
            throw CLIError("the --input files hold no valid records")
        }
        let report: StatsReport
        do { report = try job.report(run, suppress: !noSuppress) }
        catch let e as SparkError { throw CLIError(e.description) }
        catch let e as FigureSQLError { throw CLIError(e.description) }
        return (report, run, job)
    }

    /// Everything a figure command needs: the report and where its data came from.
    func report() throws -> (StatsReport, Provenance) {
        let i = try inputs()
        let (settings, schedule, period, asOf, st, tables) = (i.settings, i.fines, i.period, i.asOf, i.store, i.tables)
        var report = try StatsReport(tables: tables, period: period, asOf: asOf, settings: settings, fines: schedule, suppress: !noSuppress)
        report.vintage = i.vintage
        if report.metrics["victims.total"]?.countValue == 0 && report.metrics["arrests.total"]?.countValue == 0
            && report.metrics["takedowns.requests"]?.countValue == 0 && (report.metrics["decisions.total"]?.countValue ?? 0) == 0 {
            let s = try st.status()
            let ranges = s.kinds.compactMap { k in k.first.map { "\(k.kind) \($0.prefix(10))..\(k.last?.prefix(10) ?? "")" } }
            throw CLIError("no records in \(period.label); the store holds " + ranges.joined(separator: ", "))
        }
        return (report, try st.provenance(vintage: i.vintage.batch))
    }
}
