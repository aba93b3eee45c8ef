/// Lines over categories (months), one per series, labelled directly at their right end
/// with name and last value; labels are moved apart vertically so they never overlap.
/// A `muted` series (the previous year) is drawn first, thin and grey. Missing values
/// break the line.
struct LineGeometry: Geometry {
    func draw(_ data: ChartData, in frame: Rect, on canvas: Canvas, theme: Theme, lang: Language) {
        guard !data.series.isEmpty, !data.categories.isEmpty else { return }
        let all = data.series.flatMap { $0.values.compactMap { $0 } }
        let axis = ValueAxis(canvas, lo: 0, hi: all.max() ?? 0, format: data.format, theme: theme, lang: lang)

        // Direct labels: "name" over "value" in the series' colour, in a right gutter.
        let maxGutter = frame.width * 0.25
        var colorIndex = 0
        let colors: [Color] = data.series.map { s in
            defer { if s.role == .normal { colorIndex += 1 } }
            return theme.color(colorIndex, role: s.role)
        }
        let ends: [(Int, Double)?] = data.series.map { s in
            s.values.indices.last { s.values[$0] != nil }.map { ($0, s.values[$0]!) }
        }
        let labels: [TextBlock?] = data.series.indices.map { k in
            guard let end = ends[k] else { return nil }
            var style = theme.boldLabel
            style.color = colors[k]
            return canvas.text(data.series[k].label + "\n" + data.format.label(end.1, lang), style, width: maxGutter, maxLines: 3)
        }
        let gutterRight = min(maxGutter, (labels.compactMap { $0?.textWidth }.max() ?? 0)) + 10
        let gutterLeft = axis.maxLabelWidth + 8
        var band = BandScale(count: data.categories.count, start: frame.x + gutterLeft, length: frame.width - gutterLeft - gutterRight)
        let cats = CategoryAxis(canvas, data.categories, band: band.band, theme: theme)
        let plot = frame.inset(top: axis.labelHeight / 2, left: gutterLeft, bottom: cats.height + 5, right: gutterRight)
        band = BandScale(count: data.categories.count, start: plot.x, length: plot.width)
        let y = LinearScale(domain: axis.scaleDomain, range: (plot.maxY, plot.y))

        axis.drawHorizontal(canvas, plot: plot, scale: y, theme: theme)
        canvas.line(plot.x, y(0).rounded() + 0.25, plot.maxX, y(0).rounded() + 0.25, color: theme.axisLine, width: 0.75)
        let order = data.series.indices.sorted { (data.series[$0].role == .muted ? 0 : 1) < (data.series[$1].role == .muted ? 0 : 1) }
        for k in order {
            let s = data.series[k]
            let muted = s.role == .muted
            var run: [(Double, Double)] = []
            for i in data.categories.indices {
                if i < s.values.count, let v = s.values[i] {
                    run.append((band.center(i), y(v)))
                } else {
                    canvas.polyline(run, color: colors[k], width: muted ? 1.5 : 2.25)
                    run = []
                }
            }
            canvas.polyline(run, color: colors[k], width: muted ? 1.5 : 2.25)
            for i in data.categories.indices where i < s.values.count {
                if let v = s.values[i] { canvas.dot(band.center(i), y(v), radius: muted ? 2 : 2.75, color: colors[k]) }
            }
        }

        // Place the end labels at their last points, then push them apart.
        var placed: [(k: Int, top: Double, block: TextBlock)] = data.series.indices.compactMap { k in
            guard let end = ends[k], let b = labels[k] else { return nil }
            return (k, y(end.1) - b.height / 2, b)
        }
        placed.sort { $0.top < $1.top }
        let gap = 3.0
        for i in placed.indices.dropFirst() {
            let minTop = placed[i - 1].top + placed[i - 1].block.height + gap
            if placed[i].top < minTop { placed[i].top = minTop }
        }
        // Keep them inside the frame: shift the whole stack up if it runs off the bottom.
        if let last = placed.last, last.top + last.block.height > frame.maxY {
            var limit = frame.maxY
            for i in placed.indices.reversed() {
                placed[i].top = min(placed[i].top, limit - placed[i].block.height)
                limit = placed[i].top - gap
            }
        }
        for p in placed {
            guard let end = ends[p.k] else { continue }
            let x = band.center(end.0) + 8
            let x0 = max(x, plot.maxX + 6)
            canvas.draw(p.block, x: x0, y: max(frame.y, p.top))
        }
        cats.draw(canvas, scale: band, top: plot.maxY + 5)
    }
}
