import TallyMetrics
// `Language` lives in TallyCore (figure definitions need it without charts); re-exported
// so that code drawing charts keeps naming it through TallyCharts.
@_exported import enum TallyCore.Language

/// What the values of a chart are, which decides how ticks and labels read: counts with
/// thousands separators (`1,602`), shares as percents (`36.9%`, ticks `20%`), hours
/// (`12.5 h`, `12.5시간`), days (`36 d`, `36일`: decisions' moderation delay).
public enum ValueFormat: String, CaseIterable, Sendable {
    case count, percent, hours, days

    /// A tick label: as many decimals as the step needs, no more.
    public func tick(_ v: Double, step: Double, _ lang: Language) -> String {
        switch self {
        case .count:
            let d = NiceTicks.decimals(step)
            return d == 0 ? FigureFormat.thousands(Int(v.rounded())) : NumberText.grouped(v, d)
        case .percent:
            return NumberText.grouped(v * 100, NiceTicks.decimals(step * 100)) + "%"
        case .hours:
            return NumberText.grouped(v, NiceTicks.decimals(step)) + (lang == .ko ? "시간" : " h")
        case .days:
            return NumberText.grouped(v, NiceTicks.decimals(step)) + (lang == .ko ? "일" : " d")
        }
    }

    /// A data label: counts whole, percents and hours with one decimal.
    public func label(_ v: Double, _ lang: Language) -> String {
        switch self {
        case .count: return FigureFormat.thousands(Int(v.rounded()))
        case .percent: return FigureFormat.percent(v)
        case .hours: return NumberText.grouped(v, 1) + (lang == .ko ? "시간" : " h")
        case .days: return NumberText.grouped(v, 1) + (lang == .ko ? "일" : " d")
        }
    }
}

/// Numbers as text without Foundation's formatters (the same in every locale).
public enum NumberText {
    /// `12345.678, 1` → `12,345.7`.
    public static func grouped(_ v: Double, _ decimals: Int) -> String {
        let s = FigureFormat.fixed(v, decimals)
        let negative = s.hasPrefix("-")
        let body = negative ? String(s.dropFirst()) : s
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let whole = FigureFormat.thousands(Int(parts[0]) ?? 0)
        return (negative ? "-" : "") + whole + (parts.count > 1 ? "." + parts[1] : "")
    }
}
