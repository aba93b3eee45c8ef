/// Small multiples: a grid of small histograms (one per panel, in order, row by row) on
/// shared scales, so that panels compare at a glance. Every panel has the same bins, the
/// same x axis (ticks every `tickStep`, numbers with the unit on the last one) and the same
/// y axis (counts, or shares of the panel's values), labelled once left of each row.
/// Values beyond the last edge are one grey bar set apart, and the reference line (the
/// deadline) is dashed across every panel; both are named once, in a key above the grid.
/// A panel's title is its name in bold (ellipsized to the panel) followed by its detail.
struct SmallMultiplesGeometry: Geometry {
    /// Height a row of panels wants, for charts that grow with their rows.
    static let rowHeight = 105.0

    var tickStep: Double?
    var columns: Int

    func draw(_ data: ChartData, in frame: Rect, on canvas: Canvas, theme: Theme, lang: Language) {
        let panels = data.panels
        guard let firstBins = panels.first?.bins, firstBins.counts.count > 0,
              let first = firstBins.edges.first, let last = firstBins.edges.last else { return }
        let cols = max(1, min(columns, panels.count))
        let rows = (panels.count + cols - 1) / cols
        let share = data.panelFormat == .percent
        func value(_ p: Panel, _ c: Int) -> Double {
            share ? (p.total > 0 ? Double(c) / Double(p.total) : 0) : Double(c)
        }
        let hi = panels.map { p in value(p, max(p.bins.counts.max() ?? 0, p.bins.overflow)) }.max() ?? 0
        let yAxis = ValueAxis(canvas, lo: 0, hi: hi, format: share ? .percent : .count, theme: theme, lang: lang, target: 3)
        let step = tickStep ?? NiceTicks(first, last).step
        let width = (last - first) / Double(firstBins.counts.count)
        let anyOverflow = panels.contains { $0.bins.overflow > 0 }
        let overflowX = last + width * 0.5   // the overflow bar sits half a bin after the axis
        let xMax = anyOverflow ? overflowX + width : last

        // X tick labels: numbers, the unit on the last one only ("0 24 48 72 96 h").
        let ticks = NiceTicks(fixedStep: step, first, last).values.filter { $0 <= last + 1e-9 }
        let tickLabels = ticks.enumerated().map { k, v in
            canvas.text(k == ticks.count - 1 ? data.format.tick(v, step: step, lang) : ValueFormat.count.tick(v, step: step, lang), theme.axis)
        }
        let xLabelHeight = tickLabels.map(\.height).max() ?? 0

        // The key above the grid: the reference line and the overflow bar.
        var top = frame.y
        var keyX = frame.x, keyHeight = 0.0
        if let r = data.reference, r.value >= first, r.value <= last {
            var style = theme.boldLabel
            style.color = theme.marker
            let t = canvas.text(r.label, style)
            canvas.line(keyX + 0.5, top + t.height / 2, keyX + 16, top + t.height / 2, color: theme.marker, width: 1.25, dash: [4, 2.5])
            canvas.draw(t, x: keyX + 20, y: top)
            keyX += 20 + t.textWidth + 16
            keyHeight = max(keyHeight, t.height)
        }
        if anyOverflow {
            let t = canvas.text("> " + data.format.tick(last, step: step, lang), theme.label)
            let swatch = theme.labelSize
            canvas.fill(Rect(x: keyX, y: top + (t.height - swatch) / 2, width: swatch, height: swatch), theme.muted)
            canvas.draw(t, x: keyX + swatch + 4, y: top)
            keyHeight = max(keyHeight, t.height)
        }
        if keyHeight > 0 { top += keyHeight + 8 }

        // The grid: one gutter for the y labels; room right of the last column for the
        // half of the last x label that overhangs when there is no overflow bar.
        let gutterLeft = yAxis.maxLabelWidth + 6
        let overhang = anyOverflow ? 0 : (tickLabels.last?.textWidth ?? 0) / 2
        let gapX = max(14, overhang + 6), gapY = 12.0
        let panelWidth = (frame.width - gutterLeft - overhang - gapX * Double(cols - 1)) / Double(cols)
        let panelHeight = (frame.maxY - top - gapY * Double(rows - 1)) / Double(rows)
        let titleHeight = canvas.text("Ag 가", theme.boldLabel).height
        var detailStyle = theme.label
        detailStyle.color = theme.secondaryText

        for (k, p) in panels.enumerated() {
            let col = k % cols, row = k / cols
            let px = frame.x + gutterLeft + Double(col) * (panelWidth + gapX)
            let py = top + Double(row) * (panelHeight + gapY)

            // Title: name in bold, cut to leave room for the detail after it.
            let detail = canvas.text(p.detail, detailStyle)
            let nameWidth = max(10, panelWidth - (p.detail.isEmpty ? 0 : detail.textWidth + 5))
            let name = canvas.text(p.title, theme.boldLabel, width: nameWidth, maxLines: 1)
            canvas.draw(name, x: px, y: py)
            let drawn = name.isEllipsized ? canvas.inkRight(name) + 1 : name.textWidth
            if !p.detail.isEmpty { canvas.draw(detail, x: px + min(drawn, nameWidth) + 5, y: py + (name.height - detail.height) / 2) }

            let plotTop = py + titleHeight + 3 + yAxis.labelHeight / 2
            let plot = Rect(x: px, y: plotTop, width: panelWidth, height: max(10, py + panelHeight - xLabelHeight - 4 - plotTop))
            let x = LinearScale(domain: (first, xMax), range: (plot.x, plot.maxX))
            let y = LinearScale(domain: yAxis.scaleDomain, range: (plot.maxY, plot.y))

            // Grid lines in every panel; the y labels left of the first column only.
            for (v, label) in zip(yAxis.values, yAxis.labels) {
                let gy = y(v).rounded() + 0.25
                if v != 0 { canvas.line(plot.x, gy, plot.maxX, gy, color: theme.grid, width: 0.5) }
                if col == 0 { canvas.draw(label, anchorX: plot.x - 6, middleY: gy, align: .right) }
            }
            let color = theme.color(4)
            for (i, c) in p.bins.counts.enumerated() where c > 0 && i + 1 < p.bins.edges.count {
                let x0 = x(p.bins.edges[i]), x1 = x(p.bins.edges[i + 1]), v = value(p, c)
                canvas.fill(Rect(x: x0 + 0.3, y: y(v), width: max(0.2, x1 - x0 - 0.6), height: y(0) - y(v)), color)
            }
            if p.bins.overflow > 0 {
                let x0 = x(overflowX), x1 = x(overflowX + width), v = value(p, p.bins.overflow)
                canvas.fill(Rect(x: x0 + 0.3, y: y(v), width: max(0.2, x1 - x0 - 0.6), height: y(0) - y(v)), theme.muted)
            }
            if p.total == 0 {
                let t = canvas.text(lang == .ko ? "자료 없음" : "No data", detailStyle)
                canvas.draw(t, anchorX: plot.x + plot.width / 2, middleY: plot.y + plot.height / 2, align: .center)
            }
            canvas.line(plot.x, y(0).rounded() + 0.25, plot.maxX, y(0).rounded() + 0.25, color: theme.axisLine, width: 0.75)

            // X ticks under every panel; a label that would touch the one before it is left out.
            var lastRight = -Double.infinity
            for (v, label) in zip(ticks, tickLabels) {
                let tx = x(v)
                canvas.line(tx, plot.maxY, tx, plot.maxY + 3, color: theme.axisLine, width: 0.5)
                let left = tx - label.textWidth / 2
                guard left > lastRight + 3 else { continue }
                canvas.draw(label, x: left, y: plot.maxY + 3)
                lastRight = left + label.textWidth
            }

            if let r = data.reference, r.value >= first, r.value <= last {
                let rx = x(r.value)
                canvas.line(rx, plot.y, rx, plot.maxY, color: theme.marker, width: 1, dash: [3, 2])
            }
        }
    }
}
