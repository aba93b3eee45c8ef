/// A value axis: nice ticks over the data with their labels laid out, so that a geometry
/// can reserve room for them before it places the plot.
struct ValueAxis {
    let ticks: NiceTicks
    let values: [Double]
    let labels: [TextBlock]
    let format: ValueFormat

    /// Ticks over `[lo, hi]` (zero always included for counts and shares); `fixedStep`
    /// overrides the algorithm (24 h for hours). Counts never get fractional steps.
    init(_ canvas: Canvas, lo: Double, hi: Double, format: ValueFormat, theme: Theme, lang: Language,
         target: Int = 5, fixedStep: Double? = nil) {
        var t: NiceTicks
        if let fixedStep {
            t = NiceTicks(fixedStep: fixedStep, lo, hi)
        } else {
            t = NiceTicks(min(0, lo), max(0, hi), target: target)
            if format == .count && t.step < 1 { t = NiceTicks(fixedStep: 1, min(0, lo), max(1, hi)) }
        }
        ticks = t
        values = t.values
        self.format = format
        labels = values.map { canvas.text(format.tick($0, step: t.step, lang), theme.axis) }
    }

    var maxLabelWidth: Double { labels.map(\.textWidth).max() ?? 0 }
    var labelHeight: Double { labels.map(\.height).max() ?? 0 }
    var scaleDomain: (Double, Double) { (ticks.min, ticks.max) }

    /// Horizontal grid lines across `plot` with labels right-aligned left of it.
    func drawHorizontal(_ canvas: Canvas, plot: Rect, scale: LinearScale, theme: Theme) {
        for (v, label) in zip(values, labels) {
            let y = scale(v).rounded() + 0.25
            if v != 0 { canvas.line(plot.x, y, plot.maxX, y, color: theme.grid, width: 0.5) }
            canvas.draw(label, anchorX: plot.x - 6, middleY: y, align: .right)
        }
    }

    /// Vertical grid lines across `plot` with labels under it; a label that would touch
    /// the one before it is left out, so labels never overlap.
    func drawVertical(_ canvas: Canvas, plot: Rect, scale: LinearScale, theme: Theme, gridlines: Bool = true) {
        var lastRight = -Double.infinity
        for (v, label) in zip(values, labels) {
            let x = scale(v).rounded() + 0.25
            if gridlines && v != ticks.min { canvas.line(x, plot.y, x, plot.maxY, color: theme.grid, width: 0.5) }
            let left = x - label.textWidth / 2
            guard left > lastRight + 4 else { continue }
            canvas.draw(label, x: left, y: plot.maxY + 4)
            lastRight = left + label.textWidth
        }
    }
}

/// Category labels under bands: each wrapped to its band's width (two lines at most, then
/// ellipsized). When even that does not fit (bands narrower than a short word), only every
/// n-th label is shown.
struct CategoryAxis {
    let labels: [TextBlock]
    let every: Int

    init(_ canvas: Canvas, _ categories: [String], band: Double, theme: Theme) {
        let width = max(8, band - 2)
        var blocks = categories.map { canvas.text($0, theme.axis, width: width, maxLines: 2, align: .center) }
        var every = 1
        if blocks.contains(where: { $0.isEllipsized || $0.lineCount > 1 && $0.textWidth > width }) {
            let natural = categories.map { canvas.text($0, theme.axis).textWidth }.max() ?? 0
            every = max(1, Int((natural + 6) / max(1, band)) + 1)
            if every > 1 {
                blocks = categories.map { canvas.text($0, theme.axis, width: band * Double(every) - 4, maxLines: 1, align: .center) }
            }
        }
        labels = blocks
        self.every = every
    }

    var height: Double { labels.map(\.height).max() ?? 0 }

    func draw(_ canvas: Canvas, scale: BandScale, top: Double) {
        for (i, label) in labels.enumerated() where i % every == 0 {
            canvas.draw(label, x: scale.center(i) - label.width / 2, y: top)
        }
    }
}

/// Perceived lightness, to pick dark or white text on a fill.
func isDark(_ c: Color) -> Bool { 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b < 0.5 }
