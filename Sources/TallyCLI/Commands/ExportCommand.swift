import ArgumentParser
import Foundation
import TallyCore
import TallyExport
import TallyMetrics
import TallyStore
import TallyFiles
import TallyTime

/// `tally export`: the loaded records of a period as CSV, JSON or a standalone SQLite
/// database, for journalists and analysts who recompute the figures without Tally.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the loaded records of a period as CSV, JSON or a documented SQLite database.",
        discussion: """
        Records belong to the period as the figures count them: arrests by
        arrested_on, victims by contacted_on, takedowns by the local date of
        requested_at in the reporting time zone (--tz, else Data/settings.yaml's,
        else Asia/Seoul).

        Columns are those of the record contract (records.md), in its order. Victims
        carry only the pseudonymous victim_id: the store holds no names, contacts or
        other identifiers, so none can be exported.

        Types: int as a number, bool as true/false, date as YYYY-MM-DD, timestamp as
        ISO 8601 with the zone's offset (2024-08-01T10:00:00+09:00), enum as
        lower-case text, set (services) as ';'-separated text (a JSON array in
        JSON).
          csv     a header row, then one row per record; text cells that a spreadsheet
                  would read as a formula (=, +, -, @) start with a ' .
          json    {"kind", "period", "time_zone", "columns": [{name, type, meaning}],
                  "records": [{...}]}
          sqlite  a standalone database (needs --out): one table per kind
                  (--kind may be repeated; default all three), `about` (what it
                  is), `columns` (name, type and meaning of every column) and
                  `sources` (input files and SHA-256). Opens with sqlite3 or
                  Datasette. An existing file is kept unless --force.
        Without --out the export goes to stdout. Files are readable by their owner
        only.

        --vintage N exports the records as they stood after batch N (tally status
        lists batches): what a bulletin made then was computed from.

        --history (csv or json) exports every version of every record of the period
        instead, for audit: a record is in it when any of its versions is in the
        period; its versions in order, each with version, valid_from (the batch that
        brought it) and valid_from_at, change (new, update, correction, restored),
        changed_fields, reason (the batch's), source_file and source_line,
        superseded_in, superseded_at, superseded_as (update, correction, retraction;
        empty while current) and superseded_reason. In JSON the rows are under
        "versions" and "columns" documents every column.

        Examples:
          tally export --kind takedowns --period 2024-08 --format csv --out t.csv
          tally export --kind victims --period 2024-01..2024-08 --format json
          tally export --period 2024-08 --format sqlite --out tally-2024-08.sqlite
          tally export --kind arrests --period 2024 --history --out arrests-versions.csv
          tally export --kind victims --period 2024-06 --vintage 9 --format json
        """)

    @Option(name: .long, help: ArgumentHelp("arrests, victims or takedowns (sqlite: repeatable, default all).", valueName: "kind"))
    var kind: [RecordKind] = []

    @Option(help: ArgumentHelp("A month YYYY-MM, a quarter YYYY-Qn, a year YYYY or a range FROM..TO.", valueName: "period"))
    var period: String

    @Option(help: "csv, json or sqlite.")
    var format: ExportFormat = .csv

    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var out: String?

    @Option(name: .customLong("tz"), help: ArgumentHelp("Reporting time zone (default: the settings', Asia/Seoul).", valueName: "zone"))
    var timeZone: String?

    @Flag(help: "sqlite: replace an existing --out file.")
    var force = false

    @Option(help: ArgumentHelp("What was known: the records after batch N, or after the last batch finished by a time (default: the latest).",
                               valueName: "N|time"))
    var vintage: String?

    @Flag(help: "Every version of every record of the period, with its batches and reasons (csv or json).")
    var history = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if history && format == .sqlite { throw ValidationError("--history writes csv or json") }
        if history && vintage != nil { throw ValidationError("--history lists every version of every batch; it takes no --vintage") }
        if let tz = timeZone, ZoneOffsets(identifier: tz) == nil {
            throw ValidationError("unknown time zone '\(tz)' (an IANA name such as Asia/Seoul)")
        }
        switch format {
        case .csv, .json:
            if kind.count != 1 { throw ValidationError("--format \(format.rawValue) exports one kind: give --kind arrests, victims or takedowns") }
        case .sqlite:
            if out == nil { throw ValidationError("--format sqlite needs --out FILE") }
            if Set(kind).count != kind.count { throw ValidationError("--kind given twice") }
        }
    }

    func run() throws {
        let p: Period
        p = try Period.parse(period)
        let zoneName = try resolvedTimeZone()
        let zone = ZoneOffsets(identifier: zoneName)!
        let st = try store.open(.read)
        let v: Vintage
        v = try st.vintage(vintage)
        if history {
            let h = try HistoryExport.read(kind[0], from: st, period: p, zone: zone)
            if h.records.rows.isEmpty {
                FileHandle.standardError.write(Data("note: no \(kind[0].rawValue) in \(p.label) (\(zoneName)); the export has no records\n".utf8))
            }
            switch format {
            case .json: try emit(h.json(period: p, zone: zoneName).rendered(pretty: true) + "\n")
            default: try emit(h.csv())
            }
            return
        }
        let kinds = kind.isEmpty ? RecordKind.allCases : kind
        var exports: [RecordExport] = []
        for k in kinds {
            let e = try RecordExport.read(k, from: st, period: p, zone: zone, vintage: v.batch)
            if e.rows.isEmpty {
                FileHandle.standardError.write(Data("note: no \(k.rawValue) in \(p.label) (\(zoneName)); the export has no records\n".utf8))
            }
            exports.append(e)
        }
        switch format {
        case .csv: try emit(exports[0].csv())
        case .json: try emit(exports[0].json(period: p, zone: zoneName).rendered(pretty: true) + "\n")
        case .sqlite: try writeSQLite(exports, period: p, zone: zoneName, store: st, vintage: v)
        }
    }

    /// `--tz`, else the settings file's zone (Data/settings.yaml when it exists), else Asia/Seoul.
    func resolvedTimeZone() throws -> String {
        if let timeZone { return timeZone }
        if FileManager.default.fileExists(atPath: MetricsOptions.defaultSettingsFile) {
            return try Settings.load(MetricsOptions.defaultSettingsFile).timeZone
        }
        return Settings().timeZone
    }

    /// To stdout, or to `--out` through a temporary file renamed into place (owner-only).
    func emit(_ text: String) throws {
        guard let out else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        TemporaryFiles.sweep(directory: Self.folder(of: out))
        try AtomicFile.write(text, to: out, mode: 0o600)
    }

    static func folder(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    }

    func writeSQLite(_ exports: [RecordExport], period: Period, zone: String, store st: Store, vintage: Vintage) throws {
        let path = out!
        if FileManager.default.fileExists(atPath: path) && !force {
            throw CLIError("\(path) exists; give --force to replace it")
        }
        TemporaryFiles.sweep(directory: Self.folder(of: path))
        try AtomicFile.replace(path, mode: 0o600) { tmp in
            defer { unlink(tmp + "-journal") }
            do {
                // The connection is closed (end of this scope) before the file is renamed.
                let db = try Database(path: tmp)
                try SQLiteExport.write(exports, to: db, period: period, zone: zone,
                                       provenance: try st.provenance(vintage: vintage.batch), vintage: vintage)
            } catch let e as SQLiteError {
                throw FileWriteError(path: path, reason: e.description)
            }
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, sqlite
}
