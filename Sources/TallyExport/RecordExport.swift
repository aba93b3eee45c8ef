import Foundation
import TallyCore
import TallyMetrics
import TallyStore
import TallyTime

/// One exported value, typed as in the record contract.
public enum ExportValue {
    case null
    case int(Int64)
    case bool(Bool)
    case text(String)
    case set([String])

    /// Column `i` of the statement's current row, typed as the record contract's `kind`
    /// stores it (timestamps as microseconds, sets as `;`-separated text).
    public static func read(_ s: Statement, _ i: Int, _ kind: FieldKind) -> ExportValue {
        if s.isNull(i) { return .null }
        switch kind {
        case .int, .timestamp: return .int(s.int(i))
        case .bool: return .bool(s.int(i) != 0)
        case .set: return .set((s.text(i) ?? "").split(separator: ";").map(String.init))
        default: return .text(s.text(i) ?? "")
        }
    }
}

/// The records of one kind in a period, read from the store, in contract column order.
public struct RecordExport {
    init(kind: RecordKind, columns: [ColumnSpec], zone: ZoneOffsets) {
        self.kind = kind
        self.columns = columns
        self.zone = zone
    }

    public let kind: RecordKind
    public let columns: [ColumnSpec]
    public var rows: [[ExportValue]] = []
    /// Timestamps rendered with the zone's offset at that instant.
    public let zone: ZoneOffsets

    /// The records of `kind` in `period` at the vintage after batch `vintage`: in the period
    /// as the figures count them (`FigureQueries.membership`: takedowns by the local date of
    /// requested_at, decided in SQL as the figure SQL decides it).
    public static func read(_ kind: RecordKind, from store: Store, period: Period, zone: ZoneOffsets, vintage: Int) throws -> RecordExport {
        let schema = kind.schema
        var e = RecordExport(kind: kind, columns: schema.columns, zone: zone)
        let names = schema.columns.map(\.name).joined(separator: ", ")
        let order = kind == .takedowns ? "requested_at" : kind == .arrests ? "arrested_on" : "contacted_on"
        // The records at the vintage as figure SQL reads them (FigureQueries.atVintage).
        let records = FigureQueries.atVintage(kind)
        let sql = FigureSQL.statement(ctes: [records],
                                      select: "SELECT \(names) FROM \(records.name) WHERE \(FigureQueries.membership(kind)) ORDER BY \(order), \(schema.key)",
                                      zone: zone)
        let s = try store.db.prepare(sql)
        try s.bind(named: FigureSQL.periodBindings(period).map { ($0.name, $0.value.sqlValue) } + [("vintage", .int(Int64(vintage)))])
        while try s.step() {
            e.rows.append(schema.columns.indices.map { ExportValue.read(s, $0, schema.columns[$0].kind) })
        }
        return e
    }

    public func timestamp(_ micros: Int64) -> String {
        Timestamp.iso(micros: micros, offsetSeconds: zone.offset(atUTC: floorDiv(micros, 1_000_000)))
    }

    /// The value as text (CSV and SQLite): timestamps ISO 8601 with offset, sets `;`-joined.
    public func text(_ v: ExportValue, _ c: ColumnSpec) -> String? {
        switch v {
        case .null: return nil
        case .int(let x): return c.kind == .timestamp ? timestamp(x) : String(x)
        case .bool(let b): return b ? "true" : "false"
        case .text(let s): return s
        case .set(let items): return items.joined(separator: ";")
        }
    }

    public func csv() -> String {
        var out = columns.map { SafeCSV.cell($0.name) }.joined(separator: ",") + "\n"
        for r in rows {
            out += zip(r, columns).map { v, c -> String in
                switch v {
                case .null: return ""
                case .int where c.kind != .timestamp, .bool: return text(v, c)!
                default: return SafeCSV.cell(text(v, c)!)
                }
            }.joined(separator: ",")
            out += "\n"
        }
        return out
    }

    public func json(period: Period, zone: String) -> JSONValue {
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

extension FigureSQLValue {
    /// The store's binding of the value.
    var sqlValue: SQLValue {
        switch self {
        case .null: return .null
        case .int(let x): return .int(x)
        case .double(let d): return .double(d)
        case .text(let t): return .text(t)
        }
    }
}
