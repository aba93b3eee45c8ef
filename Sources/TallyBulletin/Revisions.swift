import Foundation
import TallyCore
import TallyEngine
import TallyMetrics
import TallyTime

/// Revisions triangles computed from a store's history (revisions.md): for each figure and
/// month, its value at each vintage, "as at publication" (each vintage's default as-of time).
public enum Revisions {
    /// The headline counts and shares, the default figures of `tally revisions`.
    public static let defaultFigures = ["victims.total", "victims.minors", "victims.minors_share", "arrests.total",
                                        "takedowns.requests", "takedowns.due", "takedowns.within_deadline", "takedowns.compliance"]

    /// Which vintages are the columns.
    public enum Columns: String, CaseIterable, Sendable {
        /// Every batch.
        case all
        /// The vintages at which bulletins were published (the `publications` table), and the latest.
        case published
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ d: String) { description = d }
    }

    /// The months `from` to `to` (both `YYYY-MM`), in order.
    public static func months(from: String, to: String) throws -> [Period] {
        func month(_ text: String, _ option: String) throws -> Period {
            guard let p = try? Period.parse(text), p.kind == .month else {
                throw Failure("\(option) '\(text)': expected a month YYYY-MM")
            }
            return p
        }
        let a = try month(from, "--from"), b = try month(to, "--to")
        guard a.first <= b.first else { throw Failure("--from \(from) is after --to \(to)") }
        var out: [Period] = []
        var p = a
        while p.first <= b.first {
            out.append(p)
            let (y, m) = p.months[0]
            p = m == 12 ? .month(y + 1, 1) : .month(y, m + 1)
            if out.count > 1200 { throw Failure("--from \(from) --to \(to): expected at most 100 years of months") }
        }
        return out
    }

    /// Whether a report's period holds records of the kind a figure is about: victims for
    /// `victims.*`, arrests for `arrests.*`, takedown requests for the rest (takedowns, fines,
    /// platforms). A month without them has no figure yet (an empty cell), not a zero.
    static func hasRecords(_ r: StatsReport, for figure: String) -> Bool {
        let count = figure.hasPrefix("victims.") ? "victims.total" : figure.hasPrefix("arrests.") ? "arrests.total" : "takedowns.requests"
        return (r.metrics[count]?.countValue ?? 0) > 0
    }

    /// The number a figure id has in a report: `.value(nil)` when not computable; an error
    /// for an unknown id or one that is not a number.
    static func number(_ report: StatsReport, _ id: String) throws -> Double? {
        guard let v = FigureSource(report: report).value(id) else {
            throw Failure("--metric '\(id)': expected a figure id of metrics.md (tally stats --format json lists them)")
        }
        switch v {
        case .int(let n): return Double(n)
        case .double(let d): return d
        case .null: return nil
        case .string:
            // Suppressed (`<5`): the headline figures never are; a breakdown cell may be.
            return nil
        default: throw Failure("--metric '\(id)': expected a figure whose value is a number, not an interval or a list")
        }
    }

    /// The figures' values for each month at one vintage's tables, at that vintage's default
    /// as-of time (nil `asOf`) or the one given: `[figure][month]`.
    public static func column(_ tables: RecordTables, months: [Period], figures: [String], asOf: Int64? = nil,
                              settings: Settings, fines: FineSchedule?) throws -> [[RevisionCell]] {
        var out = Array(repeating: [RevisionCell](), count: figures.count)
        // One takedown pass for every month.
        let shared = SharedFigures(tables: tables, asOf: asOf, settings: settings, span: SharedFigures.days(for: months))
        for m in months {
            let r = try StatsReport(shared: shared, period: m, fines: fines, suppress: true)
            for (k, id) in figures.enumerated() {
                let v = try number(r, id)
                out[k].append(hasRecords(r, for: id) ? .value(v) : .noData)
            }
        }
        return out
    }

    // MARK: Output

    static func json(_ v: Double?, count: Bool) -> JSONValue {
        guard let v else { return .null }
        if count && v == v.rounded() && abs(v) < 9e15 { return .int(Int64(v)) }
        return .double(v)
    }

    /// `{"from", "to", "time_zone", "as_of_rule", "vintages": [{"batch", "finished_at"}],
    /// "figures": [{"id", "months": [{"period", "values": {"<batch>": value|null, …}, "first":
    /// {"batch", "value"}|null, "latest", "revision"}], "mean_revision", "mean_absolute_revision",
    /// "months_compared"}]}`. A batch absent from `values`: the month had no record yet then;
    /// `null`: not computable (nothing due, no one of known age).
    public static func json(_ triangles: [RevisionTriangle], settings: Settings) -> JSONValue {
        let first = triangles.first
        return .object([
            ("from", .string(first?.months.first?.label ?? "")),
            ("to", .string(first?.months.last?.label ?? "")),
            ("time_zone", .string(settings.timeZone)),
            ("as_of_rule", .string("as at publication: each vintage's default as-of time")),
            ("vintages", .array((first?.vintages ?? []).map(\.json))),
            ("figures", .array(triangles.map { t in
                let c = t.isCount
                return .object([
                    ("id", .string(t.figure)),
                    ("months", .array(t.months.indices.map { m in
                        let f = t.first(m)
                        return .object([
                            ("period", .string(t.months[m].label)),
                            ("values", .object(zip(t.vintages, t.cells[m]).compactMap { v, cell in
                                cell == .noData ? nil : (String(v.batch), json(cell.value, count: c))
                            })),
                            ("first", f.map { .object([("batch", .int(Int64(t.vintages[$0.column].batch))), ("value", json($0.value, count: c))]) } ?? .null),
                            ("latest", json(t.latest(m), count: c)),
                            ("revision", json(t.revision(m), count: c)),
                        ])
                    })),
                    ("mean_revision", json(t.meanRevision, count: false)),
                    ("mean_absolute_revision", json(t.meanAbsoluteRevision, count: false)),
                    ("months_compared", .int(Int64(t.revisions.count))),
                ])
            })),
        ])
    }

    /// A number as CSV and JSON give it (full precision; counts whole).
    static func plain(_ v: Double?, count: Bool) -> String {
        guard let v else { return "" }
        return json(v, count: count).rendered(pretty: false)
    }

    /// Spreadsheet-safe CSV, one row per figure and month: `figure,period,batch_1,…,batch_N,
    /// first_batch,first,latest,revision` (an empty batch cell: no record yet, or not
    /// computable); then per figure the rows `mean_revision` and `mean_absolute_revision`
    /// in the `period` column with the value under `revision`.
    public static func csv(_ triangles: [RevisionTriangle]) -> String {
        let vintages = triangles.first?.vintages ?? []
        var lines = [(["figure", "period"] + vintages.map { "batch_\($0.batch)" } + ["first_batch", "first", "latest", "revision"])
            .map(CSV.cell).joined(separator: ",")]
        for t in triangles {
            let c = t.isCount
            for m in t.months.indices {
                let f = t.first(m)
                // Text through CSV.cell; numbers as written by JSON (a negative number stays a number).
                let row = [CSV.cell(t.figure), CSV.cell(t.months[m].label)] + t.cells[m].map { plain($0.value, count: c) }
                    + [f.map { String(t.vintages[$0.column].batch) } ?? "", plain(f?.value, count: c),
                       plain(t.latest(m), count: c), plain(t.revision(m), count: c)]
                lines.append(row.joined(separator: ","))
            }
            let pad = Array(repeating: "", count: vintages.count + 3)
            lines.append(([CSV.cell(t.figure), "mean_revision"] + pad + [plain(t.meanRevision, count: false)]).joined(separator: ","))
            lines.append(([CSV.cell(t.figure), "mean_absolute_revision"] + pad + [plain(t.meanAbsoluteRevision, count: false)]).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    /// A value as printed: counts with thousands separators, shares in percent.
    public static func text(_ figure: String, _ v: Double?) -> String {
        guard let v else { return "–" }
        switch FigureFormat.kind(of: figure) {
        case .share: return FigureFormat.percent(v)
        case .hours: return FigureFormat.fixed(v, 1) + " h"
        case .count, .krw: return FigureFormat.thousands(Int(v.rounded()))
        default: return FigureFormat.fixed(v, 2)
        }
    }

    /// A revision as printed: signed; shares in percentage points.
    public static func revisionText(_ figure: String, _ v: Double?) -> String {
        guard let v else { return "–" }
        let sign = v > 0 ? "+" : (v < 0 ? "−" : "")
        switch FigureFormat.kind(of: figure) {
        case .share: return sign + FigureFormat.fixed(abs(v) * 100, 1) + " pp"
        case .count, .krw:
            return v == v.rounded() ? sign + FigureFormat.thousands(Int(abs(v))) : sign + FigureFormat.fixed(abs(v), 2)
        default: return sign + FigureFormat.fixed(abs(v), 2)
        }
    }
}
