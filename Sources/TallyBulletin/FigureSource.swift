import TallyCore
import TallyMetrics

/// Every figure a bulletin can print, by id: the report's metrics (`victims.total`,
/// `victims.total.change_pct`, …) and the per-platform columns as
/// `platforms.NAME.COLUMN`. The bulletin and `tally verify` read figures only through this,
/// so that what is printed and what is checked are the same values.
public struct FigureSource {
    public let report: StatsReport

    public init(report: StatsReport) { self.report = report }

    /// `platforms.NAME.COLUMN` → (row, column); NAME may contain dots.
    func platform(_ id: String) -> (PlatformRow, String)? {
        guard id.hasPrefix("platforms."), let dot = id.lastIndex(of: ".") else { return nil }
        let nameStart = id.index(id.startIndex, offsetBy: "platforms.".count)
        guard nameStart < dot else { return nil }
        let name = String(id[nameStart..<dot]), column = String(id[id.index(after: dot)...])
        guard let row = report.platforms.first(where: { $0.platform == name }) else { return nil }
        return (row, column)
    }

    /// `decision_platforms.NAME.COLUMN` → the column's value in the row's JSON; NAME may contain dots.
    func decisionPlatform(_ id: String) -> JSONValue? {
        let prefix = "decision_platforms."
        guard id.hasPrefix(prefix), let dot = id.lastIndex(of: "."),
              let rows = report.decisionPlatforms else { return nil }
        let nameStart = id.index(id.startIndex, offsetBy: prefix.count)
        guard nameStart < dot else { return nil }
        let name = String(id[nameStart..<dot]), column = String(id[id.index(after: dot)...])
        guard let row = rows.first(where: { $0.platform == name }), case .object(let pairs) = row.json else { return nil }
        return pairs.first { $0.0 == column && $0.0 != "platform" }?.1
    }

    /// The figure's value as the manifest and `--format json` give it (nil: no such figure).
    public func value(_ id: String) -> JSONValue? {
        if let v = report.metrics[id] { return v.json }
        if let v = decisionPlatform(id) { return v }
        guard let (row, column) = platform(id), case .object(let pairs) = row.json else { return nil }
        return pairs.first { $0.0 == column }?.1
    }

    /// The figure as printed (`1,602`, `58.1%`, `[55.7%, 60.5%]`, `13.8 h`, `<5`, `–`).
    public func text(_ id: String) -> String? {
        if let v = report.metrics[id] { return FigureFormat.text(id, v) }
        if let v = decisionPlatform(id) {
            switch v {
            case .int(let n): return FigureFormat.text(id, .count(Int(n)))
            case .double(let d): return FigureFormat.text(id, .number(d))
            default: return "–"
            }
        }
        guard let (row, column) = platform(id) else { return nil }
        switch column {
        case "requests": return FigureFormat.thousands(row.counts.requests)
        case "due": return FigureFormat.thousands(row.counts.due)
        case "within_deadline": return FigureFormat.thousands(row.counts.within)
        case "overdue": return FigureFormat.thousands(row.counts.overdue)
        case "refused": return FigureFormat.thousands(row.counts.refused)
        case "late": return FigureFormat.thousands(row.counts.late)
        case "unresolved": return FigureFormat.thousands(row.counts.unresolved)
        case "compliance": return FigureFormat.text(id, .number(row.compliance))
        case "compliance_ci95": return FigureFormat.text(id, .ci(row.complianceCI))
        case "median_hours", "p90_hours":
            return FigureFormat.text(id, .number(column == "median_hours" ? row.medianHours : row.p90Hours))
        case "fine_krw": return row.fineNotComputable != nil ? "not computable" : row.fineKRW.map(FigureFormat.thousands) ?? "–"
        case "rank": return row.rank.map(String.init) ?? "–"
        default: return nil
        }
    }
}

/// The figures a bulletin prints, in the order they first appear: what its manifest lists.
final class Ledger {
    let source: FigureSource
    private(set) var ids: [String] = []
    private var seen = Set<String>()

    init(_ source: FigureSource) { self.source = source }

    /// The printed text of `id`, recorded as printed; nil when the report has no such figure.
    func use(_ id: String) -> String? {
        guard let t = source.text(id) else { return nil }
        if seen.insert(id).inserted { ids.append(id) }
        return t
    }
}
