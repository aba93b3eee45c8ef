/// A histogram of `data.bins` (adjacent bars on a linear axis, ticks every
/// `tickStep`; or, with `data.logX`, bins of equal ratio on a log axis, ticks at powers of ten), the values beyond the last edge as one grey bar set apart and labelled
/// "> limit" above it, and an optional reference line (the deadline), dashed, with its label
/// placed on whichever side of the line has room.
struct HistogramGeometry: Geometry {
    var tickStep: Double?

    func draw(_ data: ChartData, in frame: Rect, on canvas: Canvas, theme: Theme, lang: Language) {
        guard let bins = data.bins, bins.counts.count > 0, let first = bins.edges.first, let last = bins.edges.last else { return }
        let width = (last - first) / Double(bins.counts.count)
        let hi = Double(max(bins.counts.max() ?? 0, bins.overflow))
        let yAxis = ValueAxis(canvas, lo: 0, hi: hi, format: .count, theme: theme, lang: lang)
        let step = tickStep ?? NiceTicks(first, last).step
        let xAxis = ValueAxis(canvas, lo: first, hi: last, format: data.format, theme: theme, lang: lang, fixedStep: data.logX ? last - first : step)
        // On a log axis a bin is a ratio, and the overflow bar sits half a bin after the axis
        // and is one bin wide in that ratio.
        let ratio = data.logX && bins.edges.count > 1 && first > 0 ? bins.edges[1] / first : 1
        let overflowX = data.logX ? last * ratio.squareRoot() : last + width * 0.5
        let overflowEnd = data.logX ? overflowX * ratio : overflowX + width
        let xMax = bins.overflow > 0 ? overflowEnd : last

        let refLabel = data.reference.map { canvas.text($0.label, theme.boldLabel) }
        let headroom = (refLabel?.height ?? 0) + 4
        let gutterLeft = yAxis.maxLabelWidth + 8
        let plot = frame.inset(top: headroom, left: gutterLeft, bottom: xAxis.labelHeight + 6, right: 4)
        let linear = LinearScale(domain: (first, xMax), range: (plot.x, plot.maxX))
        let logScale = LogScale(domain: (first, xMax), range: (plot.x, plot.maxX))
        let x = { (v: Double) in data.logX ? logScale(v) : linear(v) }
        let y = LinearScale(domain: yAxis.scaleDomain, range: (plot.maxY, plot.y))

        yAxis.drawHorizontal(canvas, plot: plot, scale: y, theme: theme)
        let color = theme.color(4)
        for (i, c) in bins.counts.enumerated() where c > 0 {
            let x0 = x(bins.edges[i]), x1 = x(bins.edges[i + 1])
            canvas.fill(Rect(x: x0 + 0.4, y: y(Double(c)), width: max(0.2, x1 - x0 - 0.8), height: y(0) - y(Double(c))), color)
        }
        // Tick labels: numbers, the unit on the last one only ("0 24 48 72 96 h"); no
        // vertical grid (the bars are the reading). A label that would touch the one
        // before it is left out.
        var lastRight = -Double.infinity
        // A log axis: a tick at each power of ten, as many decimals as the value needs.
        let ticks = data.logX ? LogScale.decades(first, last) : xAxis.values.filter { $0 <= last + 1e-9 }
        for (k, v) in ticks.enumerated() {
            let px = x(v)
            canvas.line(px, plot.maxY, px, plot.maxY + 3, color: theme.axisLine, width: 0.5)
            let tickStep = data.logX ? min(v, 1) : step
            let text = k == ticks.count - 1 ? data.format.tick(v, step: tickStep, lang) : ValueFormat.count.tick(v, step: tickStep, lang)
            let label = canvas.text(text, theme.axis)
            // A log axis ends on a tick: its label is kept inside the frame.
            let left = data.logX ? min(px - label.textWidth / 2, frame.maxX - label.textWidth) : px - label.textWidth / 2
            guard left > lastRight + 4 else { continue }
            canvas.draw(label, x: left, y: plot.maxY + 4)
            lastRight = left + label.textWidth
        }
        if bins.overflow > 0 {
            // The values beyond the last edge: a grey bar set apart, labelled above itself
            // ("> 96 h"), right-aligned to the bar so that it stays inside the chart, and
            // only when it clears the bars under the label.
            let x0 = x(overflowX), x1 = x(overflowEnd)
            let top = y(Double(bins.overflow))
            canvas.fill(Rect(x: x0 + 0.4, y: top, width: x1 - x0 - 0.8, height: y(0) - top), theme.muted)
            let t = canvas.text("> " + data.format.tick(last, step: data.logX ? min(last, 1) : step, lang), theme.axis)
            let left = x1 - t.textWidth, labelTop = top - t.height - 1
            let under = bins.counts.indices.filter { x(bins.edges[$0 + 1]) > left }.map { bins.counts[$0] }.max() ?? 0
            if labelTop + t.height < y(Double(under)) - 1 {
                canvas.fill(Rect(x: left - 1, y: labelTop, width: t.textWidth + 2, height: t.height), .white)  // over the grid
                canvas.draw(t, x: left, y: labelTop)
            }
        }
        canvas.line(plot.x, y(0).rounded() + 0.25, plot.maxX, y(0).rounded() + 0.25, color: theme.axisLine, width: 0.75)

        if let r = data.reference, let label = refLabel, r.value >= first, r.value <= last {
            let px = x(r.value)
            canvas.line(px, frame.y + label.height / 2, px, plot.maxY, color: theme.marker, width: 1.25, dash: [4, 2.5])
            var style = theme.boldLabel
            style.color = theme.marker
            let t = canvas.text(r.label, style)
            let right = px + 4 + t.textWidth <= frame.maxX
            canvas.draw(t, x: right ? px + 4 : px - 4 - t.textWidth, y: frame.y)
        }
    }
}
