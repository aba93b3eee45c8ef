import ArgumentParser
import Foundation
import TallyCore
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
        do { p = try Period.parse(period) } catch let e as PeriodError { throw CLIError(e.description) }
        let zoneName = try resolvedTimeZone()
        let zone = ZoneOffsets(identifier: zoneName)!
        let st = try store.open(.read)
        let v: Vintage
        do { v = try st.vintage(vintage) } catch let e as VintageError { throw CLIError(e.description) }
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
        // Decisions (the DSA database, public already) only when asked for by --kind.
        let kinds = kind.isEmpty ? RecordKind.recordsKinds : kind
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
            do { return try Settings.load(MetricsOptions.defaultSettingsFile).timeZone }
            catch let e as YAMLError { throw CLIError(e.description) }
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
        do { try AtomicFile.write(text, to: out, mode: 0o600) } catch let e as FileWriteError { throw CLIError(e.description) }
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
        do {
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
        } catch let e as FileWriteError {
            throw CLIError(e.description)
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, sqlite
}


/// One exported value, typed as in the record contract.
enum ExportValue {
    case null
    case int(Int64)
    case bool(Bool)
    case text(String)
    case set([String])

    /// Column `i` of the statement's current row, typed as the record contract's `kind`
    /// stores it (timestamps as microseconds, sets as `;`-separated text).
    static func read(_ s: Statement, _ i: Int, _ kind: FieldKind) -> ExportValue {
        if s.isNull(i) { return .null }
        switch kind {
        case .int, .timestamp: return .int(s.int(i))
        case .bool: return .bool(s.int(i) != 0)
        case .set: return .set((s.text(i) ?? "").split(separator: ";").map(String.init))
        case .jsonSet: return .set(JSONSets.stringArray(s.text(i) ?? "[]") ?? [])
        default: return .text(s.text(i) ?? "")
        }
    }
}

/// The records of one kind in a period, read from the store, in contract column order.
struct RecordExport {
    let kind: RecordKind
    let columns: [ColumnSpec]
    var rows: [[ExportValue]] = []
    /// Timestamps rendered with the zone's offset at that instant.
    let zone: ZoneOffsets

    /// The records of `kind` in `period` at the vintage after batch `vintage`.
    static func read(_ kind: RecordKind, from store: Store, period: Period, zone: ZoneOffsets, vintage: Int) throws -> RecordExport {
        let schema = kind.schema
        var e = RecordExport(kind: kind, columns: schema.columns, zone: zone)
        let names = schema.columns.map(\.name).joined(separator: ", ")
        let dateColumn: String, args: [SQLValue]
        switch kind {
        case .arrests: dateColumn = "arrested_on"
        case .victims: dateColumn = "contacted_on"
        case .takedowns: dateColumn = "requested_at"
        case .decisions: dateColumn = "application_date"
        }
        let sql: String
        if kind == .takedowns {
            // A window a little wider than the period in UTC; the local date decides below.
            sql = "SELECT \(names) FROM (\(Store.vintageSQL(kind, columns: names, vintage: vintage))) "
                + "WHERE requested_at >= ? AND requested_at < ? ORDER BY requested_at, request_id"
            args = [.int(Int64(period.first - 2) * 86_400_000_000), .int(Int64(period.last + 3) * 86_400_000_000)]
        } else {
            sql = "SELECT \(names) FROM (\(Store.vintageSQL(kind, columns: names, vintage: vintage))) "
                + "WHERE \(dateColumn) BETWEEN ? AND ? ORDER BY \(dateColumn), \(schema.key)"
            args = [.text(CivilDate.isoString(days: period.first)), .text(CivilDate.isoString(days: period.last))]
        }
        let s = try store.db.prepare(sql)
        try s.bind(args)
        let requestedAt = schema.index(of: "requested_at")
        while try s.step() {
            if kind == .takedowns, let i = requestedAt {
                let day = Int(zone.localDay(utcMicros: s.int(i)))
                if day < period.first || day > period.last { continue }
            }
            e.rows.append(schema.columns.indices.map { ExportValue.read(s, $0, schema.columns[$0].kind) })
        }
        return e
    }

    func timestamp(_ micros: Int64) -> String {
        Timestamp.iso(micros: micros, offsetSeconds: zone.offset(atUTC: floorDiv(micros, 1_000_000)))
    }

    /// The value as text (CSV and SQLite): timestamps ISO 8601 with offset, sets `;`-joined.
    func text(_ v: ExportValue, _ c: ColumnSpec) -> String? {
        switch v {
        case .null: return nil
        case .int(let x): return c.kind == .timestamp ? timestamp(x) : String(x)
        case .bool(let b): return b ? "true" : "false"
        case .text(let s): return s
        case .set(let items): return items.joined(separator: ";")
        }
    }

    func csv() -> String {
        var out = columns.map { CSVField.text($0.name) }.joined(separator: ",") + "\n"
        for r in rows {
            out += zip(r, columns).map { v, c -> String in
                switch v {
                case .null: return ""
                case .int where c.kind != .timestamp, .bool: return text(v, c)!
                default: return CSVField.text(text(v, c)!)
                }
            }.joined(separator: ",")
            out += "\n"
        }
        return out
    }

    func json(period: Period, zone: String) -> JSONValue {
        .object([
            ("kind", .string(kind.rawValue)),
            ("period", .string(period.label)),
            ("time_zone", .string(zone)),
            ("columns", .array(columns.map { c in
                var o: [(String, JSONValue)] = [("name", .string(c.name)), ("type", .string(ExportDocs.typeName(c.kind))),
                                                ("meaning", .string(ExportDocs.meaning(kind, c.name)))]
                if let values = ExportDocs.values(c.kind) { o.append(("values", .array(values.map(JSONValue.string)))) }
                return .object(o)
            })),
            ("records", .array(rows.map { r in
                .object(zip(columns, r).map { c, v -> (String, JSONValue) in
                    switch v {
                    case .null: return (c.name, .null)
                    case .int(let x): return (c.name, c.kind == .timestamp ? .string(timestamp(x)) : .int(x))
                    case .bool(let b): return (c.name, .bool(b))
                    case .text(let s): return (c.name, .string(s))
                    case .set(let items): return (c.name, .array(items.map(JSONValue.string)))
                    }
                })
            })),
        ])
    }
}

/// Names, allowed values and meanings of the exported columns (records.md in words).
enum ExportDocs {
    static func typeName(_ k: FieldKind) -> String {
        switch k {
        case .string: return "string"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .bool: return "bool"
        case .int: return "int"
        case .enumeration: return "enum"
        case .set, .jsonSet: return "set"
        }
    }

    static func values(_ k: FieldKind) -> [String]? {
        switch k {
        case .enumeration(let v), .set(let v): return v
        default: return nil
        }
    }

    static func meaning(_ kind: RecordKind, _ column: String) -> String {
        switch (kind, column) {
        case (.arrests, "arrest_id"): return "Record key: one row per person arrested."
        case (.arrests, "arrested_on"): return "Date of the arrest (YYYY-MM-DD); decides the period."
        case (.arrests, "agency"): return "Police agency that made the arrest."
        case (.arrests, "offense"): return "Offense: create, distribute, possess, purchase, store, view, blackmail or coerce."
        case (.arrests, "suspect_age"): return "Age of the suspect in years; empty/null when unknown."
        case (.arrests, "victim_minor"): return "Whether any victim was under the minor age limit; null when unknown."
        case (.arrests, "undercover"): return "Whether the arrest came from an undercover investigation (false when not given)."
        case (.arrests, "confessed"): return "Whether the suspect confessed; null when unknown."
        case (.arrests, "proceeds_seized_krw"): return "Criminal proceeds seized, in KRW."
        case (.victims, "victim_id"): return "Pseudonymous key given by the support centre; the only identifier (no names or contacts exist in the data)."
        case (.victims, "contacted_on"): return "Date of first contact with the support centre; decides the period."
        case (.victims, "age"): return "Age in years at first contact; null when unknown."
        case (.victims, "gender"): return "female, male, other or unknown; null when not recorded."
        case (.victims, "channel"): return "How the victim reached the centre: hotline, website, visit or referral."
        case (.victims, "services"): return "Services given, a subset of deletion, counseling, legal, medical, investigation (';'-separated)."
        case (.victims, "region"): return "Region of residence as recorded; null when unknown."
        case (.takedowns, "request_id"): return "Record key: one row per removal request sent to a platform."
        case (.takedowns, "platform"): return "Platform the request was sent to, as named by the regulator."
        case (.takedowns, "platform_origin"): return "domestic or overseas platform; null when unknown."
        case (.takedowns, "content_kind"): return "image, video, link or channel; null when unknown."
        case (.takedowns, "requested_by"): return "Who sent the request: regulator, police, support_centre or victim."
        case (.takedowns, "detected_by"): return "How the content was found: ai, report or monitoring; null when unknown."
        case (.takedowns, "requested_at"): return "When the request was sent (ISO 8601 with the reporting zone's offset); its local date decides the period."
        case (.takedowns, "resolved_at"): return "When the content was removed or blocked, or the refusal sent; null while pending."
        case (.takedowns, "outcome"): return "removed, blocked, refused or pending."
        case (.decisions, "uuid"): return "Record key: one statement of reasons (a platform's moderation decision) in the EU DSA Transparency Database."
        case (.decisions, "platform_name"): return "Platform that took the decision (the platform registry's canonical name)."
        case (.decisions, "platform_uid"): return "The platform's own identifier of the decision, as written."
        case (.decisions, "category"): return "STATEMENT_CATEGORY_* of the decision (DSA schema v1 or v2)."
        case (.decisions, "category_specification"): return "KEYWORD_* values refining the category; empty when none."
        case (.decisions, "content_type"): return "CONTENT_TYPE_* values of the content concerned."
        case (.decisions, "decision_visibility"): return "DECISION_VISIBILITY_* restrictions applied; empty for account-only decisions."
        case (.decisions, "decision_ground"): return "DECISION_GROUND_ILLEGAL_CONTENT or DECISION_GROUND_INCOMPATIBLE_CONTENT (terms of service)."
        case (.decisions, "automated_detection"): return "Whether the content was detected by automated means."
        case (.decisions, "automated_decision"): return "AUTOMATED_DECISION_FULLY, _PARTIALLY or _NOT_AUTOMATED."
        case (.decisions, "content_date"): return "Date the content was posted (YYYY-MM-DD)."
        case (.decisions, "application_date"): return "Date the decision was applied (YYYY-MM-DD); decides the period."
        case (.decisions, "created_at"): return "When the statement reached the database (UTC in the source; shown with the export zone's offset)."
        case (.decisions, "territorial_scope"): return "Countries (ISO codes) where the decision applies."
        default: return ""
        }
    }
}

/// The standalone SQLite export: record tables, `about`, `columns`, `sources`.
enum SQLiteExport {
    /// `sources` lists the files loaded up to `vintage` (the records' vintage, in `about`).
    static func write(_ exports: [RecordExport], to db: Database, period: Period, zone: String, provenance: Provenance,
                      vintage: Vintage) throws {
        try db.transaction {
            try db.execute("""
                CREATE TABLE about (
                  key TEXT PRIMARY KEY,   -- what is described
                  value TEXT              -- its value
                );
                CREATE TABLE columns (
                  table_name TEXT NOT NULL,   -- the table of the column
                  name TEXT NOT NULL,         -- the column
                  type TEXT NOT NULL,         -- the record contract's kind: string, date, timestamp, int, bool, enum, set
                  sql_type TEXT NOT NULL,     -- how SQLite stores it
                  allowed_values TEXT,        -- enum and set: the allowed values, ';'-separated
                  meaning TEXT NOT NULL,      -- what the column means
                  PRIMARY KEY (table_name, name)
                );
                CREATE TABLE sources (
                  path TEXT,          -- input file's name (without its folders) as given to tally ingest
                  sha256 TEXT,        -- its SHA-256
                  kind TEXT,          -- arrests, victims or takedowns
                  rows_read INTEGER,  -- rows in the file
                  loaded INTEGER,     -- rows loaded
                  duplicates INTEGER, -- identical rows skipped
                  quarantined INTEGER -- rows not loaded (see tally quarantine)
                );
                """)
            let about: [(String, String)] = [
                ("title", "Tally export: records of digital sex crimes loaded into a Tally store"),
                ("period", period.label),
                ("period_first_day", CivilDate.isoString(days: period.first)),
                ("period_last_day", CivilDate.isoString(days: period.last)),
                ("time_zone", zone),
                ("vintage_batch", String(vintage.batch)),
                ("vintage_finished_at", vintage.finishedAt ?? ""),
                ("vintage_rule", "the records as they stood after this batch of the store (revisions.md); sources lists the files loaded up to it"),
                ("tables", exports.map(\.kind.rawValue).joined(separator: ", ")),
                ("tool", "tally \(Tally.version)"),
                ("record_contract", "records.md v1: one row per record, columns in the contract's order; the table `columns` gives each column's type and meaning"),
                ("period_rule", "arrests by arrested_on, victims by contacted_on, takedowns by the local date of requested_at in time_zone"),
                ("timestamps", "ISO 8601 text with the offset of time_zone at that instant (e.g. 2024-08-01T10:00:00+09:00); SQLite's julianday() and unixepoch() read them"),
                ("booleans", "INTEGER 1 (true) or 0 (false); NULL when unknown"),
                ("privacy", "victims carry only the pseudonymous victim_id; the data hold no names, contacts or other identifiers. Do not publish breakdowns of victims with cells from 1 to 4 (metrics.md disclosure control)."),
                ("figures", "the metric contract (metrics.md) defines every published figure from these records"),
            ] + exports.map { ("rows_\($0.kind.rawValue)", String($0.rows.count)) }
            let a = try db.prepare("INSERT INTO about VALUES (?, ?)")
            for (k, v) in about { a.reset(); try a.bind([.text(k), .text(v)]); try a.step() }

            let c = try db.prepare("INSERT INTO columns VALUES (?, ?, ?, ?, ?, ?)")
            for e in exports {
                let schema = e.kind.schema
                let defs = e.columns.map { col -> String in
                    let pk = col.name == schema.key ? " PRIMARY KEY" : ""
                    let nn = col.required && pk.isEmpty ? " NOT NULL" : ""
                    return "  \(col.name) \(sqlType(col.kind))\(pk)\(nn), -- \(ExportDocs.meaning(e.kind, col.name))"
                }
                var create = "CREATE TABLE \(e.kind.rawValue) (\n" + defs.joined(separator: "\n")
                // The last definition must not end with a comma: drop it before the comment.
                if let r = create.range(of: ", -- ", options: .backwards) { create.replaceSubrange(r, with: "  -- ") }
                try db.execute(create + "\n)")
                for col in e.columns {
                    c.reset()
                    try c.bind([.text(e.kind.rawValue), .text(col.name), .text(ExportDocs.typeName(col.kind)), .text(sqlType(col.kind)),
                                ExportDocs.values(col.kind).map { .text($0.joined(separator: ";")) } ?? .null,
                                .text(ExportDocs.meaning(e.kind, col.name))])
                    try c.step()
                }
                let marks = Array(repeating: "?", count: e.columns.count).joined(separator: ", ")
                let ins = try db.prepare("INSERT INTO \(e.kind.rawValue) VALUES (\(marks))")
                for r in e.rows {
                    ins.reset()
                    try ins.bind(zip(r, e.columns).map { v, col -> SQLValue in
                        switch v {
                        case .null: return .null
                        case .int(let x): return col.kind == .timestamp ? .text(e.timestamp(x)) : .int(x)
                        case .bool(let b): return .int(b ? 1 : 0)
                        default: return .text(e.text(v, col)!)
                        }
                    })
                    try ins.step()
                }
            }
            let s = try db.prepare("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)")
            for f in provenance.files {
                s.reset()
                try s.bind([.text(f.name), .text(f.sha256), .text(f.kind), .int(Int64(f.rowsRead)), .int(Int64(f.loaded)),
                            .int(Int64(f.duplicates)), .int(Int64(f.quarantined))])
                try s.step()
            }
        }
    }

    static func sqlType(_ k: FieldKind) -> String {
        switch k {
        case .int, .bool: return "INTEGER"
        default: return "TEXT"
        }
    }
}
