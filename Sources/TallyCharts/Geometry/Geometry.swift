/// A way of drawing a chart's data in the plot area: it reserves the room its axes and
/// labels need inside `frame` and draws there, never outside.
protocol Geometry {
    /// Whether the chart needs a legend (series that are not labelled directly).
    func wantsLegend(_ data: ChartData) -> Bool
    func draw(_ data: ChartData, in frame: Rect, on canvas: Canvas, theme: Theme, lang: Language)
}

extension Geometry {
    func wantsLegend(_ data: ChartData) -> Bool { false }
}
