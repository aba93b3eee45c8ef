/// Horizontal bars, one per category in the order given (ranked, best first), with the
/// interval of each value as a whisker with caps, and the value as a label right of the
/// whisker. Category names sit left of the bars, wrapped or ellipsized to at most a third
/// of the width. Shares get a fixed 0–100% axis.
struct RankedBarGeometry: Geometry {
    func draw(_ data: ChartData, in frame: Rect, on canvas: Canvas, theme: Theme, lang: Language) {
        guard let s = data.series.first, !data.categories.isEmpty else { return }
        let n = data.categories.count
        let his = s.values.indices.compactMap { i in s.interval(i).map { $0.1 } ?? s.values[i] }
        let axis = data.format == .percent
            ? ValueAxis(canvas, lo: 0, hi: 1, format: .percent, theme: theme, lang: lang, target: 5)
            : ValueAxis(canvas, lo: 0, hi: his.max() ?? 0, format: data.format, theme: theme, lang: lang)

        let nameWidth = min(frame.width / 3, (data.categories.map { canvas.text($0, theme.label).textWidth }.max() ?? 0) + 1)
        let bandHeight = (frame.height - axis.labelHeight - 6) / Double(n)
        let maxLines = bandHeight >= 2.2 * theme.labelSize * 1.45 ? 2 : 1
        let names = data.categories.map { canvas.text($0, theme.label, width: nameWidth, maxLines: maxLines, align: .right) }
        let values = s.values.map { v in v.map { canvas.text(data.format.label($0, lang), theme.label) } ?? canvas.text("–", theme.label) }
        let gutterRight = (values.map(\.textWidth).max() ?? 0) + 8
        let plot = frame.inset(top: 0, left: nameWidth + 8, bottom: axis.labelHeight + 6,
                               right: max(gutterRight, axis.maxLabelWidth / 2))
        let x = LinearScale(domain: axis.scaleDomain, range: (plot.x, plot.maxX))
        let band = BandScale(count: n, start: plot.y, length: plot.height, padding: 0.35)

        axis.drawVertical(canvas, plot: plot, scale: x, theme: theme)
        let whisker = theme.text
        for i in 0..<n {
            let top = band.barStart(i), h = band.barWidth, mid = band.center(i)
            var right = x(0)
            if i < s.values.count, let v = s.values[i] {
                // Sky blue rather than blue: the dark whisker must read on top of the bar.
                canvas.fill(Rect(x: x(0), y: top, width: max(0, x(v) - x(0)), height: h), s.role == .normal ? theme.color(4) : theme.color(0, role: s.role))
                right = x(v)
            }
            if let (lo, hi) = s.interval(i) {
                let cap = h * 0.35
                canvas.line(x(lo), mid, x(hi), mid, color: whisker, width: 1)
                canvas.line(x(lo), mid - cap, x(lo), mid + cap, color: whisker, width: 1)
                canvas.line(x(hi), mid - cap, x(hi), mid + cap, color: whisker, width: 1)
                right = max(right, x(hi))
            }
            canvas.draw(values[i], anchorX: right + 5, middleY: mid, align: .left)
            canvas.draw(names[i], x: frame.x, y: mid - names[i].height / 2)
        }
        canvas.line(x(0).rounded() + 0.25, plot.y, x(0).rounded() + 0.25, plot.maxY, color: theme.axisLine, width: 0.75)
    }
}
