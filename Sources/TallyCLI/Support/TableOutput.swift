import Foundation
import TallyCore
import TallyEngine

/// Engine tables as terminal text, JSON or spreadsheet-safe CSV.
enum TableOutput {
    static func cell(_ v: Value) -> String {
        switch v {
        case .null: return ""
        case .double(let d): return number(d)
        default: return v.description
        }
    }

    /// Up to 6 decimals, trailing zeros dropped.
    static func number(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return String(d) }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        var s = String(format: "%.6f", d)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    static func text(_ t: Table) -> String {
        let numeric = Set(t.columns.enumerated().filter { [.int64, .float64].contains($0.element.type) }.map(\.offset))
        let rows = (0..<t.rowCount).map { i in t.row(i).map { $0.isNull ? "-" : cell($0) } }
        return Format.table(t.names, rows, rightAligned: numeric)
    }

    /// Rows as objects with the columns in table order.
    static func json(_ t: Table) -> String {
        let rows: [JSONValue] = (0..<t.rowCount).map { i in
            .object(zip(t.names, t.row(i)).map { name, v in
                switch v {
                case .null: return (name, .null)
                case .int(let x): return (name, .int(x))
                case .double(let d): return (name, .double(d))
                case .bool(let b): return (name, .bool(b))
                default: return (name, .string(v.description))
                }
            })
        }
        return JSONValue.array(rows).rendered()
    }

    static func csv(_ t: Table) -> String {
        var lines = [t.names.map(CSVField.text).joined(separator: ",")]
        for i in 0..<t.rowCount {
            lines.append(t.row(i).map { v -> String in
                switch v {
                case .int, .double: return cell(v)
                default: return CSVField.text(cell(v))
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }
}

/// CSV cells that a spreadsheet opens as data (see `SafeCSV`).
enum CSVField {
    static func text(_ s: String) -> String { SafeCSV.cell(s) }
}
