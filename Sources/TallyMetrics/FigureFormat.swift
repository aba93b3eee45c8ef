/// How figures read for people: counts with thousands separators, shares as percents with
/// one decimal, hours with one decimal, KRW amounts, `<5` for suppressed cells and `–` for
/// an undefined value. The kind of a figure is its catalogue entry's (`FigureCatalogue`).
public enum FigureFormat {
    public enum Kind { case count, share, interval, hours, days, krw, percentChange }

    /// The kind of `id` from the catalogue (`.change_pct` comparisons are percent changes);
    /// an id the catalogue lacks reads as a count.
    public static func kind(of id: String) -> Kind {
        guard let (entry, _, comparison) = FigureCatalogue.lookup(id) else { return .count }
        if comparison == .change_pct { return .percentChange }
        switch entry.kind {
        case .count, .rank: return .count
        case .share: return .share
        case .interval: return .interval
        case .hours: return .hours
        case .money: return .krw
        case .days: return .days
        }
    }

    public static func text(_ id: String, _ v: FigureValue) -> String {
        switch v {
        case .suppressed: return "<5"
        case .notComputable(let reason): return "not computable: " + reason
        case .interval(let lo, let hi): return "[" + percent(lo) + ", " + percent(hi) + "]"
        case .count(let n): return kind(of: id) == .krw ? thousands(n) + " KRW" : thousands(n)
        case .number(nil): return "–"
        case .number(let d?):
            switch kind(of: id) {
            case .share: return percent(d)
            case .hours: return fixed(d, 1) + " h"
            case .days: return fixed(d, 1) + " d"
            case .percentChange: return (d > 0 ? "+" : "") + fixed(d, 1) + "%"
            case .krw: return (abs(d) < 9e18 ? thousands(Int(d)) : fixed(d, 0)) + " KRW"
            default: return fixed(d, 1)
            }
        }
    }

    /// `0.36876` → `36.9%`.
    public static func percent(_ share: Double) -> String { fixed(share * 100, 1) + "%" }

    /// `1234567` → `1,234,567`.
    public static func thousands(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Rounded half away from zero to `decimals` places, without Foundation's formatters.
    public static func fixed(_ d: Double, _ decimals: Int) -> String {
        guard d.isFinite else { return "–" }
        // Beyond 10^15 the digits are not exact anyway (and Int(…) would trap beyond 2^63).
        guard abs(d) < 1e15 else { return "\(d)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let r = (abs(d) * scale).rounded(.toNearestOrAwayFromZero)
        let whole = Int(r / scale), frac = Int(r) - whole * Int(scale)
        var s = String(whole)
        if decimals > 0 {
            let f = String(frac)
            s += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return (d < 0 && r != 0 ? "-" : "") + s
    }
}
