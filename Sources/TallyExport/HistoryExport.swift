import Foundation
import TallyCore
import TallyMetrics
import TallyStore
import TallyTime

/// `tally export --history`: every version of every record of a period, for auditors. A
/// record belongs to the period when any of its versions does (a correction that moved it
/// out of the period, or into it, shows on both sides).
public struct HistoryExport {
    /// The version columns after the record's own, with their meanings.
    static let versionColumns: [(name: String, type: String, meaning: String)] = [
        ("version", "int", "1 for the record's first version, then 2, 3, … in the order the versions were written."),
        ("valid_from", "int", "The batch that brought this version: it is in every vintage from this batch on, until superseded_in."),
        ("valid_from_at", "timestamp", "When that batch finished (UTC)."),
        ("change", "enum", "How this version came: new (first version), update (filled blank fields, added services, resolved a pending takedown), correction (changed or removed values, loaded with --revise), restored (the version before a retracted file's, current again)."),
        ("changed_fields", "string", "update and correction: the fields that differ from the version before (';'-separated)."),
        ("reason", "string", "The reason recorded with the batch that brought this version (corrections and restorations); null for an ordinary load."),
        ("source_file", "string", "The file the version was read from (its name, without folders)."),
        ("source_line", "int", "The line of that file."),
        ("superseded_in", "int", "The batch that replaced this version; null while it is current."),
        ("superseded_at", "timestamp", "When that batch finished (UTC)."),
        ("superseded_as", "enum", "update, correction or retraction: what replaced it; null while it is current."),
        ("superseded_reason", "string", "The reason recorded with the batch that replaced it (corrections and retractions)."),
    ]

    public var records: RecordExport
    /// Per row, the version columns (text, int or null) in `versionColumns` order.
    public var meta: [[ExportValue]] = []

    public static func read(_ kind: RecordKind, from store: Store, period: Period, zone: ZoneOffsets) throws -> HistoryExport {
        let schema = kind.schema
        var h = HistoryExport(records: RecordExport(kind: kind, columns: schema.columns, zone: zone))
        let names = schema.columns.map(\.name)
        let key = schema.key
        // In the period as the figures count records (FigureQueries.membership), decided in SQL.
        let inPeriod = FigureQueries.membership(kind)
        let sql = FigureSQL.statement(ctes: [("v", Store.versionsSQL(kind, columns: names.joined(separator: ", ")))], select: """
            SELECT \(names.map { "v." + $0 }.joined(separator: ", ")),
                   v.valid_from, bf.finished_at, v.change, v.changed_fields, bf.reason, f.path, v.line,
                   v.superseded_in, bs.finished_at, v.superseded_as, bs.reason, \(inPeriod) AS in_period
            FROM v
            LEFT JOIN batches bf ON bf.id = v.valid_from
            LEFT JOIN batches bs ON bs.id = v.superseded_in
            LEFT JOIN files f ON f.id = v.file_id
            WHERE v.\(key) IN (SELECT \(key) FROM v WHERE \(inPeriod))
            ORDER BY v.\(key), v.valid_from, v.version_order
            """, zone: zone)
        let s = try store.db.prepare(sql)
        try s.bind(named: FigureSQL.periodBindings(period).map { ($0.name, $0.value.sqlValue) })
        let n = names.count
        var group: [([ExportValue], [ExportValue], Bool)] = []
        var groupKey: String?
        func flush() {
            // A key is exported when any of its versions is in the period.
            if group.contains(where: \.2) {
                for (i, g) in group.enumerated() {
                    h.records.rows.append(g.0)
                    var m = g.1
                    m[0] = .int(Int64(i + 1))
                    h.meta.append(m)
                }
            }
            group.removeAll()
        }
        func value(_ i: Int) -> ExportValue { s.isNull(i) ? .null : .text(s.text(i) ?? "") }
        func number(_ i: Int) -> ExportValue { s.isNull(i) ? .null : .int(s.int(i)) }
        while try s.step() {
            let k = s.text(schema.columns.firstIndex { $0.name == key }!) ?? ""
            if k != groupKey { flush(); groupKey = k }
            let row = schema.columns.indices.map { ExportValue.read(s, $0, schema.columns[$0].kind) }
            let inPeriod = s.int(n + 11) == 1
            let file: ExportValue = s.isNull(n + 5) ? .null : .text(Provenance.fileName(s.text(n + 5) ?? ""))
            let meta: [ExportValue] = [.null, number(n), value(n + 1), value(n + 2), value(n + 3), value(n + 4), file,
                                       number(n + 6), number(n + 7), value(n + 8), value(n + 9), value(n + 10)]
            group.append((row, meta, inPeriod))
        }
        flush()
        return h
    }

    /// The version columns' values as text (CSV): numbers as digits, text spreadsheet-safe.
    public func csv() -> String {
        var out = (records.columns.map(\.name) + Self.versionColumns.map(\.name)).map { SafeCSV.cell($0) }.joined(separator: ",") + "\n"
        for (r, m) in zip(records.rows, meta) {
            var cells = zip(r, records.columns).map { v, c -> String in
                switch v {
                case .null: return ""
                case .int where c.kind != .timestamp, .bool: return records.text(v, c)!
                default: return SafeCSV.cell(records.text(v, c)!)
                }
            }
            cells += m.map { v -> String in
                switch v {
                case .null: return ""
                case .int(let x): return String(x)
                case .text(let t): return SafeCSV.cell(t)
                default: return ""
                }
            }
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    public func json(period: Period, zone: String) -> JSONValue {
        let doc = records.json(period: period, zone: zone)
        guard case .object(let fields) = doc else { return doc }
        var columns: [JSONValue] = []
        for (k, v) in fields where k == "columns" { if case .array(let a) = v { columns = a } }
        columns += Self.versionColumns.map { c in
            var o: [(String, JSONValue)] = [("name", .string(c.name)), ("type", .string(c.type)), ("meaning", .string(c.meaning))]
            if c.name == "change" { o.append(("values", .array(["new", "update", "correction", "restored"].map(JSONValue.string)))) }
            if c.name == "superseded_as" { o.append(("values", .array(["update", "correction", "retraction"].map(JSONValue.string)))) }
            return .object(o)
        }
        var versions: [JSONValue] = []
        if let records = fields.first(where: { $0.0 == "records" }), case .array(let rows) = records.1 {
            for (row, m) in zip(rows, meta) {
                guard case .object(var o) = row else { continue }
                for (c, v) in zip(Self.versionColumns, m) {
                    switch v {
                    case .int(let x): o.append((c.name, .int(x)))
                    case .text(let t): o.append((c.name, .string(t)))
                    default: o.append((c.name, .null))
                    }
                }
                versions.append(.object(o))
            }
        }
        return .object(fields.filter { $0.0 != "columns" && $0.0 != "records" }
                       + [("history", .bool(true)), ("columns", .array(columns)), ("versions", .array(versions))])
    }
}
