/// Vertical bars over categories; with several series, stacked (first series at the
/// bottom). Each bar gets its value (the stack's total) above it when every label fits
/// its band; a segment gets its own value inside when it is tall and wide enough.
struct BarGeometry: Geometry {
    var stacked: Bool

    func wantsLegend(_ data: ChartData) -> Bool { stacked && data.series.count > 1 }

    func totals(_ data: ChartData) -> [Double?] {
        data.categories.indices.map { i in
            let vs = data.series.compactMap { i < $0.values.count ? $0.values[i] : nil }
            return vs.isEmpty ? nil : vs.reduce(0, +)
        }
    }

    func draw(_ data: ChartData, in frame: Rect, on canvas: Canvas, theme: Theme, lang: Language) {
        let series = stacked ? data.series : Array(data.series.prefix(1))
        guard !series.isEmpty, !data.categories.isEmpty else { return }
        let tops = stacked ? totals(data) : series[0].values
        let hi = tops.compactMap { $0 }.max() ?? 0
        let axis = ValueAxis(canvas, lo: 0, hi: hi, format: data.format, theme: theme, lang: lang)

        // Labels over bars, if every one fits its band.
        let multi = stacked && series.count > 1
        let totalStyle = multi ? theme.boldLabel : theme.label
        let valueLabels = tops.map { v in v.map { canvas.text(data.format.label($0, lang), totalStyle) } }
        let gutterLeft = axis.maxLabelWidth + 8
        var band = BandScale(count: data.categories.count, start: frame.x + gutterLeft, length: frame.width - gutterLeft)
        let cats = CategoryAxis(canvas, data.categories, band: band.band, theme: theme)
        let showTotals = valueLabels.allSatisfy { ($0?.textWidth ?? 0) <= band.band - 2 }
        let headroom = showTotals ? (valueLabels.compactMap { $0?.height }.max() ?? 0) + 2 : axis.labelHeight / 2
        let plot = frame.inset(top: headroom, left: gutterLeft, bottom: cats.height + 5)
        band = BandScale(count: data.categories.count, start: plot.x, length: plot.width)
        let y = LinearScale(domain: axis.scaleDomain, range: (plot.maxY, plot.y))

        axis.drawHorizontal(canvas, plot: plot, scale: y, theme: theme)
        for i in data.categories.indices {
            var base = 0.0
            for (k, s) in series.enumerated() {
                guard i < s.values.count, let v = s.values[i], v > 0 else { continue }
                let color = theme.color(k, role: s.role)
                let y0 = y(base), y1 = y(base + v)
                canvas.fill(Rect(x: band.barStart(i), y: y1, width: band.barWidth, height: y0 - y1), color)
                if multi {
                    // Thin white gap between segments, and the segment's value where it fits.
                    if base > 0 { canvas.line(band.barStart(i), y0, band.barStart(i) + band.barWidth, y0, color: .white, width: 0.75) }
                    var style = theme.label
                    style.color = isDark(color) ? .white : theme.text
                    let t = canvas.text(data.format.label(v, lang), style)
                    if t.height + 2 <= y0 - y1 && t.textWidth + 4 <= band.barWidth {
                        canvas.draw(t, anchorX: band.center(i), middleY: (y0 + y1) / 2, align: .center)
                    }
                }
                base += v
            }
            if showTotals, let label = valueLabels[i], let top = tops[i] {
                canvas.draw(label, x: band.center(i) - label.textWidth / 2, y: y(top) - label.height - 1)
            }
        }
        canvas.line(plot.x, y(0).rounded() + 0.25, plot.maxX, y(0).rounded() + 0.25, color: theme.axisLine, width: 0.75)
        cats.draw(canvas, scale: band, top: plot.maxY + 5)
    }
}
