import Foundation
import TallyCore
import TallyMetrics
import TallyStore
import TallyTime

/// The standalone SQLite export: record tables, `about`, `columns`, `sources`.
public enum SQLiteExport {
    /// `sources` lists the files loaded up to `vintage` (the records' vintage, in `about`).
    public static func write(_ exports: [RecordExport], to db: Database, period: Period, zone: String, provenance: Provenance,
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

    public static func sqlType(_ k: FieldKind) -> String {
        switch k {
        case .int, .bool: return "INTEGER"
        default: return "TEXT"
        }
    }
}
