import TallyFiles
/// The chart kinds a spec can ask for.
public enum ChartKind: String, CaseIterable, Sendable {
    /// Vertical bars over categories (victims per month).
    case bars
    /// Vertical bars stacked from several series (minors / adults / unknown age).
    case stackedBars = "stacked_bars"
    /// Lines over categories, labelled directly (monthly series, with the previous year).
    case lines
    /// Horizontal bars in rank order with interval whiskers (the platform league).
    case rankedBars = "ranked_bars"
    /// Distribution of a duration in bins with a marked threshold (hours to removal).
    case histogram
    /// A grid of small panels on shared scales, one distribution per platform (hours to
    /// removal by platform).
    case smallMultiples = "small_multiples"
    /// A figure's first estimate against its latest value, by month (revisions.md): two
    /// lines over the months, from the store's vintages.
    case revisions
}

/// The words around a chart: a title and subtitle above it, a note and the source under it.
public struct Annotations: Sendable {
    public var title: String
    public var subtitle: String
    public var note: String
    public var source: String
    public init(title: String, subtitle: String = "", note: String = "", source: String = "") {
        self.title = title; self.subtitle = subtitle; self.note = note; self.source = source
    }
}

/// A chart: data, a geometry (the kind), scales chosen by the geometry from the data, a
/// theme and annotations. `draw` is the one drawing path of every output format.
public struct Chart: Sendable {
    public var kind: ChartKind
    public var data: ChartData
    public var annotations: Annotations
    public var language: Language
    public var theme: Theme
    /// For histograms and small multiples: the x-axis tick step (24 h), else chosen by the
    /// tick algorithm.
    public var tickStep: Double?
    /// For small multiples: panels per row.
    public var columns: Int

    public init(kind: ChartKind, data: ChartData, annotations: Annotations, language: Language,
                theme: Theme = Theme(), tickStep: Double? = nil, columns: Int = 3) {
        self.kind = kind; self.data = data; self.annotations = annotations; self.language = language
        self.theme = theme; self.tickStep = tickStep; self.columns = columns
    }

    var geometry: any Geometry {
        switch kind {
        case .bars: return BarGeometry(stacked: false)
        case .stackedBars: return BarGeometry(stacked: true)
        case .lines, .revisions: return LineGeometry()
        case .rankedBars: return RankedBarGeometry()
        case .histogram: return HistogramGeometry(tickStep: tickStep)
        case .smallMultiples: return SmallMultiplesGeometry(tickStep: tickStep, columns: columns)
        }
    }

    /// Lays out title, subtitle, legend, plot, note and source top to bottom inside the
    /// margins; text that would not fit in its lines is wrapped, then ellipsized.
    public func draw(on canvas: Canvas) {
        let t = theme
        let content = Rect(x: 0, y: 0, width: t.width, height: t.height).inset(top: t.margin, left: t.margin, bottom: t.margin * 0.8, right: t.margin)
        var top = content.y
        let title = canvas.text(annotations.title, t.title, width: content.width, maxLines: 2)
        canvas.draw(title, x: content.x, y: top)
        top += title.height + 2
        if !annotations.subtitle.isEmpty {
            let sub = canvas.text(annotations.subtitle, t.subtitle, width: content.width, maxLines: 2)
            canvas.draw(sub, x: content.x, y: top)
            top += sub.height
        }
        top += 10
        let geometry = self.geometry
        if geometry.wantsLegend(data) {
            top += drawLegend(on: canvas, x: content.x, y: top, width: content.width) + 8
        }

        var bottom = content.maxY
        let sourceText = annotations.source.isEmpty ? "" : (language == .ko ? "자료: " : "Source: ") + annotations.source
        if !sourceText.isEmpty {
            let src = canvas.text(sourceText, t.note, width: content.width, maxLines: 2)
            bottom -= src.height
            canvas.draw(src, x: content.x, y: bottom)
        }
        if !annotations.note.isEmpty {
            let note = canvas.text(annotations.note, t.note, width: content.width, maxLines: 3)
            bottom -= note.height + 1
            canvas.draw(note, x: content.x, y: bottom)
        }
        bottom -= 12
        let frame = Rect(x: content.x, y: top, width: content.width, height: max(40, bottom - top))
        geometry.draw(data, in: frame, on: canvas, theme: t, lang: language)
    }

    /// Swatches and series names in rows; returns the height used.
    func drawLegend(on canvas: Canvas, x: Double, y: Double, width: Double) -> Double {
        let swatch = theme.labelSize, gap = 14.0
        var cx = x, cy = y, rowHeight = 0.0
        var normal = 0
        for s in data.series {
            let color = theme.color(normal, role: s.role)
            if s.role == .normal { normal += 1 }
            let label = canvas.text(s.label, theme.label, width: width - swatch - 4, maxLines: 1)
            let itemWidth = swatch + 4 + label.textWidth
            if cx > x && cx + itemWidth > x + width { cx = x; cy += rowHeight + 4; rowHeight = 0 }
            canvas.fill(Rect(x: cx, y: cy + (label.height - swatch) / 2, width: swatch, height: swatch), color)
            canvas.draw(label, x: cx + swatch + 4, y: cy)
            cx += itemWidth + gap
            rowHeight = max(rowHeight, label.height)
        }
        return cy + rowHeight - y
    }

    /// The chart as an image at `dpi` (72 dpi: one pixel a point).
    public func image(dpi: Double = 144) -> ImageSurface {
        Renderer.image(width: theme.width, height: theme.height, dpi: dpi) { draw(on: $0) }
    }

    /// Writes the chart to `path` as PNG (at `dpi`), SVG or PDF.
    /// SVG carries the chart's title and text alternative (`role="img"`, `<title>`, `<desc>`).
    public func write(to path: String, format: ChartFormat, dpi: Double = 144) throws {
        if format == .svg {
            let markup = try svg(idPrefix: "c", inline: false)
            do { try AtomicFile.write(markup, to: path) } catch let e as FileWriteError { throw RenderError(e.description) }
            return
        }
        try Renderer.write(path, format: format, width: theme.width, height: theme.height, dpi: dpi,
                           title: annotations.title) { draw(on: $0) }
    }
}
