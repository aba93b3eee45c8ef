import Foundation
/// What a series stands for, which decides its colour beyond the palette order.
public enum SeriesRole: String, Sendable { case normal, unknown, muted }

/// One series of labelled values over the chart's categories; a value may be missing
/// (nil: suppressed or undefined) and may carry an interval (a 95% confidence interval).
public struct Series: Sendable {
    public var label: String
    public var values: [Double?]
    public var intervals: [(Double, Double)?]
    public var role: SeriesRole
    public init(label: String, values: [Double?], intervals: [(Double, Double)?] = [], role: SeriesRole = .normal) {
        self.label = label; self.values = values; self.intervals = intervals; self.role = role
    }
    public func interval(_ i: Int) -> (Double, Double)? { i < intervals.count ? intervals[i] : nil }
}

/// Counts of values in equal bins `(edges[i], edges[i+1]]`, closed on the right so that a
/// removal after exactly 24:00:00 falls in the bin that ends at the deadline (metrics.md:
/// exactly 24 h is within), plus those beyond the last edge (`overflow`), drawn apart.
public struct Bins: Sendable {
    public var edges: [Double]
    public var counts: [Int]
    public var overflow: Int
    public init(edges: [Double], counts: [Int], overflow: Int) {
        self.edges = edges; self.counts = counts; self.overflow = overflow
    }

    /// Bins of `width` from 0 to `limit` over `values` (0 and negative values go in the first).
    public init(_ values: [Double], width: Double, limit: Double) {
        let n = max(1, Int((limit / width).rounded(.up)))
        edges = (0...n).map { Double($0) * width }
        counts = Array(repeating: 0, count: n)
        overflow = 0
        for v in values {
            if v > edges[n] { overflow += 1 } else { counts[max(0, min(n - 1, Int((v / width).rounded(.up)) - 1))] += 1 }
        }
    }
}

extension Bins {
    /// Bins of equal ratio (`perDecade` to a power of ten) from `lo` up to at least `hi`, for
    /// a log axis: the first bin also takes every value at or below `lo` (0 included: a
    /// decision applied on the content's day), the values beyond the last edge overflow.
    public init(logValues values: [Double], lo: Double, hi: Double, perDecade: Int) {
        let n = max(1, Int((log10(hi / lo) * Double(perDecade) - 1e-9).rounded(.up)))
        let edges = (0...n).map { lo * pow(10, Double($0) / Double(perDecade)) }
        var counts = Array(repeating: 0, count: n), overflow = 0
        for v in values {
            if v > edges[n] { overflow += 1; continue }
            // The first edge above or at v (bins are closed on the right).
            var i = 0
            while i < n - 1 && v > edges[i + 1] { i += 1 }
            counts[i] += 1
        }
        self.init(edges: edges, counts: counts, overflow: overflow)
    }
}

/// What a histogram counts and along what, in both languages (default: takedown requests
/// by hours to removal).
public struct HistogramWords: Sendable {
    public var items: Localized
    public var axis: Localized
    public var column: Localized
    public init(items: Localized, axis: Localized, column: Localized) {
        self.items = items; self.axis = axis; self.column = column
    }
    public static let removals = HistogramWords(items: Localized(ko: "삭제", en: "removals"),
                                                axis: Localized(ko: "삭제까지 시간", en: "Hours to removal"),
                                                column: Localized(ko: "요청", en: "Requests"))
}

/// A vertical line across the plot at `value` on the x axis, with a label (the deadline).
public struct ReferenceLine: Sendable {
    public var value: Double
    public var label: String
    public init(value: Double, label: String) { self.value = value; self.label = label }
}

/// One panel of small multiples: a distribution (the hours to removal of one platform)
/// under a title (the platform's name, rank first when it has one) and a detail written
/// after it (its compliance, "98.8%").
public struct Panel: Sendable {
    public var title: String
    public var detail: String
    public var bins: Bins
    public init(title: String, detail: String = "", bins: Bins) {
        self.title = title; self.detail = detail; self.bins = bins
    }
    /// Values in the panel, the overflow included (what a share is of).
    public var total: Int { bins.counts.reduce(0, +) + bins.overflow }
}

/// The data of a chart: categories (months, platforms) with one or more series over them,
/// bins of a distribution, or panels of distributions (small multiples); and how its
/// values read.
public struct ChartData: Sendable {
    public var categories: [String]
    public var series: [Series]
    public var format: ValueFormat
    public var bins: Bins?
    public var reference: ReferenceLine?
    /// Small multiples: one distribution per panel, on shared scales.
    public var panels: [Panel]
    /// Small multiples: what the panels' shared y axis shows, `.count` (values per bin) or
    /// `.percent` (each bin's share of its panel's values).
    public var panelFormat: ValueFormat
    /// Histograms: bins of equal ratio on a log x axis (`Bins(logValues:…)`).
    public var logX = false
    /// Histograms: what is counted, and along what.
    public var words = HistogramWords.removals
    /// Ranked bars: what the value is, for the data table's header (nil: from the format).
    public var valueName: Localized?
    public init(categories: [String] = [], series: [Series] = [], format: ValueFormat = .count,
                bins: Bins? = nil, reference: ReferenceLine? = nil, panels: [Panel] = [], panelFormat: ValueFormat = .count) {
        self.categories = categories; self.series = series; self.format = format
        self.bins = bins; self.reference = reference
        self.panels = panels; self.panelFormat = panelFormat
    }
}
